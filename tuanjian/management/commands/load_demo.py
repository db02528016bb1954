"""load_demo: the demo tree and one login per role and level (printed), indicators and figures, and the
浙江 task table as this year's plan, published, with a year of work on it."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from orgtree.models import Role
from tuanjian.demo import load_demo_figures, load_demo_organisations, load_demo_plan

ROLE_LABELS = {**dict(Role.choices), "superuser": "超级管理员"}


class Command(BaseCommand):
    help = (
        "导入演示数据（浙江省到县级的组织树、部分街道和团支部、各级各角色演示账号、"
        "指标与县级数据、按今天日期下发并已办理一段时间的浙江任务分解表），可重复执行"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", help="按哪一天生成演示计划的办理情况（YYYY-MM-DD），默认今天；用于演示某一天的看板"
        )

    def handle(self, *args, **options):
        try:
            today = date.fromisoformat(options["today"]) if options["today"] else None
        except ValueError as exc:
            raise CommandError("--today 应为 YYYY-MM-DD 格式的日期") from exc
        logins = load_demo_organisations()
        figures = load_demo_figures()
        self.stdout.write(
            f"演示指标 {figures['created'] + figures['updated']} 项，目标 {figures['targets']} 条，"
            f"数据 {figures.get('values', 0)} 项"
        )
        plan = load_demo_plan(today)
        if plan:
            self.stdout.write(
                f"演示计划：《{plan['title']}》已下发 {plan['assignments']} 项交办"
                f"（{plan['organisations']} 个组织），已完成 {plan['completed']} 项，"
                f"逾期 {plan['overdue']} 项（黄牌 {plan['yellow']}、红牌 {plan['red']}），"
                f"即将到期 {plan['due_soon']} 项，待审核报告 {plan['pending']} 份，"
                f"通知 {plan['notifications']} 条"
            )
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。演示账号（密码相同）："))
        for login in logins:
            role = ROLE_LABELS[login["role"]]
            self.stdout.write(f"  {login['username']:<12} 密码 {login['password']}  {role:<8} {login['org']}")
