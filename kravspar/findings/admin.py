"""Read-only admin: every change goes through the services, with its history."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kravspar.findings.models import ActionPlan, ContractEvaluation, Deviation, Sanction


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg,unused-ignore]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Deviation)
class DeviationAdmin(ReadOnlyAdmin):
    list_display = ["title", "contract", "severity", "status", "deadline", "raised_on"]
    list_filter = ["severity", "status"]
    search_fields = ["title", "contract__contract_number"]
    list_select_related = ["contract"]


@admin.register(ActionPlan)
class ActionPlanAdmin(ReadOnlyAdmin):
    list_display = ["deviation", "status", "agreed_on", "deadline", "verified_on"]
    list_select_related = ["deviation"]


@admin.register(Sanction)
class SanctionAdmin(ReadOnlyAdmin):
    list_display = ["contract", "decision", "kind", "amount", "decided_on"]
    list_filter = ["decision", "kind"]
    list_select_related = ["contract"]


@admin.register(ContractEvaluation)
class ContractEvaluationAdmin(ReadOnlyAdmin):
    list_display = ["contract", "evaluated_on"]
    list_select_related = ["contract"]
