"""Admin: indicator definitions are maintained here (and imported or exported in bulk); figures and
targets change only through the app's services."""

from django.contrib import admin
from import_export import resources
from import_export.admin import ImportExportModelAdmin

from core.admin import ReadOnlyAdmin
from core.importexport import SafeImportExport

from .models import Indicator, Target, Value, ValueHistory, ValueImport


class IndicatorResource(resources.ModelResource):
    """Definitions by code: re-importing an exported file changes nothing."""

    class Meta:
        model = Indicator
        import_id_fields = ("code",)
        exclude = ("id", "tasks")
        skip_unchanged = True


@admin.register(Indicator)
class IndicatorAdmin(SafeImportExport, ImportExportModelAdmin):
    resource_classes = [IndicatorResource]
    list_display = (
        "name",
        "code",
        "unit",
        "direction",
        "aggregation",
        "frequency",
        "reporting_level",
        "is_active",
    )
    list_filter = ("is_active", "frequency", "reporting_level")
    search_fields = ("name", "code")
    raw_id_fields = ("tasks",)

    def get_readonly_fields(self, request, obj=None):
        # Figures are stored per period and rate: changing these once reported would misread them.
        if obj is not None and obj.values.exists():
            return ("code", "frequency", "reporting_level", "aggregation", "unit")
        return ()


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ("indicator", "year", "organisation", "applies_to", "comparison", "value")
    list_filter = ("indicator", "year")
    raw_id_fields = ("organisation", "set_by")


@admin.register(Value)
class ValueAdmin(ReadOnlyAdmin):
    list_display = (
        "indicator",
        "organisation",
        "period",
        "numerator",
        "denominator",
        "value",
        "source",
        "is_late",
    )
    list_filter = ("indicator", "source", "is_late")
    list_select_related = ("indicator", "organisation")
    raw_id_fields = ("organisation", "reported_by")
    show_full_result_count = False


@admin.register(ValueHistory)
class ValueHistoryAdmin(ReadOnlyAdmin):
    list_display = ("value", "figure", "source", "changed_by", "changed_at")
    raw_id_fields = ("value", "changed_by")


@admin.register(ValueImport)
class ValueImportAdmin(ReadOnlyAdmin):
    list_display = ("filename", "organisation", "created_by", "created_at", "confirmed_at")
    exclude = ("content",)
    raw_id_fields = ("organisation", "created_by")
