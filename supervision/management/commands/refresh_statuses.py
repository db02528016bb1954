"""refresh_statuses [--today DATE] [--plan ID] [--json]: the status engine, for cron where no beat runs."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from supervision.status import refresh_statuses


def parse_day(value: str | None) -> date:
    if not value:
        return timezone.localdate()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from exc


class Command(BaseCommand):
    help = "按指定日期（默认今天）重新计算所有交办节点和交办的状态，只写入有变化的行"

    def add_arguments(self, parser):
        parser.add_argument("--today", help="按这一天计算（YYYY-MM-DD）")
        parser.add_argument("--plan", type=int, help="只计算一个计划")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        result = refresh_statuses(today=parse_day(options["today"]), plan_id=options["plan"])
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            m, a = result.milestones_changed, result.assignments_changed
            self.stdout.write(f"{result.today}：节点状态变化 {m:,} 个，交办状态变化 {a:,} 项")
