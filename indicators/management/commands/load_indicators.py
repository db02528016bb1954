"""load_indicators [--file F] [--targets-for CODE] [--json]: create or update the shipped indicators."""

import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.cli import read_input_file
from indicators.definitions import load_indicators
from orgtree.cli import organisation_argument

DEFAULT = Path(settings.BASE_DIR) / "fixtures" / "indicators" / "indicators.json"


class Command(BaseCommand):
    help = "载入内置的量化指标定义（按代码更新，可重复运行）；--targets-for 为某组织及其下级设定建议目标"

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT), help="指标定义 JSON 文件")
        parser.add_argument("--targets-for", help="设定建议目标的组织（区划代码，如 33）")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        path, content = read_input_file(options["file"])
        try:
            spec = json.loads(content.decode("utf-8"))
        except ValueError as exc:  # not UTF-8, or not JSON
            raise CommandError(f"指标定义文件 {path} 不是有效的 UTF-8 JSON：{exc}") from exc
        org = None
        if options["targets_for"]:
            org = organisation_argument(options["targets_for"])
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
