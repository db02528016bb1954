"""Benchmark: import a 20,000-task 任务分解表 (preview + confirm), and publish a 50-task plan nationwide.

    .venv/bin/python bench/plans.py [--runs 3] [--tasks 20000] [--publish-tasks 50] [--data DIR]

Needs PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/tuanjian_bench_plans).
The bench database is dropped and recreated for every import run and once for the publish runs.

1. Import: a deterministic .xlsx (title row, header row, a section row every 50 tasks) is generated in
   memory; each run recreates the database, migrates, creates 共青团浙江省委, then a fresh process
   (`bench/plans.py --child-import FILE`, production settings: DEBUG=0) times the two jobs the browser
   starts — the preview job (`plan_import_stage`) and the confirm job (`plan_import_run_confirm`, which
   re-reads the file and checks the preview before it writes) — and reports its peak memory (ru_maxrss).
2. Publish: the whole country to county level is loaded with `manage.py load_divisions --depth county`,
   a 团中央 root and a plan with 50 tasks × 5 milestones are created with the ORM, and each run times
   `plan_publish(levels=["city", "county"])` from scratch (the previous run's assignments are deleted and
   the tables vacuumed first).

Prints a Markdown table row per measure and a JSON summary, also written to bench/results/plans.json.
"""

from __future__ import annotations

import argparse
import calendar
import io
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from common import ROOT, bulk_tasks, manage, recreate_database  # bench/ is on sys.path when a script runs

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "divisions"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tuanjian_bench_plans"
PROVINCE_CODE = "330000"
SECTION_EVERY = 50
DEPARTMENTS = ["组织部", "宣传部", "学校部", "青年发展部", "社会联络部", "办公室", "少年部"]
IMPORT_TARGET_S, IMPORT_TARGET_MB, PUBLISH_TARGET_S = 30, 600, 60
CREATE_PROVINCE = (
    "from orgtree.services import organisation_create; organisation_create("
    f"parent=None, name='共青团浙江省委', org_type='province', code='{PROVINCE_CODE}')"
)
# Production settings for the processes that do the measured work (no query log).
PROD_ENV = {"DEBUG": "0", "SECRET_KEY": "bench-only-not-secret", "ALLOWED_HOSTS": "localhost"}


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)
    for key, value in PROD_ENV.items():
        os.environ[key] = value
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuanjian.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def chinese_number(n: int) -> str:
    """1..99 in Chinese numerals (十一, 二十, 九十九): no 零, so it matches the importer's section pattern."""
    digits = "一二三四五六七八九"
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else digits[tens - 1] + "十")
    return head + (digits[ones - 1] if ones else "")


def schedule_text(i: int) -> str:
    survey = 1 + i % 4
    train_from = survey + 3 + i % 2
    train_to = train_from + 1 + i % 3
    check = max(train_to + 1, 9 + i % 3)
    wrap_up = "11-12月" if check < 11 else "12月"
    return (
        f"{survey}月：开展调研；{train_from}-{train_to}月：集中培训；{check}月底前：完成验收；{wrap_up}，总结"
    )


def summary_text(rng: random.Random, i: int) -> str:
    parts = [
        f"围绕第{i}项重点工作，",
        rng.choice(["聚焦青年所需所盼，", "坚持问题导向，", "突出基层基础，", "强化改革创新，"]),
        rng.choice(["健全工作机制，", "完善制度体系，", "整合各方资源，", "加强统筹协调，"]),
        rng.choice(["推动团的组织有效覆盖，", "提升服务青年能力，", "深化团干部队伍建设，"]),
        rng.choice(["在全省范围内开展专项行动，", "分层分类组织实施，", "以点带面推进落实，"]),
        rng.choice(["确保年内取得明显成效，形成可复制可推广的经验做法。", "做到有部署、有检查、有总结。"]),
    ]
    text = "".join(parts)
    while len(text) < 100:
        text += "按照责任分工抓好落实，定期报送工作进展情况。"
    return text[:99] + "。"


