"""Seed the EU threshold table (2024–2025 and 2026–2027) and the central collective
agreements that Upphandlingsmyndigheten's ready-made labour-law conditions refer to.

Idempotent: a row that exists (same period and kind, or same agreement and start) is left
alone, so a keeper's correction survives re-running. Reversing removes only unchanged seeds.
"""

import datetime
from decimal import Decimal

from django.db import migrations

SOURCE_2024 = (
    "Kommissionens delegerade förordningar (EU) 2023/2495–2497; kronor enligt kommissionens "
    "meddelande 2023/C 446/02 (1 EUR = 10,8126 SEK)"
)
# The euro values for 2026–2027 are the Commission's; the kronor values below are the euro
# value at the two-year average rate the Commission uses (about 11,33 SEK), pending a check
# against Upphandlingsmyndigheten's published table. Correct them with `set_eu_threshold`.
SOURCE_2026 = (
    "Kommissionens delegerade förordningar (EU) 2025/2150–2152 (euro); kronor preliminärt omräknade "
    "med 1 EUR = 11,33 SEK – stäm av mot Upphandlingsmyndighetens tabell"
)

# (valid_from, valid_to, buyer category, contract kind, EUR, SEK, source)
THRESHOLDS = []
for start, end, source, values in (
    (
        datetime.date(2024, 1, 1),
        datetime.date(2025, 12, 31),
        SOURCE_2024,
        {
            ("central", "supplies"): (143_000, 1_546_202),
            ("central", "services"): (143_000, 1_546_202),
            ("sub_central", "supplies"): (221_000, 2_389_585),
            ("sub_central", "services"): (221_000, 2_389_585),
            ("central", "works"): (5_538_000, 59_880_179),
            ("sub_central", "works"): (5_538_000, 59_880_179),
            ("central", "social_services"): (750_000, 8_109_450),
            ("sub_central", "social_services"): (750_000, 8_109_450),
        },
    ),
    (
        datetime.date(2026, 1, 1),
        datetime.date(2027, 12, 31),
        SOURCE_2026,
        {
            ("central", "supplies"): (140_000, 1_586_200),
            ("central", "services"): (140_000, 1_586_200),
            ("sub_central", "supplies"): (216_000, 2_447_280),
            ("sub_central", "services"): (216_000, 2_447_280),
            ("central", "works"): (5_404_000, 61_227_320),
            ("sub_central", "works"): (5_404_000, 61_227_320),
            ("central", "social_services"): (750_000, 8_497_500),
            ("sub_central", "social_services"): (750_000, 8_497_500),
        },
    ),
):
    for (category, kind), (eur, sek) in values.items():
        THRESHOLDS.append((start, end, category, kind, eur, sek, source))

AGREEMENT_SOURCE = "Upphandlingsmyndighetens färdiga arbetsrättsliga villkor; avtalsperiod enligt avtalsrörelsen 2025"
APRIL_2025, MARCH_2027 = datetime.date(2025, 4, 1), datetime.date(2027, 3, 31)
# (name, parties, sector, valid_from, valid_to, CPV prefixes as in procurements' category rules)
AGREEMENTS = [
    (
        "Serviceentreprenadavtalet",
        "Almega Tjänsteföretagen – Fastighetsanställdas Förbund",
        "Städ",
        APRIL_2025,
        MARCH_2027,
        ["9091"],
    ),
    (
        "Byggavtalet",
        "Byggföretagen – Svenska Byggnadsarbetareförbundet",
        "Bygg och anläggning",
        datetime.date(2025, 5, 1),
        datetime.date(2027, 4, 30),
        ["45"],
    ),
    (
        "Transportavtalet",
        "Transportföretagen (Biltrafikens Arbetsgivareförbund) – Svenska Transportarbetareförbundet",
        "Transport och flytt",
        APRIL_2025,
        MARCH_2027,
        ["60", "98392"],
    ),
    (
        "Bevakningsavtalet",
        "Almega Säkerhetsföretagen – Svenska Transportarbetareförbundet",
        "Bevakning och säkerhet",
        APRIL_2025,
        MARCH_2027,
        ["7971"],
    ),
    (
        "Gröna riksavtalet",
        "Visita – Hotell- och restaurangfacket",
        "Restaurang, catering och hotell",
        APRIL_2025,
        MARCH_2027,
        ["553", "555", "551"],
    ),
    (
        "Skogsavtalet",
        "Gröna arbetsgivare – GS-facket",
        "Skogsvård",
        APRIL_2025,
        MARCH_2027,
        ["772"],
    ),
    (
        "Maskinföraravtalet",
        "Maskinentreprenörerna – Svenska Byggnadsarbetareförbundet",
        "Snöröjning",
        datetime.date(2025, 5, 1),
        datetime.date(2027, 4, 30),
        ["9062", "9063"],
    ),
]


def seed(apps, schema_editor):
    db = schema_editor.connection.alias
    EUThreshold = apps.get_model("labour", "EUThreshold")
    CollectiveAgreement = apps.get_model("labour", "CollectiveAgreement")
    for start, end, category, kind, eur, sek, source in THRESHOLDS:
        EUThreshold.objects.using(db).get_or_create(
            valid_from=start,
            buyer_category=category,
            contract_kind=kind,
            defaults={"valid_to": end, "amount_eur": Decimal(eur), "amount_sek": Decimal(sek), "source": source},
        )
    for name, parties, sector, start, end, prefixes in AGREEMENTS:
        CollectiveAgreement.objects.using(db).get_or_create(
            name=name,
            valid_from=start,
            defaults={
                "parties": parties,
                "sector": sector,
                "valid_to": end,
                "cpv_prefixes": prefixes,
                "source": AGREEMENT_SOURCE,
            },
        )


def unseed(apps, schema_editor):
    db = schema_editor.connection.alias
    EUThreshold = apps.get_model("labour", "EUThreshold")
    CollectiveAgreement = apps.get_model("labour", "CollectiveAgreement")
    for start, _end, category, kind, _eur, sek, source in THRESHOLDS:
        EUThreshold.objects.using(db).filter(
            valid_from=start, buyer_category=category, contract_kind=kind, amount_sek=sek, source=source
        ).delete()
    for name, _parties, _sector, start, _end, _prefixes in AGREEMENTS:
        CollectiveAgreement.objects.using(db).filter(
            name=name, valid_from=start, source=AGREEMENT_SOURCE, assessments__isnull=True
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("labour", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
