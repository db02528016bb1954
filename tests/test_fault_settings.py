"""Settings that bound what a fault costs, as production gets them from the environment."""

import json

from tests.test_project import run_python

PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "s" * 60, "ALLOWED_HOSTS": "tuanjian.example"}


def show(keys: list[str]) -> str:
    return (
        "import django, json, os; os.environ['DJANGO_SETTINGS_MODULE']='tuanjian.settings'; django.setup();"
        f"from django.conf import settings as s; print(json.dumps({{k: getattr(s, k) for k in {keys!r}}}))"
    )


def settings_of(keys: list[str], **env) -> dict:
    result = run_python(show(keys), **PRODUCTION, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_redis_clients_time_out_and_jobs_come_back_within_half_an_hour():
    found = settings_of(
        ["CELERY_BROKER_TRANSPORT_OPTIONS", "CELERY_BROKER_CONNECTION_TIMEOUT", "CELERY_REDIS_SOCKET_TIMEOUT",
         "CELERY_TASK_ACKS_LATE", "CELERY_TASK_REJECT_ON_WORKER_LOST", "CELERY_WORKER_PREFETCH_MULTIPLIER",
         "CELERY_TASK_TIME_LIMIT", "CACHES"],
        REDIS_URL="redis://redis:6379/0",
    )  # fmt: skip
    options = found["CELERY_BROKER_TRANSPORT_OPTIONS"]
    assert options["visibility_timeout"] == 1800 == 2 * found["CELERY_TASK_TIME_LIMIT"]
    assert options["socket_timeout"] == options["socket_connect_timeout"] == 2
    assert found["CELERY_BROKER_CONNECTION_TIMEOUT"] == found["CELERY_REDIS_SOCKET_TIMEOUT"] == 2
    assert found["CELERY_TASK_ACKS_LATE"] and found["CELERY_TASK_REJECT_ON_WORKER_LOST"]
    assert found["CELERY_WORKER_PREFETCH_MULTIPLIER"] == 1
    cache = found["CACHES"]["default"]
    assert cache["BACKEND"] == "tuanjian.cache.ResilientRedisCache"
    assert cache["OPTIONS"] == {"socket_timeout": 2.0, "socket_connect_timeout": 2.0}


def test_smtp_from_the_environment():
    keys = ["EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD",
            "EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_TIMEOUT", "DEFAULT_FROM_EMAIL"]  # fmt: skip
    assert settings_of(keys, EMAIL_URL="smtps://tj%40example.org:p%40ss@smtp.example.org") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": 465, "EMAIL_HOST_USER": "tj@example.org", "EMAIL_HOST_PASSWORD": "p@ss",
        "EMAIL_USE_TLS": False, "EMAIL_USE_SSL": True, "EMAIL_TIMEOUT": 10.0,
        "DEFAULT_FROM_EMAIL": "tuanjian@localhost",
    }  # fmt: skip
    found = settings_of(
        keys, EMAIL_URL="smtp://u:p@mail.example.org:587?tls=1", EMAIL_HOST="relay.example.org",
        EMAIL_PORT="2525", DEFAULT_FROM_EMAIL="督办平台 <noreply@example.org>",
    )  # fmt: skip
    assert (found["EMAIL_HOST"], found["EMAIL_PORT"], found["EMAIL_USE_TLS"]) == (
        "relay.example.org",
        2525,
        True,
    )
    assert found["EMAIL_HOST_USER"] == "u" and found["DEFAULT_FROM_EMAIL"] == "督办平台 <noreply@example.org>"
    separate = settings_of(keys, EMAIL_HOST="smtp.example.org", EMAIL_PORT="587", EMAIL_USE_TLS="1",
                           EMAIL_HOST_USER="a", EMAIL_HOST_PASSWORD="b")  # fmt: skip
    assert separate["EMAIL_HOST"] == "smtp.example.org" and separate["EMAIL_USE_TLS"] is True
    assert (separate["EMAIL_HOST_USER"], separate["EMAIL_HOST_PASSWORD"]) == ("a", "b")


def test_contradictory_smtp_settings_refuse_to_start():
    result = run_python(show([]), **PRODUCTION, EMAIL_USE_TLS="1", EMAIL_USE_SSL="1")
    assert result.returncode != 0 and "EMAIL_USE_TLS 和 EMAIL_USE_SSL 只能设置其中一个" in result.stderr
    result = run_python(show([]), **PRODUCTION, EMAIL_URL="http://mail.example.org")
    assert result.returncode != 0 and "EMAIL_URL 应以 smtp:// 或 smtps:// 开头" in result.stderr
