"""Read-only admin views: contracts change only through ``services`` (the pages and the API)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kravspar.contracts.models import Contract, Subcontractor


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ["contract_number", "title", "signed_on", "ends_on", "status", "strategy_missing"]
    list_filter = ["status", "strategy_missing"]
    search_fields = ["contract_number", "title"]


@admin.register(Subcontractor)
class SubcontractorAdmin(ReadOnlyAdmin):
    list_display = ["name", "contract", "supplier", "country", "is_active"]
    list_select_related = ["contract", "supplier"]
