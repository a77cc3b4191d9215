"""Open data in a real browser: anyone, without logging in, reads what is published and
what is withheld, follows the link to the OCDS package and gets the demo's releases, and
opens the schema. The page passes axe."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser_ui import check_swedish_page, visit

pytestmark = pytest.mark.browser


def test_a_visitor_reads_the_open_data_page_and_gets_the_package(new_page: Callable[[], Page]) -> None:
    page = new_page()
    visit(page, "/oppna-data/")
    expect(page.locator("main h1")).to_have_text("Öppna data")
    expect(page.locator("main")).to_contain_text("Vad som inte publiceras")
    expect(page.locator("main")).to_contain_text("Underleverantörers namn.")
    check_swedish_page(page)

    package_link = page.locator("main a[href$='/api/v1/ocds/releases']")
    response = page.request.get(package_link.get_attribute("href") or "")
    assert response.status == 200
    assert response.headers["content-type"] == "application/json"
    package = json.loads(response.body())
    assert package["version"] == "1.1"
    assert len(package["releases"]) > 100
    assert "@demo.kravspar.se" not in response.text()

    schema_link = page.locator("main a[href$='release-schema.json']")
    schema = page.request.get(schema_link.get_attribute("href") or "")
    assert "sustainability" in schema.json()["definitions"]["Tender"]["properties"]