def build_workbook(tasks: int) -> bytes:
    """The 任务分解表 as .xlsx bytes: deterministic for a given number of tasks."""
    import openpyxl

    rng = random.Random(2019)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "任务分解"
    sheet.append(["2019年工作任务分解"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
    sheet.append(["序号", "项目名称", "总体计划", "相关工作进度安排", "牵头部门", "参与部门"])
    for i in range(1, tasks + 1):
        if (i - 1) % SECTION_EVERY == 0:
            part = (i - 1) // SECTION_EVERY + 1
            sheet.append([f"{chinese_number((part - 1) % 99 + 1)}、第{part}部分"])
            row = sheet.max_row
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=6)
        lead = DEPARTMENTS[i % 3]
        others = [d for d in DEPARTMENTS if d != lead]
        participating = "、".join(rng.sample(others, 2))
        title = f"第{i}项：{rng.choice(['青年', '团干部', '少先队', '学校团建', '志愿服务'])}" + rng.choice(
            ["专项行动", "能力提升工程", "示范创建", "调研督导", "品牌建设"]
        )
        sheet.append([i, title, summary_text(rng, i), schedule_text(i), lead, participating])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- child process: one import, measured ----------------------------------------------------------


def child_import(path: str, profile: bool) -> None:
    content = Path(path).read_bytes()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    setup_django(url)
    from orgtree.models import Organisation
    from plans.imports import plan_import_request_confirm, plan_import_run_confirm, plan_import_stage
    from plans.models import Milestone, Task

    organisation = Organisation.objects.get(code=PROVINCE_CODE)
    baseline = peak_mb()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    # The browser's path, as the worker runs it: the preview job, then the confirm job (which reads the
    # file again and checks the preview is unchanged before writing, all in one transaction).
    started = time.perf_counter()
    staged = plan_import_stage(organisation=organisation, filename=Path(path).name, content=content)
    previewed = time.perf_counter()
    plan_import_request_confirm(staged=staged)
    plan = plan_import_run_confirm(pk=staged.pk)
    finished = time.perf_counter()
    assert plan is not None, staged.job_message
    preview = staged.preview
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    payload = {
        "seconds": round(finished - started, 3),
        "preview_s": round(previewed - started, 3),
        "commit_s": round(finished - previewed, 3),
        "peak_memory_mb": round(peak_mb(), 1),
        "baseline_memory_mb": round(baseline, 1),
        "tasks": Task.objects.filter(plan=plan).count(),
        "milestones": Milestone.objects.filter(task__plan=plan).count(),
        "sections": plan.sections.count(),
        "preview_summary": preview["summary"],
        "warnings": len(preview["warnings"]),
        "errors": len(preview["errors"]),
        "file_bytes": len(content),
    }
    print(json.dumps(payload, ensure_ascii=False))


# --- measures -------------------------------------------------------------------------------------


def measure_import(url: str, tasks: int, runs: int, profile: bool) -> list[dict]:
    content = build_workbook(tasks)
    print(f"generated {tasks:,}-task workbook: {len(content) / 1024 / 1024:.2f} MB", flush=True)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"2019年工作任务分解_{tasks}.xlsx"
        path.write_bytes(content)
        for run in range(runs):
            recreate_database(url)
            manage(url, "migrate", "--noinput", "-v0")
            manage(url, "shell", "-c", CREATE_PROVINCE)
            env = {**os.environ, "BENCH_DATABASE_URL": url}
            command = [sys.executable, str(Path(__file__).resolve()), "--child-import", str(path)]
            if profile:
                command.append("--profile")
            started = time.perf_counter()
            child = subprocess.run(command, env=env, capture_output=True, text=True)
            wall = time.perf_counter() - started
            if child.returncode != 0:
                sys.exit(f"import child failed:\n{child.stderr}")
            if profile:
                print(child.stderr, file=sys.stderr)
            payload = json.loads(child.stdout.strip().splitlines()[-1])
            assert payload["tasks"] == tasks, payload
            results.append({"wall": wall, **payload})
            print(
                f"import {run + 1}: {payload['seconds']:.1f} s (preview {payload['preview_s']:.1f} s, "
                f"commit {payload['commit_s']:.1f} s), peak {payload['peak_memory_mb']:.0f} MB "
                f"(after setup {payload['baseline_memory_mb']:.0f} MB), {payload['tasks']:,} tasks, "
                f"{payload['milestones']:,} milestones, {payload['sections']} sections, "
                f"{payload['warnings']} warnings, process wall {wall:.1f} s",
                flush=True,
            )
    return results


def make_plan(root, tasks: int):
    from plans.models import Milestone, Plan

    plan = Plan.objects.create(
        title="2019年全团工作要点任务分解", organisation=root, start_year=2019, end_year=2019
    )
    created = bulk_tasks(plan, root, tasks)
    windows = [(2, 3), (4, 5), (6, 7), (8, 9), (10, 12)]
    milestones = []
    for task in created:
        for order, (first, last) in enumerate(windows, start=1):
            milestones.append(
                Milestone(
                    task=task,
                    raw=f"{first}-{last}月：第{order}阶段",
                    start_date=date(2019, first, 1),
                    due_date=date(2019, last, calendar.monthrange(2019, last)[1]),
                    kind="period",
                    order=order,
                )
            )
    Milestone.objects.bulk_create(milestones)
    return plan


def measure_publish(url: str, data: str, tasks: int, runs: int) -> tuple[list[dict], dict]:
    recreate_database(url)
    manage(url, "migrate", "--noinput", "-v0")
    started = time.perf_counter()
    loaded = json.loads(manage(url, "load_divisions", data, "--depth", "county", "--json"))
    print(
        f"load_divisions --depth county: {loaded['created']:,} organisations in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    setup_django(url)
    from django.db import connection

    from assignments.models import Assignment, AssignmentMilestone
    from assignments.publishing import plan_publish, plan_publish_preview
    from orgtree.services import organisation_create
    from plans.models import Plan

    root = organisation_create(parent=None, name="共青团中央", org_type="central")
    plan = make_plan(root, tasks)
    preview = plan_publish_preview(plan=plan, levels=["city", "county"])
    print(
        f"plan: {preview['tasks']} tasks, {preview['milestone_copies'] // max(1, preview['organisations'])} "
        f"milestones in all; {preview['organisations']:,} city and county organisations → "
        f"{preview['assignments']:,} assignments, {preview['milestone_copies']:,} milestone copies",
        flush=True,
    )
    results = []
    for run in range(runs):
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {AssignmentMilestone._meta.db_table} WHERE assignment_id IN "
                f"(SELECT id FROM {Assignment._meta.db_table} WHERE plan_id = %s)",
                [plan.pk],
            )
            cursor.execute(f"DELETE FROM {Assignment._meta.db_table} WHERE plan_id = %s", [plan.pk])
            for table in ("orgtree_organisation", "plans_task", "plans_milestone"):
                cursor.execute(f"VACUUM ANALYZE {table}")
            cursor.execute(f"VACUUM ANALYZE {Assignment._meta.db_table}")
            cursor.execute(f"VACUUM ANALYZE {AssignmentMilestone._meta.db_table}")
        Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.DRAFT)
        started = time.perf_counter()
        result = plan_publish(plan=plan, levels=["city", "county"])
        seconds = time.perf_counter() - started
        assert result["assignments_created"] == preview["assignments"], (result, preview)
        assert result["milestone_copies_created"] == preview["milestone_copies"], (result, preview)
        results.append({"seconds": seconds, **result})
        print(
            f"publish {run + 1}: {seconds:.1f} s, {result['assignments_created']:,} assignments, "
            f"{result['milestone_copies_created']:,} milestone copies",
            flush=True,
        )
    connection.close()
    return results, {"organisations_loaded": loaded["created"], **preview}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=20_000, help="tasks in the imported file")
    parser.add_argument("--publish-tasks", type=int, default=50, help="tasks in the published plan")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-publish", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile the import (slower; to stderr)")
    parser.add_argument("--child-import", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_import:
        child_import(args.child_import, args.profile)
        return
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)

    summary: dict = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    rows = ["| measure | median | runs | target |", "|---|---|---|---|"]
    if not args.skip_import:
        imports = measure_import(url, args.tasks, args.runs, args.profile)
        median_s = statistics.median(x["seconds"] for x in imports)
        median_mb = statistics.median(x["peak_memory_mb"] for x in imports)
        summary.update(
            {
                "import_tasks": args.tasks,
                "import_file_mb": round(imports[0]["file_bytes"] / 1024 / 1024, 2),
                "import_median_s": round(median_s, 1),
                "import_runs_s": [round(x["seconds"], 1) for x in imports],
                "import_preview_median_s": round(statistics.median(x["preview_s"] for x in imports), 1),
                "import_commit_median_s": round(statistics.median(x["commit_s"] for x in imports), 1),
                "import_peak_memory_mb_median": round(median_mb),
                "import_peak_memory_mb_runs": [round(x["peak_memory_mb"]) for x in imports],
                "import_baseline_memory_mb": round(imports[0]["baseline_memory_mb"]),
                "import_milestones": imports[0]["milestones"],
                "import_sections": imports[0]["sections"],
                "import_warnings": imports[0]["warnings"],
                "import_profiled": args.profile,
            }
        )
        rows.append(
            f"| import {args.tasks:,} tasks, preview + confirm | **{median_s:.1f} s** | "
            f"{', '.join(f'{x:.1f}' for x in summary['import_runs_s'])} s | < {IMPORT_TARGET_S} s |"
        )
        rows.append(
            f"| — peak memory of the importing process (ru_maxrss) | **{median_mb:.0f} MB** | "
            f"{', '.join(str(x) for x in summary['import_peak_memory_mb_runs'])} MB "
            f"| < {IMPORT_TARGET_MB} MB |"
        )
    if not args.skip_publish:
        publishes, info = measure_publish(url, args.data, args.publish_tasks, args.runs)
        median_s = statistics.median(x["seconds"] for x in publishes)
        summary.update(
            {
                "publish_tasks": info["tasks"],
                "publish_organisations": info["organisations"],
                "publish_organisations_loaded": info["organisations_loaded"],
                "publish_median_s": round(median_s, 1),
                "publish_runs_s": [round(x["seconds"], 1) for x in publishes],
                "assignments_created": publishes[0]["assignments_created"],
                "milestone_copies_created": publishes[0]["milestone_copies_created"],
            }
        )
        rows.append(
            f"| publish {info['tasks']} tasks to {info['organisations']:,} cities and counties "
            f"({summary['assignments_created']:,} assignments, "
            f"{summary['milestone_copies_created']:,} milestone copies) | **{median_s:.1f} s** | "
            f"{', '.join(f'{x:.1f}' for x in summary['publish_runs_s'])} s | < {PUBLISH_TARGET_S} s |"
        )
    print("\n".join(rows))
    print(json.dumps(summary, ensure_ascii=False))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "plans.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
