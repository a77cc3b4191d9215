"""Writing one batch of parsed rows: the buyers found or registered, the procurements found
or created, contracted values filled in, suppliers found or created and linked, and one
history row per created or changed object (the same fields ``audit_record`` writes for a
change made by the system).

The rows are written with one ``executemany`` per table (``kravspar.core.bulk``), not the
ORM's ``bulk_create``/``bulk_update``, which compile every value of every object and cost
more than the database does; the ids the links and the history need are read back in one
query per table (by registry number, which is unique, and by uuid).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kravspar.audit.models import AuditEvent
from kravspar.audit.services import snapshot
from kravspar.core.bulk import insert_rows
from kravspar.cpv.models import CpvCode
from kravspar.organisations.models import Organisation, OrganisationKind
from kravspar.organisations.services import organisations_create_many
from kravspar.procurements.models import Procurement, ProcurementStatus
from kravspar.procurements.services import PROCUREMENT_FIELDS
from kravspar.procurements.statistics.columns import SOURCE, WITHHELD_NAME, FileKind
from kravspar.procurements.statistics.reader import Row, _day
from kravspar.procurements.statistics.report import FileReport, Problem
from kravspar.suppliers.models import ProcurementSupplier, Supplier, supplier_name_key

Key = tuple[str, str, int]  # Row.key: (Upphandlings-ID, buyer's organisation number, occurrence)

PROCUREMENT = Procurement._meta.label_lower
SUPPLIER = Supplier._meta.label_lower
# The procurement's columns the import sets (the others take their defaults; the
# timestamps are set by ``insert_rows`` as the ORM would).
PROCUREMENT_COLUMNS = (
    "uuid",
    "version",
    "registry_number",
    "title",
    "description",
    "cpv_main_id",
    "kind",
    "procedure",
    "agreement_type",
    "estimated_value",
    "status",
    "advertised_on",
    "source",
    "data_quality",
)


@dataclass
class Stored:
    """A procurement found or created by the batch: what values, suppliers and history need."""

    pk: int
    uuid: str
    label: str  # str(procurement), the history's object_repr
    estimated_value: Decimal | None
    version: int


def _audit_events(
    action: str, items: Iterable[tuple[str, str, str, int | None, dict[str, Any] | None, dict[str, Any]]]
) -> None:
    """One history row per (object type, object uuid, str(object), organisation id, before,
    after), with exactly the fields ``audit_record`` writes for a change made by the system
    (no person): the import writes them in bulk."""
    insert_rows(
        AuditEvent,
        [
            {
                "actor_id": None,
                "actor_label": "system",
                "action": action,
                "object_type": object_type,
                "object_id": object_id,
                "object_repr": label[:300],
                "organisation_id": organisation_id,
                "before": before,
                "after": after,
            }
            for object_type, object_id, label, organisation_id, before, after in items
        ],
    )


_DESCRIPTIONS: dict[str, tuple[str, str, str, str]] = {}


def _description(row: Row) -> str:
    # Stored data, not UI: always written in the installation's language, whatever
    # language the person running the import has chosen. Translated once per language, not
    # once per row (switching languages costs more than writing the row).
    texts = _DESCRIPTIONS.get(settings.LANGUAGE_CODE)
    if texts is None:
        with translation.override(settings.LANGUAGE_CODE):
            texts = _DESCRIPTIONS[settings.LANGUAGE_CODE] = (
                _("Imported from Upphandlingsmyndigheten's statistics 2021 (Upphandlings-ID %(id)s)."),
                _("Published %(date)s in %(database)s."),
                _("Published %(date)s."),
                _("The value is the contracted value the buyer reported to the statistics, where there is one."),
            )
    imported, published_in, published, value = texts
    lines = [imported % {"id": row.ident}]
    if row.published:
        if row.ad_database:
            lines.append(published_in % {"date": row.published, "database": row.ad_database})
        else:
            lines.append(published % {"date": row.published})
    lines.append(value)
    return "\n".join(lines)


class BatchWriter:
    """Writes batches of rows of one run; keeps the CPV codes and the buyers met so far."""

    def __init__(self, *, batch_size: int) -> None:
        self.batch_size = batch_size
        cpv = CpvCode.objects.only("code", "label_sv", "label_en")
        self.cpv: dict[str, CpvCode] = {c.code: c for c in cpv}
        self.organisations: dict[str, Organisation] = {}

    def forget_buyers(self) -> None:
        """After a batch was rolled back: the buyers it registered are gone with it."""
        self.organisations = {}

    @transaction.atomic
    def write(self, rows: list[Row], report: FileReport) -> None:
        rows = self._with_buyers(rows, report)
        procurements = self._procurements(rows, report)
        if report.kind == FileKind.SUPPLIERS:
            self._suppliers(rows, procurements, report)

    def _with_buyers(self, rows: list[Row], report: FileReport) -> list[Row]:
        """Find or register each buyer (through the organisation service, which validates
        them and writes their history, all new buyers of the batch at once); rows whose
        buyer cannot be registered are reported and dropped."""
        wanted = {r.buyer_org_number for r in rows} - set(self.organisations)
        for org in Organisation.objects.filter(org_number__in=wanted):
            self.organisations[org.org_number] = org
        new: dict[str, dict[str, Any]] = {}
        for row in rows:
            number = row.buyer_org_number
            if row.buyer_valid and number not in self.organisations and number not in new:
                region = number.startswith("2321") and row.buyer_name.casefold().startswith("region")
                new[number] = {
                    "kind": OrganisationKind.REGION if region else OrganisationKind.OTHER,
                    "name": row.buyer_name,
                    "org_number": number,
                }
        failed: dict[str, str] = {}
        if new:
            for number, result in zip(new, organisations_create_many(actor=None, items=new.values()), strict=True):
                if isinstance(result, ValidationError):
                    failed[number] = " ".join(result.messages)
                else:
                    self.organisations[number] = result
                    report.organisations_created += 1
        kept: list[Row] = []
        for row in rows:
            if row.buyer_valid and row.buyer_org_number in failed:
                report.problems.append(
                    Problem(
                        row.number,
                        _("The buyer could not be registered: %(error)s") % {"error": failed[row.buyer_org_number]},
                    )
                )
            else:
                kept.append(row)  # a row without a valid buyer is imported without one, flagged
        return kept

    def _organisation_id(self, row: Row) -> int | None:
        return self.organisations[row.buyer_org_number].pk if row.buyer_valid else None

    def _procurements(self, rows: list[Row], report: FileReport) -> dict[Key, Stored]:
        """The procurement of every row's key: found, or created in bulk. Contracted values
        fill in a value that is still empty; a stored value is never overwritten."""
        by_key = {r.key: r for r in rows}
        candidates = {number for r in by_key.values() for number in r.registry_numbers()}
        taken: dict[str, list[tuple[int, str, str | None]]] = {}
        found_ids: dict[Key, int] = {}
        for pk, registry_number, source, org_number in Procurement.objects.filter(
            registry_number__in=candidates
        ).values_list("pk", "registry_number", "source", "buyers__org_number"):
            taken.setdefault(registry_number, []).append((pk, source, org_number))
        for key, row in by_key.items():
            buyer = row.buyer_org_number if row.buyer_valid else None
            for registry_number in reversed(row.registry_numbers()):
                match = [pk for pk, source, o in taken.get(registry_number, []) if source == SOURCE and o == buyer]
                if match:
                    found_ids[key] = match[0]
                    break
        found: dict[Key, Stored] = {}
        if found_ids:
            # One object per procurement: two rows of it see each other's value.
            by_pk = {
                pk: Stored(pk, str(uuid_), f"{registry_number} {title}", value, version)
                for pk, uuid_, registry_number, title, value, version in Procurement.objects.filter(
                    pk__in=set(found_ids.values())
                ).values_list("pk", "uuid", "registry_number", "title", "estimated_value", "version")
            }
            found = {key: by_pk[pk] for key, pk in found_ids.items()}
        report.procurements_found += sum(1 for r in rows if r.key in found)

        new: dict[Key, tuple[Procurement, Row]] = {}
        for row in rows:
            if row.key in found or row.key in new:
                continue
            numbers = row.registry_numbers()
            registry_number = next((n for n in numbers if n not in taken), numbers[-1])
            if registry_number in taken:
                report.problems.append(
                    Problem(
                        row.number,
                        _("Registry number %(number)s is used by another procurement.") % {"number": registry_number},
                    )
                )
                continue
            taken[registry_number] = []
            # An unsaved instance: its defaults and its history snapshot are exactly the ORM's.
            procurement = Procurement(
                registry_number=registry_number,
                title=row.title,
                description=_description(row),
                cpv_main=self.cpv[row.cpv] if row.cpv else None,
                kind=row.kind,
                procedure=row.procedure,
                agreement_type=row.agreement_type,
                estimated_value=row.value,
                status=ProcurementStatus.CONCLUDED,
                # Publiceringsdatum is the day the notice was published: contracts follow it.
                advertised_on=_day(row.published),
                source=SOURCE,
                data_quality=" ".join(row.flags),
            )
            new[row.key] = (procurement, row)
            for flag in row.flags:
                report.flagged[flag] = report.flagged.get(flag, 0) + 1
        created: dict[Key, Stored] = {}
        if new:
            insert_rows(
                Procurement, [{name: getattr(p, name) for name in PROCUREMENT_COLUMNS} for p, _row in new.values()]
            )
            ids = dict(
                Procurement.objects.filter(
                    registry_number__in=[p.registry_number for p, _row in new.values()]
                ).values_list("registry_number", "pk")
            )
            for key, (p, _row) in new.items():
                p.pk = ids[p.registry_number]
                created[key] = Stored(p.pk, str(p.uuid), str(p), p.estimated_value, p.version)
            insert_rows(
                Procurement.buyers.through,
                [
                    {"procurement_id": p.pk, "organisation_id": self.organisations[row.buyer_org_number].pk}
                    for p, row in new.values()
                    if row.buyer_valid
                ],
            )
            _audit_events(
                "procurement.created",
                (
                    (
                        PROCUREMENT,
                        created[key].uuid,
                        created[key].label,
                        self._organisation_id(row),
                        None,
                        snapshot(p, PROCUREMENT_FIELDS)
                        | {
                            "buyers": [self.organisations[row.buyer_org_number].name] if row.buyer_valid else [],
                            "ordering_units": [],
                            "cpv_additional": [],
                            "status": p.status,
                            "source": p.source,
                        },
                    )
                    for key, (p, row) in new.items()
                ),
            )
            report.procurements_created += len(new)

        if report.kind == FileKind.CONTRACTED_VALUES:
            self._values(rows, found, report)
        return found | created

    def _values(self, rows: list[Row], found: dict[Key, Stored], report: FileReport) -> None:
        changed: list[tuple[Stored, Row]] = []
        for row in rows:
            procurement = found.get(row.key)
            if procurement is None or row.value is None or procurement.estimated_value == row.value:
                continue
            if procurement.estimated_value is None:
                procurement.estimated_value = row.value
                procurement.version += 1
                changed.append((procurement, row))
            else:
                report.problems.append(
                    Problem(
                        row.number,
                        _("The contracted value %(value)s differs from the %(stored)s already stored; kept the stored.")
                        % {"value": row.value, "stored": procurement.estimated_value},
                        skipped=False,
                    )
                )
        if not changed:
            return
        ops = connection.ops
        table = ops.quote_name(Procurement._meta.db_table)
        now = ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            # Only quoted names from the model's own metadata are formatted in.
            cursor.executemany(
                f"UPDATE {table} SET estimated_value = %s, version = %s, updated_at = %s WHERE id = %s",  # noqa: S608
                [(ops.adapt_decimalfield_value(p.estimated_value, 15, 0), p.version, now, p.pk) for p, _row in changed],
            )
        _audit_events(
            "procurement.updated",
            (
                (
                    PROCUREMENT,
                    p.uuid,
                    p.label,
                    self._organisation_id(row),
                    {"estimated_value": None},
                    {"estimated_value": str(p.estimated_value)},
                )
                for p, row in changed
            ),
        )
        report.values_set += len(changed)

    def _suppliers(self, rows: list[Row], procurements: dict[Key, Stored], report: FileReport) -> None:
        """Find or create each named supplier and link it to the procurement, per lot."""
        named: list[Row] = []
        for row in rows:
            if row.key not in procurements:
                continue
            if row.supplier_name.casefold() == WITHHELD_NAME:
                report.withheld_suppliers += 1
            else:
                named.append(row)
        keys = {supplier_name_key(r.supplier_name) for r in named}
        suppliers: dict[str, tuple[int, str]] = {}  # name key -> (id, name)
        for name_key, pk, name in (
            Supplier.objects.filter(name_key__in=keys).order_by("-id").values_list("name_key", "pk", "name")
        ):
            suppliers[name_key] = (pk, name)  # the oldest wins
        new_suppliers: dict[str, dict[str, Any]] = {}
        for row in named:
            key = supplier_name_key(row.supplier_name)
            if key not in suppliers and key not in new_suppliers:
                new_suppliers[key] = {
                    "uuid": uuid.uuid4(),
                    "name": row.supplier_name,
                    "name_key": key,
                    "size_class": row.size_class,
                    "sector": row.sector,
                    "source": SOURCE,
                }
        if new_suppliers:
            insert_rows(Supplier, new_suppliers.values())
            ids = dict(
                Supplier.objects.filter(uuid__in=[s["uuid"] for s in new_suppliers.values()]).values_list("uuid", "pk")
            )
            for key, s in new_suppliers.items():
                suppliers[key] = (ids[s["uuid"]], s["name"])
            # snapshot(supplier, SUPPLIER_FIELDS) of the new supplier.
            _audit_events(
                "supplier.created",
                (
                    (
                        SUPPLIER,
                        str(s["uuid"]),
                        s["name"],
                        None,
                        None,
                        {
                            "name": s["name"],
                            "org_number": "",
                            "size_class": s["size_class"],
                            "sector": s["sector"],
                            "source": s["source"],
                        },
                    )
                    for s in new_suppliers.values()
                ),
            )
            report.suppliers_created += len(new_suppliers)

        procurement_ids = {procurements[r.key].pk for r in named}
        existing = set(
            ProcurementSupplier.objects.filter(procurement_id__in=procurement_ids).values_list(
                "procurement_id", "supplier_id", "lot_reference"
            )
        )
        links: dict[tuple[int, int, str], Row] = {}
        for row in named:
            procurement = procurements[row.key]
            supplier_id, _name = suppliers[supplier_name_key(row.supplier_name)]
            link_key = (procurement.pk, supplier_id, row.lot)
            if link_key in existing:
                continue
            if link_key in links:
                report.problems.append(
                    Problem(
                        row.number,
                        _("Same supplier and lot as row %(row)d; skipped.") % {"row": links[link_key].number},
                    )
                )
                continue
            links[link_key] = row
        if not links:
            return
        insert_rows(
            ProcurementSupplier,
            [
                {
                    "procurement_id": procurement_id,
                    "supplier_id": supplier_id,
                    "lot_reference": lot,
                    "contracted_tenders": row.tenders,
                    "source": SOURCE,
                }
                for (procurement_id, supplier_id, lot), row in links.items()
            ],
        )
        per_procurement: dict[int, tuple[Stored, Row, list[str]]] = {}
        for row in links.values():
            procurement = procurements[row.key]
            _id, name = suppliers[supplier_name_key(row.supplier_name)]
            entry = per_procurement.setdefault(procurement.pk, (procurement, row, []))
            entry[2].append(f"{name} ({row.lot})" if row.lot else name)
        _audit_events(
            "procurement.suppliers_added",
            (
                (PROCUREMENT, p.uuid, p.label, self._organisation_id(row), None, {"suppliers": sorted(names)})
                for p, row, names in per_procurement.values()
            ),
        )
        report.links_created += len(links)
