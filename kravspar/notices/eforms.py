"""Reading eForms notices (UBL 2.3, eForms SDK 1.x) from the tender system.

``parse(data)`` returns a ``ParsedNotice`` with what Kravspår takes from a contract notice
(cn_*), a contract award notice (can_*) or a contract modification notice (can-modif_*),
or raises ``NoticeRefused`` with a stable ``code``. Nothing here touches the database.

The XML is read with the invoice reader's safe parser (``invoices.ubl.parse_xml``): no
DTD, no entities, no network. A field the buyer withheld from publication
(``efac:FieldsPrivacy``, e.g. the winner's name or the tender value) is listed in
``withheld`` and its value is never read: the notice carries a placeholder there.
"""

from __future__ import annotations

import datetime
import enum
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from lxml import etree

from kravspar.core.numbers import NumberRefused, parse_decimal
from kravspar.invoices.ubl import InvoiceRejected, parse_xml

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
}
ROOT_CN = "{urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2}ContractNotice"
ROOT_CAN = "{urn:oasis:names:specification:ubl:schema:xsd:ContractAwardNotice-2}ContractAwardNotice"
ROOT_PIN = "{urn:oasis:names:specification:ubl:schema:xsd:PriorInformationNotice-2}PriorInformationNotice"
EXT = "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension"

# eForms "contract-nature" → Kravspår's kind; "supplies" are goods.
KINDS = {"supplies": "goods", "services": "services", "works": "works"}
# eForms "procurement-procedure-type" → the procedures of LOU.
PROCEDURES = {
    "open": "open",
    "restricted": "restricted",
    "neg-w-call": "negotiated_with_notice",
    "neg-wo-call": "negotiated_without_notice",
    "comp-dial": "competitive_dialogue",
    "innovation": "innovation_partnership",
    "comp-tend": "restricted",
}
SIZES = {"micro": "micro", "small": "small", "medium": "medium", "large": "large"}
SME_SIZES = {"micro", "small", "medium"}
_MONTHS_PER_UNIT = {"MONTH": Decimal(1), "YEAR": Decimal(12), "DAY": Decimal(1) / Decimal(30)}


class Kind(enum.StrEnum):
    CONTRACT_NOTICE = "cn"  # a call for competition: the procurement
    AWARD = "can"  # the result: winners and contracts per lot
    MODIFICATION = "can-modif"  # a change to a signed contract


class Code(enum.StrEnum):
    """Stable reason codes; they appear in the API, the import page and tests."""

    EMPTY = "empty_file"
    DOCTYPE = "doctype_refused"
    MALFORMED = "malformed_xml"
    NOT_A_NOTICE = "not_an_eforms_notice"
    UNSUPPORTED_TYPE = "unsupported_notice_type"
    MISSING_NOTICE_ID = "missing_notice_id"
    MISSING_FOLDER_ID = "missing_procedure_id"
    MISSING_TITLE = "missing_title"
    MISSING_BUYER = "missing_buyer"
    INCOMPLETE_ORGANISATION = "incomplete_organisation"
    INVALID_LOTS = "invalid_lot_limits"
    INVALID_DATE = "invalid_date"
    INVALID_AMOUNT = "invalid_amount"
    NO_RESULT = "no_result"
    NO_MODIFICATION = "no_modification"
    # Decided against the database:
    NOT_FOUND = "file_not_found"
    TOO_LARGE = "file_too_large"
    DUPLICATE = "duplicate_notice"
    UNKNOWN_BUYER = "unknown_buyer"
    BUYER_NOT_ALLOWED = "buyer_not_allowed"
    CHANGE_MISMATCH = "change_procedure_mismatch"
    UNKNOWN_CONTRACT = "unknown_contract"
    NOT_AWARDABLE = "procurement_not_awardable"
    NOT_ALLOWED = "not_allowed"
    INVALID_CONTRACT = "invalid_contract"


