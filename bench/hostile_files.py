"""Benchmark: how fast and in how much memory the one reader (core.spreadsheets.read_grid) refuses hostile
files, and what an honest 20,000-task table costs it.

    .venv/bin/python bench/hostile_files.py [--before] [--only NAME …]

Each file is built here at full size (the builders are core/tests/hostile.py) and read in a fresh process
that reports the seconds read_grid took and the process's peak memory (ru_maxrss; the libraries are
imported first; the figure in brackets is what reading added). --before also reads each
file with the reader of the last commit (git show HEAD:core/spreadsheets.py), stopped after 60 s or
1.5 GB. Results go to bench/results/hostile_files.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT  # bench/ is on sys.path when a script runs

sys.path.insert(0, str(ROOT))

BEFORE_SECONDS = 60
BEFORE_BYTES = 1536 * 1024 * 1024


def files() -> dict[str, tuple[str, callable]]:
    from core.tests import hostile as h

    def honest_plan() -> bytes:
        spec = importlib.util.spec_from_file_location("bench_plans", Path(__file__).with_name("plans.py"))
        plans = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(plans)
        return plans.build_workbook(20_000)

    def big_document() -> bytes:
        words = [w.encode() for w in ("共青团", "团委", "组织部", "宣传部", "学校部", "青年", "志愿", "服务")]
        rng = random.Random(13)

        def body():
            for _ in range(80):
                yield b"".join(
                    b"<w:p><w:r><w:t>"
                    + b"".join(rng.choice(words) for _ in range(12))
                    + b"</w:t></w:r></w:p>"
                    for _ in range(4_000)
                )
            yield h.word_table(["<w:tr><w:tc><w:p/></w:tc></w:tr>"], 1).encode()

        return h.docx(body())

    one_cell = h.sheet_xml(h.text_rows([["a"]]))
    return {
        "xlsx: the issue's file, A1:XFD1048576 and 190 MB of one repeated cell": (
            "plan.xlsx",
            lambda: h.xlsx(h.repeated_cells(190)),
        ),
        "xlsx: declares A1:XFD1048576, holds one row": (
            "plan.xlsx",
            lambda: h.xlsx(h.sheet_xml(h.text_rows([["序号", "任务"]]), dimension="A1:XFD1048576")),
        ),
        "xlsx: a cell on row 1,048,576": ("plan.xlsx", lambda: h.xlsx(h.row_jump())),
        "xlsx: 2,000,000 addressed cells": ("plan.xlsx", lambda: h.xlsx(h.many_cells(2_000_000), level=9)),
        "xlsx: one row of 1,000,000 cells": ("plan.xlsx", lambda: h.xlsx(h.wide_row(1_000_000))),
        "xlsx: 3,000,000 shared strings": (
            "plan.xlsx",
            lambda: h.xlsx(one_cell, strings=h.shared_strings(3_000_000), level=9),
        ),
        "xlsx: 100,000 merged ranges": ("plan.xlsx", lambda: h.xlsx(h.merge_ranges(100_000), level=9)),
        "xlsx: 5,000,000 unknown elements": ("plan.xlsx", lambda: h.xlsx(h.junk_elements(5_000_000))),
        "xlsx: styles.xml of 9 MB": ("plan.xlsx", lambda: h.xlsx(one_cell, styles=h.big_styles(9))),
        "xlsx: zip bomb, 250 MB of zeros": ("plan.xlsx", lambda: h.zip_bomb(250)),
        "xlsx: 6,000 parts": ("plan.xlsx", lambda: h.many_parts(6_000)),
        "xls: DIMENSIONS declares 65,536 rows": ("plan.xls", lambda: h.xls([], dimensions_rows=65_536)),
        "xls: one merged range over 65,536 × 256": ("plan.xls", lambda: h.xls(h.merged_everything())),
        "xls: 1,024,000 numbers (MULRK)": ("plan.xls", lambda: h.xls(h.mulrk_rows(4_000, first_row=100))),
        "xls: 60,000 rows, one cell each in column IV": ("plan.xls", lambda: h.xls(h.far_cells(60_000))),
        "docx: first column merged down 5,000 rows": ("plan.docx", lambda: h.docx(h.vertical_merge(5_000))),
        "docx: a cell spanning 10⁹ columns": ("plan.docx", lambda: h.docx(h.grid_span(1_000_000_000))),
        "docx: document.xml of 38 MB": ("plan.docx", big_document),
        "docx: zip bomb, a 150 MB paragraph": (
            "plan.docx",
            lambda: h.docx([b"<w:p><w:r><w:t>" + b"x" * (150 << 20) + b"</w:t></w:r></w:p>"]),
        ),
        "csv: one line of 3,000,000 fields": ("plan.csv", lambda: h.csv_wide_line(3_000_000)),
        "honest: the 20,000-task table of bench/plans.py": ("plan.xlsx", honest_plan),
    }


def peak_mb() -> float:
    """This process's peak resident memory. Not ru_maxrss: that keeps the parent's size at fork across exec
    (the parent here holds the files it built)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def child(path: str, name: str, before: bool) -> None:
    import resource
    import time

    import docx  # noqa: F401 - imported before the baseline: the figure is what reading adds
    import openpyxl  # noqa: F401
    import xlrd  # noqa: F401

    if before:
        source = subprocess.run(["git", "show", "HEAD:core/spreadsheets.py"], cwd=ROOT, capture_output=True,
                                check=True).stdout  # fmt: skip
        module_path = Path(tempfile.mkdtemp()) / "spreadsheets_before.py"
        module_path.write_bytes(source)
        spec = importlib.util.spec_from_file_location("spreadsheets_before", module_path)
        reader = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(reader)
        resource.setrlimit(resource.RLIMIT_AS, (BEFORE_BYTES, BEFORE_BYTES))
    else:
        from core import spreadsheets as reader
    content = Path(path).read_bytes()
    baseline = peak_mb()
    started = time.perf_counter()
    try:
        grid = reader.read_grid(name, content)
        outcome = f"read: {len(grid):,} rows × {len(grid[0]) if grid else 0} columns"
    except reader.SpreadsheetError as exc:
        outcome = f"refused: {exc}"
    except MemoryError:
        outcome = f"MemoryError (above {BEFORE_BYTES // 1024 // 1024} MB)"
    except Exception as exc:  # noqa: BLE001 - the old reader's crashes are part of the result
        outcome = f"crashed: {type(exc).__name__}: {str(exc)[:80]}"
    seconds = time.perf_counter() - started
    peak = peak_mb()
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "baseline_mb": baseline, "outcome": outcome},
                     ensure_ascii=False))  # fmt: skip


