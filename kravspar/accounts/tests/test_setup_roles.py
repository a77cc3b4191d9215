"""``setup_roles`` creates one group per role with the roles' model permissions, repairs a
group whose permissions drifted, and reports what it changed (deployments run it after
``migrate``; every test's persona world runs it too, so it stays a handful of queries)."""

from django.contrib.auth.models import Group, Permission

from kravspar.accounts.management.commands.setup_roles import setup_roles
from kravspar.accounts.roles import ADMIN_MODEL_PERMS, Role


def _permissions(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_creates_every_role_then_changes_nothing(db, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        changed = setup_roles()
    assert sorted(changed) == sorted(Role.values)
    for role in Role:
        assert _permissions(role.value) == set(ADMIN_MODEL_PERMS.get(role, []))
    assert setup_roles() == []


def test_repairs_a_group_whose_permissions_drifted(db):
    setup_roles()
    admin = Group.objects.get(name=Role.ADMINISTRATOR)
    admin.permissions.remove(Permission.objects.get(codename="view_user"))
    Group.objects.get(name=Role.READER).permissions.add(Permission.objects.get(codename="view_user"))

    assert sorted(setup_roles()) == sorted([Role.ADMINISTRATOR.value, Role.READER.value])
    assert _permissions(Role.ADMINISTRATOR) == set(ADMIN_MODEL_PERMS[Role.ADMINISTRATOR])
    assert _permissions(Role.READER) == set()
