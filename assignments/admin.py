"""Admin: assignments change only through publishing, reviews and the status engine — read-only here."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Assignment, AssignmentEvent, AssignmentMilestone, ExtensionRequest


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ("task", "organisation", "status", "progress", "completion_percent", "created_at")
    list_filter = ("status", "progress")
    raw_id_fields = ("plan", "task", "organisation")
    show_full_result_count = False


@admin.register(AssignmentMilestone)
class AssignmentMilestoneAdmin(ReadOnlyAdmin):
    list_display = ("assignment", "milestone", "due_date", "progress", "at_risk", "completed_on")
    list_filter = ("progress", "at_risk")
    raw_id_fields = ("assignment", "milestone")
    show_full_result_count = False


@admin.register(AssignmentEvent)
class AssignmentEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "assignment", "kind", "actor")
    list_filter = ("kind",)
    raw_id_fields = ("assignment", "actor")


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyAdmin):
    list_display = ("assignment_milestone", "original_due", "requested_due", "status", "decided_at")
    list_filter = ("status",)
    raw_id_fields = ("assignment_milestone", "requested_by", "decided_by")
