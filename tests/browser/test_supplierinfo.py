"""The public page for suppliers in a real browser, in Swedish and English: both regions'
organisation numbers and Peppol ids, the six aims of the purchasing policy and the
current documents from the demo, with nothing serious or critical for axe. Then an
administrator walks the document pages. (Acknowledging is tested in the Django view
tests: the demo has no supplier login of this app's own.)"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser_ui import assert_accessible, assert_lang, log_in, visit

pytestmark = pytest.mark.browser

PUBLIC = "/leverantorsinformation/"
PUBLIC_EN = "/leverantorsinformation/en/"
FEED = "/leverantorsinformation/dokument.atom"
DOCUMENTS = "/leverantorsinformation/dokument/"
REGIONS = [("232100-0032", "0007:2321000032"), ("232100-0172", "0007:2321000172")]
CURRENT_DOCUMENTS = [
    "Inköpspolicy för Region Sörmland och Region Västmanland",
    "Riktlinjer för inköpspolicyn",
    "Uppförandekod för leverantörer",
]
# The English page gives the documents' English titles (supplierinfo.demo.ENGLISH).
DOCUMENT_TITLES = {
    "sv": CURRENT_DOCUMENTS,
    "en": [
        "Purchasing policy of Region Sörmland and Region Västmanland",
        "Guidelines to the purchasing policy",
        "Code of conduct for suppliers",
    ],
}
AIMS = {
    "sv": [
        "God ekonomisk hushållning",
        "Ett gott näringslivsklimat",
        "Hållbar utveckling",
        "Goda arbetsvillkor",
        "Djurvälfärd",
        "Lokalt näringsliv",
    ],
    "en": [
        "Good economic management",
        "A good business climate",
        "Sustainable development",
        "Good working conditions",
        "Animal welfare",
        "Local business",
    ],
}


def check_public_page(page: Page, lang: str) -> None:
    assert_lang(page, lang)
    main = page.locator("main#main")
    for org_number, peppol_id in REGIONS:
        expect(main).to_contain_text(org_number)
        expect(main).to_contain_text(peppol_id)
    aims = main.locator("ol.aims > li")
    expect(aims).to_have_count(6)
    for n, label in enumerate(AIMS[lang]):
        expect(aims.nth(n).locator("strong")).to_have_text(label)
    documents = main.locator("ul.documents > li h3")
    expect(documents).to_have_text(DOCUMENT_TITLES[lang])
    # The purchasing policy has an earlier version; the current one is 2024.
    policy = main.locator("ul.documents > li").filter(has_text=DOCUMENT_TITLES[lang][0])
    expect(policy).to_contain_text("2024")
    expect(policy.locator("details summary")).to_have_count(1)
    expect(
        page.locator(f'head link[rel=alternate][type="application/atom+xml"], main a[href="{FEED}"]')
    ).not_to_have_count(0)
    assert_accessible(page)


def test_public_page_in_swedish_and_english(new_page: Callable[[], Page]) -> None:
    page = new_page()
    response = visit(page, PUBLIC)
    assert "application/atom+xml" in (response.headers.get("link") or "")
    expect(page.locator("main h1")).to_have_text("Information till leverantörer")
    check_public_page(page, "sv")

    english = page.locator(f'main a[href="{PUBLIC_EN}"][hreflang="en"]')
    expect(english).to_have_attribute("lang", "en")
    with page.expect_navigation():
        english.click()
    expect(page.locator("main h1")).to_have_text("Information for suppliers")
    check_public_page(page, "en")
    swedish = page.locator(f'main a[href="{PUBLIC}"][hreflang="sv"]')
    expect(swedish).to_have_attribute("lang", "sv")

    # The feed lists the versions, newest first, with the policy's two versions.
    feed = page.request.get(FEED)
    assert feed.ok and feed.headers["content-type"].startswith("application/atom+xml")
    body = feed.text()
    assert "Inköpspolicy för Region Sörmland och Region Västmanland, version 2024" in body
    assert "Inköpspolicy för Region Sörmland och Region Västmanland, version 2019" in body


def test_administrator_manages_documents(new_page: Callable[[], Page]) -> None:
    page = new_page()
    log_in(page, "admin")
    visit(page, PUBLIC)
    page.locator(f'main a[href="{DOCUMENTS}"]').click()
    page.wait_for_url(f"**{DOCUMENTS}")
    assert_lang(page, "sv")
    expect(page.locator("#results tbody tr")).to_have_count(3)
    assert_accessible(page)

    page.locator("#results tbody a", has_text="Inköpspolicy för").click()
    page.wait_for_url("**/dokument/*/")
    expect(page.locator("main table").first.locator("tbody tr")).to_have_count(2)
    expect(page.locator("#history-heading")).to_be_visible()
    assert_accessible(page)

    detail_url = page.url
    page.locator("main .actions a").first.click()  # publish a new version
    page.wait_for_url("**/ny-version/")
    assert_accessible(page)
    # Nothing given: the form says what is missing and keeps the page.
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)

    visit(page, detail_url + "dra-tillbaka/")
    expect(page.locator("main h1")).to_contain_text("Inköpspolicy")
    assert_accessible(page)

    visit(page, detail_url)
    page.locator("main a", has_text="Vilka som har bekräftat").first.click()
    page.wait_for_url("**/bekraftelser/")
    assert_accessible(page)
