"""The e-archive package of one contract, after Riksarkivet's FGS Paketstruktur (the Swedish
profile of METS, "CommonSpecificationSwedenPackageProfile"):

    <OBJID>/mets.xml                 METS: header with agents, dmdSec, amdSec, fileSec, structMap
    <OBJID>/content/metadata.xml     the contract, its follow-ups, deviations, decisions, history
    <OBJID>/content/files/...        the evidence files still held (disposed ones are named only)

Every file in fileSec carries its size and SHA-256 checksum. The format lives here, at the
edge: the domain never imports lxml.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import mimetypes
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from lxml import etree

from kravspar.audit.models import AuditEvent
from kravspar.audit.services import audit_record
from kravspar.contracts.models import Contract
from kravspar.findings.models import Deviation, Sanction
from kravspar.followups.models import Activity, Evidence
from kravspar.records.models import DISPOSED
from kravspar.records.retention import owning_organisation_id

METS = "http://www.loc.gov/METS/"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
KRAVSPAR = "urn:kravspar:archive:1"
PROFILE = "http://xml.ra.se/e-arkiv/METS/CommonSpecificationSwedenPackageProfile.xml"
NSMAP = {"mets": METS, "xlink": XLINK, "xsi": XSI}


def _m(tag: str) -> str:
    return f"{{{METS}}}{tag}"


def _value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def _record(parent: etree._Element, tag: str, obj: models.Model) -> etree._Element:
    """One record with every concrete field, foreign keys by their text, in the model's order."""
    element = etree.SubElement(parent, f"{{{KRAVSPAR}}}{tag}")
    for field in obj._meta.concrete_fields:
        if field.name in ("id", "version") or isinstance(field, models.FileField):
            continue
        value = getattr(obj, field.name)
        if isinstance(field, models.ForeignKey):
            value = str(value) if value is not None else None
        elif getattr(field, "choices", None):
            value = getattr(obj, f"get_{field.name}_display")()
        child = etree.SubElement(element, f"{{{KRAVSPAR}}}field", name=field.name)
        child.text = _value(value)
    return element


def metadata_xml(contract: Contract) -> bytes:
    root = etree.Element(f"{{{KRAVSPAR}}}contractRecords", nsmap={None: KRAVSPAR})
    _record(root, "contract", contract)
    for label, qs, tag in (
        ("followUps", Activity.objects.filter(contract=contract).select_related("requirement"), "followUp"),
        ("deviations", Deviation.objects.filter(contract=contract), "deviation"),
        ("decisions", Sanction.objects.filter(contract=contract), "decision"),
    ):
        group = etree.SubElement(root, f"{{{KRAVSPAR}}}{label}")
        for obj in qs.order_by("id"):
            _record(group, tag, obj)
    history = etree.SubElement(root, f"{{{KRAVSPAR}}}history")
    ids = [
        str(contract.uuid),
        *(str(u) for u in Activity.objects.filter(contract=contract).values_list("uuid", flat=True)),
    ]
    ids += [str(u) for u in Deviation.objects.filter(contract=contract).values_list("uuid", flat=True)]
    for event in AuditEvent.objects.filter(object_id__in=ids).order_by("created_at", "id"):
        item = etree.SubElement(
            history,
            f"{{{KRAVSPAR}}}event",
            time=event.created_at.isoformat(),
            action=event.action,
            objectType=event.object_type,
            objectId=event.object_id,
        )
        etree.SubElement(item, f"{{{KRAVSPAR}}}who").text = event.actor_label
        etree.SubElement(item, f"{{{KRAVSPAR}}}object").text = event.object_repr
        etree.SubElement(item, f"{{{KRAVSPAR}}}before").text = json.dumps(event.before, ensure_ascii=False)
        etree.SubElement(item, f"{{{KRAVSPAR}}}after").text = json.dumps(event.after, ensure_ascii=False)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


@dataclass
class PackageFile:
    path: str  # relative to the package folder
    size: int
    sha256: str
    mimetype: str
    created: datetime.datetime


def _write(folder: Path, relative: str, data: bytes, created: datetime.datetime, mimetype: str) -> PackageFile:
    target = folder / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return PackageFile(relative, len(data), hashlib.sha256(data).hexdigest(), mimetype, created)


def _agent(header: etree._Element, role: str, kind: str, name: str, note: str | None = None, **extra: str) -> None:
    agent = etree.SubElement(header, _m("agent"), ROLE=role, TYPE=kind, **extra)
    etree.SubElement(agent, _m("name")).text = name
    if note:
        etree.SubElement(agent, _m("note")).text = note


