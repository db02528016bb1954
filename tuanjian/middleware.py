"""Middleware of the project as a whole."""

from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connections
from django.http import JsonResponse

HEALTH_TIMEOUT = 3  # seconds each check may take: a probe answers even while a service hangs


def _database_ok() -> bool:
    """SELECT 1 on a connection of its own (this thread's), closed again."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    finally:
        connections["default"].close()


def redis_status() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=HEALTH_TIMEOUT, socket_connect_timeout=HEALTH_TIMEOUT
    )
    try:
        client.ping()
        return "ok"
    except (redis.RedisError, OSError):
        return "unavailable"
    finally:
        client.close()


def health() -> tuple[dict, int]:
    """The database and Redis, checked at the same time, each within HEALTH_TIMEOUT. Without the database
    nothing works (503); without Redis pages work and jobs wait (200, degraded)."""
    pool = ThreadPoolExecutor(max_workers=1)
    # In a thread, so that a hung database server cannot hold the probe (the thread ends with the
    # connection attempt: PostgreSQL's connect_timeout).
    database = pool.submit(_database_ok)
    try:
        redis = redis_status()
        try:
            database_ok = database.result(timeout=HEALTH_TIMEOUT)
        except Exception:  # down, refused, timed out: all the same to a probe
            database_ok = False
    finally:
        pool.shutdown(wait=False)
    status = "ok" if redis in ("ok", "not configured") else "degraded"
    if not database_ok:
        return {"database": "unavailable", "redis": redis, "status": "unavailable"}, 503
    return {"database": "ok", "redis": redis, "status": status}, 200


class HealthCheckMiddleware:
    """Answer /healthz/ before host validation and the HTTPS redirect, so container probes on
    127.0.0.1 over plain HTTP work whatever ALLOWED_HOSTS says."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz/":
            body, status = health()
            return JsonResponse(body, status=status)
        return self.get_response(request)


class FreshStatesMiddleware:
    """Where no worker and no beat run (the embedded default: Celery eager), the first page of the day
    that shows states refreshes them for today first; with a worker, beat does it hourly and this is
    idle."""

    PAGES = ("/plans/",)  # plans, assignments, reports, the dashboard

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        if settings.STATES_REFRESH_ON_PAGE and request.path.startswith(self.PAGES):
            from supervision.status import ensure_fresh

            ensure_fresh()
        return self.get_response(request)
