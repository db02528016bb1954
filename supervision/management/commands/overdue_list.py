"""overdue_list --org CODE [--today D] [--plan ID|文号] [--json]: the 督办清单 — every overdue milestone of
open assignments in a subtree, who owes it and since when; the same rows as the page. For a day other than
today the states are computed for that day and nothing stored changes."""

import json

from django.core.management.base import BaseCommand

from core.cli import parse_day
from orgtree.cli import organisation_argument
from plans.cli import plan_argument
from supervision.board import all_items, item_rows
from supervision.status import read_on_day

FIELDS = ["org_code", "org", "department", "plan", "task_seq", "task", "milestone", "due", "days_overdue",
          "level", "last_report"]  # fmt: skip


class Command(BaseCommand):
    help = "列出组织及其下级的逾期事项（督办清单）"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="区划代码（如 33、330100）或 #组织ID")
        parser.add_argument(
            "--today", help="按这一天（YYYY-MM-DD，默认今天）；不是今天时只计算、不改变已保存的状态"
        )
        parser.add_argument("--plan", help="只列这个计划（计划 ID 或文号）")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        org = organisation_argument(options["org"])
        today, plan = parse_day(options["today"]), plan_argument(options["plan"])

        def read():
            rows = all_items(org=org, tab="overdue", today=today).order_by(
                "due_date", "assignment__organisation__code", "pk"
            )
            if plan is not None:
                rows = rows.filter(assignment__plan_id=plan.pk)
            return item_rows(rows, today=today)

        found = read_on_day(org=org, today=today, read=read)
        if options["json"]:
            payload = {
                "org": org.code or str(org.pk), "today": today.isoformat(), "total": len(found),
                "items": [{key: row[key] for key in FIELDS} | {"people": row["people"]} for row in found],
            }  # fmt: skip
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        self.stdout.write(f"{org.name}：逾期事项 {len(found)} 项（{today:%Y-%m-%d}）")
        for row in found:
            level = f"【{row['level_label']}】" if row["level_label"] else ""
            self.stdout.write(
                f"  {level}{row['org']}{row['department']} · {row['task_seq']}. {row['task']} · "
                f"{row['milestone']} · 时限 {row['due']}，逾期 {row['days_overdue']} 天"
            )
