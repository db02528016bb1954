"""Demo data: Zhejiang to county level, some townships and 团支部, one user per role and level."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from .importers import load_divisions
from .models import Department, Membership, Organisation
from .services import organisation_create

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"


def _find(ref: str) -> Organisation:
    return Organisation.objects.filter(code=ref).first() or Organisation.objects.get(name=ref)


@transaction.atomic
def load_demo(directory: Path = DEMO_DIR) -> list[dict]:
    """Load (idempotently) the demo tree and accounts; returns the logins to print."""
    spec = json.loads((directory / "demo.json").read_text(encoding="utf-8"))
    load_divisions(directory / spec["divisions"])
    for code, names in spec["departments"].items():
        org = _find(code)
        for order, name in enumerate(names, start=1):
            Department.objects.get_or_create(organisation=org, name=name, defaults={"order": order})
    for item in spec["organisations"]:
        parent = _find(item["parent"])
        if not Organisation.objects.filter(parent=parent, name=item["name"]).exists():
            organisation_create(parent=parent, name=item["name"], org_type=item["org_type"])

    User = get_user_model()
    password = spec["password"]
    logins = []
    for item in spec["users"]:
        user, _ = User.objects.get_or_create(username=item["username"])
        user.first_name = item["name"]
        user.set_password(password)
        user.save()
        org = _find(item["org"])
        department = None
        if item.get("department"):
            department = Department.objects.get(organisation=org, name=item["department"])
        Membership.objects.update_or_create(
            user=user, organisation=org, role=item["role"], defaults={"department": department}
        )
        logins.append(
            {"username": user.username, "password": password, "org": org.name, "role": item["role"]}
        )
    su = spec["superuser"]
    admin, _ = User.objects.get_or_create(username=su["username"])
    admin.first_name = su["name"]
    admin.is_staff = admin.is_superuser = True
    admin.set_password(password)
    admin.save()
    logins.append(
        {"username": admin.username, "password": password, "org": "全部（超级管理员）", "role": "superuser"}
    )
    return logins
