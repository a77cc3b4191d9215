"""The roles of Kravspår and what each may do. This module is the policy; read it first.

Roles are stored as Django groups named by the role's value and created by
``python manage.py setup_roles``. A person may hold several roles; they add up.
"""

from __future__ import annotations

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # Inköp: follows up contract law, social and environmental requirements, and
    # "sees every organisation the joint function serves".
    PROCUREMENT_OFFICER = "inkopare", _("Procurement officer")
    # The operational unit that orders from contracts; follows up quality in its own organisation.
    ORDERER = "bestallare", _("Orderer")
    # Takes part where environment-priority areas are procured, for the region's environmental organisation.
    ENVIRONMENT_SPECIALIST = "miljospecialist", _("Environment specialist")
    # Management: reads results, changes nothing.
    READER = "lasare", _("Reader")
    # Keeps organisations, units, people and history.
    ADMINISTRATOR = "administrator", _("Administrator")
    # An external person who belongs to a supplier, never to a buyer organisation (supplier portal).
    SUPPLIER_CONTACT = "leverantor", _("Supplier contact")
    # Dataskyddsombud (GDPR art. 37-39): monitors the processing of personal data; reads the
    # download log of secret and personal-data files, changes nothing.
    DATA_PROTECTION_OFFICER = "dataskyddsombud", _("Data protection officer")


ROLE_HELP = {
    Role.PROCUREMENT_OFFICER: _("Inköp. Sees every organisation the joint purchasing function serves."),
    Role.ORDERER: _("An ordering unit. Sees its own organisation."),
    Role.ENVIRONMENT_SPECIALIST: _("The region's environmental organisation. Sees its region."),
    Role.READER: _("Read-only, for management. Sees its region and what its unit serves."),
    Role.ADMINISTRATOR: _("Manages organisations, units, people and reads all history."),
    Role.SUPPLIER_CONTACT: _("A supplier's contact person. Sees only their own supplier's matters."),
    Role.DATA_PROTECTION_OFFICER: _(
        "Data protection officer. Reads the download log of secret and personal-data files and the register of"
        " processing."
    ),
}

BUYER_ROLES = frozenset(
    {
        Role.PROCUREMENT_OFFICER,
        Role.ORDERER,
        Role.ENVIRONMENT_SPECIALIST,
        Role.READER,
        Role.ADMINISTRATOR,
        Role.DATA_PROTECTION_OFFICER,
    }
)


class Scope(enum.Flag):
    """Which organisations a role sees. A person's scope is the union over their roles."""

    NONE = 0
    OWN = enum.auto()  # the person's own organisation
    REGION = enum.auto()  # the region of the own organisation, with its companies and foundations
    SERVED = enum.auto()  # the organisations the person's unit serves (the joint Inköp unit)
    ALL = enum.auto()


SCOPE_BY_ROLE: dict[str, Scope] = {
    Role.PROCUREMENT_OFFICER: Scope.OWN | Scope.REGION | Scope.SERVED,
    Role.ORDERER: Scope.OWN,
    Role.ENVIRONMENT_SPECIALIST: Scope.OWN | Scope.REGION,
    Role.READER: Scope.OWN | Scope.REGION | Scope.SERVED,
    Role.ADMINISTRATOR: Scope.ALL,
    Role.SUPPLIER_CONTACT: Scope.NONE,
    Role.DATA_PROTECTION_OFFICER: Scope.NONE,
}


class Perm(models.TextChoices):
    VIEW_ORGANISATIONS = "view_organisations", _("View organisations and units")
    MANAGE_ORGANISATIONS = "manage_organisations", _("Create and change organisations and units")
    VIEW_PEOPLE = "view_people", _("View people")
    MANAGE_PEOPLE = "manage_people", _("Create and change people and their roles")
    VIEW_AUDIT_LOG = "view_audit_log", _("Search all history")
    USE_API = "use_api", _("Create personal API tokens")
    VIEW_PROCUREMENTS = "view_procurements", _("View procurements, requirements and strategies")
    MANAGE_PROCUREMENTS = "manage_procurements", _("Plan procurements, requirements and strategies")
    APPROVE_STRATEGY = "approve_strategy", _("Approve follow-up strategies (as the second person)")
    MANAGE_LIBRARY = "manage_library", _("Maintain the requirement library and category tables")
    MANAGE_GOALS = "manage_goals", _("Maintain the region's environmental goals")
    VIEW_CONTRACTS = "view_contracts", _("View contracts, follow-ups and suppliers")
    MANAGE_CONTRACTS = "manage_contracts", _("Register contracts, suppliers and follow-up plans")
    RECORD_FOLLOWUPS = "record_followups", _("Carry out follow-ups assigned to one's unit")
    VIEW_DOWNLOAD_LOG = "view_download_log", _("Read the download log of secret and personal-data files")
    VIEW_PROCESSING_REGISTER = "view_processing_register", _("Read the register of processing of personal data")


_BUYER_READ = {
    Perm.VIEW_ORGANISATIONS,
    Perm.VIEW_PEOPLE,
    Perm.USE_API,
    Perm.VIEW_PROCUREMENTS,
    Perm.VIEW_CONTRACTS,
}
_PLANNING = {
    Perm.MANAGE_PROCUREMENTS,
    Perm.APPROVE_STRATEGY,
    Perm.MANAGE_LIBRARY,
    Perm.MANAGE_CONTRACTS,
    Perm.RECORD_FOLLOWUPS,
}

PERMS_BY_ROLE: dict[str, frozenset[str]] = {
    Role.PROCUREMENT_OFFICER: frozenset(_BUYER_READ | _PLANNING),
    # Quality requirements are followed up by the ordering unit (beställaren).
    Role.ORDERER: frozenset(_BUYER_READ | {Perm.RECORD_FOLLOWUPS}),
    Role.ENVIRONMENT_SPECIALIST: frozenset(_BUYER_READ | {Perm.MANAGE_GOALS, Perm.RECORD_FOLLOWUPS}),
    Role.READER: frozenset(_BUYER_READ),
    Role.ADMINISTRATOR: frozenset(set(Perm)),
    # Their own supplier's matters through the portal and /api/v1/portal/ (scoped in
    # portal/access.py); buyer endpoints give them nothing.
    Role.SUPPLIER_CONTACT: frozenset({Perm.USE_API}),
    # The DPO monitors, never handles cases: the log of who downloaded what and the register of
    # processing, both read-only; nothing else.
    Role.DATA_PROTECTION_OFFICER: frozenset({Perm.VIEW_DOWNLOAD_LOG, Perm.VIEW_PROCESSING_REGISTER}),
}

# Django model permissions given to each role's group, so that the Django admin
# (for staff) follows the same policy as the application.
ADMIN_MODEL_PERMS: dict[str, list[str]] = {
    Role.ADMINISTRATOR: [
        "organisations.view_organisation",
        "organisations.view_unit",
        "accounts.view_user",
        "audit.view_auditevent",
    ],
}
