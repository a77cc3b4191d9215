"""A contract award notice for a procurement in Kravspår, made from the eForms SDK's
minimal award example (``can_24_minimal.xml``) with Kravspår's identifiers put in: for
tests, the browser story and trying the import. Nothing here is used by the import."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from pathlib import Path

from lxml import etree

from kravspar.notices.eforms import NS

TEMPLATE = Path(__file__).parent / "tests" / "corpus" / "notices" / "can_24_minimal.xml"
CBC = f"{{{NS['cbc']}}}"
CAC = f"{{{NS['cac']}}}"


def award_notice(
    *,
    registry_number: str,
    buyer_org_number: str,
    contract_number: str,
    supplier_name: str,
    supplier_org_number: str,
    value: Decimal,
    signed_on: datetime.date,
    months: int,
    title: str = "",
    notice_id: str = "",
    folder_id: str = "",
) -> bytes:
    root = etree.fromstring(TEMPLATE.read_bytes(), etree.XMLParser(resolve_entities=False, no_network=True))

    def one(path: str) -> etree._Element:
        found = root.find(path, NS)
        assert found is not None, path
        return found

    one("cbc:ID").text = notice_id or str(uuid.uuid4())
    one("cbc:ContractFolderID").text = folder_id or str(uuid.uuid4())
    one("cbc:IssueDate").text = signed_on.isoformat()
    project = one("cac:ProcurementProject")
    internal = etree.Element(CBC + "ID", schemeName="InternalID")
    internal.text = registry_number
    project.insert(0, internal)
    if title:
        for name in root.findall(".//cac:ProcurementProject/cbc:Name", NS):
            name.text = title
            name.set("languageID", "SWE")
    orgs = root.findall(".//efac:Organizations/efac:Organization/efac:Company", NS)
    for company in orgs:
        key = company.findtext("cac:PartyIdentification/cbc:ID", namespaces=NS)
        legal = company.find("cac:PartyLegalEntity/cbc:CompanyID", NS)
        country = company.find("cac:PostalAddress/cac:Country/cbc:IdentificationCode", NS)
        assert legal is not None and country is not None
        country.text = "SWE"
        if key == "ORG-0001":
            legal.text = buyer_org_number
        elif key == "ORG-0004":
            legal.text = supplier_org_number
            name = company.find("cac:PartyName/cbc:Name", NS)
            assert name is not None
            name.text = supplier_name
    result = ".//efac:NoticeResult"
    for amount in root.findall(f"{result}//cbc:PayableAmount", NS) + root.findall(f"{result}/cbc:TotalAmount", NS):
        amount.text = str(value)
        amount.set("currencyID", "SEK")
    contract = one(f"{result}/efac:SettledContract")
    issue = contract.find("cbc:IssueDate", NS)
    assert issue is not None
    issue.text = signed_on.isoformat()
    reference = contract.find("efac:ContractReference/cbc:ID", NS)
    assert reference is not None
    reference.text = contract_number
    lot_project = one("cac:ProcurementProjectLot/cac:ProcurementProject")
    period = etree.SubElement(lot_project, CAC + "PlannedPeriod")
    etree.SubElement(period, CBC + "StartDate").text = signed_on.isoformat()
    etree.SubElement(period, CBC + "DurationMeasure", unitCode="MONTH").text = str(months)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
