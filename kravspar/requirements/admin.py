from django.contrib import admin

from kravspar.core.admin import ReadOnlyAdmin
from kravspar.requirements.models import Requirement, RequirementTemplate


@admin.register(RequirementTemplate)
class RequirementTemplateAdmin(ReadOnlyAdmin):
    list_display = ["title", "type", "level", "is_active"]
    list_filter = ["type", "level"]
    search_fields = ["title", "text"]


@admin.register(Requirement)
class RequirementAdmin(ReadOnlyAdmin):
    list_display = ["title", "procurement", "type", "removed"]
    list_filter = ["type"]
    list_select_related = ["procurement"]
