"""Issue 5, done when: an officer invites a supplier contact, the contact sets a password,
answers a self-assessment with a file and submits; the officer asks for completion; the
contact revises; the officer accepts and the follow-up activity records it.

Every link is followed from the e-mail the app sent (``mailbox``), never built by the test.
"""

from __future__ import annotations

import datetime
import email
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.test_browser_ui import assert_accessible, log_in, submit, visit

pytestmark = pytest.mark.browser

DEMO_REQUEST = "Självdeklaration städkvalitet, kvartal 1"
TEMPLATE = "Självdeklaration: uppförandekod för leverantörer"
CONTACT_EMAIL = "maria.kontakt@lokalvard.example.se"
PASSWORD = "Leverantor-2026-sjalv"
SEPARATOR = "-" * 79


def mails(mailbox: Callable[[], str]) -> list[str]:
    """Every sent e-mail's text, oldest first, with quoted-printable bodies decoded."""
    texts = []
    for raw in mailbox().split(SEPARATOR):
        if not raw.strip():
            continue
        message = email.message_from_string(raw.strip())
        parts = message.walk() if message.is_multipart() else [message]
        body = ""
        for part in parts:
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                body += payload.decode(part.get_content_charset() or "utf-8", errors="replace")
        subject = str(email.header.make_header(email.header.decode_header(message.get("Subject", ""))))
        texts.append(f"To: {message.get('To', '')}\nSubject: {subject}\n\n{body}")
    return texts


def last_link(mailbox: Callable[[], str], pattern: str, to: str = "") -> str:
    """The path of the newest link matching ``pattern`` in a mail (to ``to``, if given)."""
    for text in reversed(mails(mailbox)):
        if to and to not in text.split("\n", 1)[0]:
            continue
        found = re.findall(r"https?://[^/\s]+(" + pattern + r")", text)
        if found:
            return str(found[-1])
    raise AssertionError(f"no e-mail with a link like {pattern!r}")


def answer(page: Page, number: int) -> Locator:
    """The block of question ``number`` (1-based) on the answer page."""
    return page.locator("[data-question]").nth(number - 1)


