from django.contrib import admin

from kravspar.core.admin import ReadOnlyAdmin
from kravspar.organisations.models import Organisation, Unit


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "org_number", "county", "is_active"]
    list_filter = ["kind", "county", "is_active"]
    search_fields = ["name", "org_number"]


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ["name", "organisation", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["organisation"]
    search_fields = ["name"]
