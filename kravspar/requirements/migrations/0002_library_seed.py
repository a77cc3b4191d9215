"""A first set of templates for the requirement library, written for the regions' purchasing
policy. The texts are Kravspår's own summaries; each names the source an officer should check
the current wording against. Administrators maintain the library afterwards."""

from django.db import migrations

TEMPLATES = [
    {
        "title": "Uppförandekod för leverantörer",
        "type": "social",
        "text": (
            "Leverantören ska säkerställa att varor och tjänster som levereras under avtalet är framställda "
            "under förhållanden som är förenliga med FN:s allmänna förklaring om de mänskliga rättigheterna, "
            "ILO:s kärnkonventioner nr 29, 87, 98, 100, 105, 111, 138 och 182, FN:s barnkonvention artikel 32, "
            "tillverkningslandets arbetsrätt, arbetsmiljö- och miljölagstiftning samt FN:s konvention mot "
            "korruption. Kravet gäller i hela leveranskedjan, även hos underleverantörer."
        ),
        "level": "",
        "evidence": (
            "Undertecknad självdeklaration vid avtalsstart. På begäran: policydokument, riskanalys av "
            "leveranskedjan och förteckning över tillverkningsorter."
        ),
        "verified_when": "after_contract",
        "binds_subcontractors": True,
        "aims": [3, 4],
        "source": "Regionernas gemensamma uppförandekod för leverantörer (Hållbar upphandling – regionernas samarbete)",
    },
    {
        "title": "Tillbörlig aktsamhet – basnivå",
        "type": "social",
        "text": (
            "Leverantören ska ha en av ledningen antagen policy som förbinder leverantören att följa "
            "uppförandekoden, utsedd ansvarig person för hållbarhetsfrågor, rutiner för att identifiera och "
            "hantera risker för brott mot uppförandekoden i leveranskedjan samt rutiner för att hantera "
            "avvikelser. Leverantören ska medverka i uppföljning och på begäran lämna information om "
            "leveranskedjan."
        ),
        "level": "bas",
        "evidence": (
            "Policy, namn på ansvarig person, beskrivning av rutiner för riskhantering och avvikelsehantering. "
            "Besvarad självskattning inom 30 dagar från begäran."
        ),
        "verified_when": "after_contract",
        "binds_subcontractors": True,
        "aims": [3, 4],
        "source": "Regionernas särskilda kontraktsvillkor om tillbörlig aktsamhet, basnivå (Hållbar upphandling)",
    },
    {
        "title": "Tillbörlig aktsamhet – avancerad nivå",
        "type": "social",
        "text": (
            "Utöver basnivån ska leverantören årligen genomföra och dokumentera en riskanalys av leveranskedjan, "
            "vidta och följa upp åtgärder där risker identifieras, ha en mekanism för klagomål som är tillgänglig "
            "för arbetstagare i leveranskedjan, samt årligen redovisa arbetet för den upphandlande myndigheten. "
            "Brister åtgärdas enligt en tidsatt åtgärdsplan som parterna kommer överens om."
        ),
        "level": "avancerad",
        "evidence": (
            "Årlig riskanalys och åtgärdsredovisning, beskrivning av klagomålsmekanism, underlag för "
            "skrivbordsrevision (styrdokument reviderade inom de senaste två åren), vid behov platsrevision."
        ),
        "verified_when": "after_contract",
        "binds_subcontractors": True,
        "aims": [3, 4],
        "source": (
            "Regionernas särskilda kontraktsvillkor om tillbörlig aktsamhet, avancerad nivå (Hållbar upphandling)"
        ),
    },
    {
        "title": "Lön, semester och arbetstid enligt kollektivavtal",
        "type": "labour",
        "text": (
            "Leverantören ska under avtalstiden tillförsäkra arbetstagare som utför arbete under kontraktet "
            "i Sverige minst den lön, semester och arbetstid som anges i bilagan med arbetsrättsliga villkor "
            "(lägstanivåer enligt centralt kollektivavtal för branschen). Villkoren gäller även "
            "underleverantörer i alla led som direkt medverkar till att fullgöra kontraktet."
        ),
        "level": "",
        "evidence": (
            "Steg 1: självdeklaration från leverantör och underleverantörer. Steg 2 vid risk eller stickprov: "
            "lönespecifikationer, tidrapporter och schema för utvalda arbetstagare."
        ),
        "verified_when": "after_contract",
        "binds_subcontractors": True,
        "aims": [4],
        "source": "LOU (2016:1145) 17 kap. 2–5 §§; Upphandlingsmyndighetens arbetsrättsliga villkor",
    },
    {
        "title": "Tunga fordon i transportuppdraget uppfyller Euro VI",
        "type": "environment",
        "text": (
            "Tunga fordon som används för att utföra transportuppdraget ska minst uppfylla Euro V. "
            "Tunga fordon som anskaffas för uppdraget under avtalstiden ska minst uppfylla Euro VI."
        ),
        "level": "",
        "criterion_ref": "10234",
        "criterion_version": "2",
        "evidence": "Fordonslista för uppdraget med registreringsnummer; uppgifter ur vägtrafikregistret.",
        "verified_when": "both",
        "binds_subcontractors": True,
        "aims": [3],
        "source": "Upphandlingsmyndighetens hållbarhetskriterier, godstransporter: Euroklass tunga fordon",
    },
    {
        "title": "Fossilfria drivmedel i transportuppdraget",
        "type": "environment",
        "text": (
            "Minst 70 procent av fordonen som används för att utföra transporttjänsten ska drivas med förnybart "
            "drivmedel: el från förnybara källor, biogas, HVO100 eller annan FAME100, bioetanol (ED95/E85) "
            "eller vätgas."
        ),
        "level": "avancerad",
        "criterion_ref": "10699",
        "criterion_version": "2",
        "evidence": (
            "Fordonslista med uppgifter ur vägtrafikregistret som visar drivmedel; tankningsstatistik eller "
            "fakturor från drivmedelsleverantör; avtal om grön el eller grön gas."
        ),
        "verified_when": "both",
        "binds_subcontractors": True,
        "aims": [3],
        "source": "Upphandlingsmyndighetens hållbarhetskriterier, godstransporter: alternativa drivmedel",
    },
    {
        "title": "Kemiska produkter enligt REACH och CLP",
        "type": "environment",
        "text": (
            "Kemiska produkter som levereras eller används under avtalet ska vara klassificerade och märkta "
            "enligt CLP-förordningen (EG) nr 1272/2008 och får inte innehålla ämnen på kandidatförteckningen "
            "enligt REACH (EG) nr 1907/2006 i halter över 0,1 viktprocent. Säkerhetsdatablad på svenska ska "
            "finnas för varje produkt och hållas aktuella under avtalstiden."
        ),
        "level": "bas",
        "evidence": "Säkerhetsdatablad på svenska; produktlista; intyg om kandidatförteckningen vid ändringar.",
        "verified_when": "both",
        "binds_subcontractors": False,
        "aims": [3],
        "source": "REACH-förordningen (EG) nr 1907/2006; CLP-förordningen (EG) nr 1272/2008",
    },
    {
        "title": "Djurskydd enligt svensk djurskyddslagstiftning",
        "type": "animal_welfare",
        "text": (
            "Animaliska produkter som levereras under avtalet ska komma från djur som fötts upp, transporterats "
            "och slaktats under förhållanden som motsvarar svensk djurskyddslagstiftning, bland annat bedövning "
            "före slakt, längsta transporttid och förbud mot rutinmässig svanskupering."
        ),
        "level": "bas",
        "evidence": (
            "Intyg från producent eller tredjepartscertifiering per produkt; vid stickprov spårbarhet från "
            "levererad produkt till ursprungsgård och slakteri."
        ),
        "verified_when": "both",
        "binds_subcontractors": True,
        "aims": [5],
        "source": "Inköpspolicyn, syfte 5; djurskyddslagen (2018:1192)",
    },
    {
        "title": "E-faktura via Peppol BIS Billing 3.0",
        "type": "economy",
        "text": (
            "Leverantören ska skicka elektroniska fakturor enligt Peppol BIS Billing 3.0 via Peppolnätverket. "
            "Fakturan ska ange avtalets referens (ContractDocumentReference), beställarens referens och "
            "artikelnummer enligt avtalets prislista."
        ),
        "level": "",
        "evidence": "Testfaktura före första leverans; löpande kontroll av inkommande fakturor.",
        "verified_when": "after_contract",
        "binds_subcontractors": False,
        "aims": [1],
        "source": (
            "Lag (2018:1277) om elektroniska fakturor till följd av offentlig upphandling; Peppol BIS Billing 3.0"
        ),
    },
    {
        "title": "Prisjustering mot index",
        "type": "economy",
        "text": (
            "Priserna är fasta under de första tolv månaderna. Därefter får priserna justeras en gång per år "
            "med förändringen i det index som anges i avtalet (t.ex. SCB:s arbetskostnadsindex eller "
            "konsumentprisindex). Begäran ska lämnas skriftligen minst två månader före justeringen och "
            "innehålla beräkningen."
        ),
        "level": "",
        "evidence": "Skriftlig begäran med indexberäkning; kontroll av fakturerade priser mot justerad prislista.",
        "verified_when": "after_contract",
        "binds_subcontractors": False,
        "aims": [1],
        "source": "Avtalsvillkor för prisjustering; SCB:s prisindex",
    },
    {
        "title": "Leveransprecision",
        "type": "quality",
        "text": (
            "Minst 98 procent av orderraderna ska levereras komplett på avtalad leveransdag. Leverantören ska "
            "meddela beställaren om restnoteringar senast dagen före leverans och föreslå likvärdig ersättningsvara."
        ),
        "level": "",
        "evidence": "Leveransstatistik per kvartal från leverantören; beställarens avvikelserapporter.",
        "verified_when": "after_contract",
        "binds_subcontractors": False,
        "aims": [1],
        "source": "Kravspår, mall för kvalitetskrav",
    },
    {
        "title": "Vite när leverantören inte medverkar i uppföljning",
        "type": "contract_law",
        "text": (
            "Om leverantören inte lämnar begärda uppgifter eller inte medverkar i uppföljning inom avtalad tid, "
            "eller inte följer en överenskommen åtgärdsplan, utgår vite med 5 000 kronor per påbörjad vecka, "
            "högst tio veckor. Väsentliga brott ger rätt att häva avtalet."
        ),
        "level": "",
        "evidence": "Beslut om vite med underlag (begäran, påminnelse, utebliven åtgärd) i ärendets historik.",
        "verified_when": "after_contract",
        "binds_subcontractors": False,
        "aims": [1, 4],
        "source": "Kravspår, mall för sanktionsvillkor",
    },
]


def add_templates(apps, schema_editor):
    RequirementTemplate = apps.get_model("requirements", "RequirementTemplate")
    db = schema_editor.connection.alias
    for spec in TEMPLATES:
        fields = {"criterion_ref": "", "criterion_version": ""} | spec
        title = fields.pop("title")
        RequirementTemplate.objects.using(db).get_or_create(title=title, defaults=fields)


def remove_templates(apps, schema_editor):
    RequirementTemplate = apps.get_model("requirements", "RequirementTemplate")
    db = schema_editor.connection.alias
    RequirementTemplate.objects.using(db).filter(title__in=[spec["title"] for spec in TEMPLATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("requirements", "0001_initial")]

    operations = [migrations.RunPython(add_templates, remove_templates)]
