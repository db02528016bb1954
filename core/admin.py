"""Django admin helpers, and the jobs waiting for the queue."""

from django.contrib import admin

from .models import PendingJob


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows that change only through the app's services (which hold locks, check scope and write
    history): superusers inspect them here, nobody edits them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PendingJob)
class PendingJobAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "task", "args", "kwargs", "error")
