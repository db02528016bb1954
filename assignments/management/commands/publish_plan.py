"""publish_plan PLAN (--levels L,… | --internal | --to CODE,… | --as-planned) [--tasks 1,3-5] [--org CODE]
[--dry-run] [--json]

Hands the plan's tasks to their recipients: organisations of some levels below the issuer (--levels,
narrowed by --org), named organisations (--to), or the issuer's own departments (--internal: each task to
its 牵头部门, its 参与部门 contributing); --tasks limits any of them to some tasks (by 序号); --as-planned
uses each task's stored recipients (from its table or the publish page). A task with no date is published
as 常态化 (the decision the browser asks for), and the JSON names those tasks.
"""

import json
import re

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assignments.publishing import (
    PUBLISH_LEVELS,
    Recipients,
    Rule,
    plan_publish,
    plan_publish_preview,
    rules_from_tasks,
)
from orgtree.cli import organisation_argument
from plans.cli import plan_argument


def task_ids(plan, spec: str) -> list[int]:
    """ "1,3-5,7.1" → the ids of those tasks (by 序号); a range covers the whole-number 序号 between."""
    by_seq = dict(plan.tasks.values_list("seq", "pk"))
    chosen: list[int] = []
    for part in [p.strip() for p in re.split(r"[,，、]", spec) if p.strip()]:
        bounds = re.fullmatch(r"(\d+)\s*[-~—]\s*(\d+)", part)
        seqs = [str(n) for n in range(int(bounds[1]), int(bounds[2]) + 1)] if bounds else [part]
        missing = [s for s in seqs if s not in by_seq]
        if missing and not bounds:
            raise CommandError(f"计划中没有序号为 {part} 的任务")
        chosen += [by_seq[s] for s in seqs if s in by_seq]
    if not chosen:
        raise CommandError(f"--tasks {spec} 没有选中任何任务")
    return list(dict.fromkeys(chosen))


class Command(BaseCommand):
    help = "把计划的任务交办给接收方：下级层级、指定组织，或发文组织本单位的部门"

    def add_arguments(self, parser):
        parser.add_argument("plan", help="计划 ID 或文号")
        parser.add_argument("--levels", help=f"逗号分隔：{','.join(PUBLISH_LEVELS)}")
        parser.add_argument("--org", help="--levels 只下发到该组织（区划代码或 #组织ID）的下级范围")
        parser.add_argument(
            "--internal", action="store_true", help="交给本单位部门：牵头部门承办，参与部门配合"
        )
        parser.add_argument("--to", help="指定的下级组织，区划代码或 #组织ID，逗号分隔")
        parser.add_argument("--tasks", help="只下发这些任务（序号），如 1,3-5")
        parser.add_argument(
            "--as-planned", action="store_true", help="按各任务已设置的接收方（导入的表或下发页）"
        )
        parser.add_argument("--dry-run", action="store_true", help="只统计，不下发")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        plan = plan_argument(options["plan"])
        rules = self._rules(plan, options)
        try:
            preview = plan_publish_preview(plan=plan, rules=rules, routine_undated=True)
            result = {} if options["dry_run"] else plan_publish(plan=plan, rules=rules, routine_undated=True)
        except ValidationError as exc:
            raise CommandError(f"下发失败：{'；'.join(exc.messages)}") from exc
        payload = {**preview, **result}
        if options["json"]:
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        for rule in preview["rules"]:
            self.stdout.write(f"  任务 {'、'.join(rule['tasks'])} → {rule['recipients']}")
        verb = "将创建" if options["dry_run"] else "已创建"
        count = preview["assignments"] if options["dry_run"] else result["assignments_created"]
        self.stdout.write(self.style.SUCCESS(f"{verb} {count:,} 项交办"))
        routine = result.get("routine_tasks") or preview["undated_tasks"]
        if routine:
            self.stdout.write(f"没有时间节点、按常态化下发的任务：{'、'.join(routine)}")

    def _rules(self, plan, options) -> list[Rule]:
        if options["as_planned"]:
            if options["levels"] or options["internal"] or options["to"]:
                raise CommandError("--as-planned 不能与 --levels、--internal、--to 同时使用")
            rules = rules_from_tasks(plan)
            if not rules:
                raise CommandError("计划中没有任务设置了接收方")
            return rules
        levels = [level.strip() for level in (options["levels"] or "").split(",") if level.strip()]
        within = None
        if options["org"]:
            within = organisation_argument(options["org"])
        named = []
        for ref in [r.strip() for r in re.split(r"[,，、]", options["to"] or "") if r.strip()]:
            org = organisation_argument(ref)
            named.append(org.pk)
        recipients = Recipients(
            internal=options["internal"], levels=levels, organisations=named, within=within
        )
        if not recipients:
            raise CommandError("请指定接收方：--levels、--internal、--to 或 --as-planned")
        tasks = task_ids(plan, options["tasks"]) if options["tasks"] else None
        return [Rule(tasks, recipients)]
