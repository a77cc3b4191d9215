"""The questionnaire templates every installation starts with, one per requirement type that
is followed up by the supplier's self-reporting (domain § 4): the regions' joint code of
conduct, the labour-law conditions of LOU 17 kap. 2–5 §§, vehicles and fuels, and animal
welfare (aim 5). The question texts are Swedish data, not translatable strings.

Each question is (text, type, required, options, help text, shown-if) where shown-if is
(the number of an earlier question in the list, the answer that shows it) or None.
Idempotent by title; reversing removes the templates only if no request was copied from them.
"""

from typing import Any

from django.db import migrations

JA_NEJ = "yes_no"

TEMPLATES: list[dict[str, Any]] = [
    {
        "title": "Självdeklaration: uppförandekod för leverantörer",
        "requirement_type": "social",
        "description": (
            "Regionernas gemensamma uppförandekod för leverantörer ställer krav på att varor och tjänster "
            "produceras under förhållanden som är förenliga med FN:s allmänna förklaring om de mänskliga "
            "rättigheterna, ILO:s kärnkonventioner, FN:s barnkonvention artikel 32, tillverkningslandets "
            "arbetsrätts-, arbetsmiljö- och miljölagstiftning samt FN:s konvention mot korruption. "
            "Svara för er egen verksamhet och för leveranskedjan."
        ),
        "questions": [
            ("Har ni tagit del av regionernas uppförandekod för leverantörer?", JA_NEJ, True, [], "", None),
            (
                "Har ni en policy eller motsvarande styrdokument som omfattar kraven i uppförandekoden?",
                JA_NEJ,
                True,
                [],
                "Till exempel en egen uppförandekod, hållbarhetspolicy eller inköpspolicy.",
                None,
            ),
            ("Bifoga policyn eller styrdokumentet.", "file", True, [], "Dokumentet bör vara reviderat inom de senaste två åren.", (2, "yes")),
            (
                "Vilka av följande områden omfattas av ert arbete med tillbörlig aktsamhet (due diligence)?",
                "multiple",
                True,
                [
                    "Tvångsarbete (ILO 29 och 105)",
                    "Föreningsfrihet och kollektiv förhandlingsrätt (ILO 87 och 98)",
                    "Lika lön och icke-diskriminering (ILO 100 och 111)",
                    "Barnarbete (ILO 138 och 182, barnkonventionen art. 32)",
                    "Arbetsrätt och arbetsmiljö enligt tillverkningslandets lag",
                    "Miljölagstiftning i tillverkningslandet",
                    "Korruption (FN:s konvention mot korruption)",
                ],
                "",
                None,
            ),
            (
                "Har ni kartlagt risker för brott mot uppförandekoden i leveranskedjan för de varor eller tjänster som levereras i avtalet?",
                JA_NEJ,
                True,
                [],
                "En riskanalys visar var i kedjan (land, bransch, led) riskerna är störst.",
                None,
            ),
            ("Beskriv kortfattat resultatet av riskkartläggningen och vilka högriskled ni har identifierat.", "text", True, [], "", (5, "yes")),
            (
                "Hur följer ni upp att era underleverantörer lever upp till kraven?",
                "single",
                True,
                [
                    "Egen revision på plats",
                    "Revision av tredje part",
                    "Självdeklarationer från underleverantörer",
                    "Ingen uppföljning ännu",
                ],
                "",
                None,
            ),
            ("Har avvikelser från uppförandekoden upptäckts under de senaste tolv månaderna?", JA_NEJ, True, [], "", None),
            ("Beskriv avvikelserna och vilka åtgärder som vidtagits.", "text", True, [], "", (8, "yes")),
            ("Har ni en rutin för att motverka mutor och korruption?", JA_NEJ, True, [], "", None),
            ("Kontaktperson för hållbarhetsfrågor (namn, e-post och telefon)", "text", True, [], "", None),
        ],
    },
    {
        "title": "Självdeklaration: arbetsrättsliga villkor",
        "requirement_type": "labour",
        "description": (
            "Avtalet innehåller särskilda arbetsrättsliga villkor om lön, semester och arbetstid enligt "
            "lagen om offentlig upphandling (LOU) 17 kap. 2–5 §§. Villkoren gäller för er och för alla "
            "underleverantörer som medverkar i avtalet, oavsett antal led. Detta är steg 1 i uppföljningen; "
            "vid steg 2 kan vi begära lönespecifikationer och tidrapporter."
        ),
        "questions": [
            (
                "Tillämpar ni ett centralt kollektivavtal för den personal som utför arbete i avtalet?",
                JA_NEJ,
                True,
                [],
                "Det räcker inte med hängavtal som inte tillämpas; svara för den personal som arbetar i avtalet.",
                None,
            ),
            ("Vilket kollektivavtal tillämpas?", "text", True, [], "Till exempel Serviceentreprenadavtalet.", (1, "yes")),
            (
                "Beskriv hur ni säkerställer att lön, semester och arbetstid minst motsvarar villkoren i avtalet.",
                "text",
                True,
                [],
                "",
                (1, "no"),
            ),
            ("Lägsta timlön för personal i avtalet (kronor per timme)", "number", True, [], "Före skatt, utan OB-tillägg.", None),
            ("Antal semesterdagar per år för heltidsanställd personal", "number", True, [], "", None),
            ("Ordinarie arbetstid per vecka för heltidsanställd (timmar)", "number", True, [], "", None),
            ("Anlitar ni underleverantörer för arbete i avtalet?", JA_NEJ, True, [], "", None),
            ("Ange underleverantörerna (namn och organisationsnummer).", "text", True, [], "Uppgifterna behandlas konfidentiellt.", (7, "yes")),
            (
                "Har ni avtalat med underleverantörerna om samma villkor för lön, semester och arbetstid?",
                JA_NEJ,
                True,
                [],
                "Villkoren ska gälla i alla led (LOU 17 kap. 5 §).",
                (7, "yes"),
            ),
            ("Bifoga intyg från underleverantörerna om att villkoren följs.", "file", False, [], "", (7, "yes")),
            ("Datum då uppgifterna gäller", "date", True, [], "", None),
        ],
    },
    {
        "title": "Självdeklaration: fordon och drivmedel",
        "requirement_type": "environment",
        "description": (
            "Uppföljning av miljökraven på fordon och drivmedel i avtalet. Uppgifterna jämförs med "
            "vägtrafikregistret vid stickprov."
        ),
        "questions": [
            ("Hur många fordon används för uppdrag i avtalet?", "number", True, [], "", None),
            (
                "Vilka drivmedel används?",
                "multiple",
                True,
                ["El", "HVO100", "Biogas", "Etanol (ED95/E85)", "Diesel", "Bensin", "Annat"],
                "",
                None,
            ),
            ("Vilka andra drivmedel används?", "text", True, [], "", (2, "Annat")),
            ("Uppfyller samtliga tunga fordon lägst utsläppsklass Euro VI?", JA_NEJ, True, [], "", None),
            ("Vilka fordon uppfyller inte Euro VI, och när byts de ut?", "text", True, [], "", (4, "no")),
            (
                "Bifoga fordonslista med registreringsnummer, utsläppsklass och drivmedel.",
                "file",
                True,
                [],
                "Gärna som Excel- eller CSV-fil.",
                None,
            ),
            ("Andel förnybart drivmedel under den senaste tolvmånadersperioden (procent)", "number", True, [], "", None),
            (
                "Bifoga kvitton eller leverantörsintyg som visar inköpt förnybart drivmedel.",
                "file",
                False,
                [],
                "",
                None,
            ),
        ],
    },
    {
        "title": "Självdeklaration: djurskydd",
        "requirement_type": "animal_welfare",
        "description": (
            "Inköpspolicyn säger att animalier som köps, där så är möjligt, ska vara uppfödda och hanterade "
            "i enlighet med svensk djurskyddslagstiftning eller ännu bättre. Svara för de animaliska "
            "produkter som levereras i avtalet."
        ),
        "questions": [
            (
                "Är de animaliska produkterna i avtalet producerade enligt svensk djurskyddslagstiftning eller motsvarande?",
                JA_NEJ,
                True,
                [],
                "",
                None,
            ),
            ("Vilka produkter uppfyller inte kravet, och varför?", "text", True, [], "", (1, "no")),
            (
                "Hur visar ni att kravet uppfylls?",
                "single",
                True,
                ["Certifiering (t.ex. IP Sigill, KRAV)", "Tredjepartsrevision", "Egen kontroll", "Annat"],
                "",
                None,
            ),
            ("Bifoga certifikat eller revisionsrapport.", "file", True, [], "", (3, "Certifiering (t.ex. IP Sigill, KRAV)")),
            ("Bifoga certifikat eller revisionsrapport.", "file", True, [], "", (3, "Tredjepartsrevision")),
            ("Beskriv hur kontrollen går till.", "text", True, [], "", (3, "Egen kontroll")),
            ("Ange ursprungsland för kött, mjölk och ägg i avtalet.", "text", True, [], "", None),
            (
                "Är djuren bedövade vid slakt?",
                JA_NEJ,
                True,
                [],
                "Svensk lagstiftning kräver bedövning före slakt.",
                None,
            ),
        ],
    },
]


