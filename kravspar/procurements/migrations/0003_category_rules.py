"""The maintained category tables that suggest follow-up during planning (policy.suggestions).

Every prefix was checked against the CPV 2008 labels in kravspar/cpv/data/cpv2008_sv_en.csv;
the comment after each row names the CPV code the prefix starts from. Administrators keep
the tables up to date afterwards; this migration only gives them a sourced start.
"""

from django.db import migrations

HIGH_RISK_SOCIAL = "high_risk_social"
ENVIRONMENT_PRIORITY = "environment_priority"
ANIMAL_PRODUCTS = "animal_products"
LABOUR_CONDITIONS = "labour_conditions"

SOCIAL_SOURCE = (
    "Regionernas gemensamma uppförandekod och högriskkategorier (Hållbar upphandling – regionernas samarbete)"
)
ENVIRONMENT_SOURCE = "Regionernas miljöprogram; Upphandlingsmyndighetens prioriterade områden"
ANIMAL_SOURCE = "Inköpspolicyn, syfte 5 (djurskydd)"
LABOUR_SOURCE = "LOU 17 kap. 2–5 §§; Upphandlingsmyndighetens branschlista"

# (kind, CPV prefix, category label, source)
RULES = [
    # The regions' high-risk categories, followed up jointly under the code of conduct.
    (HIGH_RISK_SOCIAL, "33169", "Instrument", SOCIAL_SOURCE),  # 33169000 Kirurgiska instrument
    (HIGH_RISK_SOCIAL, "3376", "Vårdpapper och vårdplast", SOCIAL_SOURCE),  # 33760000 Toalettpapper, näsdukar ...
    (HIGH_RISK_SOCIAL, "3377", "Vårdpapper och vårdplast", SOCIAL_SOURCE),  # 33770000 Sanitetspapper
    (
        HIGH_RISK_SOCIAL,
        "1964",
        "Vårdpapper och vårdplast",
        SOCIAL_SOURCE,
    ),  # 19640000 Sopsäckar och soppåsar av polyeten
    (HIGH_RISK_SOCIAL, "331", "Medicinsk utrustning och medicinteknik", SOCIAL_SOURCE),  # 33100000 Medicinsk utrustning
    (HIGH_RISK_SOCIAL, "15", "Livsmedel", SOCIAL_SOURCE),  # 15000000 Livsmedel, drycker, tobak o d
    (HIGH_RISK_SOCIAL, "3983", "Städ", SOCIAL_SOURCE),  # 39830000 Rengöringsmedel
    (HIGH_RISK_SOCIAL, "9091", "Städ", SOCIAL_SOURCE),  # 90910000 Städning
    (HIGH_RISK_SOCIAL, "302", "IT-produkter", SOCIAL_SOURCE),  # 30200000 Datorer och datamateriel
    (HIGH_RISK_SOCIAL, "3225", "IT-produkter", SOCIAL_SOURCE),  # 32250000 Mobiltelefoner
    (HIGH_RISK_SOCIAL, "331411", "Sårvård", SOCIAL_SOURCE),  # 33141100 Förbandsartiklar; clips, suturer och ligaturer
    (HIGH_RISK_SOCIAL, "336", "Läkemedel", SOCIAL_SOURCE),  # 33600000 Läkemedel
    (HIGH_RISK_SOCIAL, "3314", "Förbrukningsmaterial", SOCIAL_SOURCE),  # 33140000 Medicinska förbrukningsartiklar
    (HIGH_RISK_SOCIAL, "18", "Textilier", SOCIAL_SOURCE),  # 18000000 Kläder, skor, väskor och tillbehör
    (HIGH_RISK_SOCIAL, "192", "Textilier", SOCIAL_SOURCE),  # 19200000 Textilier och tillhörande varor
    (HIGH_RISK_SOCIAL, "395", "Textilier", SOCIAL_SOURCE),  # 39500000 Textilvaror
    (HIGH_RISK_SOCIAL, "9831", "Tvätt", SOCIAL_SOURCE),  # 98310000 Tvätt- och kemtvättstjänster
    # Environment-priority areas: an environment specialist takes part.
    (ENVIRONMENT_PRIORITY, "341", "Fordon", ENVIRONMENT_SOURCE),  # 34100000 Motorfordon
    (ENVIRONMENT_PRIORITY, "60", "Transporter", ENVIRONMENT_SOURCE),  # 60000000 Transporter (utom avfallstransport)
    (ENVIRONMENT_PRIORITY, "15", "Livsmedel", ENVIRONMENT_SOURCE),  # 15000000 Livsmedel, drycker, tobak o d
    (ENVIRONMENT_PRIORITY, "24", "Kemikalier", ENVIRONMENT_SOURCE),  # 24000000 Kemiska produkter
    (ENVIRONMENT_PRIORITY, "3983", "Städ", ENVIRONMENT_SOURCE),  # 39830000 Rengöringsmedel
    (ENVIRONMENT_PRIORITY, "9091", "Städ", ENVIRONMENT_SOURCE),  # 90910000 Städning
    (ENVIRONMENT_PRIORITY, "09", "Energi och bränslen", ENVIRONMENT_SOURCE),  # 09000000 Petroleumprodukter, bränsle ...
    (ENVIRONMENT_PRIORITY, "652", "Energi och bränslen", ENVIRONMENT_SOURCE),  # 65200000 Gasdistribution
    (ENVIRONMENT_PRIORITY, "653", "Energi och bränslen", ENVIRONMENT_SOURCE),  # 65300000 Eldistribution
    (ENVIRONMENT_PRIORITY, "654", "Energi och bränslen", ENVIRONMENT_SOURCE),  # 65400000 Andra energikällor
    (ENVIRONMENT_PRIORITY, "45", "Bygg och anläggning", ENVIRONMENT_SOURCE),  # 45000000 Anläggningsarbete
    (ENVIRONMENT_PRIORITY, "30", "IT och kontorsutrustning", ENVIRONMENT_SOURCE),  # 30000000 Kontorsmaskiner, datorer
    (ENVIRONMENT_PRIORITY, "336", "Läkemedel", ENVIRONMENT_SOURCE),  # 33600000 Läkemedel
    (ENVIRONMENT_PRIORITY, "18", "Textilier", ENVIRONMENT_SOURCE),  # 18000000 Kläder, skor, väskor och tillbehör
    (ENVIRONMENT_PRIORITY, "395", "Textilier", ENVIRONMENT_SOURCE),  # 39500000 Textilvaror
    # Animal products: aim 5 (animal welfare) becomes relevant.
    (ANIMAL_PRODUCTS, "151", "Kött och köttprodukter", ANIMAL_SOURCE),  # 15100000 Animaliska livsmedel, kött ...
    (ANIMAL_PRODUCTS, "152", "Fisk och skaldjur", ANIMAL_SOURCE),  # 15200000 Beredd och konserverad fisk
    (ANIMAL_PRODUCTS, "0331", "Fisk och skaldjur", ANIMAL_SOURCE),  # 03310000 Fisk, skaldjur och akvatiska produkter
    (ANIMAL_PRODUCTS, "155", "Mejeriprodukter", ANIMAL_SOURCE),  # 15500000 Mejeriprodukter
    (ANIMAL_PRODUCTS, "03142300", "Animaliska livsmedel", ANIMAL_SOURCE),  # 03142300 Animaliska livsmedel
    (ANIMAL_PRODUCTS, "03142500", "Ägg", ANIMAL_SOURCE),  # 03142500 Ägg
    (ANIMAL_PRODUCTS, "555", "Måltidstjänster och catering", ANIMAL_SOURCE),  # 55500000 Matsalstjänster och catering
    # Labour-intensive services where a needs assessment for labour-law conditions is due.
    (LABOUR_CONDITIONS, "9091", "Städ", LABOUR_SOURCE),  # 90910000 Städning
    (LABOUR_CONDITIONS, "45", "Bygg och anläggning", LABOUR_SOURCE),  # 45000000 Anläggningsarbete
    (LABOUR_CONDITIONS, "60", "Transporter", LABOUR_SOURCE),  # 60000000 Transporter (utom avfallstransport)
    (LABOUR_CONDITIONS, "7971", "Bevakning och säkerhet", LABOUR_SOURCE),  # 79710000 Säkerhetstjänster
    (LABOUR_CONDITIONS, "555", "Restaurang och catering", LABOUR_SOURCE),  # 55500000 Matsalstjänster och catering
    (LABOUR_CONDITIONS, "9831", "Tvätt", LABOUR_SOURCE),  # 98310000 Tvätt- och kemtvättstjänster
    (LABOUR_CONDITIONS, "905", "Avfall", LABOUR_SOURCE),  # 90500000 Avfallstjänster
    (
        LABOUR_CONDITIONS,
        "507",
        "Fastighetsunderhåll",
        LABOUR_SOURCE,
    ),  # 50700000 Reparation och underhåll ... i byggnader
    (LABOUR_CONDITIONS, "7731", "Grönyteskötsel", LABOUR_SOURCE),  # 77310000 Plantering och skötsel av grönområden
    (LABOUR_CONDITIONS, "79624", "Bemanning av vårdpersonal", LABOUR_SOURCE),  # 79624000 Förmedling av vårdpersonal
]


def add_rules(apps, schema_editor):
    CategoryRule = apps.get_model("procurements", "CategoryRule")
    db = schema_editor.connection.alias
    for kind, prefix, label, source in RULES:
        CategoryRule.objects.using(db).get_or_create(
            kind=kind, cpv_prefix=prefix, source=source, defaults={"label": label}
        )


def remove_rules(apps, schema_editor):
    CategoryRule = apps.get_model("procurements", "CategoryRule")
    db = schema_editor.connection.alias
    for kind, prefix, _label, source in RULES:
        CategoryRule.objects.using(db).filter(kind=kind, cpv_prefix=prefix, source=source).delete()


class Migration(migrations.Migration):
    dependencies = [("procurements", "0002_initial")]

    operations = [migrations.RunPython(add_rules, remove_rules)]
