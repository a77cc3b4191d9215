from django.contrib import admin

from kravspar.accounts.models import User
from kravspar.core.admin import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["username", "email", "first_name", "last_name", "organisation", "is_active"]
    list_filter = ["is_active", "groups"]
    list_select_related = ["organisation"]
    search_fields = ["username", "email", "first_name", "last_name"]
    exclude = ["password"]
