"""tuanjian: 团建任务督办平台."""

from .celery import app as celery_app

__all__ = ("celery_app",)
