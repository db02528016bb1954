"""Admin: reports change only through the report and review pages — read-only here."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import ProgressReport, ReportAttachment, ReportMilestone


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ("assignment", "period", "status", "stage", "percent", "is_late", "submitted_at")
    list_filter = ("status", "is_late")
    raw_id_fields = ("assignment", "submitted_by", "reviewed_by")


@admin.register(ReportMilestone)
class ReportMilestoneAdmin(ReadOnlyAdmin):
    list_display = ("report", "assignment_milestone", "completed_on")
    raw_id_fields = ("report", "assignment_milestone")


@admin.register(ReportAttachment)
class ReportAttachmentAdmin(ReadOnlyAdmin):
    list_display = ("name", "report", "kind", "size", "uploaded_by", "created_at")
    raw_id_fields = ("report", "uploaded_by")
