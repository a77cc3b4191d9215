"""export_archive on the demo contract's story in small (a cleaning contract with a follow-up,
an evidence file and a major deviation; built with the findings tests' fixtures, not seed_demo):
the package validates against the METS schema (bundled by the metsrw package, no network),
holds every part FGS Paketstruktur asks for, and every checksum and size is right."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import metsrw
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from lxml import etree

from kravspar.audit.models import AuditEvent
from kravspar.followups import uploads
from kravspar.records.archive import KRAVSPAR, METS, PROFILE, XLINK

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
XLINK_URL = "http://www.loc.gov/standards/xlink/xlink.xsd"
NS = {"m": METS, "xlink": XLINK, "k": KRAVSPAR}


class _Local(etree.Resolver):
    def resolve(self, url: str | None, pubid: str | None, context: Any) -> Any:
        if url == XLINK_URL:
            return self.resolve_filename(str(Path(__file__).with_name("xlink.xsd")), context)
        return None


def mets_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_Local())
    path = Path(metsrw.__file__).parent / "resources" / "mets.xsd"
    return etree.XMLSchema(etree.parse(str(path), parser))


def test_the_contract_package_is_valid_mets_with_every_part_and_checksum(
    world: Any, contract: Any, activity: Any, raise_deviation: Any, tmp_path: Path
) -> None:
    uploads.evidence_add(actor=world.admin, activity=activity, upload=SimpleUploadedFile("protokoll.pdf", PDF))
    deviation = raise_deviation()
    out = io.StringIO()
    call_command(
        "export_archive", "--contract", contract.contract_number, "--output", str(tmp_path / "out"), stdout=out
    )
    folder = Path(out.getvalue().strip())
    mets = etree.parse(str(folder / "mets.xml"))
    schema = mets_schema()
    assert schema.validate(mets), schema.error_log

    root = mets.getroot()
    assert root.get("PROFILE") == PROFILE and root.get("OBJID") == f"UUID:{folder.name}"
    assert root.get("TYPE") and root.get("LABEL", "").startswith(contract.contract_number)
    header = root.find("m:metsHdr", NS)
    assert header is not None and header.get("CREATEDATE")
    roles = {a.get("ROLE"): a.findtext("m:name", namespaces=NS) for a in header.findall("m:agent", NS)}
    assert roles["ARCHIVIST"] == "Region Sörmland" and roles["CREATOR"] == "Region Sörmland"
    assert roles["OTHER"] == "Kravspår"
    assert root.find("m:dmdSec/m:mdRef", NS) is not None and root.find("m:amdSec/m:digiprovMD", NS) is not None
    files = root.findall("m:fileSec/m:fileGrp/m:file", NS)
    assert len(files) == 2
    on_disk = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} - {"mets.xml"}
    listed = set()
    for file in files:
        href = file.find("m:FLocat", NS).get(f"{{{XLINK}}}href")
        assert href.startswith("file:content/")
        data = (folder / href.removeprefix("file:")).read_bytes()
        assert file.get("CHECKSUMTYPE") == "SHA-256"
        assert file.get("CHECKSUM") == hashlib.sha256(data).hexdigest() and file.get("SIZE") == str(len(data))
        listed.add(href.removeprefix("file:"))
    assert listed == on_disk
    pointers = {p.get("FILEID") for p in root.iterfind("m:structMap//m:fptr", NS)}
    assert pointers == {f.get("ID") for f in files}

    metadata = etree.parse(str(folder / "content" / "metadata.xml"))
    assert metadata.find("k:contract", NS) is not None
    assert len(metadata.findall("k:followUps/k:followUp", NS)) == 1
    titles = [f.text for f in metadata.iterfind("k:deviations/k:deviation/k:field[@name='title']", NS)]
    assert titles == [deviation.title]
    actions = {e.get("action") for e in metadata.iterfind("k:history/k:event", NS)}
    assert "activity.evidence_added" in actions
    assert AuditEvent.objects.filter(action="records.archive_exported").count() == 1


def test_the_schema_is_strict_enough_to_refuse_an_unknown_checksum_type() -> None:
    """So that its passing above means something."""
    bad = etree.fromstring(
        f'<mets xmlns="{METS}"><metsHdr/><structMap><div/></structMap>'
        f'<fileSec><fileGrp><file ID="f" CHECKSUMTYPE="SHA-257"/></fileGrp></fileSec></mets>'.encode()
    )
    assert not mets_schema().validate(bad)


@pytest.mark.django_db
def test_the_demo_contract_is_exported_and_valid(tmp_path: Path) -> None:
    """The demo's RV-2025-0107 (its people and the one contract, not the whole seed_demo)."""
    from kravspar.core.management.commands.seed_demo import seed_people
    from kravspar.followups.demo import NUMBER, seed_followup

    orgs, _logins = seed_people()
    assert seed_followup(orgs) is not None
    out = io.StringIO()
    call_command("export_archive", "--contract", NUMBER, "--output", str(tmp_path), stdout=out)
    folder = Path(out.getvalue().strip())
    schema = mets_schema()
    assert schema.validate(etree.parse(str(folder / "mets.xml"))), schema.error_log
    metadata = etree.parse(str(folder / "content" / "metadata.xml"))
    assert len(metadata.findall("k:deviations/k:deviation", NS)) >= 2  # the demo's two major deviations
    assert metadata.findall("k:decisions/k:decision", NS)  # the fine decided and the one waived
    assert len(metadata.findall("k:history/k:event", NS)) > 10