class NoticeRefused(Exception):
    def __init__(self, code: Code, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}


@dataclass
class Organisation:
    key: str  # ORG-0001
    name: str
    company_id: str  # as written, e.g. "232100-0172" or "123 456 789"
    country: str  # ISO 3166 alpha-3 as eForms writes it
    size: str  # micro, small, medium, large or ""
    withheld: list[str] = field(default_factory=list)


@dataclass
class Lot:
    lot_id: str
    title: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    duration_months: int | None
    estimated_value: Decimal | None
    currency: str


@dataclass
class Award:
    """One winning tender of a lot and the contract signed on it."""

    lot_id: str
    contract_key: str  # CON-0001, the notice's own id for the contract
    contract_reference: str  # the buyer's contract number (BT-150)
    signed_on: datetime.date | None
    winners: list[Organisation]
    value: Decimal | None
    currency: str
    withheld: list[str] = field(default_factory=list)


@dataclass
class Modification:
    contract_key: str
    changed_notice: str
    description: str
    reason_code: str
    reason_description: str


@dataclass
class ParsedNotice:
    kind: Kind
    notice_id: str
    version_id: str
    folder_id: str  # the procedure's id (BT-04), shared by every notice of one procedure
    internal_id: str  # the buyer's own reference (BT-22), the registry number in Kravspår
    issue_date: datetime.date | None
    subtype: str
    title: str
    description: str
    procurement_kind: str
    procedure: str
    cpv_main: str
    cpv_additional: list[str]
    estimated_value: Decimal | None
    currency: str
    duration_months: int | None
    buyers: list[Organisation]
    lots: list[Lot]
    awards: list[Award] = field(default_factory=list)
    modifications: list[Modification] = field(default_factory=list)
    changed_notice: str = ""  # a change notice (change-cn): the notice it changes
    withheld: list[str] = field(default_factory=list)  # notice-level, e.g. not-val

    def summary(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "title": self.title,
            "internal_id": self.internal_id,
            "procedure": self.procedure,
            "cpv_main": self.cpv_main,
            "cpv_additional": self.cpv_additional,
            "estimated_value": str(self.estimated_value) if self.estimated_value is not None else None,
            "currency": self.currency,
            "lots": [
                {
                    "id": lot.lot_id,
                    "title": lot.title,
                    "starts_on": str(lot.starts_on) if lot.starts_on else None,
                    "ends_on": str(lot.ends_on) if lot.ends_on else None,
                }
                for lot in self.lots
            ],
            "buyers": [{"name": b.name, "company_id": b.company_id} for b in self.buyers],
            "withheld": self.withheld,
        }


# --- Reading fields ----------------------------------------------------------------------


def _text(el: etree._Element | None) -> str:
    if el is None or el.text is None:
        return ""
    return " ".join(el.text.split())


def _t(el: etree._Element | None, path: str) -> str:
    return "" if el is None else _text(el.find(path, NS))


def _date(value: str, label: str) -> datetime.date | None:
    if not value:
        return None
    # eForms dates carry a zone: 2019-10-23+01:00 or 2024-12-31Z.
    match = re.match(r"^(\d{4}-\d{2}-\d{2})", value)
    try:
        if match is None:
            raise ValueError(value)
        return datetime.date.fromisoformat(match.group(1))
    except ValueError:
        raise NoticeRefused(
            Code.INVALID_DATE,
            _("%(field)s: %(value)s is not a date.") % {"field": label, "value": value},
            {"field": label},
        ) from None


def _amount(el: etree._Element | None, label: str) -> tuple[Decimal | None, str]:
    if el is None or not _text(el):
        return None, ""
    # The one number helper: xsd:decimal only, at most 15 digits of kronor, never an
    # exception from the decimal module (an exponent overflowing it was found by the fuzzer).
    try:
        value = parse_decimal(_text(el), places=2, digits=17, negative=False, round_places=True, strict=True)
    except NumberRefused:
        raise NoticeRefused(
            Code.INVALID_AMOUNT,
            _("%(field)s: %(value)s is not an amount.") % {"field": label, "value": _text(el)},
            {"field": label},
        ) from None
    return value, (el.get("currencyID") or "").strip().upper()


