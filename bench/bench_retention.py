#!/usr/bin/env python3
"""Time apply_retention (dry run and disposal) and export_archive on a throw-away database.

    DJANGO_SECRET_KEY=x .venv/bin/python bench/bench_retention.py [--contracts 2000] [--evidence 2]

Builds a fresh SQLite database in a temporary folder (never the one in var/) with
``--contracts`` ended contracts of one region, each with one follow-up activity and
``--evidence`` evidence rows (with a small stored file and the history event that names it),
bulk-inserted; half of the contracts ended long enough ago to be due under the region's rule
(2 years after the end). Then times: the dry run (finding what is due), the disposal of all of
it (one transaction per item: file, record, history redaction, one event), a second run (finds
nothing), and export_archive of one contract. With --use-database-url the data goes to
DATABASE_URL (a throw-away database only, e.g. under scripts/with_postgres.py).
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def configure(var_dir: str, use_database_url: bool) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kravspar.settings"
    os.environ["KRAVSPAR_VAR_DIR"] = var_dir
    Path(var_dir, "static").mkdir()
    if not use_database_url:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


def build(contracts: int, per_contract: int) -> tuple[int, int]:
    """Returns (due evidence rows, evidence rows)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from kravspar.audit.models import AuditEvent
    from kravspar.contracts.models import Contract, ContractRequirement
    from kravspar.followups.models import Activity, Evidence
    from kravspar.organisations.models import Organisation
    from kravspar.records.models import Anchor, PeriodUnit, RecordType
    from kravspar.records.services import retention_rule_create
    from kravspar.testing.factories import UserFactory

    org = Organisation.objects.create(name="Region Sörmland", org_number="2321000032", kind="region")
    uploader = UserFactory.create(username="bench", organisation=org)
    retention_rule_create(
        actor=None,
        organisation=org,
        record_type=RecordType.EVIDENCE,
        anchor=Anchor.CONTRACT_END,
        period=2,
        unit=PeriodUnit.YEARS,
        decision="Bench 1.1",
    )
    today = datetime.date.today()
    rows = Contract.objects.bulk_create(
        Contract(
            contract_number=f"B-{i:06}",
            title=f"Bench {i}",
            signed_on=today - datetime.timedelta(days=3000),
            starts_on=today - datetime.timedelta(days=2900),
            ends_on=today - datetime.timedelta(days=1200 if i % 2 == 0 else 200),
        )
        for i in range(contracts)
    )
    Contract.buyers.through.objects.bulk_create(Contract.buyers.through(contract=c, organisation=org) for c in rows)
    requirements = ContractRequirement.objects.bulk_create(
        ContractRequirement(contract=c, title="Krav", type="quality", text="Krav.") for c in rows
    )
    activities = Activity.objects.bulk_create(
        Activity(contract=c, requirement=r, method="spot_check", due_on=today, responsible="purchasing", status="done")
        for c, r in zip(rows, requirements, strict=True)
    )
    evidence, events = [], []
    for n, activity in enumerate(activities):
        for k in range(per_contract):
            name = default_storage.save(f"evidence/{activity.contract_id}/{n}-{k}", ContentFile(b"%PDF-1.4 bench"))
            original = f"protokoll-{n}-{k}-anna.pdf"
            evidence.append(
                Evidence(
                    activity=activity,
                    file=name,
                    original_name=original,
                    content_type="application/pdf",
                    size=14,
                    sha256="0" * 64,
                    uploaded_by=uploader,
                )
            )
            events.append(
                AuditEvent(
                    actor=uploader,
                    actor_label="Bench",
                    action="activity.evidence_added",
                    object_type="followups.activity",
                    object_id=str(activity.uuid),
                    object_repr=str(activity.pk),
                    after={"file": original, "sha256": "0" * 64, "size": 14},
                )
            )
    Evidence.objects.bulk_create(evidence)
    AuditEvent.objects.bulk_create(events)
    return (contracts + 1) // 2 * per_contract, contracts * per_contract


def timed(label: str, fn: object) -> object:
    start = time.perf_counter()
    result = fn()  # type: ignore[operator]
    print(f"{label:<40} {time.perf_counter() - start:8.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contracts", type=int, default=2000)
    parser.add_argument("--evidence", type=int, default=2, help="evidence rows per contract (default 2)")
    parser.add_argument("--use-database-url", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var_dir:
        configure(var_dir, args.use_database_url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from kravspar.contracts.models import Contract
        from kravspar.records.services import retention_apply

        due, total = build(args.contracts, args.evidence)
        print(f"{args.contracts} contracts, {total} evidence rows, {due} due")
        found = timed("apply_retention --dry-run", lambda: retention_apply(dry_run=True))
        assert len(found) == due, (len(found), due)  # type: ignore[arg-type]
        done = timed("apply_retention (disposal)", lambda: retention_apply())
        assert len(done) == due  # type: ignore[arg-type]
        again = timed("apply_retention again (nothing due)", lambda: retention_apply())
        assert again == []
        from kravspar.records.archive import archive_export

        contract = Contract.objects.prefetch_related("buyers").order_by("-id").first()
        timed("export_archive of one contract", lambda: archive_export(contract=contract, output=Path(var_dir)))


if __name__ == "__main__":
    main()
