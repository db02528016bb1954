"""Benchmark: indicator rollup at the national root over a year of monthly figures from every county.

    .venv/bin/python bench/indicators.py [--runs 21] [--months 12] [--indicators 10]
                                         [--depth village] [--reuse]

Needs PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/tuanjian_bench_indicators)
and the national divisions in ../shared/data/divisions. The data set (dropped and rebuilt unless --reuse):

* the whole country (`manage.py load_divisions`, 665,263 organisations; `--depth county` for a quick run)
  and a 共青团中央 root;
* 10 monthly ratio indicators reported by 团县（市、区）委, and one figure per county, month of 2019 and
  indicator, written by one INSERT … SELECT (denominators 100–10,099, numerators up to the denominator;
  ~2 % of the figures left out so completeness is not trivially full), then VACUUM ANALYZE.

Measures, production settings (DEBUG=0), after one untimed warm-up call each:

1. `rollup(indicator, 团中央, "2019-06")`: the national figure and each province's — target < 200 ms,
   one statement (the rollup) plus the targets' lookup; the query count is recorded.
2. The same at 团浙江省委 (a province and its cities).
3. `rollup(…, "2019")`: the year of a monthly indicator (last month per county, window function).
4. `series(indicator, 团中央, 2017–2021)`: the line chart's five yearly figures.
5. The whole indicator page at 团中央 for a superuser (Django test client, HTML rendered, all its queries).

The national result is checked against an independent SUM over the values table. Prints a Markdown row per
measure and a JSON summary, also written to bench/results/indicators.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, manage, recreate_database  # bench/ is on sys.path when a script runs

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tuanjian_bench_indicators"
DIVISIONS = ROOT.parent / "shared" / "data" / "divisions"
TARGET_MS = 200
PROD_ENV = {"DEBUG": "0", "SECRET_KEY": "bench-only-not-secret", "ALLOWED_HOSTS": "localhost"}


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)
    os.environ.update(PROD_ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuanjian.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build(url: str, months: int, indicator_count: int, depth: str) -> dict:
    recreate_database(url)
    manage(url, "migrate", "--noinput", "-v0")
    started = time.perf_counter()
    manage(url, "load_divisions", str(DIVISIONS), "--depth", depth)
    load_s = time.perf_counter() - started
    setup_django(url)
    from django.db import connection

    from indicators.models import Indicator
    from orgtree.models import OrgType
    from orgtree.services import organisation_create

    organisation_create(parent=None, name="共青团中央", org_type=OrgType.CENTRAL)
    indicators = [
        Indicator(code=f"bench_{n:02d}", name=f"基准指标{n:02d}", frequency="month", reporting_level="county",
                  numerator_label="分子", denominator_label="分母", order=n)
        for n in range(1, indicator_count + 1)
    ]  # fmt: skip
    Indicator.objects.bulk_create(indicators)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO indicators_value (indicator_id, organisation_id, period, year, numerator, denominator,
                                          value, source, is_late, reported_at, updated_at)
            SELECT i.id, o.id, '2019-' || lpad(m::text, 2, '0'), 2019, f.num, f.den,
                   round(f.num * 100.0 / f.den, 1), 'import', (hashtext(o.id::text || m::text) %% 10 = 0),
                   now(), now()
            FROM orgtree_organisation o
            CROSS JOIN generate_series(1, %s) AS m
            CROSS JOIN indicators_indicator i
            CROSS JOIN LATERAL (
                SELECT 100 + abs(hashtext(o.id::text || '/' || m || '/' || i.id)) %% 10000 AS den
            ) d
            CROSS JOIN LATERAL (
                SELECT d.den, (abs(hashtext(i.id || '/' || o.id || '/' || m)) %% (d.den + 1)) AS num
            ) f
            WHERE o.org_type = 'county' AND abs(hashtext(o.code || '#' || m || '#' || i.id)) %% 50 <> 0
            """,
            [months],
        )
        inserted = cursor.rowcount
    insert_s = time.perf_counter() - started
    connection.close()
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return {"load_divisions_s": round(load_s, 1), "values": inserted, "insert_s": round(insert_s, 1)}


def timed(fn, runs: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        fn()  # warm-up, also counts the statements
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--indicators", type=int, default=10)
    parser.add_argument("--depth", default="village", choices=["county", "township", "village"])
    parser.add_argument("--reuse", action="store_true", help="measure the existing bench database")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    dataset = {} if args.reuse else build(url, args.months, args.indicators, args.depth)
    # Production settings serve hashed static names from the collected manifest.
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"],
        env={**os.environ, **PROD_ENV, "DATABASE_URL": url}, check=True,
    )  # fmt: skip
    setup_django(url)
    from django.db import connection

    from indicators.models import Indicator, Value
    from indicators.rollup import rollup, series
    from orgtree.models import Organisation

    central = Organisation.objects.get(org_type="central")
    zhejiang = Organisation.objects.get(code="330000")
    indicator = Indicator.objects.get(code="bench_01")
    dataset.update(
        counties=Organisation.objects.filter(org_type="county").count(),
        organisations=Organisation.objects.count(),
        values=Value.objects.count(),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg_version = cursor.fetchone()[0].split(" on ")[0]

    measures = {
        "national rollup, one month (31 provinces)": lambda: rollup(indicator, central, "2019-06"),
        "province rollup, one month (浙江, its cities)": lambda: rollup(indicator, zhejiang, "2019-06"),
        "national rollup, year of a monthly indicator": lambda: rollup(indicator, central, "2019"),
        "national series 2017–2021 (line chart)": lambda: series(
            indicator, central, [2017, 2018, 2019, 2020, 2021]
        ),
    }
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    viewer, _ = get_user_model().objects.get_or_create(
        username="bench-viewer", is_superuser=True, is_staff=True
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(viewer)
    page_url = reverse("indicators:detail", args=[indicator.pk, central.pk]) + "?period=2019-06"

    def page():
        response = client.get(page_url, secure=True)
        assert response.status_code == 200, response.status_code

    measures["indicator page at 团中央 (HTML, all queries)"] = page
    results = {}
    for label, fn in measures.items():
        times, queries = timed(fn, args.runs)
        results[label] = {
            "median_ms": round(statistics.median(times), 1),
            "min_ms": round(min(times), 1),
            "max_ms": round(max(times), 1),
            # A request closes its connection (CONN_MAX_AGE 0), which hides its queries from the capture;
            # the page's query count is asserted in the test suite instead.
            "queries": None if fn is page else queries,
        }

    own, children = rollup(indicator, central, "2019-06")
    check = Value.objects.filter(indicator=indicator, period="2019-06").values_list(
        "numerator", "denominator"
    )
    total_num = sum(n for n, _ in check)
    total_den = sum(d for _, d in check)
    assert (own.numerator, own.denominator) == (total_num, total_den), "rollup disagrees with the plain sum"
    assert sum(c.denominator or 0 for c in children) == total_den
    summary = {
        "machine": f"{platform.node()} · {os.cpu_count()} CPUs · {platform.python_version()} · {pg_version}",
        "dataset": dataset,
        "national_figure": {
            "value": float(own.value), "expected": own.expected,
            "reported": own.reported, "children": len(children),
        },
        "results": results,
        "target_ms": TARGET_MS,
    }  # fmt: skip
    print("| measure | median | min | max | queries |")
    print("|---|---|---|---|---|")
    for label, r in results.items():
        print(
            f"| {label} | {r['median_ms']} ms | {r['min_ms']} ms | {r['max_ms']} ms | {r['queries'] or '—'} |"
        )
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    out = Path(ROOT) / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "indicators.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
