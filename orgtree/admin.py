"""Django admin, for superusers' inspection. Tree structure is changed only through the app's pages
and orgtree.services (which hold the tree lock), so organisations are read-only here."""

from django.contrib import admin

from .models import Department, Membership, Organisation, TreeChange


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ("name", "org_type", "code", "is_active", "tree_id", "lft", "rght", "level")
    list_filter = ("org_type", "is_active")
    search_fields = ("name", "code")
    show_full_result_count = False


@admin.register(TreeChange)
class TreeChangeAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "organisation", "actor")
    list_filter = ("action",)
    raw_id_fields = ("organisation",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "order", "is_active")
    search_fields = ("name", "organisation__name")
    raw_id_fields = ("organisation",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "department")
    list_filter = ("role",)
    search_fields = ("user__username", "organisation__name")
    raw_id_fields = ("organisation", "department", "user")
