"""refresh_statuses [--today DATE] [--plan ID|文号] [--json]: the status engine, for cron where no beat
runs."""

import json

from django.core.management.base import BaseCommand

from core.cli import parse_day
from plans.cli import plan_argument
from supervision.status import refresh_statuses


class Command(BaseCommand):
    help = "按指定日期（默认今天）重新计算所有交办节点和交办的状态，只写入有变化的行"

    def add_arguments(self, parser):
        parser.add_argument("--today", help="按这一天计算（YYYY-MM-DD）")
        parser.add_argument("--plan", help="只计算一个计划（计划 ID 或文号）")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        today, plan = parse_day(options["today"]), plan_argument(options["plan"])
        result = refresh_statuses(today=today, plan_id=plan.pk if plan else None)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            m, a = result.milestones_changed, result.assignments_changed
            self.stdout.write(f"{result.today}：节点状态变化 {m:,} 个，交办状态变化 {a:,} 项")
