"""Benchmark: the 通报, the 考核 and the 时间轴 over the national data set of bench/board.py (issue 14,
"Timeline, 通报 and 考核").

    .venv/bin/python bench/evaluation.py [--runs 5]

Needs the database bench/board.py builds (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/tuanjian_bench_board): run `bench/board.py --runs 1 --skip-http
--skip-refresh` once first. The data set: 31 provinces and 3,307 cities and counties under 团中央, a 50-task
national plan to every city and county, a provincial plan per province to its departments, eight months of
monthly reports (see bench/board.py).

Measures, as on BENCH_DAY (2026-09-15), production settings (DEBUG=0), median of --runs after a warm-up, the
database time of every statement (perf_counter around each execute), the query count and the wall time:
- bulletin(): the country (31 provinces, every assignment counted), 浙江 (its cities), 杭州 (its counties),
  for 2026 and for 2026Q3;
- assessment(): the country and 浙江, 2026;
- the pages through django.test.Client: 浙江's bulletin page (viewer), the 时间轴 of the national plan
  (团中央 viewer) and of 西湖's own assignments (西湖 viewer).
There is no target in the issue: the figures are recorded in BENCHMARKS.md. Prints a Markdown table and
writes bench/results/evaluation.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from pathlib import Path
from unittest import mock

from board import BENCH_DAY, DEFAULT_URL, measure, page_getter, setup_django, viewer_org
from common import ROOT


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup_django(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from core.periods import parse_period
    from evaluation.selectors import assessment, bulletin
    from plans.models import Plan

    central, zj, hz = viewer_org("central"), viewer_org("330000"), viewer_org("330100")
    xh = viewer_org("330106")
    national_plan = Plan.objects.filter(organisation=central).order_by("pk").first()
    cases = []
    for label, org in (("the country", central), ("浙江", zj), ("杭州", hz)):
        for period in ("2026", "2026Q3"):
            cases.append(
                (
                    f"bulletin(), {label}, {period}",
                    lambda o=org, p=period: bulletin(org=o, period=parse_period(p), today=BENCH_DAY),
                )
            )
    for label, org in (("the country", central), ("浙江", zj)):
        cases.append(
            (f"assessment(), {label}, 2026", lambda o=org: assessment(org=o, year=2026, today=BENCH_DAY))
        )
    User = get_user_model()

    def page(username: str, url: str):
        client = Client()
        client.force_login(User.objects.get(username=username))
        return page_getter(client, url)

    cases += [
        (
            "浙江's 通报 page, 2026",
            page("bench_province", f"{reverse('evaluation:bulletin')}?org={zj.pk}&period=2026"),
        ),
        (
            "时间轴 of the national plan (50 tasks)",
            page("bench_central", f"{reverse('supervision:timeline')}?plan={national_plan.pk}"),
        ),
        (
            "时间轴 of 西湖's assignments",
            page("bench_county", f"{reverse('supervision:timeline')}?org={xh.pk}"),
        ),
    ]
    results = {}
    with mock.patch("django.utils.timezone.localdate", return_value=BENCH_DAY):
        for label, function in cases:
            found = measure(function, args.runs)
            results[label] = {key: found[key] for key in ("db_ms", "db_ms_runs", "wall_ms", "queries")}
            slowest = sorted(found["statements"], key=lambda s: -s[2])[:3]
            results[label]["slowest_ms"] = [s[2] for s in slowest]
            print(
                f"{label}: DB {found['db_ms']:.1f} ms in {found['queries']} queries, "
                f"wall {found['wall_ms']:.1f} ms",
                flush=True,
            )
    summary = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "bench_day": BENCH_DAY.isoformat(),
        "runs": args.runs,
        "results": results,
    }
    print("\n| measure | DB time (median) | queries | wall |\n|---|---|---|---|")
    for label, found in results.items():
        print(f"| {label} | {found['db_ms']:.1f} ms | {found['queries']} | {found['wall_ms']:.1f} ms |")
    out = Path(ROOT) / "bench" / "results" / "evaluation.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
