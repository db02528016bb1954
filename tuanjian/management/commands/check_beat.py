"""check_beat [--max-age SECONDS]: beat's liveness (the compose health check of the beat service)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

DEFAULT_MAX_AGE = 300  # five missed ticks: beat ticks at least once a minute


def beat_heartbeat_age() -> float | None:
    """Seconds since beat last ticked, None if it never did."""
    try:
        return time.time() - settings.BEAT_HEARTBEAT_FILE.stat().st_mtime
    except FileNotFoundError:
        return None


class Command(BaseCommand):
    help = "检查 Celery beat 是否仍在运行：心跳文件在最近若干秒内更新过（供 docker-compose 健康检查使用）"
    requires_system_checks = []  # a probe: quick, and reads no database

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-age", type=int, default=DEFAULT_MAX_AGE, help=f"心跳最多多少秒前（默认 {DEFAULT_MAX_AGE}）"
        )

    def handle(self, *args, **options):
        age, limit = beat_heartbeat_age(), options["max_age"]
        if age is None:
            raise CommandError(f"没有 beat 心跳文件 {settings.BEAT_HEARTBEAT_FILE}：beat 没有启动")
        if age > limit:
            raise CommandError(f"beat 已 {age:.0f} 秒没有心跳（上限 {limit} 秒）：beat 已停止或卡住")
        self.stdout.write(f"beat 正常：{age:.0f} 秒前有心跳")
