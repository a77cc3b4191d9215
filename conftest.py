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
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.test import Client

from kravspar.accounts.management.commands.setup_roles import setup_roles
from kravspar.accounts.models import User
from kravspar.accounts.roles import Role
from kravspar.organisations.models import Organisation, OrganisationKind, Unit, UnitKind
from kravspar.testing.factories import PASSWORD, OrganisationFactory, SupplierFactory, UserFactory


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


_PERSONAS = (
    # username, organisation, unit, role: the cast of the module docstring
    ("admin", "sormland", "inkop", Role.ADMINISTRATOR),
    ("officer", "sormland", "inkop", Role.PROCUREMENT_OFFICER),
    ("orderer_vm", "vastmanland", "unit_vm", Role.ORDERER),
    ("orderer_sl", "sormland", "unit_sl", Role.ORDERER),
    ("env_vm", "vastmanland", "unit_vm", Role.ENVIRONMENT_SPECIALIST),
    ("reader", "sormland", "inkop", Role.READER),
    ("supplier", None, None, Role.SUPPLIER_CONTACT),
)
_world_builds = itertools.count(1)


@pytest.fixture
def world(db: Any) -> World:
    """The cast, built in about a dozen queries: most tests of the suite (in both database
    runs) ask for it, and with the factories one row at a time it cost about 36 ms of CPU
    each. The rows are the factories' (same fields and defaults); no model of the cast has
    save() logic or signals that bulk creation would skip."""
    setup_roles()
    build = next(_world_builds)
    sormland, vastmanland = Organisation.objects.bulk_create(
        [
            Organisation(
                kind=OrganisationKind.REGION, name="Region Sörmland", org_number="2321000032", peppol_value="2321000032"
            ),
            Organisation(
                kind=OrganisationKind.REGION,
                name="Region Västmanland",
                org_number="2321000172",
                peppol_value="2321000172",
            ),
        ]
    )
    inkop, unit_sl, unit_vm = Unit.objects.bulk_create(
        [
            Unit(organisation=sormland, name="Inköp", kind=UnitKind.PURCHASING),
            Unit(organisation=sormland, name="Kirurgkliniken", kind=UnitKind.ORDERING),
            Unit(organisation=vastmanland, name="Ortopedkliniken", kind=UnitKind.ORDERING),
        ]
    )
    Unit.serves.through.objects.create(unit=inkop, organisation=vastmanland)
    supplier = SupplierFactory.create()
    organisations = {"sormland": sormland, "vastmanland": vastmanland}
    units = {"inkop": inkop, "unit_sl": unit_sl, "unit_vm": unit_vm}
    password = make_password(PASSWORD)
    people = User.objects.bulk_create(
        [
            User(
                username=username,
                email=f"{username}@example.se",
                first_name="Test",
                last_name=f"Person {build}-{number}",
                password=password,
                organisation=organisations[organisation] if organisation else None,
                unit=units[unit] if unit else None,
                supplier=None if organisation else supplier,
            )
            for number, (username, organisation, unit, _role) in enumerate(_PERSONAS)
        ]
    )
    groups = {group.name: group for group in Group.objects.filter(name__in=[role for *_, role in _PERSONAS])}
    User.groups.through.objects.bulk_create(
        [
            User.groups.through(user_id=person.pk, group_id=groups[role.value].pk)
            for person, (*_, role) in zip(people, _PERSONAS, strict=True)
        ]
    )
    admin, officer, orderer_vm, orderer_sl, env_vm, reader, supplier_contact = people
    return World(
        sormland=sormland,
        vastmanland=vastmanland,
        inkop=inkop,
        unit_sl=unit_sl,
        unit_vm=unit_vm,
        admin=admin,
        officer=officer,
        orderer_vm=orderer_vm,
        orderer_sl=orderer_sl,
        env_vm=env_vm,
        reader=reader,
        supplier_contact=supplier_contact,
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
BROWSER_FOLDER = "tests/browser/"


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
        if item.get_closest_marker("browser") is not None and not item.nodeid.startswith(BROWSER_FOLDER):
            # scripts/test_all.sh collects only tests/browser for the browser run, and the
            # database runs deselect browser tests: elsewhere this test would run nowhere.
            raise pytest.UsageError(f"{item.nodeid}: browser tests belong in {BROWSER_FOLDER}")
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

    # The same folder for all workers of this run (and, under make test, for its other runs).
    shared = migrated_template.shared_folder(tmp_path_factory.getbasetemp().parent)
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
