"""Benchmark: reading a 20,000-task 任务分解表 into a grid, per format and reader.

    .venv/bin/python bench/readers.py [--runs 3] [--tasks 20000]

The workbook of bench/plans.py is read by the project's one reader (core.spreadsheets.read_grid) as .xlsx
(openpyxl), as legacy .xls (xlrd; converted with LibreOffice `soffice` when it is installed) and as a Word
.docx table (python-docx), each in a fresh process that reports its time and peak memory. When the
python-calamine package is importable (it is not a dependency: `pip install --target DIR python-calamine`
and PYTHONPATH=DIR), the same .xlsx is also read with it, merged cells filled the same way, to weigh it
against openpyxl. Results go to bench/results/readers.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT  # bench/ is on sys.path when a script runs

sys.path.insert(0, str(ROOT))


def build_docx(tasks: int) -> bytes:
    import docx

    spec = importlib.util.spec_from_file_location("bench_plans", Path(__file__).with_name("plans.py"))
    plans = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plans)
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(plans.build_workbook(tasks))).active
    document = docx.Document()
    rows = list(sheet.iter_rows(values_only=True))
    document.add_paragraph(str(rows[0][0]))
    table = document.add_table(rows=0, cols=6)
    for row in rows[1:]:
        cells = table.add_row().cells
        for index, value in enumerate(row[:6]):
            cells[index].text = "" if value is None else str(value)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def calamine_grid(content: bytes) -> list[list[str]]:
    """What core.spreadsheets does for .xlsx, with python-calamine instead of openpyxl."""
    from python_calamine import CalamineWorkbook

    from core.spreadsheets import MAX_COLUMNS, cell_text

    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    rows = sheet.to_python(skip_empty_area=False)
    width = min(max((len(r) for r in rows), default=0), MAX_COLUMNS)
    grid = [
        [cell_text(v if v != "" else None) for v in (row[:width] + [""] * (width - len(row)))] for row in rows
    ]
    for (r1, c1), (r2, c2) in sheet.merged_cell_ranges or []:
        top = grid[r1][c1] if c1 < width else ""
        for r in range(r1, r2 + 1):
            for c in range(c1, min(c2, width - 1) + 1):
                grid[r][c] = top
    return grid


def child(path: str, reader: str) -> None:
    import resource

    content = Path(path).read_bytes()
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    if reader == "calamine":
        grid = calamine_grid(content)
    else:
        from core.spreadsheets import read_grid

        grid = read_grid(Path(path).name, content)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rows": len(grid), "peak_mb": peak, "baseline_mb": baseline,
                      "sample": grid[5][:2]}, ensure_ascii=False))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=20_000)
    parser.add_argument("--child", nargs=2, metavar=("FILE", "READER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    spec = importlib.util.spec_from_file_location("bench_plans", Path(__file__).with_name("plans.py"))
    plans = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plans)
    results = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
               "tasks": args.tasks, "readers": {}}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        xlsx = Path(tmp) / "plan.xlsx"
        xlsx.write_bytes(plans.build_workbook(args.tasks))
        files = [("xlsx (openpyxl)", xlsx, "project")]
        if shutil.which("soffice"):
            subprocess.run(["soffice", "--headless", "--convert-to", "xls", "--outdir", tmp, str(xlsx)],
                           check=True, capture_output=True, timeout=600)  # fmt: skip
            files.append(("xls (xlrd)", Path(tmp) / "plan.xls", "project"))
        docx = Path(tmp) / "plan.docx"
        docx.write_bytes(build_docx(args.tasks))
        files.append(("docx (python-docx)", docx, "project"))
        if importlib.util.find_spec("python_calamine"):
            files.append(("xlsx (python-calamine)", xlsx, "calamine"))
        rows = ["| reader | file | median | runs | peak memory |", "|---|---|---|---|---|"]
        for label, path, reader in files:
            runs = []
            for _ in range(args.runs):
                out = subprocess.run([sys.executable, __file__, "--child", str(path), reader], check=True,
                                     capture_output=True, text=True, env=os.environ)  # fmt: skip
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            median = statistics.median(r["seconds"] for r in runs)
            peak = statistics.median(r["peak_mb"] for r in runs)
            size = path.stat().st_size / 1024 / 1024
            results["readers"][label] = {
                "median_s": round(median, 2), "runs_s": [round(r["seconds"], 2) for r in runs],
                "peak_mb": round(peak), "rows": runs[0]["rows"], "file_mb": round(size, 2),
            }  # fmt: skip
            each = ", ".join(f"{r['seconds']:.2f}" for r in runs)
            rows.append(f"| {label} | {size:.2f} MB, {runs[0]['rows']:,} rows | **{median:.2f} s** | "
                        f"{each} s | {peak:.0f} MB |")  # fmt: skip
    print("\n".join(rows))
    out = Path(__file__).with_name("results") / "readers.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
