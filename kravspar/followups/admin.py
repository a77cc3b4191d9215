from django.contrib import admin

from kravspar.core.admin import ReadOnlyAdmin
from kravspar.followups.models import Activity, CalendarFeed, Evidence, ReminderSent


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    """Read-only: activities change only through the services (with history)."""

    list_display = ["due_on", "contract", "requirement", "method", "status", "responsible_unit", "responsible_person"]
    list_filter = ["status", "method", "responsible"]
    search_fields = ["contract__contract_number", "requirement__title"]
    list_select_related = ["contract", "requirement", "responsible_unit", "responsible_person"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "activity", "content_type", "size", "sha256", "uploaded_at"]
    list_select_related = ["activity__requirement"]
    exclude = ["file"]  # downloads go through the access-checked view only


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdmin):
    list_display = ["activity", "kind", "sent_to", "sent_at"]
    list_filter = ["kind"]
    list_select_related = ["activity__requirement"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    list_display = ["user", "contract", "created_at", "revoked_at"]
    exclude = ["token_hash"]
    list_select_related = ["user", "contract"]