def _withheld(el: etree._Element | None) -> list[str]:
    """The fields of this element that the buyer withheld from publication."""
    if el is None:
        return []
    return [
        _text(code)
        for code in el.findall("efac:FieldsPrivacy/efbc:FieldIdentifierCode", NS)
        + el.findall(f"{EXT}/efac:FieldsPrivacy/efbc:FieldIdentifierCode", NS)
        if _text(code)
    ]


def _period(project: etree._Element | None) -> tuple[datetime.date | None, datetime.date | None, int | None]:
    if project is None:
        return None, None, None
    period = project.find("cac:PlannedPeriod", NS)
    if period is None:
        return None, None, None
    starts = _date(_t(period, "cbc:StartDate"), _("Start date"))
    ends = _date(_t(period, "cbc:EndDate"), _("End date"))
    months: int | None = None
    measure = period.find("cbc:DurationMeasure", NS)
    if measure is not None and _text(measure):
        # Through the one number helper (bounded, no NaN or infinity): a duration the
        # decimal module cannot hold is no duration, never a crash (found by bench/fuzz.py).
        try:
            factor = _MONTHS_PER_UNIT.get((measure.get("unitCode") or "MONTH").upper(), Decimal(1))
            duration = parse_decimal(_text(measure), places=4, digits=10, negative=False, round_places=True)
            months = max(1, int((duration * factor).to_integral_value()))
        except (NumberRefused, InvalidOperation):
            months = None
    return starts, ends, months


def _organisations(ext: etree._Element | None) -> dict[str, Organisation]:
    found: dict[str, Organisation] = {}
    if ext is None:
        return found
    for org in ext.findall("efac:Organizations/efac:Organization", NS):
        company = org.find("efac:Company", NS)
        key = _t(company, "cac:PartyIdentification/cbc:ID")
        if company is None or not key:
            raise NoticeRefused(
                Code.INCOMPLETE_ORGANISATION,
                _("An organisation in the notice has no identifier; the notice is not complete."),
            )
        found[key] = Organisation(
            key=key,
            name=_t(company, "cac:PartyName/cbc:Name"),
            company_id=_t(company, "cac:PartyLegalEntity/cbc:CompanyID"),
            country=_t(company, "cac:PostalAddress/cac:Country/cbc:IdentificationCode"),
            size=SIZES.get(_t(company, "efbc:CompanySizeCode"), ""),
            withheld=_withheld(org) + _withheld(company),
        )
    return found


