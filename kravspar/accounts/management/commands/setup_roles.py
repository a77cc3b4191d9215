"""Create or update one group per role, with the Django model permissions of roles.py.
Safe to run any number of times; ``make run`` and deployments run it after migrate."""

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from kravspar.accounts.roles import ADMIN_MODEL_PERMS, Role


def setup_roles() -> list[str]:
    """Returns the roles whose group was created or whose permissions changed. A handful of
    queries whatever the number of roles (every test's persona world runs this)."""
    changed = []
    with transaction.atomic():
        groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
        labels = {label for labels in ADMIN_MODEL_PERMS.values() for label in labels}
        permissions = {
            f"{permission.content_type.app_label}.{permission.codename}": permission
            for permission in Permission.objects.filter(codename__in={label.split(".")[1] for label in labels})
            .select_related("content_type")
            .order_by()
        }
        for role in Role:
            wanted = []
            for label in ADMIN_MODEL_PERMS.get(role, []):
                if label not in permissions:
                    raise Permission.DoesNotExist(f"Permission {label} does not exist (migrate first).")
                wanted.append(permissions[label])
            group = groups.get(role.value)
            if group is None:
                group = Group.objects.create(name=role.value)
                if wanted:
                    group.permissions.set(wanted)
                changed.append(role.value)
            elif set(group.permissions.all()) != set(wanted):
                group.permissions.set(wanted)
                changed.append(role.value)
    return changed


class Command(BaseCommand):
    help = "Create or update the role groups defined in kravspar/accounts/roles.py."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = setup_roles()
        self.stdout.write(f"Roles up to date ({len(Role)} roles; changed: {', '.join(changed) or 'none'}).")
