"""Load the CPV 2008 vocabulary bundled in cpv/data (source and license in PROVENANCE.md)."""

import csv
import unicodedata
from pathlib import Path

from django.db import migrations

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "cpv2008_sv_en.csv"
BATCH_SIZE = 1000


def _search_text(label_sv, label_en):
    # Kept here rather than imported so that this migration does not change when the app
    # does; it must give the same text as kravspar.cpv.codes.search_text.
    return "\n".join(unicodedata.normalize("NFC", label).casefold() for label in (label_sv, label_en))


def load_codes(apps, schema_editor):
    CpvCode = apps.get_model("cpv", "CpvCode")
    with CSV_PATH.open(encoding="utf-8", newline="") as f:
        rows = [
            CpvCode(
                code=row["code"],
                division=row["division"],
                label_sv=row["label_sv"],
                label_en=row["label_en"],
                search_text=_search_text(row["label_sv"], row["label_en"]),
            )
            for row in csv.DictReader(f)
        ]
    CpvCode.objects.using(schema_editor.connection.alias).bulk_create(rows, batch_size=BATCH_SIZE)


def remove_codes(apps, schema_editor):
    apps.get_model("cpv", "CpvCode").objects.using(schema_editor.connection.alias).all().delete()


class Migration(migrations.Migration):
    dependencies = [("cpv", "0001_initial")]

    operations = [migrations.RunPython(load_codes, remove_codes)]
