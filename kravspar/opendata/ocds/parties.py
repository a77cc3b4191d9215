"""The parties of a release: buyers, purchasing units and suppliers, each once with its
roles."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from kravspar.contracts.models import ContractStatus
from kravspar.findings.models import Severity
from kravspar.opendata import batches, withholding
from kravspar.opendata.ocds.codes import (
    COUNTRY_NAMES,
    LANGUAGE,
    SCHEME,
)
from kravspar.opendata.ocds.values import _compact
from kravspar.organisations.models import Organisation, Unit
from kravspar.procurements.models import (
    Aim,
    Method,
    Procedure,
    ProcurementStatus,
)
from kravspar.requirements.models import RequirementType

# --- Building releases -----------------------------------------------------------------


class Labels:
    """The Swedish labels of the code lists, looked up once per export so that building
    a release needs no translation machinery."""

    def __init__(self) -> None:
        with translation.override(LANGUAGE):
            self.method = {str(v): str(label) for v, label in Method.choices}
            self.procedure = {str(v): str(label) for v, label in Procedure.choices}
            self.severity = {str(v): str(label) for v, label in Severity.choices}
            self.requirement_type = {str(v): str(label) for v, label in RequirementType.choices}
            self.contract_status = {str(v): str(label) for v, label in ContractStatus.choices}
            self.tender_status = {str(v): str(label) for v, label in ProcurementStatus.choices}
            self.aim = {int(v): str(label) for v, label in Aim.choices}
            self.framework = _("framework agreement")
            self.aim_text = _("Purchasing policy aim %(number)s: %(aim)s")
            self.strategy_approved = _("Follow-up strategy approved (version %(number)s)")
            self.deviation = _("Corrective action plan after a deviation (%(severity)s): %(what)s")
            self.at_subcontractor = _("in the supply chain")


class Parties:
    """The parties of one release, one entry per id, roles added up."""

    def __init__(self) -> None:
        self._by_id: dict[str, dict[str, Any]] = {}

    def add(self, party: dict[str, Any], role: str) -> dict[str, str]:
        existing = self._by_id.get(party["id"])
        if existing is None:
            existing = self._by_id[party["id"]] = {**party, "roles": []}
        if role not in existing["roles"]:
            existing["roles"].append(role)
        return {"id": existing["id"], "name": existing["name"]}

    def as_list(self) -> list[dict[str, Any]]:
        return list(self._by_id.values())


def organisation_party(org: Organisation) -> dict[str, Any]:
    return {
        "id": f"{SCHEME}-{org.org_number}",
        "name": org.name,
        "identifier": {"scheme": SCHEME, "id": org.org_number, "legalName": org.name},
        "address": _compact(
            {
                "streetAddress": org.street_address,
                "postalCode": org.postal_code,
                "locality": org.city,
                "countryName": COUNTRY_NAMES["SE"],
            }
        ),
    }


def unit_party(unit: Unit) -> dict[str, Any]:
    org = unit.organisation
    return {
        "id": f"{SCHEME}-{org.org_number}-{unit.uuid}",
        "name": f"{org.name}, {unit.name}",
        "identifier": {"scheme": SCHEME, "id": org.org_number, "legalName": org.name},
    }


def supplier_party(supplier: batches.SupplierRow) -> dict[str, Any]:
    """withholding rule 2: a sole trader's personal identity number and town are left out."""
    if withholding.supplier_number_publishable(supplier.org_number):
        digits = "".join(ch for ch in supplier.org_number if ch.isdigit())
        party: dict[str, Any] = {
            "id": f"{SCHEME}-{digits}",
            "name": supplier.name,
            "identifier": {"scheme": SCHEME, "id": digits, "legalName": supplier.name},
        }
    else:
        party = {"id": f"KRAVSPAR-{supplier.uuid}", "name": supplier.name, "identifier": {"legalName": supplier.name}}
    sole_trader = withholding.is_personal_identity_number(supplier.org_number)
    address = _compact(
        {
            "locality": "" if sole_trader else supplier.city,
            "countryName": COUNTRY_NAMES.get(supplier.country, supplier.country),
        }
    )
    if address:
        party["address"] = address
    return party
