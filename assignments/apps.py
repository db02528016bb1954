from django.apps import AppConfig


class AssignmentsConfig(AppConfig):
    name = "assignments"
    verbose_name = "交办"

    def ready(self):
        from . import receivers  # noqa: F401 - connects to plans' milestone changes
