"""Admin: plans are written through the app's pages and services (which keep the history and the
receivers' assignment milestones in step), so they are read-only here."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Milestone, Plan, PlanChange, PlanImport, Section, Task


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("title", "doc_number", "organisation", "start_year", "end_year", "status")
    list_filter = ("status", "start_year")
    search_fields = ("title", "doc_number")
    raw_id_fields = ("organisation", "created_by")


@admin.register(Section)
class SectionAdmin(ReadOnlyAdmin):
    list_display = ("title", "plan", "order")
    raw_id_fields = ("plan", "parent")


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("seq", "title", "plan", "organisation")
    search_fields = ("title",)
    raw_id_fields = ("plan", "organisation", "section", "parent_assignment")


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    list_display = ("raw", "task", "start_date", "due_date", "kind")
    list_filter = ("kind",)
    raw_id_fields = ("task",)


@admin.register(PlanImport)
class PlanImportAdmin(ReadOnlyAdmin):
    list_display = ("filename", "organisation", "created_by", "created_at", "confirmed_at")
    exclude = ("content",)
    raw_id_fields = ("organisation", "plan", "created_by")


@admin.register(PlanChange)
class PlanChangeAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "plan", "action", "actor")
    list_filter = ("action",)
    raw_id_fields = ("plan", "actor")