def seed(apps: Any, schema_editor: Any) -> None:
    Questionnaire = apps.get_model("questionnaires", "Questionnaire")
    Question = apps.get_model("questionnaires", "Question")
    for spec in TEMPLATES:
        if Questionnaire.objects.filter(title=spec["title"], is_template=True).exists():
            continue
        questionnaire = Questionnaire.objects.create(
            title=spec["title"],
            requirement_type=spec["requirement_type"],
            description=spec["description"],
            is_template=True,
            active=True,
        )
        created: list[Any] = []
        for position, (text, kind, required, options, help_text, shown_if) in enumerate(spec["questions"]):
            parent, value = (created[shown_if[0] - 1], shown_if[1]) if shown_if else (None, "")
            created.append(
                Question.objects.create(
                    questionnaire=questionnaire,
                    position=position,
                    text=text,
                    type=kind,
                    required=required,
                    options=options,
                    help_text=help_text,
                    show_if_question=parent,
                    show_if_value=value,
                )
            )


def unseed(apps: Any, schema_editor: Any) -> None:
    Questionnaire = apps.get_model("questionnaires", "Questionnaire")
    titles = [spec["title"] for spec in TEMPLATES]
    Questionnaire.objects.filter(title__in=titles, is_template=True, copies__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("questionnaires", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
