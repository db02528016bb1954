"""check_orgtree [--fix] [--json]: verify the lft/rght invariants of every organisation tree."""

import json

from django.core.management.base import BaseCommand, CommandError

from orgtree.integrity import check_orgtree


class Command(BaseCommand):
    help = "检查团组织树的左右值（lft/rght/level/tree_id）是否与上下级关系一致；--fix 修复"

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="按上下级关系重写编号")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **options):
        report = check_orgtree(fix=options["fix"])
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            self.stdout.write(f"检查 {report.nodes:,} 个组织，{report.trees} 棵树")
            for line in report.examples:
                self.stdout.write(f"  - {line}")
            if report.ok:
                self.stdout.write(self.style.SUCCESS("组织树完好"))
            elif report.fixed:
                self.stdout.write(self.style.WARNING("发现问题，已修复"))
        if not report.ok and not report.fixed:
            raise CommandError(
                "组织树编号有误，可用 --fix 修复" if not report.unreachable else "组织树有成环或缺失的上级"
            )
