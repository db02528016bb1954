from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "任务计划"
