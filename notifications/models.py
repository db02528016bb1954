"""In-app notices (the bell), e-mailed too where the user has an address: each notice is also the
e-mail's outbox entry (notifications.services.notifications_email)."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Notification(models.Model):
    """One notice to one person. (recipient, key, day) is unique, so a job that runs twice, or on two
    workers at once, tells each person about each thing at most once a day."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=80)
    day = models.DateField()
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The outbox: when the e-mail went out; how often sending was tried, the last failure, and when the
    # next try may be (a try claims the notice until then, so no other sender takes it meanwhile).
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField("邮件发送次数", default=0)
    email_error = models.CharField("邮件发送失败原因", max_length=500, blank=True)
    email_retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key", "day"], name="notification_once_a_day")
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            # The outbox reads the recent not-yet-mailed notices in batches.
            models.Index(
                fields=["day", "id"], condition=Q(emailed_at__isnull=True), name="notification_to_mail_idx"
            ),
        ]

    def __str__(self):
        return self.title
