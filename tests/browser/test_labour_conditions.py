"""Labour-law conditions in a real browser, on the demo's own records (kravspar/labour/demo.py):
the officer records the needs assessment and the conditions on a security procurement; the
cleaning company answers step 1 for itself and its subcontractor in the questionnaires the
officer sent (the labour self-declaration template, issue 12) and uploads payslips for
step 2; the officer reviews them per condition and raises a deviation; a reader of the same
region sees the counts but cannot open the payslips. Each page passes axe."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.test_browser_ui import assert_accessible, check_swedish_page, log_in, submit, visit

pytestmark = pytest.mark.browser

YEAR = datetime.date.today().year
SECURITY = f"RV-{YEAR}-0735"  # labour/demo.py UNASSESSED: no needs assessment yet
WAITING = f"RV-{YEAR}-0734"  # labour/demo.py: the follow-up waiting for the supplier
SUBCONTRACTOR = "Köpings Fönsterputs AB"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def logged_in(new_page: Callable[[], Page], username: str) -> Page:
    page = new_page()
    log_in(page, username)
    page.wait_for_url(lambda url: not url.endswith("/logga-in/"))
    return page


def question(page: Page, text: str) -> Locator:
    """The block of the question whose own text (after its number) starts with ``text``."""
    heading = page.locator("legend, label").filter(has_text=re.compile(r"^\s*[\d.]+\s+" + re.escape(text)))
    return page.locator("[data-question]").filter(has=heading)


def answer_step1(page: Page, *, hires_subcontractors: bool) -> None:
    """Answer the labour self-declaration as the supplier would: the three conditions met,
    the workforce, then the template's own questions (follow-up questions appear by the
    answers given)."""
    for text in (
        "Får alla anställda som utför arbete i avtalet minst den lön",
        "Får alla anställda som utför arbete i avtalet minst den semester",
        "Är arbetstiden",
    ):
        question(page, text).get_by_label("Ja").check()
    question(page, "Hur många anställda utför arbete i avtalet").locator("input").fill("9")
    question(page, "Tillämpar ni ett centralt kollektivavtal").get_by_label("Ja").check()
    question(page, "Vilket kollektivavtal tillämpas").locator("input, textarea").fill("Serviceentreprenadavtalet")
    question(page, "Lägsta timlön").locator("input").fill("165")
    question(page, "Antal semesterdagar").locator("input").fill("25")
    question(page, "Ordinarie arbetstid").locator("input").fill("40")
    hires = question(page, "Anlitar ni underleverantörer")
    hires.get_by_label("Ja" if hires_subcontractors else "Nej").check()
    if hires_subcontractors:
        question(page, "Ange underleverantörerna").locator("input, textarea").fill(SUBCONTRACTOR)
        question(page, "Har ni avtalat med underleverantörerna").get_by_label("Ja").check()
    question(page, "Datum då uppgifterna gäller").locator("input").fill(datetime.date.today().isoformat())


def open_first(page: Page, list_url: str, number: str) -> None:
    visit(page, f"{list_url}?q={number}")
    with page.expect_navigation():
        page.locator("#results table a").filter(has_text=number).first.click()
    expect(page.locator("main h1")).to_contain_text(number)


def test_from_needs_assessment_to_a_deviation_and_what_a_reader_sees(
    new_page: Callable[[], Page], tmp_path: Path
) -> None:
    # The officer: needs assessment and conditions on the security procurement.
    officer = logged_in(new_page, "inkopare")
    open_first(officer, "/upphandlingar/", SECURITY)
    with officer.expect_navigation():
        officer.get_by_role("link", name="Arbetsrättsliga villkor: behövlighetsbedömning och villkor").click()
    check_swedish_page(officer)
    expect(officer.locator("main")).to_contain_text("registrera behövlighetsbedömningen")
    expect(officer.locator("main")).to_contain_text("Bevakning och säkerhet")
    officer.get_by_label("Villkor behövs", exact=True).check()
    officer.get_by_label("Skäl").fill("Bevakning är arbetskraftsintensivt med risk för långa arbetspass.")
    submit(officer, officer.get_by_role("button", name="Registrera behövlighetsbedömningen"))
    expect(officer.locator(".messages")).to_contain_text("Behövlighetsbedömningen är registrerad")
    expect(officer.locator("#assessment")).to_contain_text("Bevakningsavtalet")
    submit(officer, officer.get_by_role("button", name="Ställ villkoren"))
    expect(officer.locator(".messages")).to_contain_text("De tre villkoren är ställda som krav")
    expect(officer.locator("main .tag", has_text="Gäller även underleverantörer")).to_have_count(3)
    expect(officer.locator("main")).not_to_contain_text("Strategispärren behöver fortfarande")
    assert_accessible(officer)

    # The supplier: step 1 for itself and its subcontractor, each in the questionnaire the
    # officer sent (the declaration's link opens it), then payslips for step 2.
    supplier = logged_in(new_page, "leverantor.stad")
    for party, hires_subcontractors in (("ert eget företag", True), (SUBCONTRACTOR, False)):
        visit(supplier, "/leverantor/arbetsvillkor/")
        check_swedish_page(supplier)
        with supplier.expect_navigation():
            supplier.locator("#declarations").get_by_role("link", name=f"{WAITING}: {party}").click()
        check_swedish_page(supplier)
        expect(supplier.locator("main")).to_contain_text("Serviceentreprenadavtalet")
        answer_step1(supplier, hires_subcontractors=hires_subcontractors)
        submit(supplier, supplier.get_by_role("button", name=re.compile("Lämna in")))
        expect(supplier.locator(".messages")).to_contain_text("lämnats in")
    assert_accessible(supplier)
    # Submitting answered the two self-declarations.
    visit(supplier, "/leverantor/arbetsvillkor/")
    answered = supplier.locator("#declarations li", has_text=WAITING)
    expect(answered).to_have_count(2)
    expect(answered.filter(has_text="Besvarad")).to_have_count(2)
    with supplier.expect_navigation():
        supplier.locator("#requests").get_by_role("link", name=f"{WAITING}: {SUBCONTRACTOR}").click()
    check_swedish_page(supplier)
    payslips = tmp_path / "lonebesked-kopings-fonsterputs.pdf"
    payslips.write_bytes(PDF)
    supplier.locator("select[name=kind]").select_option(label="Lönebesked")
    supplier.locator("input[type=file][name=file]").set_input_files(str(payslips))
    submit(supplier, supplier.get_by_role("button", name="Ladda upp"))
    expect(supplier.locator(".messages")).to_contain_text("Handlingen är uppladdad")
    expect(supplier.locator("main")).to_contain_text("lonebesked-kopings-fonsterputs.pdf")

    # The officer reviews per condition; wages below the agreement's level is a deviation.
    open_first(officer, "/avtal/", WAITING)
    with officer.expect_navigation():
        officer.get_by_role("link", name="Uppföljning av arbetsrättsliga villkor").click()
    with officer.expect_navigation():
        officer.locator("main table a").first.click()
    check_swedish_page(officer)
    followup_url = officer.url
    proof = officer.get_by_role("link", name="Öppna lonebesked-kopings-fonsterputs.pdf")
    expect(proof).to_have_count(1)
    proof_url = proof.get_attribute("href")
    assert proof_url
    for condition, outcome, note in (
        ("Lön", "Under avtalets nivå: avvikelse", "En anställd har lön under avtalets minimilön i mars."),
        ("Semester", "Uppfyller avtalets nivå", ""),
        ("Arbetstid", "Uppfyller avtalets nivå", ""),
    ):
        button = officer.get_by_role("button", name=f"Registrera granskningen av {condition}")
        form = officer.locator("form", has=button)
        form.get_by_label(outcome).check()
        if note:
            form.get_by_label("Anteckning").fill(note)
        submit(officer, button)
        expect(officer.locator(".messages")).to_contain_text("Granskningen är registrerad")
    expect(officer.locator("main").get_by_role("link", name="avvikelse")).to_have_count(1)
    assert_accessible(officer)

    # A reader in Region Västmanland sees the counts and the follow-up, not the payslips.
    reader = logged_in(new_page, "lasare.vastmanland")
    visit(reader, f"/arbetsrattsliga-villkor/?year={YEAR}")
    check_swedish_page(reader)
    row = reader.locator("table.labour-figures tr", has_text="Region Västmanland")
    expect(row).to_have_count(1)
    expect(reader.locator("table.labour-figures")).not_to_contain_text("Region Sörmland")
    visit(reader, followup_url)
    expect(reader.locator("main")).to_contain_text("Lönebesked")
    expect(reader.locator("main")).not_to_contain_text("lonebesked-kopings-fonsterputs.pdf")
    visit(reader, proof_url, status=404)
