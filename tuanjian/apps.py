from django.apps import AppConfig


class TuanjianConfig(AppConfig):
    """The project as an app of its own: what spans every app (the demo) lives here."""

    name = "tuanjian"
    verbose_name = "团建任务督办平台"
