"""Move every stored document's original bytes from the database column to the default
storage (local files or S3), one file per document, and back when migrated backwards.

Self-contained on purpose (a migration must not change when the app does). Each chunk of
documents is written to storage first and its rows updated after; a failure part-way
leaves rows that still have their bytes in the column, and running the migration again
moves those (a file written for a row that was not updated is an orphan, which
``prune_orphan_files`` removes).
"""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations

CHUNK = 500


def forwards(apps, schema_editor):
    Document = apps.get_model("invoices", "InvoiceDocument")
    db = schema_editor.connection.alias
    todo = Document.objects.using(db).filter(original_file="").order_by("id")
    last = 0
    while True:
        chunk = list(todo.filter(id__gt=last).only("id", "original", "imported_at")[:CHUNK])
        if not chunk:
            return
        for doc in chunk:
            name = f"invoices/{doc.imported_at:%Y/%m}/{uuid.uuid4().hex}.xml"
            doc.original_file = default_storage.save(name, ContentFile(bytes(doc.original or b"")))
            doc.original = b""
        Document.objects.using(db).bulk_update(chunk, ["original_file", "original"])
        last = chunk[-1].id


def backwards(apps, schema_editor):
    Document = apps.get_model("invoices", "InvoiceDocument")
    db = schema_editor.connection.alias
    todo = Document.objects.using(db).exclude(original_file="").order_by("id")
    last = 0
    while True:
        chunk = list(todo.filter(id__gt=last).only("id", "original_file")[:CHUNK])
        if not chunk:
            return
        for doc in chunk:
            with default_storage.open(doc.original_file.name, "rb") as handle:
                doc.original = handle.read()
        Document.objects.using(db).bulk_update(chunk, ["original"])
        names = [doc.original_file.name for doc in chunk]
        Document.objects.using(db).filter(id__in=[doc.id for doc in chunk]).update(original_file="")
        for name in names:
            default_storage.delete(name)
        last = chunk[-1].id


class Migration(migrations.Migration):
    dependencies = [("invoices", "0004_original_file")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
