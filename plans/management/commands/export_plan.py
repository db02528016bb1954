"""export_plan PLAN FILE: write a plan as a 任务分解表 (.xlsx) that imports back to the same plan."""

from django.core.management.base import BaseCommand

from core.cli import check_output_file, write_output_file
from plans.cli import plan_argument
from plans.exporters import export_plan_xlsx


class Command(BaseCommand):
    help = "把计划导出为任务分解表（.xlsx）"

    def add_arguments(self, parser):
        parser.add_argument("plan", help="计划 ID 或文号")
        parser.add_argument("file", help="输出文件（.xlsx）")

    def handle(self, *args, **options):
        plan = plan_argument(options["plan"])
        check_output_file(options["file"])  # before the work: a wrong path is told at once
        path = write_output_file(options["file"], export_plan_xlsx(plan))
        self.stdout.write(self.style.SUCCESS(f"已导出“{plan.title}”到 {path}"))
