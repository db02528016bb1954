"""publish_plan PLAN --levels city,county [--org CODE] [--dry-run] [--json]"""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assignments.publishing import PUBLISH_LEVELS, plan_publish, plan_publish_preview
from orgtree.models import Organisation
from plans.selectors import plan_by_ref


class Command(BaseCommand):
    help = "把计划下发（交办）到发文组织（或指定组织）下级范围内的若干层级"

    def add_arguments(self, parser):
        parser.add_argument("plan", help="计划 ID 或文号")
        parser.add_argument("--levels", required=True, help=f"逗号分隔：{','.join(PUBLISH_LEVELS)}")
        parser.add_argument("--org", help="只下发到该组织（区划代码或 #组织ID）的下级范围")
        parser.add_argument("--dry-run", action="store_true", help="只统计，不下发")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        try:
            plan = plan_by_ref(options["plan"])
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        within = None
        if options["org"]:
            within = Organisation.objects.by_ref(options["org"])
            if within is None:
                raise CommandError(f"找不到组织 {options['org']}")
        levels = [level.strip() for level in options["levels"].split(",") if level.strip()]
        try:
            preview = plan_publish_preview(plan=plan, levels=levels, within=within)
            result = {} if options["dry_run"] else plan_publish(plan=plan, levels=levels, within=within)
        except ValidationError as exc:
            raise CommandError(f"下发失败：{'；'.join(exc.messages)}") from exc
        payload = {**preview, **result}
        if options["json"]:
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        for level in preview["levels"]:
            self.stdout.write(f"  {level['label']}：{level['organisations']} 个组织")
        verb = "将创建" if options["dry_run"] else "已创建"
        count = preview["assignments"] if options["dry_run"] else result["assignments_created"]
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {count:,} 项交办（{preview['tasks']} 项任务 × {preview['organisations']} 个组织）"
            )
        )
