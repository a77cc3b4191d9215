"""The portal's demo data: a supplier contact for RV-2025-0107 who can log in, an open
action plan, a library with an expiring and a stale document, one pending invitation;
running it twice creates nothing new."""

from __future__ import annotations

from typing import Any

from kravspar.accounts import access as accounts_access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Role
from kravspar.core.management.commands.seed_demo import DEMO_PASSWORD
from kravspar.findings.models import ActionPlan, Deviation
from kravspar.portal import demo, selectors
from kravspar.portal.models import Invitation, SubcontractorDeclaration, SupplierDocument
from kravspar.portal.tests.conftest import make_contract
from kravspar.testing.factories import UserFactory


def test_seed_is_idempotent_and_gives_a_working_login(world: Any, supplier_a: Any, client: Any) -> None:
    make_contract(world, supplier_a, demo.CONTRACT_NUMBER, "Lokalvård")
    UserFactory.create(
        username="inkopare", organisation=world.sormland, unit=world.inkop, roles=[Role.PROCUREMENT_OFFICER]
    )
    logins = demo.seed()
    assert len(logins) == 1 and (logins[0][0], logins[0][2]) == ("leverantor", demo.NAME)
    counts = (
        User.objects.count(),
        SupplierDocument.objects.count(),
        Deviation.objects.count(),
        SubcontractorDeclaration.objects.count(),
        Invitation.objects.count(),
    )
    assert demo.seed() == logins
    assert counts == (
        User.objects.count(),
        SupplierDocument.objects.count(),
        Deviation.objects.count(),
        SubcontractorDeclaration.objects.count(),
        Invitation.objects.count(),
    )
    contact = User.objects.get(username="leverantor")
    assert contact.supplier == supplier_a and accounts_access.roles_of(contact) == {Role.SUPPLIER_CONTACT}
    assert client.login(username="leverantor", password=DEMO_PASSWORD)
    flags = {d.title: d for d in selectors.library_with_flags(SupplierDocument.objects.all())}
    assert flags["Svanenlicens städtjänster"].expires_in == 20
    assert flags["Uppförandekod för medarbetare och underleverantörer"].stale
    assert ActionPlan.objects.filter(deviation__title=demo.OPEN_DEVIATION, status="agreed").exists()
    assert Invitation.objects.get().state() == "pending"
    assert SupplierDocument.objects.first().file.read(5) == b"%PDF-"


def test_seed_does_nothing_without_the_demo_contract(world: Any) -> None:
    assert demo.seed() == []
    assert not User.objects.filter(username="leverantor").exists()
