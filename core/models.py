"""Models shared by the apps: jobs the web could not hand to the queue."""

from django.db import models


class PendingJob(models.Model):
    """A job a request could not queue (Redis down or hung): the request went on, and the next scheduled
    run (core.tasks.pending_jobs_task) sends the job. Every job is idempotent, so sending one twice is
    harmless."""

    task = models.CharField("任务", max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    error = models.CharField("未能提交的原因", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "待提交的后台任务"
        ordering = ["id"]

    def __str__(self):
        return self.task
