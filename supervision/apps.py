from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "督办"

    def ready(self):
        from . import receivers  # noqa: F401 - refreshes statuses after progress changes
