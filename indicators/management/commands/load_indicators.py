"""load_indicators [--file F] [--targets-for CODE] [--json]: create or update the shipped indicators."""

import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from indicators.definitions import load_indicators
from orgtree.models import Organisation

DEFAULT = Path(settings.BASE_DIR) / "fixtures" / "indicators" / "indicators.json"


class Command(BaseCommand):
    help = "载入内置的量化指标定义（按代码更新，可重复运行）；--targets-for 为某组织及其下级设定建议目标"

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT), help="指标定义 JSON 文件")
        parser.add_argument("--targets-for", help="设定建议目标的组织（区划代码，如 33）")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            spec = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"无法读取指标定义文件 {path}：{exc}") from exc
        org = None
        if options["targets_for"]:
            org = Organisation.objects.by_ref(options["targets_for"])
            if org is None:
                raise CommandError(f"找不到组织 {options['targets_for']}")
        try:
            counts = load_indicators(spec, targets_for=org)
        except (KeyError, ValidationError) as exc:
            raise CommandError(f"指标定义有误，未写入：{exc}") from exc
        if options["json"]:
            self.stdout.write(json.dumps(counts, ensure_ascii=False))
        else:
            self.stdout.write(
                f"指标：新增 {counts['created']}，更新 {counts['updated']}；"
                f"目标 {counts['targets']} 条；关联任务 {counts['tasks']} 项"
            )
