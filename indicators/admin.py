"""Admin: indicator definitions are maintained here; figures and targets only through the app's services."""

from django.contrib import admin

from orgtree.admin import ReadOnlyAdmin

from .models import Indicator, Target, Value


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
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
