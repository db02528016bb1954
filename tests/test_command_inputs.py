"""Every management command, fed bad input — a missing file, a directory for a file, an unreadable file, an
output in a missing directory, ids and codes that do not exist, malformed dates and years — answers with a
clear Chinese message (CommandError: exit 1, no traceback) and writes nothing."""

import os
import pathlib
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command, get_commands

from assignments.models import Assignment
from indicators.models import Indicator
from notifications.models import Notification
from orgtree.models import Organisation, TreeChange
from orgtree.tests.test_loader import write_sample
from plans.models import Plan, PlanImport, Task
from plans.services import task_create

ROOT = Path(__file__).resolve().parent.parent
PLAN_FILE = str(ROOT / "fixtures" / "plans" / "zhejiang-2019.xlsx")

# (command and arguments, what the message says). {tmp}: an empty directory; {missing}: a path in a
# directory that does not exist; {text}: a readable text file; {divisions}: a directory of division CSVs.
CASES = [
    ("import_plan /nonexistent.xlsx --org 330000", "找不到文件 /nonexistent.xlsx"),
    ("import_plan {tmp} --org 330000", "是目录，请指定文件"),
    ("import_plan {missing} --org 330000", "找不到文件"),
    (f"import_plan {PLAN_FILE} --org 999999", "找不到组织 999999"),
    (f"import_plan {PLAN_FILE} --org 330000 --year abc", "--year 应为 2000—2100 之间的年份：abc"),
    (f"import_plan {PLAN_FILE} --org 330000 --year 1800", "--year 应为 2000—2100 之间的年份：1800"),
    (f"import_plan {PLAN_FILE} --org 330000 --year 2020 --end-year 2019", "--end-year 不能早于 --year"),
    ("import_indicator_values /nonexistent.xlsx", "找不到文件"),
    ("import_indicator_values {tmp}", "是目录，请指定文件"),
    ("import_indicator_values {missing}", "找不到文件"),
    ("load_indicators --file /nonexistent.json", "找不到文件"),
    ("load_indicators --file {tmp}", "是目录，请指定文件"),
    ("load_indicators --file {text}", "不是有效的 UTF-8 JSON"),
    ("load_indicators --targets-for 999999", "找不到组织 999999"),
    ("indicator_rollup --indicator nope --org 330000 --period 2019", "找不到指标 nope"),
    ("indicator_rollup --indicator xueshe --org 999999 --period 2019", "找不到组织 999999"),
    ("indicator_rollup --indicator xueshe --org 330000 --period 2019-13", "期间“2019-13”格式有误"),
    ("load_divisions /nonexistent", "目录 /nonexistent 不存在"),
    ("load_divisions {text}", "不是目录"),
    ("load_divisions {tmp}", "找不到文件 provinces.csv"),
    ("load_divisions {divisions} --province 99", "provinces.csv 中没有代码为 99 的省份"),
    ("load_divisions {divisions} --province xx", "--province 应为 2 位省级代码"),
    ("export_plan 99999 {tmp}/x.xlsx", "找不到计划 99999"),
    ("export_plan {plan} {missing}", "不存在，请先创建"),
    ("export_plan {plan} {tmp}", "是目录，请指定要写入的文件名"),
    ("publish_plan 99999 --levels county", "找不到计划 99999"),
    ("publish_plan {plan} --levels nonsense", "未知的下发层级"),
    ("publish_plan {plan} --to 999999", "找不到组织 999999"),
    ("publish_plan {plan} --levels county --org 999999", "找不到组织 999999"),
    ("publish_plan {plan} --levels county --tasks 99", "计划中没有序号为 99 的任务"),
    ("overdue_list --org 999999", "找不到组织 999999"),
    ("bulletin --org 999999 --period 2019", "找不到组织 999999"),
    ("bulletin --org 330000 --period 2019Q5", "格式有误"),
    ("bulletin --org 330000 --period 2019 --today 2019-02-30", "日期格式应为 YYYY-MM-DD"),
    ("bulletin --org 330000 --period 2019 --docx {missing}", "不存在，请先创建"),
    ("bulletin --org 330000 --period 2019 --docx {tmp}", "是目录，请指定要写入的文件名"),
    ("assessment --org 999999 --year 2019", "找不到组织 999999"),
    ("assessment --org 330000 --year abc", "年度应为 2000—2100 之间的四位数字"),
    ("assessment --org 330000 --year 2019 --today x", "日期格式应为 YYYY-MM-DD"),
    ("overdue_list --org 330000 --today 2019-13-01", "日期格式应为 YYYY-MM-DD"),
    ("overdue_list --org 330000 --plan 99999", "找不到计划 99999"),
    ("overdue_list --org 330000 --plan abc", "找不到计划 abc"),
    ("refresh_statuses --today 2019-02-30", "日期格式应为 YYYY-MM-DD"),
    ("refresh_statuses --plan 99999", "找不到计划 99999"),
    ("send_reminders --today yesterday", "日期格式应为 YYYY-MM-DD"),
    ("status_summary --org 999999", "找不到组织 999999"),
    ("status_summary --org 330000 --today 20190101x", "日期格式应为 YYYY-MM-DD"),
    ("load_demo --today 2019-13-01", "--today 应为 YYYY-MM-DD"),
    ("check_beat --max-age 60", "没有 beat 心跳文件"),
    ("purge_staged_uploads --days 0", "--days 至少为 1"),
]
NO_INPUT = {"check_orgtree"}  # takes no file, id or date


