"""import_indicator_values FILE [--dry-run] [--json]: preview, then write indicator figures all or nothing."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.cli import read_input_file
from indicators.importers import ValueFileError, entries_of, preview_values, reject_message
from indicators.models import Source
from indicators.services import values_save
from orgtree.models import Organisation


class Command(BaseCommand):
    help = (
        "导入指标数据（填报模板或长表：组织代码、指标、期间、分子、分母/数值）；"
        "有任何错误则不写入；--dry-run 只预览"
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="只预览，不写入")
        parser.add_argument("--json", action="store_true", help="以一个 JSON 对象输出预览")
        parser.add_argument(
            "--history", action="store_true", help="补录当时已按期报送的历史数据：新数据不标记为逾期"
        )

    def handle(self, *args, **options):
        path, content = read_input_file(options["file"])
        try:
            with transaction.atomic():
                preview, changes = preview_values(
                    path.name, content, organisations=Organisation.objects.all()
                )
                if not preview["errors"] and not options["dry_run"]:
                    late = False if options["history"] else None
                    values_save(entries=entries_of(changes), source=Source.IMPORT, late=late)
                    preview["committed"] = True
        except ValueFileError as exc:
            if options["json"]:
                rejected = {
                    "file": path.name,
                    "errors": [{"row": None, "message": str(exc)}],
                    "committed": False,
                }
                self.stdout.write(json.dumps(rejected, ensure_ascii=False))
            raise CommandError(f"文件被拒绝，未写入任何数据：{exc}") from exc
        preview.pop("digest", None)
        self._print(preview, options)
        if preview["errors"]:
            raise CommandError(reject_message(preview))

    def _print(self, preview: dict, options) -> None:
        if options["json"]:
            self.stdout.write(json.dumps(preview, ensure_ascii=False))
            return
        self.stdout.write(
            f"{preview['file']}：{preview['values']} 项（新增 {preview['new']}，修改 {preview['update']}，"
            f"不变 {preview['unchanged']}）{'，已写入' if preview['committed'] else ''}"
        )
        for error in preview["errors"][:50]:
            self.stdout.write(self.style.ERROR(f"  错误 第 {error['row']} 行：{error['message']}"))
