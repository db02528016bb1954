"""The project as operators run it: settings from the environment, compose file, deploy checks, demo."""

import importlib
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command, get_commands
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY"}
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_embedded_defaults_need_no_servers():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='tuanjian.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_TASK_EAGER_PROPAGATES,"
        " s.DEBUG, s.LANGUAGE_CODE, s.TIME_ZONE, s.USE_TZ, s.CELERY_BROKER_URL)"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3", "True", "True", "True", "zh-hans", "Asia/Shanghai", "True", "memory://",
    ]  # fmt: skip


def test_services_come_from_the_environment():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='tuanjian.settings'; django.setup();"
        "from django.conf import settings as s; d = s.DATABASES['default'];"
        "print(d['ENGINE'], d['NAME'], d['HOST'], s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG,"
        " ','.join(s.ALLOWED_HOSTS))"
    )
    result = run_python(
        code,
        DATABASE_URL="postgres://u:p@db.example:5432/tj",
        REDIS_URL="redis://cache.example:6379/1",
        DEBUG="0",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="a.example,b.example",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql", "tj", "db.example", "redis://cache.example:6379/1", "False", "False",
        "a.example,b.example",
    ]  # fmt: skip


def test_production_refuses_to_start_without_a_secret_key():
    result = run_python(
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='tuanjian.settings'; django.setup()",
        DEBUG="0",
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_in_production_settings():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG"}}
    env.update(
        DEBUG="0", SECRET_KEY="k" * 20 + "-production-secret-" + "q" * 30, ALLOWED_HOSTS="tuanjian.example"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.skipif(os.environ.get("CI") != "true", reason="CI runs against the real services")
def test_ci_runs_against_real_postgresql_and_redis():
    assert connection.vendor == "postgresql"
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    import redis

    assert redis.Redis.from_url(settings.REDIS_URL).ping()


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


class TestComposeFile:
    def test_services_and_healthchecks(self, compose):
        services = compose["services"]
        assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
        for name in ("postgres", "redis", "web", "worker", "beat"):
            assert "healthcheck" in services[name], name
        assert any(v.startswith("pgdata:") for v in services["postgres"]["volumes"])
        assert "pgdata" in compose["volumes"]
        for name in ("web", "worker", "beat"):
            env = services[name]["environment"]
            assert env["DATABASE_URL"].startswith("postgres://") and env["REDIS_URL"].startswith("redis://")
            assert env["DEBUG"] == "0"

    def test_commands_name_real_modules(self, compose):
        services = compose["services"]
        web = services["web"]["command"]
        assert web[0] == "gunicorn"
        module, attribute = web[1].split(":")
        assert callable(getattr(importlib.import_module(module), attribute))
        for name, sub in (("worker", "worker"), ("beat", "beat")):
            command = services[name]["command"]
            assert command[:2] == ["celery", "-A"] and command[3] == sub
            app = importlib.import_module(command[2]).celery_app
            assert app.main == "tuanjian"
        migrate = services["migrate"]["command"]
        assert migrate[:2] == ["python", "manage.py"] and migrate[2] in get_commands()
        dockerfile = (ROOT / "Dockerfile").read_text()
        assert '"gunicorn", "tuanjian.wsgi:application"' in dockerfile

    def test_beat_schedule_names_real_tasks(self):
        from tuanjian.celery import app

        app.loader.import_default_modules()
        for entry in settings.CELERY_BEAT_SCHEDULE.values():
            assert entry["task"] in app.tasks, entry["task"]


@pytest.mark.django_db
def test_healthz(client):
    response = client.get("/healthz/", HTTP_HOST="not-an-allowed-host.example")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_demo_data_loads_twice_and_prints_logins():
    from orgtree.models import Department, Membership, Organisation, OrgType

    out = StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=StringIO())
    assert Organisation.objects.filter(org_type=OrgType.PROVINCE).count() == 1
    assert Organisation.objects.filter(org_type=OrgType.CITY).count() == 11
    assert Organisation.objects.filter(org_type=OrgType.COUNTY).count() == 90
    assert Organisation.objects.filter(org_type__in=[OrgType.STREET, OrgType.TOWNSHIP]).exists()
    assert Organisation.objects.filter(org_type=OrgType.BRANCH).exists()
    assert Department.objects.filter(organisation__code="330000", name="组织部").exists()
    text = out.getvalue()
    for username in ("zj-admin", "hz-editor", "xh-reporter", "bs-viewer"):
        assert username in text
    roles_by_level = set(Membership.objects.values_list("organisation__org_type", "role"))
    for level in (OrgType.PROVINCE, OrgType.CITY, OrgType.COUNTY, OrgType.STREET):
        for role in ("admin", "editor", "reporter", "viewer"):
            assert (level, role) in roles_by_level
    from orgtree.integrity import check_orgtree

    assert check_orgtree().ok


def test_every_declared_dependency_is_used_and_locked():
    """A package in pyproject.toml is imported by the project (or named in its settings); the few that
    are used otherwise say where. Every one is pinned, with hashes, in the lock files."""
    import re
    import tomllib
    from importlib.metadata import packages_distributions

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = [re.split(r"[<>=\[; ]", d)[0].lower() for d in project["dependencies"]]
    dev = [re.split(r"[<>=\[; ]", d)[0].lower() for d in project["optional-dependencies"]["dev"]]
    modules: dict[str, set[str]] = {}
    for module, dists in packages_distributions().items():
        for dist in dists:
            modules.setdefault(dist.lower().replace("_", "-"), set()).add(module)
    sources = [
        p.read_text(encoding="utf-8")
        for p in ROOT.rglob("*.py")
        if ".venv" not in p.parts and "node_modules" not in p.parts
    ]
    used_otherwise = {
        "gunicorn": (ROOT / "Dockerfile").read_text(),  # the web server's command
        "psycopg": settings.DATABASES["default"]["ENGINE"]
        + "django.db.backends.postgresql",  # Django's driver
        "pytest-django": (ROOT / "pyproject.toml").read_text(),  # a pytest plugin, configured there
        "ruff": (ROOT / "Makefile").read_text(),  # `make test` runs it
    }
    for name in runtime + dev:
        if name in used_otherwise:
            assert name.split("-")[-1] in used_otherwise[name] or "postgresql" in used_otherwise[name], name
            continue
        names = modules[name.replace("_", "-")] - {"_distutils_hack"}
        imported = any(
            re.search(rf"^\s*(?:import|from)\s+{re.escape(module)}\b", text, re.M) or f'"{module}' in text
            for module in names
            for text in sources
        )
        assert imported, f"{name} is declared but never used"
    for lock, names in (("base.txt", runtime), ("dev.txt", runtime + dev)):
        text = (ROOT / "requirements" / lock).read_text(encoding="utf-8").lower()
        for name in names:
            assert re.search(rf"^{re.escape(name)}==[^ ]+ \\$", text, re.M), (lock, name)
        assert "--hash=sha256:" in text
