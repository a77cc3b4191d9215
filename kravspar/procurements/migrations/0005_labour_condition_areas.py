"""The rest of Upphandlingsmyndigheten's ready-made areas for labour-law conditions (LOU 17 kap.
2–5 §§): 0003 seeded cleaning, construction, transport, security, catering, laundry, waste,
property maintenance, green spaces and care staffing, but not forestry, snow clearing, removals,
restaurants, hotels or staffing in general.

Idempotent: a prefix the labour table already holds as an active rule (seeded or added by a
library keeper) is left alone, so running it twice, or after a keeper added the row by hand,
adds nothing. Each prefix was checked against kravspar/cpv/data/cpv2008_sv_en.csv.
"""

from django.db import migrations

LABOUR_CONDITIONS = "labour_conditions"
LABOUR_SOURCE = "LOU 17 kap. 2–5 §§; Upphandlingsmyndighetens branschlista"

# (CPV prefix, category label)
RULES = [
    ("772", "Skogsvård"),  # 77200000 Skogstjänster, and its children (77210000 Skogsavverkning ...)
    ("9062", "Snöröjning"),  # 90620000 Snöröjning
    ("9063", "Snöröjning"),  # 90630000 Isröjning
    ("98392", "Flytt"),  # 98392000 Omlokalisering (flyttjänster)
    ("553", "Restaurang och catering"),  # 55300000 Restaurang- och serveringstjänster
    ("551", "Hotell"),  # 55100000 Hotelltjänster
    ("7962", "Bemanning"),  # 79620000 Förmedling av personal, även tillfälligt anställda
]


def add_rules(apps, schema_editor):
    CategoryRule = apps.get_model("procurements", "CategoryRule")
    db = schema_editor.connection.alias
    for prefix, label in RULES:
        if CategoryRule.objects.using(db).filter(kind=LABOUR_CONDITIONS, cpv_prefix=prefix, is_active=True).exists():
            continue
        CategoryRule.objects.using(db).create(
            kind=LABOUR_CONDITIONS, cpv_prefix=prefix, label=label, source=LABOUR_SOURCE, is_active=True
        )


def remove_rules(apps, schema_editor):
    CategoryRule = apps.get_model("procurements", "CategoryRule")
    db = schema_editor.connection.alias
    for prefix, label in RULES:
        CategoryRule.objects.using(db).filter(
            kind=LABOUR_CONDITIONS, cpv_prefix=prefix, label=label, source=LABOUR_SOURCE
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("procurements", "0004_advertised_on")]

    operations = [migrations.RunPython(add_rules, remove_rules)]
