"""purge_staged_uploads [--days N] [--dry-run]: delete uploads never confirmed (the nightly job's work)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.staging import staged_uploads_purge


class Command(BaseCommand):
    help = "删除超过 N 天仍未确认导入的上传文件（预览后放弃的、被拒绝的）；--dry-run 只统计"

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help=f"保留天数，默认 {settings.STAGED_UPLOAD_KEEP_DAYS}"
        )
        parser.add_argument("--dry-run", action="store_true", help="只统计将删除多少，不删除")

    def handle(self, *args, days=None, dry_run=False, **options):
        days = settings.STAGED_UPLOAD_KEEP_DAYS if days is None else days
        if days < 1:
            raise CommandError("--days 至少为 1")
        counts = staged_uploads_purge(days=days, dry_run=dry_run)
        detail = "，".join(f"{name} {count} 个" for name, count in counts.items())
        total = sum(counts.values())
        if dry_run:
            self.stdout.write(
                f"试运行：将删除 {total} 个超过 {days} 天未确认的上传（{detail}），未删除任何内容"
            )
        else:
            self.stdout.write(f"已删除 {total} 个超过 {days} 天未确认的上传（{detail}）")