def written():
    """What a command could write, counted."""
    models = [Organisation, TreeChange, Plan, Task, PlanImport, Assignment, Indicator, Notification]
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def places(tmp_path, tree, settings):
    call_command("load_indicators", stdout=StringIO())
    plan = Plan.objects.create(title="计划", organisation=tree.zj, start_year=2019, end_year=2019)
    task_create(plan=plan, data={"seq": "1", "title": "甲", "schedule_text": "3月：甲"})
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("不是 JSON", encoding="utf-8")
    settings.BEAT_HEARTBEAT_FILE = tmp_path / "no-heartbeat"
    return {
        "tmp": tmp_path / "empty",
        "missing": tmp_path / "missing" / "out.xlsx",
        "text": tmp_path / "notes.txt",
        "divisions": write_sample(tmp_path / "divisions"),
        "plan": plan.pk,
    }


def refuse(line: str) -> str:
    name, *args = line.split()
    with pytest.raises(CommandError) as refused:
        call_command(name, *args, stdout=StringIO(), stderr=StringIO())
    return str(refused.value)


@pytest.mark.django_db
@pytest.mark.parametrize("line, message", CASES)
def test_bad_input_is_refused_in_chinese_and_writes_nothing(places, line, message):
    line = line.format(**places)
    before, files = written(), sorted(places["tmp"].parent.rglob("*"))
    text = refuse(line)
    assert message.format(**places) in text and re.search(r"[\u4e00-\u9fff]", text)
    assert written() == before and sorted(places["tmp"].parent.rglob("*")) == files


@pytest.mark.django_db
@pytest.mark.parametrize(
    "line, unreadable",
    [
        ("import_plan {file} --org 330000", "file"),
        ("import_indicator_values {file}", "file"),
        ("load_indicators --file {file}", "file"),
        ("load_divisions {divisions} --depth city", "provinces.csv"),
    ],
)
def test_an_unreadable_file_is_refused(places, tmp_path, monkeypatch, line, unreadable):
    """chmod 000 does not stop root (the tests' user): the file system refuses instead."""
    target = tmp_path / "file.xlsx"
    target.write_bytes(b"x")
    places = {**places, "file": target}
    blocked = target if unreadable == "file" else places["divisions"] / unreadable
    read_bytes, open_ = pathlib.Path.read_bytes, pathlib.Path.open

    def refused(method):
        def call(self, *args, **kwargs):
            if self == blocked:
                raise PermissionError(13, "Permission denied", str(self))
            return method(self, *args, **kwargs)

        return call

    monkeypatch.setattr(pathlib.Path, "read_bytes", refused(read_bytes))
    monkeypatch.setattr(pathlib.Path, "open", refused(open_))
    before = written()
    text = refuse(line.format(**places))
    assert "无法读取" in text and "没有权限" in text
    assert written() == before


@pytest.mark.django_db
def test_an_output_that_cannot_be_written_leaves_no_file(places, monkeypatch):
    import tempfile

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", full)
    target = places["tmp"] / "plan.xlsx"
    assert "磁盘空间不足" in refuse(f"export_plan {places['plan']} {target}")
    assert not target.exists() and not list(places["tmp"].iterdir())


def test_every_command_of_the_project_is_covered():
    project = {config.name for config in apps.get_app_configs() if (ROOT / config.name).is_dir()}
    ours = {name for name, app in get_commands().items() if app in project}
    covered = {line.split()[0] for line, _ in CASES} | NO_INPUT
    assert ours and ours <= covered, ours - covered


def test_on_the_command_line_a_refusal_exits_1_without_a_traceback(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'unused.sqlite3'}"  # the refusals come before any query
    for args in (["load_divisions", str(tmp_path / "nowhere")], ["load_indicators", "--file", str(tmp_path)]):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert result.stderr.startswith("CommandError: ")