def mets_xml(*, objid: str, contract: Contract, files: list[PackageFile], created: datetime.datetime) -> bytes:
    org_id = owning_organisation_id(contract)
    archivist = next((b for b in contract.buyers.all() if b.pk == org_id), None)
    root = etree.Element(
        _m("mets"),
        nsmap=NSMAP,
        OBJID=f"UUID:{objid}",
        TYPE="Contract",
        LABEL=str(contract)[:300],
        PROFILE=PROFILE,
    )
    root.set(f"{{{XSI}}}schemaLocation", f"{METS} http://www.loc.gov/standards/mets/mets.xsd")
    header = etree.SubElement(root, _m("metsHdr"), CREATEDATE=created.isoformat(), RECORDSTATUS="NEW")
    org_name = archivist.name if archivist else "-"
    org_note = f"ORG:{archivist.org_number}" if archivist else None
    _agent(header, "ARCHIVIST", "ORGANIZATION", org_name, org_note)
    _agent(header, "CREATOR", "ORGANIZATION", org_name, org_note)
    _agent(
        header,
        "OTHER",
        "OTHER",
        "Kravspår",
        "Exported by manage.py export_archive",
        OTHERROLE="PRODUCER",
        OTHERTYPE="SOFTWARE",
    )
    etree.SubElement(header, _m("altRecordID"), TYPE="REFERENCECODE").text = contract.contract_number
    metadata = files[0]
    dmd = etree.SubElement(root, _m("dmdSec"), ID="dmd-contract", CREATED=created.isoformat())
    ref = etree.SubElement(
        dmd,
        _m("mdRef"),
        LOCTYPE="URL",
        MDTYPE="OTHER",
        OTHERMDTYPE="KRAVSPAR",
        MIMETYPE=metadata.mimetype,
        SIZE=str(metadata.size),
        CHECKSUM=metadata.sha256,
        CHECKSUMTYPE="SHA-256",
    )
    ref.set(f"{{{XLINK}}}type", "simple")
    ref.set(f"{{{XLINK}}}href", f"file:{metadata.path}")
    amd = etree.SubElement(root, _m("amdSec"), ID="amd-export")
    digiprov = etree.SubElement(amd, _m("digiprovMD"), ID="digiprov-export", CREATED=created.isoformat())
    wrap = etree.SubElement(digiprov, _m("mdWrap"), MDTYPE="OTHER", OTHERMDTYPE="KRAVSPAR-EXPORT")
    data = etree.SubElement(etree.SubElement(wrap, _m("xmlData")), f"{{{KRAVSPAR}}}export", nsmap={"k": KRAVSPAR})
    data.set("created", created.isoformat())
    data.set("checksumType", "SHA-256")
    data.set("files", str(len(files)))
    file_sec = etree.SubElement(root, _m("fileSec"))
    group = etree.SubElement(file_sec, _m("fileGrp"), ID="fgrp-content", USE="FILES")
    struct = etree.SubElement(root, _m("structMap"), TYPE="physical", LABEL="Package")
    package = etree.SubElement(struct, _m("div"), LABEL=objid)
    content = etree.SubElement(package, _m("div"), LABEL="content")
    for n, item in enumerate(files, start=1):
        file = etree.SubElement(
            group,
            _m("file"),
            ID=f"file-{n:04}",
            MIMETYPE=item.mimetype,
            SIZE=str(item.size),
            CREATED=item.created.isoformat(),
            CHECKSUM=item.sha256,
            CHECKSUMTYPE="SHA-256",
            ADMID="amd-export",
            USE="Datafile",
        )
        locat = etree.SubElement(file, _m("FLocat"), LOCTYPE="URL")
        locat.set(f"{{{XLINK}}}type", "simple")
        locat.set(f"{{{XLINK}}}href", f"file:{item.path}")
        etree.SubElement(content, _m("fptr"), FILEID=f"file-{n:04}")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def archive_export(*, contract: Contract, output: Path, actor: Any = None) -> Path:
    """Write the package into ``output``/<OBJID>/ and record the export in the history.
    Returns the package folder."""
    objid = str(uuid.uuid4())
    folder = output / objid
    folder.mkdir(parents=True)
    created = timezone.now().replace(microsecond=0)
    files = [_write(folder, "content/metadata.xml", metadata_xml(contract), created, "text/xml")]
    evidence = Evidence.objects.filter(activity__contract=contract).exclude(original_name=DISPOSED).order_by("id")
    for item in evidence:
        with item.file.open("rb") as handle:
            data = handle.read()
        suffix = Path(item.original_name).suffix.lower()[:10]
        mimetype = item.content_type or mimetypes.guess_type(item.original_name)[0] or "application/octet-stream"
        files.append(_write(folder, f"content/files/{item.uuid}{suffix}", data, item.uploaded_at, mimetype))
    (folder / "mets.xml").write_bytes(mets_xml(objid=objid, contract=contract, files=files, created=created))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="records.archive_exported",
            obj=contract,
            after={"package": objid, "files": len(files)},
        )
    return folder
