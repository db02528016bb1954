"""Django admin, for superusers. Tree structure changes only through the app's pages and orgtree.services
(which hold the tree lock), so organisations are read-only here — but their reference data (names, codes,
types, places in the tree) can be exported, and departments imported and exported in bulk."""

from django.contrib import admin
from import_export import fields, resources, widgets
from import_export.admin import ExportMixin, ImportExportModelAdmin

from core.admin import ReadOnlyAdmin
from core.importexport import SafeImportExport

from .models import Department, Membership, Organisation, TreeChange


class OrganisationResource(resources.ModelResource):
    parent_code = fields.Field(attribute="parent__code", column_name="上级代码", readonly=True)

    class Meta:
        model = Organisation
        fields = (
            "id",
            "code",
            "name",
            "short_name",
            "org_type",
            "parent_code",
            "is_active",
            "established_on",
        )
        export_order = fields


class DepartmentResource(resources.ModelResource):
    """Departments by organisation code and name: re-importing the same file changes nothing."""

    organisation = fields.Field(
        attribute="organisation",
        column_name="组织代码",
        widget=widgets.ForeignKeyWidget(Organisation, field="code"),
    )
    name = fields.Field(attribute="name", column_name="部门名称")
    order = fields.Field(attribute="order", column_name="排序", widget=widgets.IntegerWidget())
    is_active = fields.Field(attribute="is_active", column_name="有效", widget=widgets.BooleanWidget())

    class Meta:
        model = Department
        import_id_fields = ("organisation", "name")
        fields = ("organisation", "name", "order", "is_active")
        skip_unchanged = True

    def before_import_row(self, row, **kwargs):
        row["部门名称"] = "".join(str(row.get("部门名称") or "").split())[:60]


@admin.register(Organisation)
class OrganisationAdmin(SafeImportExport, ExportMixin, ReadOnlyAdmin):
    resource_classes = [OrganisationResource]
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
class DepartmentAdmin(SafeImportExport, ImportExportModelAdmin):
    resource_classes = [DepartmentResource]
    list_display = ("name", "organisation", "order", "is_active")
    search_fields = ("name", "organisation__name")
    raw_id_fields = ("organisation",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "department")
    list_filter = ("role",)
    search_fields = ("user__username", "organisation__name")
    raw_id_fields = ("organisation", "department", "user")