def measure(path: Path, name: str, before: bool) -> dict:
    command = [sys.executable, __file__, "--child", str(path), name] + (["--before"] if before else [])
    try:
        out = subprocess.run(command, capture_output=True, text=True, env=os.environ, cwd=ROOT,
                             timeout=BEFORE_SECONDS + 30 if before else 600)  # fmt: skip
    except subprocess.TimeoutExpired:
        return {
            "seconds": None,
            "peak_mb": None,
            "outcome": f"still reading after {BEFORE_SECONDS + 30} s (stopped)",
        }
    lines = out.stdout.strip().splitlines()
    if out.returncode or not lines:
        return {
            "seconds": None,
            "peak_mb": None,
            "outcome": f"process died ({out.returncode}): {out.stderr[-200:]}",
        }
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", action="store_true", help="also read each file with HEAD's reader")
    parser.add_argument("--only", nargs="*", default=[], help="files whose label contains one of these")
    parser.add_argument("--child", nargs=2, metavar=("FILE", "NAME"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.before)
        return
    results = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
               "files": {}}  # fmt: skip
    rows = ["| file | size | refused / read in | peak memory | outcome |", "|---|---|---|---|---|"]
    if args.before:
        rows = [
            "| file | size | now | peak | before | peak before | outcome now / before |",
            "|---|---|---|---|---|---|---|",
        ]
    with tempfile.TemporaryDirectory() as tmp:
        for label, (name, build) in files().items():
            if args.only and not any(word in label for word in args.only):
                continue
            path = Path(tmp) / name
            content = build()
            path.write_bytes(content)
            del content  # the child is forked from this process: keep it small
            size = path.stat().st_size
            now = measure(path, name, False)
            entry = {"bytes": size, "now": now}
            added = now["peak_mb"] - now["baseline_mb"]
            line = f"| {label} | {size / 1024:,.0f} KB | **{now['seconds']:.2f} s** | "
            line += f"{now['peak_mb']:.0f} MB (+{added:.0f}) |"
            if args.before:
                then = entry["before"] = measure(path, name, True)
                seconds = f"{then['seconds']:.2f} s" if then.get("seconds") is not None else "—"
                peak = f"{then['peak_mb']:.0f} MB" if then.get("peak_mb") is not None else "—"
                line += f" {seconds} | {peak} | {now['outcome'][:70]} / {then['outcome'][:70]} |"
            else:
                line += f" {now['outcome'][:90]} |"
            rows.append(line)
            results["files"][label] = entry
            print(line, flush=True)
    print("\n".join(rows))
    out = Path(__file__).with_name("results") / "hostile_files.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
