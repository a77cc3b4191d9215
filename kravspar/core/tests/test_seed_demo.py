"""The demo data that `make run` loads."""

from django.contrib.auth.models import Group
from django.core.management import call_command

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Role
from kravspar.audit.models import AuditEvent
from kravspar.organisations.models import Organisation, Unit, UnitKind


def test_seed_demo_is_idempotent_and_seeds_the_two_regions(db, capsys):
    call_command("seed_demo")
    counts = (Organisation.objects.count(), Unit.objects.count(), User.objects.count(), AuditEvent.objects.count())
    call_command("seed_demo")
    assert (
        Organisation.objects.count(),
        Unit.objects.count(),
        User.objects.count(),
        AuditEvent.objects.count(),
    ) == counts
    sormland = Organisation.objects.get(org_number="2321000032")
    vastmanland = Organisation.objects.get(org_number="2321000172")
    assert (sormland.name, sormland.peppol_id) == ("Region Sörmland", "0007:2321000032")
    assert (vastmanland.name, vastmanland.peppol_id) == ("Region Västmanland", "0007:2321000172")
    inkop = Unit.objects.get(kind=UnitKind.PURCHASING)
    assert set(inkop.serves.all()) | {inkop.organisation} == {sormland, vastmanland}
    assert sormland.units.filter(kind=UnitKind.ORDERING).exists()
    assert vastmanland.units.filter(kind=UnitKind.ORDERING).exists()
    out = capsys.readouterr().out
    for username in ("admin", "inkopare", "bestallare", "miljo", "lasare"):
        assert username in out


def test_one_demo_person_per_buyer_role(db):
    call_command("seed_demo")
    held = {role for person in User.objects.all() for role in access.roles_of(person)}
    assert held == {
        Role.ADMINISTRATOR,
        Role.PROCUREMENT_OFFICER,
        Role.ORDERER,
        Role.ENVIRONMENT_SPECIALIST,
        Role.READER,
    }
    officer = User.objects.get(username="inkopare")
    assert access.organisations_visible_to(officer).count() == 2


def test_setup_roles_is_idempotent(db):
    call_command("setup_roles")
    call_command("setup_roles")
    assert set(Group.objects.values_list("name", flat=True)) == set(Role.values)
    admin_group = Group.objects.get(name=Role.ADMINISTRATOR)
    assert admin_group.permissions.filter(codename="view_auditevent").exists()
