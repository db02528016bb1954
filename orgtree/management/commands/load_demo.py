"""load_demo: the demo tree and one login per role and level (printed)."""

from django.core.management.base import BaseCommand

from orgtree.demo import load_demo
from orgtree.models import Role

ROLE_LABELS = {**dict(Role.choices), "superuser": "超级管理员"}


class Command(BaseCommand):
    help = "导入演示数据（浙江省到县级的组织树、部分街道和团支部、各级各角色演示账号），可重复执行"

    def handle(self, *args, **options):
        logins = load_demo()
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。演示账号（密码相同）："))
        for login in logins:
            role = ROLE_LABELS[login["role"]]
            self.stdout.write(f"  {login['username']:<12} 密码 {login['password']}  {role:<8} {login['org']}")
