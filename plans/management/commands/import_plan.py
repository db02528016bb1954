"""import_plan FILE --org CODE [--dry-run] [--json]: preview, then import a 任务分解表."""

import json

from django.core.management.base import BaseCommand, CommandError

from core.cli import read_input_file
from orgtree.cli import organisation_argument
from plans.imports import PlanImportRejected, plan_import_commit, plan_import_preview


def plan_years(start: str | None, end: str | None) -> tuple[int | None, int | None]:
    """--year and --end-year as the import page takes them: 2000–2100, the end not before the start."""
    years = []
    for option, value in (("--year", start), ("--end-year", end)):
        if value is None:
            years.append(None)
        elif not value.strip().isdigit() or not 2000 <= int(value) <= 2100:
            raise CommandError(f"{option} 应为 2000—2100 之间的年份：{value}")
        else:
            years.append(int(value))
    if years[0] and years[1] and years[1] < years[0]:
        raise CommandError("--end-year 不能早于 --year")
    return years[0], years[1]


class Command(BaseCommand):
    help = "导入任务分解表（.xlsx / .csv）：先预览，无错误时一次性写入；--dry-run 只预览"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--org", required=True, help="发文组织：区划代码（如 33 或 330000）或 #组织ID")
        parser.add_argument("--dry-run", action="store_true", help="只预览，不写入")
        parser.add_argument("--json", action="store_true", help="以一个 JSON 对象输出预览")
        parser.add_argument("--year", help="计划起始年度（标题中没有年份时使用）")
        parser.add_argument("--end-year", help="计划结束年度")

    def handle(self, *args, **options):
        start_year, end_year = plan_years(options["year"], options["end_year"])
        organisation = organisation_argument(options["org"])
        path, content = read_input_file(options["file"])
        try:
            preview = plan_import_preview(
                organisation=organisation,
                filename=path.name,
                content=content,
                start_year=start_year,
                end_year=end_year,
            )
            if not options["dry_run"]:
                plan = plan_import_commit(organisation=organisation, preview=preview)
                preview = {**preview, "plan": {"id": plan.pk, "title": plan.title}}
        except PlanImportRejected as exc:
            self._print(exc.preview, options)
            raise CommandError(f"导入被拒绝，未写入任何内容：{exc.message}") from exc
        self._print(preview, options)

    def _print(self, preview: dict, options) -> None:
        if options["json"]:
            self.stdout.write(json.dumps(preview, ensure_ascii=False))
            return
        s = {"tasks": 0, "new": 0, "update": 0, "unchanged": 0, "milestones": 0, **preview.get("summary", {})}
        self.stdout.write(
            f"{preview.get('title', '')}：任务 {s['tasks']} 项（新增 {s['new']}，更新 {s['update']}，"
            f"不变 {s['unchanged']}），节点 {s['milestones']} 个"
        )
        for error in preview.get("errors", []):
            self.stdout.write(self.style.ERROR(f"  错误 第 {error['row']} 行：{error['message']}"))
        for warning in preview.get("warnings", []):
            self.stdout.write(self.style.WARNING(f"  提示 {warning}"))
