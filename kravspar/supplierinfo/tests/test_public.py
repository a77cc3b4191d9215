"""The public page (Swedish and English), document downloads and the Atom feed: no login."""

import datetime

from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from lxml import etree

from kravspar.organisations.models import OrganisationKind
from kravspar.procurements.forms import AIM_TEXT
from kravspar.procurements.models import Aim
from kravspar.supplierinfo import services
from kravspar.supplierinfo.models import PolicyDocumentVersion
from kravspar.supplierinfo.tests.conftest import PDF
from kravspar.testing.factories import OrganisationFactory

PUBLIC = reverse("supplierinfo:public")
PUBLIC_EN = reverse("supplierinfo:public_en")
FEED = reverse("supplierinfo:feed")
ATOM = "{http://www.w3.org/2005/Atom}"


def test_public_page_in_swedish_without_login(client, world, policy, code_of_conduct):
    services.region_contact_save(
        actor=world.admin, organisation=world.sormland, phone="0155-24 50 00", email="post@regionsormland.se"
    )
    response = client.get(PUBLIC)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert "Information till leverantörer" in html
    # Both regions: org number and Peppol id from the organisation register.
    for text in ("232100-0032", "0007:2321000032", "232100-0172", "0007:2321000172", "post@regionsormland.se"):
        assert text in html
    # The six aims, in the policy's words.
    with translation.override("sv"):
        aims = [(str(aim.label), str(AIM_TEXT[aim])) for aim in Aim]
    assert aims[0] == ("God ekonomisk hushållning", "Bidra till en god ekonomisk hushållning.")
    # Aim 2 and aim 4 in the policy's own words: näringslivsklimat, tredjepartsleverantörer.
    assert aims[1] == ("Ett gott näringslivsklimat", "Främja ett gott näringslivsklimat i regionerna och globalt.")
    assert "hos leverantörer och tredjepartsleverantörer där varor och tjänster inhandlas" in aims[3][1]
    assert "företagsklimat" not in html
    for label, text in aims:
        assert f"<li><strong>{label}</strong> – {escape(text)}</li>" in html
    # Current documents and the earlier version.
    assert "Inköpspolicy" in html and "https://regionsormland.se/policy-2024" in html
    assert "https://regionsormland.se/policy-2019" in html
    cod = code_of_conduct.versions.get()
    assert reverse("supplierinfo:download", args=[code_of_conduct.uuid, cod.uuid]) in html
    # The English version and the feed are linked.
    assert f'href="{PUBLIC_EN}" hreflang="en" lang="en"' in html
    assert f'href="{FEED}" type="application/atom+xml" rel="alternate"' in html
    assert 'rel="alternate"; type="application/atom+xml"' in response["Link"]
    assert 'hreflang="en"' in response["Link"]