def test_supplier_answers_a_self_assessment_and_the_officer_accepts_after_completion(
    new_page: Callable[[], Page], mailbox: Callable[[], str], tmp_path: Path
) -> None:
    officer = new_page()
    log_in(officer, "inkopare")

    # The officer opens the demo's request to the cleaning supplier and goes to the supplier
    visit(officer, "/forfragningar/")
    submit(officer, officer.get_by_role("link", name=DEMO_REQUEST))
    activity_path = officer.locator(".breadcrumb a[href^='/uppfoljning/']").get_attribute("href")
    assert activity_path
    submit(officer, officer.locator("dl.facts a[href^='/leverantorer/']"))

    # ... and invites a contact person by e-mail (the portal's invitation page)
    submit(officer, officer.locator("a[href$='/kontaktpersoner/']"))
    form = officer.locator("main form[method=post]").first
    form.locator("input[name=name]").fill("Maria Kontakt")
    form.locator("input[name=email]").fill(CONTACT_EMAIL)
    submit(officer, form.locator("button[type=submit]"))
    expect(officer.locator("main")).to_contain_text(CONTACT_EMAIL)

    # The contact follows the link in the e-mail and chooses a password
    contact = new_page()
    visit(contact, last_link(mailbox, r"/leverantor/inbjudan/[^/\s]+/", to=CONTACT_EMAIL))
    contact.locator("input[name=password]").fill(PASSWORD)
    contact.locator("input[name=password_again]").fill(PASSWORD)
    submit(contact, contact.locator("main form[method=post] button[type=submit]"))
    assert "/inbjudan/" not in contact.url

    # The officer sends a code-of-conduct self-assessment from the follow-up
    visit(officer, activity_path)
    submit(officer, officer.locator("a[href^='/forfragningar/ny/']"))
    officer.locator("select[name=kind]").select_option("self_assessment")
    officer.locator("input[name=title]").fill("Uppförandekod 2026")
    officer.locator("select[name=template]").select_option(label=TEMPLATE)
    deadline = datetime.date.today() + datetime.timedelta(days=21)
    officer.locator("input[name=deadline]").fill(deadline.isoformat())
    submit(officer, officer.locator("main form button[type=submit]"))
    expect(officer.locator("main h1")).to_contain_text("Uppförandekod 2026")
    request_path = urlparse(officer.url).path
    submit(officer, officer.locator("form[action$='/skicka/'] button"))
    expect(officer.locator(".messages")).to_contain_text("Förfrågan skickades")

    # The contact opens the request from the e-mail
    answer_path = last_link(mailbox, r"/forfragningar/[0-9a-f-]+/svara/", to=CONTACT_EMAIL)
    visit(contact, answer_path)
    expect(contact.locator("main h1")).to_contain_text("Uppförandekod 2026")
    assert_accessible(contact)

    # A follow-up question appears only for the answer that asks for it
    expect(answer(contact, 3)).to_be_hidden()
    answer(contact, 1).get_by_label("Ja").check()
    answer(contact, 2).get_by_label("Ja").check()
    expect(answer(contact, 3)).to_be_visible()
    policy = tmp_path / "uppforandekod.pdf"
    policy.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    answer(contact, 3).locator("input[type=file]").set_input_files(str(policy))
    answer(contact, 11).locator("textarea").fill("Maria Kontakt, maria.kontakt@lokalvard.example.se")

    # Submitting too early: the missing required questions are named, the typed answer kept
    submit(contact, contact.get_by_role("button", name=re.compile("Lämna in")))
    summary = contact.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("obligatorisk")
    expect(answer(contact, 11).locator("textarea")).to_have_value("Maria Kontakt, maria.kontakt@lokalvard.example.se")
    expect(answer(contact, 3)).to_contain_text("uppforandekod.pdf")  # saved with the draft
    assert_accessible(contact)

    answer(contact, 4).locator("input[type=checkbox]").first.check()
    answer(contact, 5).get_by_label("Nej").check()
    answer(contact, 7).get_by_label("Självdeklarationer från underleverantörer").check()
    answer(contact, 8).get_by_label("Nej").check()
    answer(contact, 10).get_by_label("Ja").check()
    submit(contact, contact.get_by_role("button", name=re.compile("Lämna in")))
    expect(contact.locator(".messages")).to_contain_text("lämnats in")

    # The officer reviews and asks for completion
    visit(officer, request_path)
    expect(officer.locator("main")).to_contain_text("uppforandekod.pdf")
    assert_accessible(officer)
    officer.get_by_label("Be leverantören komplettera").check()
    officer.locator("textarea[name=comment]").fill("Beskriv riskkartläggningen av leveranskedjan.")
    submit(officer, officer.locator("form[action$='/granska/'] button[type=submit]"))
    expect(officer.locator("main h1")).to_contain_text("Behöver kompletteras")

    # The contact sees the comment and revises: the risk mapping is done after all
    visit(contact, answer_path)
    expect(contact.locator("main")).to_contain_text("Beskriv riskkartläggningen av leveranskedjan.")
    expect(answer(contact, 6)).to_be_hidden()
    answer(contact, 5).get_by_label("Ja").check()
    expect(answer(contact, 6)).to_be_visible()
    answer(contact, 6).locator("textarea").fill("Högst risk hos textilleverantören i led två.")
    submit(contact, contact.get_by_role("button", name=re.compile("Lämna in")))
    expect(contact.locator(".messages")).to_contain_text("lämnats in")

    # The officer sees both versions side by side and accepts
    visit(officer, request_path)
    versions = officer.locator("table.versions")
    expect(versions).to_contain_text("Version 1")
    expect(versions).to_contain_text("Version 2")
    expect(versions).to_contain_text("Högst risk hos textilleverantören i led två.")
    assert_accessible(officer)
    officer.get_by_label("Godkänn svaren").check()
    submit(officer, officer.locator("form[action$='/granska/'] button[type=submit]"))
    expect(officer.locator("main h1")).to_contain_text("Godkänd")

    # The follow-up activity records it: done, a note, and the file as evidence
    visit(officer, activity_path)
    main = officer.locator("main")
    expect(main.locator("h1 .tag")).to_contain_text("Klar")
    expect(main).to_contain_text("Uppförandekod 2026")
    expect(main.locator("#evidence-heading + table")).to_contain_text("uppforandekod.pdf")

    # The contact is told, and sees the request as accepted
    assert any("godkänts" in text for text in mails(mailbox) if CONTACT_EMAIL in text.split("\n", 1)[0])
    visit(contact, answer_path)
    expect(contact.locator("main h1 .tag")).to_contain_text("Godkänd")


def test_officer_builds_a_template_and_previews_it(new_page: Callable[[], Page]) -> None:
    officer = new_page()
    log_in(officer, "inkopare")
    visit(officer, "/forfragningar/formular/")
    assert_accessible(officer)
    submit(officer, officer.locator("main a[href$='/formular/ny/']"))
    officer.locator("input[name=title]").fill("Självdeklaration: kemikalier")
    officer.locator("select[name=requirement_type]").select_option("environment")
    submit(officer, officer.locator("main form button[type=submit]"))
    expect(officer.locator("main h1")).to_contain_text("Självdeklaration: kemikalier")

    add = officer.locator("form[action$='/fragor/']")
    add.locator("textarea[name=text]").fill("Använder ni miljömärkta kemikalier?")
    add.locator("select[name=type]").select_option("yes_no")
    add.locator("input[name=required]").check()
    submit(officer, add.locator("button[type=submit]"))
    add = officer.locator("form[action$='/fragor/']")
    add.locator("textarea[name=text]").fill("Vilken märkning?")
    add.locator("select[name=type]").select_option("single")
    add.locator("textarea[name=options]").fill("Svanen\nEU Ecolabel")
    add.locator("select[name=show_when]").select_option(label="Använder ni miljömärkta kemikalier? = Ja")
    submit(officer, add.locator("button[type=submit]"))
    expect(officer.locator("#question-list")).to_contain_text("Vilken märkning?")
    assert_accessible(officer)

    # The preview shows the follow-up question only after "Ja"
    submit(officer, officer.locator("main a[href$='/forhandsvisning/']"))
    follow_up = officer.locator("[data-question]").nth(1)
    expect(follow_up).to_be_hidden()
    officer.locator("[data-question]").nth(0).get_by_label("Ja").check()
    expect(follow_up).to_be_visible()
    assert_accessible(officer)
