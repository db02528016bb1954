"""Middleware of the project as a whole."""

from django.db import connection
from django.http import JsonResponse


class HealthCheckMiddleware:
    """Answer /healthz/ before host validation and the HTTPS redirect, so container probes on
    127.0.0.1 over plain HTTP work whatever ALLOWED_HOSTS says."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz/":
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return JsonResponse({"status": "ok"})
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
