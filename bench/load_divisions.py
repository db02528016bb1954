"""Benchmark: load the national division tree, re-run it, and add one organisation under a Shandong county.

    .venv/bin/python bench/load_divisions.py [--data DIR] [--runs 3] [--inserts 20]

Needs PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/tuanjian_bench). The bench
database is dropped and recreated for every load run. Prints the medians as a Markdown table row.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time

from common import ROOT, manage, recreate_database  # bench/ is on sys.path when a script runs

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "divisions"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tuanjian_bench"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--inserts", type=int, default=50)
    parser.add_argument(
        "--county", default="370102", help="the county to add organisations under (山东 历下区)"
    )
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)

    loads = []
    for run in range(args.runs):
        recreate_database(url)
        manage(url, "migrate", "--noinput", "-v0")
        started = time.perf_counter()
        payload = json.loads(manage(url, "load_divisions", args.data, "--json"))
        wall = time.perf_counter() - started
        loads.append({"wall": wall, **payload})
        print(
            f"load {run + 1}: {wall:.1f} s wall, {payload['created']:,} nodes, "
            f"peak {payload['peak_memory_mb']:.0f} MB, stages {payload['timings']}",
            flush=True,
        )

    started = time.perf_counter()
    rerun = json.loads(manage(url, "load_divisions", args.data, "--json"))
    rerun_wall = time.perf_counter() - started
    print(
        f"re-run: {rerun_wall:.1f} s, created {rerun['created']}, unchanged {rerun['unchanged']:,}",
        flush=True,
    )

    started = time.perf_counter()
    check = json.loads(manage(url, "check_orgtree", "--json"))
    check_wall = time.perf_counter() - started
    assert check["ok"], check
    print(f"check_orgtree: {check_wall:.1f} s over {check['nodes']:,} nodes", flush=True)

    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuanjian.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from orgtree.models import Organisation, OrgType
    from orgtree.services import organisation_create

    def vacuum():
        # Production's autovacuum runs between rare structural writes; start each series from that state.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE orgtree_organisation")

    def timed_insert(parent, label):
        started = time.perf_counter()
        organisation_create(parent=parent, name=f"基准测试团支部{label}", org_type=OrgType.BRANCH)
        return time.perf_counter() - started

    county = Organisation.objects.get(code=args.county)
    province_nodes = Organisation.objects.filter(tree_id=county.tree_id).count()
    vacuum()
    worst = [timed_insert(county, f"w{i}") for i in range(args.inserts)]
    print(
        f"insert under {county.name}, the first county of a {province_nodes:,}-node province "
        f"(every other node to its right): first {worst[0] * 1000:.0f} ms, "
        f"median {statistics.median(worst) * 1000:.0f} ms, "
        f"max {max(worst) * 1000:.0f} ms",
        flush=True,
    )
    counties = list(
        Organisation.objects.filter(tree_id=county.tree_id, org_type=OrgType.COUNTY).order_by("lft")
    )
    step = max(1, len(counties) // args.inserts)
    sample = counties[::step][: args.inserts]
    vacuum()
    spread = [timed_insert(c, f"s{i}") for i, c in enumerate(sample)]
    print(
        f"insert under {len(sample)} counties spread over the province: "
        f"median {statistics.median(spread) * 1000:.0f} ms, max {max(spread) * 1000:.0f} ms",
        flush=True,
    )

    summary = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_median_s": round(statistics.median(x["wall"] for x in loads), 1),
        "load_runs_s": [round(x["wall"], 1) for x in loads],
        "peak_memory_mb_median": round(statistics.median(x["peak_memory_mb"] for x in loads)),
        "nodes": loads[0]["created"],
        "rerun_s": round(rerun_wall, 1),
        "check_orgtree_s": round(check_wall, 1),
        "insert_first_county_first_ms": round(worst[0] * 1000),
        "insert_first_county_median_ms": round(statistics.median(worst) * 1000),
        "insert_first_county_max_ms": round(max(worst) * 1000),
        "insert_spread_median_ms": round(statistics.median(spread) * 1000),
        "insert_spread_max_ms": round(max(spread) * 1000),
        "insert_first_county_p95_ms": round(percentile(worst, 95) * 1000),
        "inserts_over_100ms": sum(1 for t in worst + spread if t > 0.1),
        "inserts": len(worst) + len(spread),
        "province_nodes": province_nodes,
    }
    print(json.dumps(summary, ensure_ascii=False))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "load_divisions.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
