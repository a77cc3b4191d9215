"""Personas shared by the tests. Each story has the same cast:

- Region Sörmland and Region Västmanland, with the joint Inköp unit (in Sörmland)
  serving both; an ordering unit in each region.
- ``admin``: an administrator.
- ``officer``: an Inköp procurement officer (sees both regions).
- ``orderer_vm``: a beställare in Region Västmanland (sees only Västmanland).
- ``orderer_sl``: a beställare in Region Sörmland.
- ``env_vm``: an environment specialist in Region Västmanland.
- ``reader``: a reader (management) in the Inköp unit.
- ``supplier_contact``: a person at a supplier (sees no buyer data).
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from kravspar.accounts.management.commands.setup_roles import setup_roles
from kravspar.accounts.models import User
from kravspar.accounts.roles import Role
from kravspar.organisations.models import Organisation, OrganisationKind, Unit, UnitKind
from kravspar.testing.factories import OrganisationFactory, SupplierFactory, UnitFactory, UserFactory


@dataclass
class World:
    sormland: Organisation
    vastmanland: Organisation
    inkop: Unit
    unit_sl: Unit
    unit_vm: Unit
    admin: User
    officer: User
    orderer_vm: User
    orderer_sl: User
    env_vm: User
    reader: User
    supplier_contact: User


@pytest.fixture
def world(db: Any) -> World:
    setup_roles()
    sormland = OrganisationFactory.create(name="Region Sörmland", org_number="2321000032", peppol_value="2321000032")
    vastmanland = OrganisationFactory.create(
        name="Region Västmanland", org_number="2321000172", peppol_value="2321000172"
    )
    inkop = UnitFactory.create(organisation=sormland, name="Inköp", kind=UnitKind.PURCHASING)
    inkop.serves.set([vastmanland])
    unit_sl = UnitFactory.create(organisation=sormland, name="Kirurgkliniken")
    unit_vm = UnitFactory.create(organisation=vastmanland, name="Ortopedkliniken")
    return World(
        sormland=sormland,
        vastmanland=vastmanland,
        inkop=inkop,
        unit_sl=unit_sl,
        unit_vm=unit_vm,
        admin=UserFactory.create(username="admin", organisation=sormland, unit=inkop, roles=[Role.ADMINISTRATOR]),
        officer=UserFactory.create(
            username="officer", organisation=sormland, unit=inkop, roles=[Role.PROCUREMENT_OFFICER]
        ),
        orderer_vm=UserFactory.create(
            username="orderer_vm", organisation=vastmanland, unit=unit_vm, roles=[Role.ORDERER]
        ),
        orderer_sl=UserFactory.create(username="orderer_sl", organisation=sormland, unit=unit_sl, roles=[Role.ORDERER]),
        env_vm=UserFactory.create(
            username="env_vm", organisation=vastmanland, unit=unit_vm, roles=[Role.ENVIRONMENT_SPECIALIST]
        ),
        reader=UserFactory.create(username="reader", organisation=sormland, unit=inkop, roles=[Role.READER]),
        supplier_contact=UserFactory.create(
            username="supplier", supplier=SupplierFactory.create(), roles=[Role.SUPPLIER_CONTACT]
        ),
    )


@pytest.fixture
def client_for(client: Client) -> Any:
    """client_for(user) -> a test client logged in as that person."""

    def login(user: User) -> Client:
        client.force_login(user)
        return client

    return login


@pytest.fixture
def company_of_vastmanland(world: World) -> Organisation:
    return OrganisationFactory.create(
        name="Västmanlands Fastighets AB", kind=OrganisationKind.COMPANY, parent=world.vastmanland
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher.
    (test_login checks that real passwords are stored with Argon2.)"""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def second_officer(world: World) -> User:
    """Another Inköp officer, for the four-eyes approval."""
    return UserFactory.create(
        username="officer2", organisation=world.sormland, unit=world.inkop, roles=[Role.PROCUREMENT_OFFICER]
    )


