"""Create or update one group per role, with the Django model permissions of roles.py.
Safe to run any number of times; ``make run`` and deployments run it after migrate."""

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from kravspar.accounts.roles import ADMIN_MODEL_PERMS, Role


def setup_roles() -> list[str]:
    changed = []
    with transaction.atomic():
        for role in Role:
            group, created = Group.objects.get_or_create(name=role.value)
            wanted = []
            for label in ADMIN_MODEL_PERMS.get(role, []):
                app_label, codename = label.split(".")
                wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
            if created or set(group.permissions.all()) != set(wanted):
                group.permissions.set(wanted)
                changed.append(role.value)
    return changed


class Command(BaseCommand):
    help = "Create or update the role groups defined in kravspar/accounts/roles.py."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = setup_roles()
        self.stdout.write(f"Roles up to date ({len(Role)} roles; changed: {', '.join(changed) or 'none'}).")
