"""The OSL provisions most often cited on follow-up material (docs/operations.md says how
administrators keep the list). Codes and titles are the law's Swedish wording."""

from typing import Any

from django.db import migrations

PROVISIONS = [
    (
        "OSL 19 kap. 3 §",
        "Det allmännas ekonomiska intresse vid upphandling",
        "Uppgifter om affärs- eller driftförhållanden och anbud som regionen har "
        "ekonomiskt intresse av att skydda i en upphandling.",
        False,
    ),
    (
        "OSL 21 kap. 7 §",
        "Personuppgifter som skulle behandlas i strid med dataskyddsregleringen",
        "Personuppgifter som inte får lämnas ut om det kan antas att de efter utlämnandet "
        "behandlas i strid med GDPR eller dataskyddslagen.",
        True,
    ),
    (
        "OSL 31 kap. 16 §",
        "Enskildas affärs- och driftförhållanden i affärsförbindelse med det allmänna",
        "Leverantörens affärs- eller driftförhållanden, om den enskilde kan antas lida "
        "skada om uppgiften röjs.",
        False,
    ),
    (
        "OSL 39 kap. 3 §",
        "Enskildas personliga förhållanden i personaladministrativ verksamhet",
        "Uppgifter om anställdas personliga förhållanden, t.ex. lönebesked och tidrapporter.",
        True,
    ),
]


def seed(apps: Any, schema_editor: Any) -> None:
    Provision = apps.get_model("secrecy", "Provision")
    for code, title, description, personal_data in PROVISIONS:
        Provision.objects.get_or_create(
            code=code, defaults={"title": title, "description": description, "personal_data": personal_data}
        )


def unseed(apps: Any, schema_editor: Any) -> None:
    Provision = apps.get_model("secrecy", "Provision")
    Provision.objects.filter(code__in=[p[0] for p in PROVISIONS], marks__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("secrecy", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
