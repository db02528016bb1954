"""send_reminders [--today DATE] [--json]: the daily reminder scan, for cron where no beat runs."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError

from core.cli import parse_day
from supervision.reminders import send_reminders


class Command(BaseCommand):
    help = "按指定日期（默认今天）扫描并发送催办提醒；同一人同一事项每天最多一次"

    def add_arguments(self, parser):
        parser.add_argument("--today", help="按这一天扫描（YYYY-MM-DD）")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        today = parse_day(options["today"])
        try:
            result = send_reminders(today=today)
        except OperationalError as exc:
            # SQLite (the embedded mode): another run held the database longer than its 30 s wait.
            if "locked" in str(exc):
                raise CommandError("另一个提醒任务正在运行（数据库被占用），请稍后再试") from exc
            raise
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            self.stdout.write(f"{result.today}：新提醒 {result.created:,} 条，发送邮件 {result.emailed:,} 封")
