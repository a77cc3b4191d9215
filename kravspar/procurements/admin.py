from django.contrib import admin

from kravspar.core.admin import ReadOnlyAdmin
from kravspar.procurements.models import CategoryRule, EnvironmentalGoal, Procurement, Strategy


@admin.register(Procurement)
class ProcurementAdmin(ReadOnlyAdmin):
    list_display = ["registry_number", "title", "status", "kind", "estimated_value"]
    list_filter = ["status", "kind"]
    search_fields = ["registry_number", "title"]


@admin.register(Strategy)
class StrategyAdmin(ReadOnlyAdmin):
    list_display = ["procurement", "number", "status", "approved_at"]
    list_filter = ["status"]
    list_select_related = ["procurement"]


@admin.register(EnvironmentalGoal)
class EnvironmentalGoalAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "code", "title", "valid_from", "valid_to"]
    list_select_related = ["organisation"]


@admin.register(CategoryRule)
class CategoryRuleAdmin(ReadOnlyAdmin):
    list_display = ["kind", "cpv_prefix", "label", "source", "is_active"]
    list_filter = ["kind"]