def parse(data: bytes) -> ParsedNotice:
    try:
        root = parse_xml(data)
    except InvoiceRejected as exc:
        code = {"empty_file": Code.EMPTY, "doctype_refused": Code.DOCTYPE}.get(str(exc.code), Code.MALFORMED)
        message = (
            _("The file declares a DOCTYPE or entities. eForms notices have none; it was not read.")
            if code == Code.DOCTYPE
            else exc.message
        )
        raise NoticeRefused(code, message, exc.details) from None
    if root.tag == ROOT_CN:
        kind = Kind.CONTRACT_NOTICE
    elif root.tag == ROOT_CAN:
        kind = Kind.AWARD
    elif root.tag == ROOT_PIN or root.tag.endswith("Notice"):
        raise NoticeRefused(
            Code.UNSUPPORTED_TYPE,
            _(
                "This is a %(type)s. Kravspår reads contract notices, contract award notices and contract "
                "modification notices."
            )
            % {"type": etree.QName(root).localname},
        )
    else:
        raise NoticeRefused(Code.NOT_A_NOTICE, _("The file is not an eForms notice."))
    ext = root.find(EXT, NS)
    if kind == Kind.AWARD and ext is not None and ext.find("efac:ContractModification", NS) is not None:
        kind = Kind.MODIFICATION

    notice_id = _t(root, "cbc:ID")
    if not notice_id:
        raise NoticeRefused(Code.MISSING_NOTICE_ID, _("The notice has no identifier (BT-701)."))
    folder_id = _t(root, "cbc:ContractFolderID")
    if not folder_id:
        raise NoticeRefused(Code.MISSING_FOLDER_ID, _("The notice has no procedure identifier (BT-04)."))
    organisations = _organisations(ext)
    buyer_keys = [_t(p, "cac:Party/cac:PartyIdentification/cbc:ID") for p in root.findall("cac:ContractingParty", NS)]
    buyers = [organisations[k] for k in buyer_keys if k in organisations]
    if not buyers or len(buyers) != len(buyer_keys):
        raise NoticeRefused(Code.MISSING_BUYER, _("The notice does not say which organisation is the buyer."))
    if any(not b.company_id for b in buyers):
        raise NoticeRefused(
            Code.MISSING_BUYER,
            _("The buyer %(name)s has no organisation number in the notice.") % {"name": buyers[0].name},
        )
    project = root.find("cac:ProcurementProject", NS)
    title = _t(project, "cbc:Name")
    if not title:
        raise NoticeRefused(Code.MISSING_TITLE, _("The notice has no title (BT-21)."))
    for limit in root.iter(f"{{{NS['cbc']}}}MaximumLotsAwardedNumeric", f"{{{NS['cbc']}}}MaximumLotsSubmittedNumeric"):
        text = _text(limit)
        if not text.isdigit() or int(text) < 1:
            raise NoticeRefused(
                Code.INVALID_LOTS,
                _("The notice allows %(value)s lots per tenderer; at least one is needed.") % {"value": text or "0"},
            )

    estimated, currency = _amount(
        project.find("cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount", NS)
        if project is not None
        else None,
        _("Estimated value"),
    )
    _starts, _ends, duration = _period(project)
    lots: list[Lot] = []
    for lot_el in root.findall("cac:ProcurementProjectLot", NS):
        lot_project = lot_el.find("cac:ProcurementProject", NS)
        starts, ends, months = _period(lot_project)
        lot_value, lot_currency = _amount(
            lot_project.find("cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount", NS)
            if lot_project is not None
            else None,
            _("Estimated value"),
        )
        lots.append(
            Lot(
                lot_id=_t(lot_el, "cbc:ID"),
                title=_t(lot_project, "cbc:Name"),
                starts_on=starts,
                ends_on=ends,
                duration_months=months,
                estimated_value=lot_value,
                currency=lot_currency,
            )
        )
    cpv_additional: list[str] = []
    for el in [
        project,
        *[lot.find("cac:ProcurementProject", NS) for lot in root.findall("cac:ProcurementProjectLot", NS)],
    ]:
        if el is None:
            continue
        for code in el.findall("cac:AdditionalCommodityClassification/cbc:ItemClassificationCode", NS):
            if _text(code) and _text(code) not in cpv_additional:
                cpv_additional.append(_text(code))
    notice = ParsedNotice(
        kind=kind,
        notice_id=notice_id,
        version_id=_t(root, "cbc:VersionID") or "01",
        folder_id=folder_id,
        internal_id=_t(project, "cbc:ID"),
        issue_date=_date(_t(root, "cbc:IssueDate"), _("Issue date")),
        subtype=_t(ext, "efac:NoticeSubType/cbc:SubTypeCode"),
        title=title,
        description=_t(project, "cbc:Description"),
        procurement_kind=KINDS.get(_t(project, "cbc:ProcurementTypeCode"), "services"),
        procedure=PROCEDURES.get(_t(root, "cac:TenderingProcess/cbc:ProcedureCode"), ""),
        cpv_main=_t(project, "cac:MainCommodityClassification/cbc:ItemClassificationCode"),
        cpv_additional=cpv_additional,
        estimated_value=estimated,
        currency=currency,
        duration_months=duration,
        buyers=buyers,
        lots=lots,
        changed_notice=_t(ext, "efac:Changes/efbc:ChangedNoticeIdentifier"),
    )
    if kind in (Kind.AWARD, Kind.MODIFICATION):
        _read_results(notice, ext, organisations)
    if kind == Kind.MODIFICATION:
        assert ext is not None
        for mod in ext.findall("efac:ContractModification", NS):
            notice.modifications.append(
                Modification(
                    contract_key=_t(mod, "efbc:ModifiedContractIdentifier"),
                    changed_notice=_t(mod, "efbc:ChangedNoticeIdentifier"),
                    description=_t(mod, "efac:Change/efbc:ChangeDescription"),
                    reason_code=_t(mod, "efac:ChangeReason/cbc:ReasonCode"),
                    reason_description=_t(mod, "efac:ChangeReason/efbc:ReasonDescription"),
                )
            )
        if not any(m.contract_key for m in notice.modifications):
            raise NoticeRefused(Code.NO_MODIFICATION, _("The modification notice does not say which contract changed."))
    return notice


