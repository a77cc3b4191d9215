"""Read the delivery date (BT-72) and the invoice periods (BT-73/74, line BT-134/135) of the
documents stored before the fields existed, from their original bytes, so that the economic
checks judge old invoices by the period they cover too (``match_invoices --all`` applies it
to what matching found before).

Self-contained on purpose (a migration must not change when ``ubl.py`` does): the same safe
parser settings (no entities, no DTD, no network), and a date that is not a date is left
empty rather than guessed; the document was accepted when it came in and stays stored.
"""

import datetime

from django.db import migrations

CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"
CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
CHUNK = 500


def _original_bytes(original):
    """The column's bytes, as the model had them when this migration was written. (Since
    0006 the original is a file in storage; a test calls this function on today's model.)"""
    if hasattr(original, "open"):
        with original.open("rb") as handle:
            return handle.read()
    return bytes(original)


def _date(el):
    if el is None or not el.text:
        return None
    try:
        return datetime.date.fromisoformat(el.text.strip())
    except ValueError:
        return None


def _period(el):
    if el is None:
        return None, None
    start, end = _date(el.find(CBC + "StartDate")), _date(el.find(CBC + "EndDate"))
    if start and end and end < start:
        return None, None
    return start, end


def backfill(apps, schema_editor):
    from lxml import etree

    InvoiceDocument = apps.get_model("invoices", "InvoiceDocument")
    InvoiceLine = apps.get_model("invoices", "InvoiceLine")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    ids = list(InvoiceDocument.objects.order_by("id").values_list("id", flat=True))
    for first in range(0, len(ids), CHUNK):
        docs, lines = [], []
        chunk = ids[first : first + CHUNK]
        positions = {}
        for line in InvoiceLine.objects.filter(document_id__in=chunk).only("id", "document_id", "position"):
            positions[(line.document_id, line.position)] = line
        for doc in InvoiceDocument.objects.filter(id__in=chunk).only("id", "original"):
            try:
                root = etree.fromstring(_original_bytes(doc.original), parser)
            except etree.XMLSyntaxError:
                continue
            delivery = root.find(CAC + "Delivery")
            doc.delivery_date = _date(delivery.find(CBC + "ActualDeliveryDate")) if delivery is not None else None
            doc.period_start, doc.period_end = _period(root.find(CAC + "InvoicePeriod"))
            if doc.delivery_date or doc.period_start or doc.period_end:
                docs.append(doc)
            line_tag = CAC + ("InvoiceLine" if etree.QName(root).localname == "Invoice" else "CreditNoteLine")
            for position, el in enumerate(root.iterchildren(line_tag), start=1):
                start, end = _period(el.find(CAC + "InvoicePeriod"))
                line = positions.get((doc.id, position))
                if line is not None and (start or end):
                    line.period_start, line.period_end = start, end
                    lines.append(line)
        InvoiceDocument.objects.bulk_update(docs, ["delivery_date", "period_start", "period_end"])
        InvoiceLine.objects.bulk_update(lines, ["period_start", "period_end"])


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0002_covered_period"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
