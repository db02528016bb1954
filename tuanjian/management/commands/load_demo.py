"""load_demo: the demo tree and one login per role and level (printed), indicators and figures."""

from django.core.management.base import BaseCommand

from orgtree.models import Role
from tuanjian.demo import load_demo_figures, load_demo_organisations

ROLE_LABELS = {**dict(Role.choices), "superuser": "超级管理员"}


class Command(BaseCommand):
    help = (
        "导入演示数据（浙江省到县级的组织树、部分街道和团支部、各级各角色演示账号、"
        "指标与县级数据），可重复执行"
    )

    def handle(self, *args, **options):
        logins = load_demo_organisations()
        figures = load_demo_figures()
        self.stdout.write(
            f"演示指标 {figures['created'] + figures['updated']} 项，目标 {figures['targets']} 条，"
            f"数据 {figures.get('values', 0)} 项"
        )
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。演示账号（密码相同）："))
        for login in logins:
            role = ROLE_LABELS[login["role"]]
            self.stdout.write(f"  {login['username']:<12} 密码 {login['password']}  {role:<8} {login['org']}")