def _read_results(notice: ParsedNotice, ext: etree._Element | None, organisations: dict[str, Organisation]) -> None:
    result = ext.find("efac:NoticeResult", NS) if ext is not None else None
    if result is None:
        raise NoticeRefused(Code.NO_RESULT, _("The award notice has no result (efac:NoticeResult)."))
    notice.withheld = _withheld(result)
    parties = {
        _t(tp, "cbc:ID"): [_t(t, "cbc:ID") for t in tp.findall("efac:Tenderer", NS)]
        for tp in result.findall("efac:TenderingParty", NS)
    }
    tenders = {_t(t, "cbc:ID"): t for t in result.findall("efac:LotTender", NS)}
    contracts = {_t(c, "cbc:ID"): c for c in result.findall("efac:SettledContract", NS)}
    for lot_result in result.findall("efac:LotResult", NS):
        lot_id = _t(lot_result, "efac:TenderLot/cbc:ID")
        lot_withheld = _withheld(lot_result)
        if _t(lot_result, "cbc:TenderResultCode") not in ("", "selec-w"):
            continue  # no winner chosen on this lot (closed, or no tenders)
        for contract_ref in lot_result.findall("efac:SettledContract/cbc:ID", NS):
            contract = contracts.get(_text(contract_ref))
            if contract is None:
                continue
            winners: list[Organisation] = []
            value: Decimal | None = None
            currency = ""
            withheld = list(lot_withheld)
            for tender_ref in contract.findall("efac:LotTender/cbc:ID", NS):
                tender = tenders.get(_text(tender_ref))
                if tender is None:
                    continue
                tender_withheld = _withheld(tender)
                withheld += tender_withheld
                if "ten-val" not in tender_withheld and "not-val" not in notice.withheld:
                    amount, cur = _amount(
                        tender.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS), _("Tender value")
                    )
                    if amount is not None:
                        value, currency = (value or Decimal(0)) + amount, cur
                party = _t(tender, "efac:TenderingParty/cbc:ID")
                for org_key in parties.get(party, []):
                    if org_key in organisations and organisations[org_key] not in winners:
                        winners.append(organisations[org_key])
            notice.awards.append(
                Award(
                    lot_id=lot_id,
                    contract_key=_text(contract_ref),
                    contract_reference=_t(contract, "efac:ContractReference/cbc:ID"),
                    signed_on=_date(_t(contract, "cbc:IssueDate"), _("Contract signed")),
                    winners=winners,
                    value=value,
                    currency=currency,
                    withheld=sorted(set(withheld)),
                )
            )
