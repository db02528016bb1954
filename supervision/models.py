"""What the status engine remembers of its own runs: the day the stored states are for."""

from django.db import models


class RefreshLog(models.Model):
    """One full refresh of the statuses (all assignments) for a day. Pages say which day their numbers
    are for, and in the embedded mode (no worker, no beat) a page that finds none for today runs one."""

    day = models.DateField("状态日期", unique=True)
    milestones_changed = models.PositiveIntegerField(default=0)
    assignments_changed = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "状态刷新记录"
        verbose_name_plural = "状态刷新记录"
        ordering = ["-finished_at", "-id"]
        indexes = [models.Index(fields=["-finished_at"], name="refreshlog_finished_idx")]

    def __str__(self):
        return f"{self.day}"
