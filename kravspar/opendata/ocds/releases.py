"""Building releases: ``ReleaseBuilder`` turns a procurement (tender, awards, contracts,
milestones, sustainability) or a directly registered contract into one release."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils import timezone

from kravspar.contracts.models import Contract, ContractStatus
from kravspar.core.dates import add_months
from kravspar.followups.models import ActivityStatus
from kravspar.opendata import batches, withholding
from kravspar.opendata.ocds.codes import (
    CONTRACT_STATUS,
    LANGUAGE,
    MAIN_CATEGORY,
    MILESTONE_TYPE,
    PROCUREMENT_METHOD,
    SUSTAINABILITY_GOAL,
    TENDER_STATUS,
)
from kravspar.opendata.ocds.config import ocid_prefix
from kravspar.opendata.ocds.parties import Labels, Parties, organisation_party, supplier_party, unit_party
from kravspar.opendata.ocds.values import _compact, money, ocds_datetime
from kravspar.organisations.models import Unit, UnitKind
from kravspar.procurements.models import (
    AgreementType,
    Aim,
    Procedure,
    Procurement,
    ProcurementKind,
    ProcurementStatus,
)
from kravspar.requirements.models import VerifiedWhen


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
