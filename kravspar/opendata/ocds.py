"""The OCDS 1.1 writer: procurements, contracts and follow-ups as an Open Contracting
Data Standard release package, streamed.

One release per published procurement, holding its tender, an award and a contract for
each contract signed from it, and the contracts' implementation milestones (the
follow-ups and the corrective action plans). A contract registered directly, without a
procurement, gets a release of its own. What is left out is decided in
``withholding.py``.

Memory stays flat: procurements and contracts are read with ``iterator(chunk_size=...)``,
and each batch's related rows come from a fixed number of queries (``batches.py``); each
release is serialised and written as soon as it is built, inside an envelope written by
hand.
"""

from __future__ import annotations

import datetime
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kravspar.contracts.models import Contract, ContractStatus
from kravspar.core.dates import add_months
from kravspar.findings.models import Deviation, Severity
from kravspar.followups.models import Activity, ActivityStatus
from kravspar.opendata import batches, validation, withholding
from kravspar.organisations.models import Organisation, Unit, UnitKind
from kravspar.procurements.models import (
    AgreementType,
    Aim,
    Method,
    Procedure,
    Procurement,
    ProcurementKind,
    ProcurementStatus,
    Strategy,
)
from kravspar.requirements.models import RequirementType, VerifiedWhen

OCDS_VERSION = "1.1"
LANGUAGE = "sv"  # the language of titles and descriptions in the package
CURRENCY = "SEK"
SCHEME = "SE-ON"  # org-id.guide: Swedish organisation numbers (Bolagsverket)

# The extensions whose schemas ``validation.py`` applies: the URL the OCDS extension
# registry gives for each (schema/PROVENANCE.md).
EXTENSIONS = (validation.SUSTAINABILITY_EXTENSION,)

# An ocid prefix is "ocds-" and six characters, registered with the Open Contracting
# Partnership. The default is a placeholder that says so; set KRAVSPAR_OCDS_PREFIX.
DEFAULT_PREFIX = "ocds-xxxxxx"
PREFIX_PATTERN = re.compile(r"^ocds-[a-z0-9]{6}$")
DEFAULT_LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"
DEFAULT_PUBLISHER = "Kravspår"

# --- Code list mappings ----------------------------------------------------------------

# LOU procedures -> the closed OCDS method code list (open, selective, limited, direct).
# Procedures where anyone may tender are "open"; where the buyer invites a selection of
# those who applied, "selective"; without prior publication, "limited".
PROCUREMENT_METHOD = {
    Procedure.OPEN: "open",
    Procedure.SIMPLIFIED: "open",  # förenklat förfarande: everyone may tender
    Procedure.RESTRICTED: "selective",
    Procedure.SELECTIVE: "selective",  # urvalsförfarande: the buyer invites among applicants
    Procedure.NEGOTIATED_WITH_NOTICE: "selective",
    Procedure.COMPETITIVE_DIALOGUE: "selective",
    Procedure.INNOVATION_PARTNERSHIP: "selective",
    Procedure.NEGOTIATED_WITHOUT_NOTICE: "limited",
    Procedure.DIRECT_AWARD: "direct",
}

MAIN_CATEGORY = {ProcurementKind.GOODS: "goods", ProcurementKind.SERVICES: "services", ProcurementKind.WORKS: "works"}

TENDER_STATUS = {
    ProcurementStatus.PLANNING: "planning",
    ProcurementStatus.STRATEGY_APPROVED: "planned",
    ProcurementStatus.ADVERTISED: "active",
    ProcurementStatus.EVALUATION: "active",
    ProcurementStatus.AWARDED: "complete",
    ProcurementStatus.CONCLUDED: "complete",
    ProcurementStatus.CANCELLED: "cancelled",
}

# OCDS "terminated": "signed and in force, and has now come to a close ... successful
# completion ... or early termination". Both of Kravspår's ends map to it; statusDetails
# says which.
CONTRACT_STATUS = {
    ContractStatus.ACTIVE: "active",
    ContractStatus.EXPIRED: "terminated",
    ContractStatus.TERMINATED: "terminated",
}