def test_public_page_in_english(client, world, policy):
    response = client.get(PUBLIC_EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Information for suppliers" in html
    assert "Region Sörmland and Region Västmanland have a joint purchasing policy." in html
    with translation.override("en"):
        labels = [str(aim.label) for aim in Aim]
    for label in labels:
        assert label in html
    assert "232100-0172" in html and "0007:2321000172" in html
    assert f'href="{PUBLIC}" hreflang="sv" lang="sv"' in html
    assert response["Content-Language"] == "en"
    # The English page does not change the visitor's language for the next page.
    assert '<html lang="sv">' in client.get(PUBLIC).content.decode()


def test_public_page_names_who_follows_up_what(client, world):
    html = client.get(PUBLIC_EN).content.decode()
    assert '<th scope="row">Quality</th><td>The ordering unit (beställaren)</td>' in html
    assert '<th scope="row">Environment</th><td>Inköp</td>' in html


def test_withdrawn_documents_and_companies_are_not_shown(client, world, policy):
    services.document_withdraw(actor=world.admin, document=policy, reason="Ersatt")
    OrganisationFactory.create(name="Regionbolaget AB", kind=OrganisationKind.COMPANY, parent=world.sormland)
    html = client.get(PUBLIC_EN).content.decode()
    assert "Inköpspolicy" not in html
    assert "No documents are published yet." in html
    assert "Regionbolaget AB" not in html


def test_empty_states(client, db):
    html = client.get(PUBLIC_EN).content.decode()
    assert "No documents are published yet." in html
    assert "No region is registered yet." in html


def test_administrators_get_links_to_manage(client_for, world, policy):
    html = client_for(world.admin).get(PUBLIC_EN).content.decode()
    assert reverse("supplierinfo:document_list") in html
    assert reverse("supplierinfo:region_contact_edit", args=[world.sormland.uuid]) in html


def test_public_page_query_count_does_not_grow(client, world, django_assert_max_num_queries):
    for n in range(12):
        document = services.document_create(actor=None, title=f"Dokument {n}", kind="guideline")
        for label in ("1", "2"):
            services.version_publish(
                actor=None, document=document, label=label, valid_from=datetime.date(2025, 1, 1), url="https://x.se/"
            )
    for n in range(5):
        OrganisationFactory.create(name=f"Region {n}")
    with django_assert_max_num_queries(4):
        response = client.get(PUBLIC)
    assert response.content.decode().count("Dokument ") >= 12


def test_download_serves_the_file_as_an_attachment(client, world, code_of_conduct):
    version = code_of_conduct.versions.get()
    response = client.get(reverse("supplierinfo:download", args=[code_of_conduct.uuid, version.uuid]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="uppforandekod.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_text_files_are_served_as_utf8_text(client, world, policy):
    from django.core.files.uploadedfile import SimpleUploadedFile

    version = services.version_publish(
        actor=world.admin,
        document=policy,
        label="2026",
        valid_from=datetime.date(2026, 1, 1),
        upload=SimpleUploadedFile("policy.txt", "Inköpspolicy\n".encode()),
    )
    response = client.get(reverse("supplierinfo:download", args=[policy.uuid, version.uuid]))
    assert response["Content-Type"] == "text/plain; charset=utf-8"


def test_download_of_a_link_version_redirects_to_the_link(client, world, policy):
    version = policy.versions.get(label="2019")
    response = client.get(reverse("supplierinfo:download", args=[policy.uuid, version.uuid]))
    assert response.status_code == 302
    assert response["Location"] == "https://regionsormland.se/policy-2019"


def test_download_is_not_found_for_unknown_or_mismatched_keys(client, world, policy, code_of_conduct):
    version = code_of_conduct.versions.get()
    assert client.get(reverse("supplierinfo:download", args=[policy.uuid, version.uuid])).status_code == 404
    assert client.get(reverse("supplierinfo:download", args=[policy.uuid, "nonsense"])).status_code == 404


def test_files_are_not_reachable_under_a_media_url(client, world, code_of_conduct):
    version = code_of_conduct.versions.get()
    assert client.get("/media/" + version.file.name).status_code == 404


def test_feed_lists_every_published_version_newest_first(
    client, world, policy, code_of_conduct, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        response = client.get(FEED)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(response.content, parser)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles[0].startswith("Uppförandekod för leverantörer")
    assert "Inköpspolicy, version 2024" in titles and "Inköpspolicy, version 2019" in titles
    assert len(entries) == PolicyDocumentVersion.objects.count() == 3
    policy_2024 = entries[titles.index("Inköpspolicy, version 2024")]
    assert "Tydligare krav på tredjepartsleverantörer." in policy_2024.findtext(f"{ATOM}summary")
    assert policy_2024.find(f"{ATOM}link").get("href") == "https://regionsormland.se/policy-2024"
    cod = code_of_conduct.versions.get()
    cod_link = entries[0].find(f"{ATOM}link").get("href")
    assert cod_link.endswith(reverse("supplierinfo:download", args=[code_of_conduct.uuid, cod.uuid]))
    assert entries[0].findtext(f"{ATOM}id") == f"urn:uuid:{cod.uuid}"


def test_feed_leaves_out_withdrawn_documents(client, world, policy, code_of_conduct):
    services.document_withdraw(actor=world.admin, document=policy, reason="Ersatt")
    root = etree.fromstring(client.get(FEED).content, etree.XMLParser(resolve_entities=False, no_network=True))
    titles = [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
    assert titles == ["Uppförandekod för leverantörer, version 2021"]


def test_the_english_page_gives_a_documents_english_title_and_summary(client, world, policy, code_of_conduct):
    services.document_update(
        actor=world.admin,
        document=policy,
        title_en="Purchasing policy",
        description_en="The joint purchasing policy.",
    )
    english = client.get(PUBLIC_EN).content.decode()
    assert "<h3>Purchasing policy</h3>" in english and "<p>The joint purchasing policy.</p>" in english
    assert "Read Purchasing policy" in english
    assert "Den gemensamma inköpspolicyn." not in english
    # A document with no English text keeps its Swedish title there; the Swedish page is unchanged.
    assert f"<h3>{code_of_conduct.title}</h3>" in english
    swedish = client.get(PUBLIC).content.decode()
    assert "<h3>Inköpspolicy</h3>" in swedish and "Purchasing policy" not in swedish
