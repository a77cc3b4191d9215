"""The accessibility statement (lag 2018:1937, DIGG's model) at fixed addresses in Swedish and
English, open to everyone and linked from every page's footer."""

from django.urls import reverse


def test_the_statement_is_public_in_swedish_and_english(client, world):
    sv = client.get("/tillganglighet/")
    en = client.get("/tillganglighet/en/")
    assert sv.status_code == en.status_code == 200
    assert sv["Content-Language"] == "sv" and en["Content-Language"] == "en"
    sv_html, en_html = sv.content.decode(), en.content.decode()
    assert '<html lang="sv">' in sv_html and '<html lang="en">' in en_html
    # DIGG's model: compliance status, known shortcomings, how to report, enforcement by DIGG.
    for part in ("delvis förenlig", "Innehåll som inte är tillgängligt", "Rapportera brister", "Tillsyn"):
        assert part in sv_html
    for part in ("partially compliant", "Non-accessible content", "Report accessibility problems", "Enforcement"):
        assert part in en_html
    assert "https://www.digg.se/tdosanmalan" in sv_html and "https://www.digg.se/tdosanmalan" in en_html


def test_the_footer_links_the_statement_in_the_pages_language(client, world):
    login = client.get(reverse("accounts:login")).content.decode()
    assert 'href="/tillganglighet/">Tillgänglighet</a>' in login
    client.cookies["django_language"] = "en"
    assert 'href="/tillganglighet/en/">Accessibility</a>' in client.get(reverse("accounts:login")).content.decode()


def test_the_statement_names_the_regions_contacts(client, world):
    from kravspar.supplierinfo.models import RegionContact

    RegionContact.objects.create(organisation=world.sormland, email="inkop@example.se", phone="0155-24 50 00")
    html = client.get("/tillganglighet/").content.decode()
    assert "mailto:inkop@example.se" in html and 'href="tel:0155245000"' in html
