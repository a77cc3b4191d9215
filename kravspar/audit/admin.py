from django.contrib import admin

from kravspar.audit.models import AuditEvent
from kravspar.core.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: history is never edited, not even by a superuser."""

    list_display = ["created_at", "actor_label", "action", "object_repr", "organisation"]
    list_filter = ["action"]
    search_fields = ["actor_label", "object_repr", "action"]
    list_select_related = ["organisation"]
