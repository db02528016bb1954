"""status_summary --org CODE [--today DATE] [--json]: assignment milestones and assignments by state, for a
subtree, its children and the organisation's own departments. For a day other than today the states are
computed for that day and nothing stored changes."""

import json

from django.core.management.base import BaseCommand

from assignments.models import ProgressStatus
from core.cli import parse_day
from orgtree.cli import organisation_argument
from supervision.status import summary_on_day


class Command(BaseCommand):
    help = "统计组织及其各直属下级范围内交办节点的状态（与看板的数字相同）"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="区划代码（如 33、330100）或 #组织ID")
        parser.add_argument(
            "--today", help="按这一天统计（YYYY-MM-DD，默认今天）；不是今天时只计算、不改变已保存的状态"
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        org = organisation_argument(options["org"])
        today = parse_day(options["today"])
        summary = summary_on_day(org=org, today=today)
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        labels = dict(ProgressStatus.choices)

        def line(name, counts):
            parts = "，".join(f"{labels[k]} {v}" for k, v in counts.items())
            return f"{name}：{parts}"

        self.stdout.write(line(org.name, summary["milestones"]))
        for child in summary["children"]:
            self.stdout.write("  " + line(child["name"], child["milestones"]))
        for department in summary["departments"]:
            self.stdout.write("  " + line(f"{org.name}{department['name']}", department["milestones"]))
