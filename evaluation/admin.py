from django.contrib import admin

from .models import Bulletin, ScoringScheme


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    list_display = ["title", "doc_number", "organisation", "period", "issued_by", "issued_at"]
    list_select_related = ["organisation", "issued_by"]
    readonly_fields = ["organisation", "period", "title", "summary", "today", "issued_by", "figures"]
    search_fields = ["title", "doc_number"]


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(admin.ModelAdmin):
    list_display = ["organisation", "year", "updated_at", "closed_at"]
    list_select_related = ["organisation"]
    readonly_fields = ["frozen", "closed_at", "closed_by"]
