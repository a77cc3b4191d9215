"""Demo data of supplierinfo, called by `seed_demo` after contracts and follow-ups exist:
the documents the regions' supplier page names (the joint purchasing policy, its
guidelines and the regions' code of conduct for suppliers) as links, the purchasing
policy with two versions so the feed has history, and each region's contact details as
the page gives them."""

from __future__ import annotations

import datetime

from kravspar.organisations.models import Organisation
from kravspar.supplierinfo import services
from kravspar.supplierinfo.models import DocumentKind, PolicyDocument, RegionContact

# (title, kind, description, [(label, valid from, link, change note)])
DOCUMENTS = [
    (
        "Inköpspolicy för Region Sörmland och Region Västmanland",
        DocumentKind.POLICY,
        "Den gemensamma inköpspolicyn. Gäller vid alla inköp som görs av Region Sörmland och Region "
        "Västmanland, inklusive helägda bolag och stiftelser.",
        [
            ("2019", datetime.date(2019, 1, 1), "https://regionsormland.se/", ""),
            (
                "2024",
                datetime.date(2024, 1, 1),
                "https://www.regionvastmanland.se/",
                "Demoversion: en ny version av policyn, så att flödet och bekräftelserna har historik.",
            ),
        ],
    ),
    (
        "Riktlinjer för inköpspolicyn",
        DocumentKind.GUIDELINE,
        "Inköpspolicyns riktlinjer: de sex syftena med varje inköp och hur regionernas miljöprogram tas med "
        "när upphandlingar planeras.",
        [("2024", datetime.date(2024, 1, 1), "https://www.regionvastmanland.se/", "")],
    ),
    (
        "Uppförandekod för leverantörer",
        DocumentKind.CODE_OF_CONDUCT,
        "Regionernas gemensamma uppförandekod: mänskliga rättigheter, ILO:s kärnkonventioner, barnkonventionen "
        "artikel 32, arbetsrätt, miljö och antikorruption i produktionslandet.",
        [("2021", datetime.date(2021, 1, 1), "https://samverkan.regionsormland.se/", "")],
    ),
]

# The English page's title and summary of each document (the documents are in Swedish).
ENGLISH = {
    "Inköpspolicy för Region Sörmland och Region Västmanland": (
        "Purchasing policy of Region Sörmland and Region Västmanland",
        "The joint purchasing policy. It applies to every purchase made by Region Sörmland and Region "
        "Västmanland, including their wholly owned companies and foundations.",
    ),
    "Riktlinjer för inköpspolicyn": (
        "Guidelines to the purchasing policy",
        "The policy's guidelines: the six aims of every purchase and how the regions' environmental programmes "
        "are included when procurements are planned.",
    ),
    "Uppförandekod för leverantörer": (
        "Code of conduct for suppliers",
        "The regions' joint code of conduct: human rights, the ILO core conventions, article 32 of the "
        "Convention on the Rights of the Child, labour law, environment and anti-corruption in the country "
        "of production.",
    ),
}

# From the regions' page for suppliers.
CONTACTS = {
    "2321000032": {
        "visiting_address": "Repslagargatan 19, Nyköping",
        "phone": "0155-24 50 00",
        "email": "post@regionsormland.se",
        "website": "https://regionsormland.se/",
    },
    "2321000172": {
        "visiting_address": "Regionhuset (ingång 4), Västmanlands sjukhus Västerås",
        "phone": "021-17 30 00",
        "email": "region@regionvastmanland.se",
        "website": "https://www.regionvastmanland.se/",
    },
}


def seed() -> list[tuple[str, str, str]]:
    """Idempotent: running `seed_demo` twice creates nothing new. Returns extra demo
    logins as (username, role, name) for `make run` to print."""
    for title, kind, description, versions in DOCUMENTS:
        document = PolicyDocument.objects.filter(title=title).first()
        if document is None:
            title_en, description_en = ENGLISH.get(title, ("", ""))
            document = services.document_create(
                actor=None,
                title=title,
                kind=kind,
                description=description,
                title_en=title_en,
                description_en=description_en,
            )
        for label, valid_from, url, note in versions:
            if not document.versions.filter(label=label).exists():
                services.version_publish(
                    actor=None, document=document, label=label, valid_from=valid_from, url=url, change_note=note
                )
    for org_number, contact in CONTACTS.items():
        region = Organisation.objects.filter(org_number=org_number).first()
        if region is not None and not RegionContact.objects.filter(organisation=region).exists():
            services.region_contact_save(
                actor=None,
                organisation=region,
                visiting_address=contact["visiting_address"],
                phone=contact["phone"],
                email=contact["email"],
                website=contact["website"],
            )
    return []