# Follow-up method -> milestone type. "reporting": the supplier's duty to report or hand
# in information (a self-assessment, documents for review, statistics at a supplier
# meeting). "assessment": the buyer checks or audits (audits, spot checks, surveys,
# invoice and certificate checks, lab tests).
MILESTONE_TYPE: dict[str, str] = {
    Method.SELF_ASSESSMENT: "reporting",
    Method.DOCUMENT_REVIEW: "reporting",
    Method.SUPPLIER_MEETING: "reporting",
    Method.DESK_AUDIT: "assessment",
    Method.ON_SITE_AUDIT: "assessment",
    Method.SPOT_CHECK: "assessment",
    Method.SURVEY: "assessment",
    Method.INVOICE_CHECK: "assessment",
    Method.CERTIFICATE_CHECK: "assessment",
    Method.LAB_TEST: "assessment",
}

# The policy's six aims -> the sustainability extension's open goal code list. Where the
# list has no code, a sub-code in its documented form "[existing-code].[sub-code]".
SUSTAINABILITY_GOAL = {
    Aim.ECONOMY: "economic",
    Aim.BUSINESS_CLIMATE: "economic.businessClimate",
    Aim.SUSTAINABILITY: "environmental",
    Aim.WORKING_CONDITIONS: "social.laborRightsPromotion",
    Aim.ANIMAL_WELFARE: "environmental.animalWelfare",
    Aim.LOCAL_BUSINESS: "economic.localEconomyPromotion",
}

COUNTRY_NAMES = {"SE": "Sverige", "NO": "Norge", "DK": "Danmark", "FI": "Finland", "DE": "Tyskland"}


# --- Settings ----------------------------------------------------------------------------


