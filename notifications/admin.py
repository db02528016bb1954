from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("day", "recipient", "title", "read_at", "emailed_at", "email_attempts", "email_error")
    list_filter = ("day",)
    search_fields = ("recipient__username", "title")
    raw_id_fields = ("recipient",)