@pytest.fixture
def procurement(world: World) -> Any:
    """A joint procurement of cleaning services for both regions, in planning."""
    from kravspar.cpv.models import CpvCode
    from kravspar.procurements import services

    procurement = services.procurement_create(
        actor=world.officer,
        buyers=[world.sormland, world.vastmanland],
        ordering_units=[world.unit_vm],
        registry_number="RS-2026-0142",
        title="Städtjänster",
        kind="services",
        procedure="open",
        officer=world.officer,
        cpv_main=CpvCode.objects.get(code="90910000"),
        estimated_value=40_000_000,
        duration_months=48,
        criticality=2,
        supply_risk=3,
    )
    # Cleaning above the EU threshold needs a labour-law needs assessment before the gate
    # opens (kravspar/labour); stories about the gate itself start from a decided one, so
    # that the requirements and strategy stay theirs. The labour tests build their own.
    from kravspar.labour.models import NeedsAssessment

    NeedsAssessment.objects.create(
        procurement=procurement,
        contract_kind="services",
        work_location="sweden",
        decision="not_needed",
        reason="Test world: the labour-law conditions are followed up in another procurement.",
        decided_on=datetime.date(2026, 1, 15),
    )
    return procurement


DEMO_PACKAGE = "kravspar/tests/demo/"


# tryfirst: pytest-xdist's own hook turns the xdist_group mark into the node id it schedules
# by, so the mark must be on the items before that hook runs.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tests on the seeded demo (``kravspar/tests/demo/``, which seeds it once for the
    package) go to one worker as one unit under ``--dist loadgroup``: split across both
    workers the demo would be seeded twice, and seeding runs every capability's story
    through the services (most of a minute of CPU)."""
    for item in items:
        if item.nodeid.startswith(DEMO_PACKAGE):
            item.add_marker(pytest.mark.xdist_group("demo-data"))
    if os.environ.get("KRAVSPAR_TEST_DATABASE_ONLY") == "1":
        # The second database run (scripts/test_all.sh sets this beside DATABASE_URL):
        # a test that cannot reach the database (pytest-django blocks it) gives the same
        # answer on PostgreSQL as it gave in the SQLite run, so only the rest run again.
        kept = [item for item in items if _reaches_database(item)]
        config.hook.pytest_deselected(items=[item for item in items if not _reaches_database(item)])
        items[:] = kept


_DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
    "django_db_setup",
}


def _reaches_database(item: pytest.Item) -> bool:
    """Whether pytest-django lets this test use the database (or it opens one itself)."""
    from django.test import TransactionTestCase

    if item.get_closest_marker("django_db") is not None:
        return True
    if item.get_closest_marker("skipif") is not None:
        return True  # it asks which run this is (e.g. a PostgreSQL backup test)
    if _DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    cls = getattr(item, "cls", None)
    return bool(cls and issubclass(cls, TransactionTestCase))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    django_db_blocker: Any,
) -> Iterator[None]:
    """Under pytest-xdist, the run's first worker migrates its test database and the others
    copy the result instead of migrating again (``kravspar.testing.migrated_template``)."""
    if not hasattr(request.config, "workerinput"):
        yield  # one process: one migrate, nothing to share
        return
    from kravspar.testing import migrated_template

    shared = tmp_path_factory.getbasetemp().parent  # the same folder for all workers of this run
    with migrated_template.installed(shared):
        yield
    with django_db_blocker.unblock():
        migrated_template.drop_postgresql_template(shared)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """pytest-django's test database, and on SQLite a file copy of it taken before any test
    runs, for tests that run the app in a subprocess on a migrated database
    (``kravspar.testing.sqlitecopy``; a fraction of a second instead of a ``migrate``)."""
    from kravspar.testing import sqlitecopy

    with django_db_blocker.unblock():
        sqlitecopy.snapshot(tmp_path_factory.mktemp("migrated") / "db.sqlite3")