def _setting(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    return default if value is None or str(value).strip() == "" else str(value).strip()


def ocid_prefix() -> str:
    """KRAVSPAR_OCDS_PREFIX (a Django setting or the environment), checked."""
    prefix = _setting("KRAVSPAR_OCDS_PREFIX", DEFAULT_PREFIX)
    if not PREFIX_PATTERN.match(prefix):
        raise ImproperlyConfigured(
            f"KRAVSPAR_OCDS_PREFIX must be 'ocds-' followed by six lower-case letters or digits "
            f"(the prefix the Open Contracting Partnership registered for you), got {prefix!r}"
        )
    return prefix


def publisher() -> dict[str, str]:
    result = {"name": _setting("KRAVSPAR_OCDS_PUBLISHER", DEFAULT_PUBLISHER)}
    orgnr = _setting("KRAVSPAR_OCDS_PUBLISHER_ORGNR", "")
    if orgnr:
        result |= {"scheme": SCHEME, "uid": orgnr.replace("-", "")}
    return result


def base_url() -> str:
    return str(getattr(settings, "KRAVSPAR_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")


# --- Values ----------------------------------------------------------------------------

_ZONE: ZoneInfo | None = None


def ocds_datetime(value: datetime.date | datetime.datetime) -> str:
    """OCDS dates are RFC 3339 date-times: a date is midnight in Swedish time."""
    global _ZONE
    if _ZONE is None:
        _ZONE = ZoneInfo(settings.TIME_ZONE)
    if isinstance(value, datetime.datetime):
        aware = value if timezone.is_aware(value) else timezone.make_aware(value, _ZONE)
        return aware.astimezone(_ZONE).replace(microsecond=0).isoformat()
    return _midnight(value, _ZONE)


@lru_cache(maxsize=8192)
def _midnight(day: datetime.date, zone: ZoneInfo) -> str:
    # Due dates repeat across contracts: formatting each once is measurably faster.
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone).isoformat()


def money(amount: Decimal | int | None) -> dict[str, Any] | None:
    return None if amount is None else {"amount": int(amount), "currency": CURRENCY}


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """Drop empty values: OCDS prefers a missing field to an empty one."""
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


# --- Filters -------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    organisation: Organisation | None = None  # only releases where it is a buyer
    since: datetime.datetime | None = None  # only releases changed at or after this moment


def _changed_since(qs: QuerySet[Any], since: datetime.datetime, contract_path: str, *more: Exists) -> QuerySet[Any]:
    """Keep rows whose release changed since ``since``: the row itself, a contract, a
    follow-up or a published deviation under it. ``contract_path`` leads from a contract
    to the row (``procurement`` or ``pk``)."""
    ref = OuterRef("pk")
    contracts = Contract.objects.filter(**{contract_path: ref})
    return qs.filter(
        Q(updated_at__gte=since)
        | Exists(contracts.filter(updated_at__gte=since))
        | Exists(Activity.objects.filter(**{f"contract__{contract_path}": ref}, updated_at__gte=since))
        | Exists(
            Deviation.objects.filter(withholding.publishable_deviations_q()).filter(
                **{f"contract__{contract_path}": ref}, updated_at__gte=since
            )
        )
        | Q(*more, _connector=Q.OR)
    )


def procurements_to_publish(filters: Filters) -> QuerySet[Procurement]:
    qs = Procurement.objects.filter(withholding.published_procurements_q())
    if filters.organisation is not None:
        org = filters.organisation
        qs = qs.filter(
            Exists(Procurement.buyers.through.objects.filter(procurement=OuterRef("pk"), organisation=org))
            | Exists(Contract.buyers.through.objects.filter(contract__procurement=OuterRef("pk"), organisation=org))
        )
    if filters.since is not None:
        approved = Strategy.objects.filter(procurement=OuterRef("pk"), approved_at__gte=filters.since)
        qs = _changed_since(qs, filters.since, "procurement", Exists(approved))
    return qs.order_by("pk")


def direct_contracts_to_publish(filters: Filters) -> QuerySet[Contract]:
    qs = Contract.objects.filter(procurement__isnull=True)
    if filters.organisation is not None:
        qs = qs.filter(
            Exists(Contract.buyers.through.objects.filter(contract=OuterRef("pk"), organisation=filters.organisation))
        )
    if filters.since is not None:
        qs = _changed_since(qs, filters.since, "pk")
    return qs.order_by("pk")


def _procurement_queryset(filters: Filters) -> QuerySet[Procurement]:
    return procurements_to_publish(filters).only(*batches.PROCUREMENT_FIELDS).select_related("cpv_main")


def _direct_contract_queryset(filters: Filters) -> QuerySet[Contract]:
    return direct_contracts_to_publish(filters).only(*batches.CONTRACT_FIELDS)


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


class ReleaseBuilder:
    def __init__(self, *, today: datetime.date | None = None) -> None:
        self.prefix = ocid_prefix()
        self.today = today or timezone.localdate()
        self.labels = Labels()
        self._purchasing = self._purchasing_units()
        self.organisations = batches.Organisations()
        self.batch = batches.Batch()

    def load_procurements(self, procurements: list[Procurement]) -> None:
        """Read what the next batch of procurements needs (replacing the last batch)."""
        self.batch = batches.load_procurements(procurements, self.organisations)

    def load_direct_contracts(self, contracts: list[Contract]) -> None:
        self.batch = batches.load_direct_contracts(contracts, self.organisations)

    @staticmethod
    def _purchasing_units() -> dict[int, Unit]:
        """Each organisation's Inköp unit: its own, or one that serves it (the joint Inköp
        of Region Sörmland serves Region Västmanland). Two queries per export."""
        units = (
            Unit.objects.filter(kind=UnitKind.PURCHASING, is_active=True)
            .select_related("organisation")
            .prefetch_related("serves")
            .order_by("id")
        )
        own: dict[int, Unit] = {}
        served: dict[int, Unit] = {}
        for unit in units:
            own.setdefault(unit.organisation_id, unit)
            for org in unit.serves.all():
                served.setdefault(org.pk, unit)
        return served | own

    # -- dates of a release

    @staticmethod
    def _last_change(stamps: Iterable[datetime.datetime | None]) -> datetime.datetime:
        return max(s for s in stamps if s is not None)

    def _contract_stamps(self, contract: Contract) -> Iterator[datetime.datetime]:
        yield contract.updated_at
        for activity in self.batch.activities.get(contract.pk, ()):
            yield activity.updated_at
        for deviation in self.batch.deviations.get(contract.pk, ()):
            yield deviation.updated_at

    def _release_id(self, ocid: str, date: datetime.datetime) -> str:
        return f"{ocid}-{date.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}"

    # -- sections

    def _period(self, contract: Contract) -> dict[str, str]:
        months_used = sum(self.batch.extension_months.get(contract.pk, ()))
        end = add_months(contract.ends_on, months_used)
        if contract.ended_on and contract.ended_on < end:
            end = contract.ended_on
        max_extent = add_months(contract.ends_on, contract.extension_options * contract.extension_months)
        return {
            "startDate": ocds_datetime(contract.starts_on),
            "endDate": ocds_datetime(end),
            "maxExtentDate": ocds_datetime(max(max_extent, end)),
        }

    def _activity_milestone(self, activity: batches.ActivityRow) -> dict[str, Any]:
        if activity.status == ActivityStatus.DONE:
            status = "met"
        elif activity.status == ActivityStatus.CANCELLED or activity.due_on < self.today:
            status = "notMet"
        else:
            status = "scheduled"
        met_on = activity.completed_on or (activity.updated_at.date() if status == "met" else None)
        return _compact(
            {
                "id": str(activity.uuid),
                "title": f"{self.labels.method.get(activity.method, activity.method)}: {activity.requirement_title}",
                "type": MILESTONE_TYPE.get(activity.method, "assessment"),
                "code": activity.method,
                "dueDate": ocds_datetime(activity.due_on),
                "dateMet": ocds_datetime(met_on) if status == "met" and met_on else None,
                "dateModified": ocds_datetime(activity.updated_at),
                "status": status,
            }
        )

    def _deviation_milestone(self, deviation: batches.DeviationRow) -> dict[str, Any]:
        what = deviation.requirement_title or self.labels.requirement_type.get(deviation.kind, "")
        if deviation.subcontractor_id is not None:
            what = f"{what} ({self.labels.at_subcontractor})" if what else self.labels.at_subcontractor
        status = withholding.deviation_milestone_status(deviation, self.today)
        return _compact(
            {
                "id": str(deviation.uuid),
                "title": self.labels.deviation
                % {"severity": self.labels.severity.get(deviation.severity, deviation.severity).lower(), "what": what},
                "type": "delivery",
                "code": "correctiveActionPlan",
                "dueDate": ocds_datetime(deviation.deadline) if deviation.deadline else None,
                "dateMet": ocds_datetime(deviation.fixed_on) if deviation.fixed_on else None,
                "dateModified": ocds_datetime(deviation.updated_at),
                "status": status,
            }
        )

    def _award_and_contract(
        self, contract: Contract, parties: Parties, *, tendered: bool
    ) -> tuple[dict[str, Any], ...]:
        suppliers = []
        for supplier in self.batch.suppliers.get(contract.pk, ()):
            if tendered:
                parties.add(supplier_party(supplier), "tenderer")
            suppliers.append(parties.add(supplier_party(supplier), "supplier"))
        period = self._period(contract)
        value = money(contract.value)
        award = _compact(
            {
                "id": contract.contract_number,
                "title": contract.title,
                "status": "active",
                "value": value,
                "suppliers": suppliers,
                "contractPeriod": period,
            }
        )
        milestones = [self._activity_milestone(a) for a in self.batch.activities.get(contract.pk, ())]
        milestones += [self._deviation_milestone(d) for d in self.batch.deviations.get(contract.pk, ())]
        ocds_contract = _compact(
            {
                "id": contract.contract_number,
                "awardID": contract.contract_number,
                "title": contract.title,
                "status": CONTRACT_STATUS.get(ContractStatus(contract.status), "active"),
                "statusDetails": self.labels.contract_status.get(contract.status),
                "period": period,
                "value": value,
                "dateSigned": ocds_datetime(contract.signed_on),
                "implementation": {"milestones": milestones} if milestones else None,
            }
        )
        return award, ocds_contract

    def _sustainability(self, procurement: Procurement) -> list[dict[str, Any]]:
        followed_up_after: set[int] = set()
        for requirement in self.batch.requirements.get(procurement.pk, ()):
            if requirement.verified_when in (VerifiedWhen.AFTER_CONTRACT, VerifiedWhen.BOTH):
                followed_up_after.update(int(a) for a in requirement.aims or [] if str(a).isdigit())
        items = []
        for assessment in self.batch.aims.get(procurement.pk, ()):
            if not assessment.relevant:
                continue
            aim = Aim(assessment.aim)
            item: dict[str, Any] = {
                "goal": SUSTAINABILITY_GOAL[aim],
                "description": self.labels.aim_text % {"number": int(aim), "aim": self.labels.aim[int(aim)]},
            }
            if int(aim) in followed_up_after:
                item["strategies"] = ["contractPerformanceConditions"]
            items.append(item)
        return items

    def _tender(self, procurement: Procurement, procuring_entity: dict[str, str] | None) -> dict[str, Any]:
        details = self.labels.procedure.get(procurement.procedure, "")
        if procurement.agreement_type == AgreementType.FRAMEWORK:
            details = f"{details}, {self.labels.framework}" if details else self.labels.framework
        item = None
        if procurement.cpv_main is not None:
            additional = [
                {"scheme": "CPV", "id": cpv.code, "description": cpv.label_sv}
                for cpv in self.batch.cpv_additional.get(procurement.pk, ())
            ]
            item = _compact(
                {
                    "id": "1",
                    "description": procurement.title,
                    "classification": {
                        "scheme": "CPV",
                        "id": procurement.cpv_main.code,
                        "description": procurement.cpv_main.label_sv,
                    },
                    "additionalClassifications": additional,
                }
            )
        sustainability = self._sustainability(procurement)
        return _compact(
            {
                "id": procurement.registry_number,
                "title": procurement.title,
                "description": procurement.description,
                "status": TENDER_STATUS.get(ProcurementStatus(procurement.status)),
                "statusDetails": self.labels.tender_status.get(procurement.status),
                "procuringEntity": procuring_entity,
                "value": money(procurement.estimated_value),
                "procurementMethod": PROCUREMENT_METHOD.get(Procedure(procurement.procedure))
                if procurement.procedure
                else None,
                "procurementMethodDetails": details,
                "mainProcurementCategory": MAIN_CATEGORY.get(ProcurementKind(procurement.kind)),
                "items": [item] if item else None,
                "hasSustainability": bool(sustainability),
                "sustainability": sustainability,
            }
        )

    def _tags(self, *, tender: bool, cancelled: bool, contracts: list[dict[str, Any]]) -> list[str]:
        tags = ["tender"] if tender else []
        if cancelled:
            tags.append("tenderCancellation")
        if contracts:
            tags += ["award", "contract"]
        if any("implementation" in c for c in contracts):
            tags.append("implementation")
        if any(c.get("status") == "terminated" for c in contracts):
            tags.append("contractTermination")
        return tags

    def procurement_release(self, procurement: Procurement) -> dict[str, Any]:
        ocid = f"{self.prefix}-{procurement.uuid}"
        parties = Parties()
        buyers = list(self.batch.procurement_buyers.get(procurement.pk, ()))
        contracts = self.batch.contracts.get(procurement.pk, [])
        for contract in contracts:
            buyers += [o for o in self.batch.contract_buyers.get(contract.pk, ()) if o not in buyers]
        buyer_refs = [parties.add(organisation_party(org), "buyer") for org in buyers]
        unit = next((self._purchasing[o.pk] for o in buyers if o.pk in self._purchasing), None)
        procuring_entity = parties.add(unit_party(unit), "procuringEntity") if unit is not None else None
        awards, ocds_contracts = [], []
        for contract in contracts:
            award, ocds_contract = self._award_and_contract(contract, parties, tendered=True)
            awards.append(award)
            ocds_contracts.append(ocds_contract)
        approvals = [
            {
                "id": f"strategy-{s.number}",
                "title": self.labels.strategy_approved % {"number": s.number},
                "type": "approval",
                "code": "followUpStrategyApproved",
                "dateMet": ocds_datetime(s.approved_at),
                "status": "met",
            }
            for s in self.batch.strategies.get(procurement.pk, ())
            if s.approved_at is not None
        ]
        date = self._last_change(
            [
                procurement.updated_at,
                *(s.approved_at for s in self.batch.strategies.get(procurement.pk, ())),
                *(stamp for c in contracts for stamp in self._contract_stamps(c)),
            ]
        )
        release = {
            "ocid": ocid,
            "id": self._release_id(ocid, date),
            "date": ocds_datetime(date),
            "tag": self._tags(
                tender=True, cancelled=procurement.status == ProcurementStatus.CANCELLED, contracts=ocds_contracts
            ),
            "initiationType": "tender",
            "language": LANGUAGE,
            "parties": parties.as_list(),
            "buyer": buyer_refs[0] if buyer_refs else None,
            "planning": _compact({"milestones": approvals}),
            "tender": self._tender(procurement, procuring_entity),
            "awards": awards,
            "contracts": ocds_contracts,
        }
        return _compact(release)

    def contract_release(self, contract: Contract) -> dict[str, Any]:
        """A contract registered directly, without a procurement in Kravspår."""
        ocid = f"{self.prefix}-{contract.uuid}"
        parties = Parties()
        buyer_refs = [
            parties.add(organisation_party(org), "buyer") for org in self.batch.contract_buyers.get(contract.pk, ())
        ]
        award, ocds_contract = self._award_and_contract(contract, parties, tendered=False)
        date = self._last_change(self._contract_stamps(contract))
        return _compact(
            {
                "ocid": ocid,
                "id": self._release_id(ocid, date),
                "date": ocds_datetime(date),
                "tag": self._tags(tender=False, cancelled=False, contracts=[ocds_contract]),
                "initiationType": "tender",
                "language": LANGUAGE,
                "parties": parties.as_list(),
                "buyer": buyer_refs[0] if buyer_refs else None,
                "awards": [award],
                "contracts": [ocds_contract],
            }
        )


DEFAULT_CHUNK = 200


def iter_releases(
    filters: Filters, *, chunk_size: int = DEFAULT_CHUNK, today: datetime.date | None = None
) -> Iterator[dict[str, Any]]:
    """Every release to publish, procurements first, then contracts registered directly.
    Each batch of ``chunk_size`` rows costs a fixed number of queries."""
    builder = ReleaseBuilder(today=today)
    procurements = _procurement_queryset(filters).iterator(chunk_size=chunk_size)
    while batch := list(islice(procurements, chunk_size)):
        builder.load_procurements(batch)
        for procurement in batch:
            yield builder.procurement_release(procurement)
    contracts = _direct_contract_queryset(filters).iterator(chunk_size=chunk_size)
    while direct := list(islice(contracts, chunk_size)):
        builder.load_direct_contracts(direct)
        for contract in direct:
            yield builder.contract_release(contract)


def published_date() -> datetime.datetime:
    """For a package made on demand, OCDS asks for the last change to its contents."""
    stamps = [
        Procurement.objects.aggregate(m=Max("updated_at"))["m"],
        Contract.objects.aggregate(m=Max("updated_at"))["m"],
        Activity.objects.aggregate(m=Max("updated_at"))["m"],
        Deviation.objects.aggregate(m=Max("updated_at"))["m"],
    ]
    present = [s for s in stamps if s is not None]
    return max(present) if present else timezone.now()


def package_head(*, uri: str) -> dict[str, Any]:
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": list(EXTENSIONS),
        "publishedDate": ocds_datetime(published_date()),
        "publisher": publisher(),
        "license": _setting("KRAVSPAR_OCDS_LICENSE", DEFAULT_LICENSE),
        "publicationPolicy": f"{base_url()}/oppna-data/",
    }


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def package_pieces(
    releases: Iterable[dict[str, Any]],
    *,
    uri: str,
    on_release: Callable[[dict[str, Any]], None] | None = None,
) -> Iterator[str]:
    """The package as text, one release at a time: the envelope is written by hand
    around releases serialised one by one, so the whole package is never in memory."""
    head = dumps(package_head(uri=uri))
    yield head[:-1] + ',"releases":['
    first = True
    for release in releases:
        if on_release is not None:
            on_release(release)
        yield ("" if first else ",\n") + dumps(release)
        first = False
    yield "]}\n"


def buffered(pieces: Iterable[str], size: int = 64 * 1024) -> Iterator[bytes]:
    """Join small pieces into blocks of about ``size`` bytes for the HTTP response."""
    buffer: list[str] = []
    length = 0
    for piece in pieces:
        buffer.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(buffer).encode()
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer).encode()
