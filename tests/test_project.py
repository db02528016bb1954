"""The project as operators run it: settings from the environment, compose file, deploy checks, demo."""

import importlib
import os
import re
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

    def test_only_the_proxy_is_published(self, compose):
        services = compose["services"]
        published = {name for name, service in services.items() if service.get("ports")}
        assert published == {"proxy"}
        assert "ports" not in services["web"] and services["web"]["expose"] == ["8000"]
        proxy = services["proxy"]
        assert proxy["image"].startswith("nginx:")
        assert sorted(p.split(":")[-1] for p in proxy["ports"]) == ["443", "80"]
        assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
        assert proxy["depends_on"]["web"]["condition"] == "service_healthy" and "healthcheck" in proxy
        # Django trusts the forwarded headers only because nothing but the proxy can reach it.
        assert services["web"]["environment"]["BEHIND_PROXY"] == "1"
        assert "network_mode" not in services["web"]

    def test_the_proxy_writes_the_forwarded_headers_itself(self):
        conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
        directives = [line.split("#")[0].strip() for line in conf.splitlines()]
        assert "upstream tuanjian_web {" in directives and "server web:8000;" in directives
        proxied = [i for i, d in enumerate(directives) if d == "proxy_pass http://tuanjian_web;"]
        assert proxied
        for i in proxied:  # every location that proxies sets all of them, from nginx's own variables
            block = directives[i : directives.index("}", i)]
            for header in (
                "proxy_set_header X-Forwarded-Proto $scheme;",
                "proxy_set_header X-Real-IP $remote_addr;",
                "proxy_set_header X-Forwarded-For $remote_addr;",
                "proxy_set_header Host $host;",
            ):
                assert header in block, (i, header)
        # Never a client's header passed through (nor appended to).
        assert "$http_x_forwarded" not in conf and "$proxy_add_x_forwarded_for" not in conf
        assert "listen 443 ssl default_server;" in directives
        assert "return 301 https://$host$request_uri;" in directives
        health = directives[directives.index("location = /healthz/ {") :]
        assert health[1:3] == ["allow 127.0.0.1;", "deny all;"]

    def test_the_proxy_accepts_the_largest_upload(self):
        from core.spreadsheets import MAX_UPLOAD_BYTES
        from indicators.forms import MAX_UPLOAD_MB

        conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
        (size,) = re.findall(r"^\s*client_max_body_size (\d+)m;", conf, re.M)
        largest = max(
            settings.REPORT_ATTACHMENT_MAX_BYTES, MAX_UPLOAD_BYTES, MAX_UPLOAD_MB * 1024 * 1024,
            getattr(settings, "MAX_UPLOAD_BYTES", 0),
        )  # fmt: skip
        # Room for the multipart form around the file, and a limit (0 would mean none).
        assert largest + 256 * 1024 <= int(size) * 1024 * 1024 <= 2 * largest

    def test_beat_schedule_names_real_tasks(self):
        from tuanjian.celery import app

        app.loader.import_default_modules()
        for entry in settings.CELERY_BEAT_SCHEDULE.values():
            assert entry["task"] in app.tasks, entry["task"]


def test_forwarded_https_is_trusted_only_behind_the_proxy():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='tuanjian.settings'; django.setup();"
        "from django.conf import settings as s; print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT)"
    )
    production = {"DEBUG": "0", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "tuanjian.example"}
    direct = run_python(code, **production)
    assert direct.returncode == 0, direct.stderr
    assert direct.stdout.split() == ["None", "True"]
    behind = run_python(code, **production, BEHIND_PROXY="1")
    assert behind.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https') True"
    assert run_python(code, **production, BEHIND_PROXY="0").stdout.split() == ["None", "True"]


@pytest.mark.django_db
def test_a_client_claiming_https_is_redirected_without_the_proxy(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = None  # as DEBUG=0 without BEHIND_PROXY sets it
    response = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301 and response.url.startswith("https://")
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # behind the proxy
    assert client.get("/login/", HTTP_X_FORWARDED_PROTO="https").status_code == 200


def test_check_deploy_is_clean_behind_the_proxy():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG"}}
    env.update(
        DEBUG="0", SECRET_KEY="k" * 20 + "-production-secret-" + "q" * 30, ALLOWED_HOSTS="tuanjian.example",
        BEHIND_PROXY="1",
    )  # fmt: skip
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_healthz(client):
    response = client.get("/healthz/", HTTP_HOST="not-an-allowed-host.example")
    redis = "ok" if settings.REDIS_URL else "not configured"  # more in tests/test_redis_outage.py
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": redis, "status": "ok"}


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


def test_every_apps_tests_are_collected():
    """`make test` runs pytest with the configured testpaths: an app's tests left out would never run."""
    import tomllib

    root = Path(__file__).resolve().parent.parent
    options = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    apps = {p.parent.parent.name for p in root.glob("*/tests/__init__.py")}
    assert apps, "no app has tests"
    assert {f"{app}/tests" for app in apps} <= set(options["testpaths"])
