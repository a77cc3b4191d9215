"""The pages: the officer's list and request page, the builder, and the supplier's answer page.
Every rule has its outsider: supplier B, a beställare of the other region, a reader."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kravspar.followups.models import ActivityStatus
from kravspar.questionnaires import services
from kravspar.questionnaires.models import Questionnaire, RequestStatus, SupplierRequest

from .conftest import PDF, TODAY, pdf, questions_by_text


def answer_url(r):
    return f"/forfragningar/{r.uuid}/svara/"


def detail_url(r):
    return f"/forfragningar/{r.uuid}/"


# --- the officer's side -------------------------------------------------------------------------


def test_officer_creates_a_draft_from_the_activity_and_sends_it(world, client_for, labour_activity, template):
    client = client_for(world.officer)
    page = client.get(f"/uppfoljning/{labour_activity.uuid}/")
    assert f"/forfragningar/ny/{labour_activity.uuid}/" in page.content.decode()
    url = f"/forfragningar/ny/{labour_activity.uuid}/"
    assert client.get(url).status_code == 200
    # Bad input keeps what was typed
    r = client.post(url, {"kind": "self_assessment", "title": "Min titel", "deadline": "igår"})
    assert r.status_code == 400
    assert "Min titel" in r.content.decode()
    r = client.post(
        url,
        {
            "kind": "self_assessment",
            "title": "Min titel",
            "deadline": (TODAY + datetime.timedelta(days=7)).isoformat(),
            "template": template.pk,
            "supplier": labour_activity.contract.suppliers.get().pk,
        },
    )
    created = SupplierRequest.objects.get(title="Min titel")
    assert r.status_code == 302 and r["Location"] == detail_url(created)
    page = client.get(detail_url(created))
    assert page.status_code == 200
    assert "Lägsta timlön" in page.content.decode()
    r = client.post(f"/forfragningar/{created.uuid}/skicka/", {"version": created.version})
    assert r.status_code == 302
    created.refresh_from_db()
    assert created.status == RequestStatus.SENT
    # The activity page lists the request
    assert "Min titel" in client.get(f"/uppfoljning/{labour_activity.uuid}/").content.decode()


def test_a_stale_send_is_refused_with_a_message(world, client_for, draft):
    r = client_for(world.officer).post(f"/forfragningar/{draft.uuid}/skicka/", {"version": draft.version + 5})
    assert r.status_code == 400
    assert "efter att du öppnade" in r.content.decode() or "after you opened" in r.content.decode()


def test_review_asks_for_completion_then_accepts(world, client_for, submitted, labour_activity):
    client = client_for(world.officer)
    page = client.get(detail_url(submitted))
    assert "policy.pdf" in page.content.decode()
    url = f"/forfragningar/{submitted.uuid}/granska/"
    # Completion without a comment: refused, the decision kept
    r = client.post(url, {"decision": "complete", "comment": "", "version": submitted.version})
    assert r.status_code == 400
    r = client.post(url, {"decision": "complete", "comment": "Komplettera.", "version": submitted.version})
    assert r.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == RequestStatus.NEEDS_COMPLETION


def test_cancel_needs_a_reason(world, client_for, sent):
    client = client_for(world.officer)
    r = client.post(f"/forfragningar/{sent.uuid}/avbryt/", {"reason": "", "version": sent.version})
    assert r.status_code == 400
    r = client.post(f"/forfragningar/{sent.uuid}/avbryt/", {"reason": "Dubblett", "version": sent.version})
    assert r.status_code == 302


def test_officer_list_filters_and_query_count(
    world, client_for, sent, draft, template, labour_activity, django_assert_max_num_queries
):
    for n in range(6):
        services.request_create(
            actor=world.officer,
            activity=labour_activity,
            kind="documents",
            title=f"Dokument {n}",
            deadline=TODAY + datetime.timedelta(days=n + 1),
            template=template,
        )
    client = client_for(world.officer)
    with django_assert_max_num_queries(14):
        r = client.get("/forfragningar/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "Dokument 5" in body
    assert "Dokument 3" not in client.get("/forfragningar/", {"q": "Dokument 5"}).content.decode()
    r = client.get("/forfragningar/", {"status": "sent"})
    assert "Dokument" not in r.content.decode().split("<table")[-1]
    r = client.get("/forfragningar/", {"contract": labour_activity.contract.contract_number}, HTTP_HX_REQUEST="true")
    assert "<html" not in r.content.decode()
    assert r.context["page"].paginator.count == 7
    assert client.get("/forfragningar/", {"overdue": "on"}).context["page"].paginator.count == 0


def test_other_region_and_suppliers_do_not_see_the_request(world, client_for, sent, outsider):
    # A beställare in Region Sörmland does not see the Västmanland contract: 404
    client = client_for(world.orderer_sl)
    assert client.get(detail_url(sent)).status_code == 404
    assert client.post(f"/forfragningar/{sent.uuid}/granska/", {"decision": "accept"}).status_code == 404
    assert client.get("/forfragningar/").context["page"].paginator.count == 0
    # The reader sees it but may not handle it
    client = client_for(world.reader)
    assert client.get(detail_url(sent)).status_code == 200
    assert client.post(f"/forfragningar/{sent.uuid}/avbryt/", {"reason": "x"}).status_code == 403
    assert client.get(f"/forfragningar/ny/{sent.activity.uuid}/").status_code == 403
    # Supplier B: 404 everywhere
    client = client_for(outsider)
    for url in (detail_url(sent), answer_url(sent), f"/forfragningar/{sent.uuid}/skicka/"):
        assert client.get(url).status_code in (404, 405), url
    assert client.post(answer_url(sent), {"save": "1"}).status_code == 404
    assert client.get("/forfragningar/").context["page"].paginator.count == 0
    assert client.get(f"/forfragningar/formular/{sent.questionnaire.uuid}/").status_code == 404


def test_supplier_contact_never_reaches_the_officer_pages(world, client_for, sent, template):
    client = client_for(world.supplier_contact)
    assert client.get(detail_url(sent)).status_code == 302  # to their answer page
    assert client.post(f"/forfragningar/{sent.uuid}/granska/", {"decision": "accept"}).status_code == 404
    assert client.post(f"/forfragningar/{sent.uuid}/avbryt/", {"reason": "x"}).status_code == 404
    assert client.get(f"/forfragningar/formular/{template.uuid}/").status_code == 404
    assert client.get("/forfragningar/formular/").status_code == 403
    assert client.get(f"/forfragningar/ny/{sent.activity.uuid}/").status_code == 404


def test_a_draft_is_invisible_to_the_supplier(world, client_for, draft):
    client = client_for(world.supplier_contact)
    assert client.get(answer_url(draft)).status_code == 404
    assert client.get("/forfragningar/").context["page"].paginator.count == 0


# --- the supplier's side -----------------------------------------------------------------------------


def test_supplier_saves_a_draft_then_submits(world, client_for, sent, labour_activity):
    client = client_for(world.supplier_contact)
    page = client.get(answer_url(sent))
    assert page.status_code == 200
    q = questions_by_text(sent)
    data = {
        "version": sent.response.version,
        q["Tillämpar ni kollektivavtal?"].field_name: "yes",
        q["Lägsta timlön"].field_name: "150",
        "save": "1",
    }
    r = client.post(answer_url(sent), data)
    assert r.status_code == 302
    sent.response.refresh_from_db()
    assert sent.response.answers[q["Lägsta timlön"].key] == "150"
    # Submitting without the required file: the draft is kept, the file question named
    data = data | {"version": sent.response.version, "submit": "1"}
    data.pop("save")
    r = client.post(answer_url(sent), data)
    assert r.status_code == 400
    body = r.content.decode()
    assert 'value="150"' in body
    assert "Bifoga avtalet" in body
    sent.refresh_from_db()
    assert sent.status == RequestStatus.SENT
    # With the file it goes through
    sent.response.refresh_from_db()
    data = data | {"version": sent.response.version, q["Bifoga avtalet"].field_name: pdf()}
    r = client.post(answer_url(sent), data)
    assert r.status_code == 302, r.content.decode()[:3000]
    sent.refresh_from_db()
    labour_activity.refresh_from_db()
    assert sent.status == RequestStatus.SUBMITTED
    assert labour_activity.status == ActivityStatus.UNDER_REVIEW
    # The file is served to the supplier and to the officer, not to outsiders
    stored = sent.files.get()
    file_url = f"/forfragningar/{sent.uuid}/filer/{stored.uuid}/"
    response = client.get(file_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert client_for(world.officer).get(file_url).status_code == 200


def test_file_outsiders(world, client_for, submitted, outsider):
    stored = submitted.files.get()
    file_url = f"/forfragningar/{submitted.uuid}/filer/{stored.uuid}/"
    assert client_for(outsider).get(file_url).status_code == 404
    assert client_for(world.orderer_sl).get(file_url).status_code == 404


def test_bad_input_keeps_what_was_typed(world, client_for, sent):
    client = client_for(world.supplier_contact)
    q = questions_by_text(sent)
    r = client.post(
        answer_url(sent),
        {
            "version": sent.response.version,
            q["Tillämpar ni kollektivavtal?"].field_name: "yes",
            q["Lägsta timlön"].field_name: "mycket pengar",
            q["Bifoga avtalet"].field_name: SimpleUploadedFile("x.exe", b"MZ\x00\x01binary", "application/pdf"),
            "save": "1",
        },
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert 'value="mycket pengar"' in body
    assert "error-summary" in body


def test_concurrent_edit_is_a_clear_conflict_keeping_the_answers(world, client_for, sent):
    client = client_for(world.supplier_contact)
    q = questions_by_text(sent)
    stale = sent.response.version
    services.response_save(actor=world.supplier_contact, supplier_request=sent, answers={q["Lägsta timlön"].key: "1"})
    r = client.post(
        answer_url(sent),
        {"version": stale, q["Lägsta timlön"].field_name: "175", "save": "1"},
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert 'value="175"' in body
    assert "error-summary" in body


def test_supplier_list_shows_only_their_own(world, client_for, sent, outsider, supplier_a):
    r = client_for(world.supplier_contact).get("/forfragningar/")
    assert r.status_code == 200
    assert sent.title in r.content.decode()
    assert sent.title not in client_for(outsider).get("/forfragningar/").content.decode()


# --- the builder ----------------------------------------------------------------------------------


def test_builder_create_add_edit_move_delete_preview(world, client_for):
    client = client_for(world.officer)
    r = client.post("/forfragningar/formular/ny/", {"title": "", "requirement_type": "social"})
    assert r.status_code == 400
    r = client.post("/forfragningar/formular/ny/", {"title": "Ny mall", "requirement_type": "social", "active": "on"})
    t = Questionnaire.objects.get(title="Ny mall")
    base = f"/forfragningar/formular/{t.uuid}/"
    assert r["Location"] == base
    r = client.post(base + "fragor/", {"text": "Har ni en policy?", "type": "yes_no", "required": "on"})
    assert r.status_code == 302
    parent = t.questions.get()
    r = client.post(
        base + "fragor/",
        {"text": "Bifoga policyn", "type": "file", "show_when": f"{parent.uuid}|yes"},
    )
    assert r.status_code == 302
    child = t.questions.get(text="Bifoga policyn")
    assert child.show_if_question == parent and child.show_if_value == "yes"
    # A choice question without options: refused, text kept
    r = client.post(base + "fragor/", {"text": "Vilken sort?", "type": "single", "options": ""})
    assert r.status_code == 400 and "Vilken sort?" in r.content.decode()
    client.post(base + "fragor/", {"text": "Vilken sort?", "type": "single", "options": "A\nB"})
    # Edit
    r = client.get(base + f"fragor/{parent.uuid}/")
    assert r.status_code == 200
    r = client.post(
        base + f"fragor/{parent.uuid}/",
        {"text": "Har ni en uppförandekod?", "type": "yes_no", "required": "on", "version": parent.version},
    )
    assert r.status_code == 302
    parent.refresh_from_db()
    assert parent.text == "Har ni en uppförandekod?"
    # Move with htmx: the list comes back
    last = t.questions.get(text="Vilken sort?")
    r = client.post(base + f"fragor/{last.uuid}/flytta/", {"direction": "up"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "<html" not in r.content.decode()
    assert list(t.questions.order_by("position").values_list("text", flat=True)) == [
        "Har ni en uppförandekod?",
        "Vilken sort?",
        "Bifoga policyn",
    ]
    # Preview
    r = client.get(base + "forhandsvisning/")
    assert r.status_code == 200 and f'data-show-if="{parent.field_name}"' in r.content.decode()
    # The follow-up is numbered under its question, so hiding it renumbers nothing.
    page = r.content.decode()
    assert "1. Har ni en uppförandekod?" in page and "2. Vilken sort?" in page and "1.1. Bifoga policyn" in page
    # Delete asks first, then deletes
    r = client.get(base + f"fragor/{last.uuid}/ta-bort/")
    assert r.status_code == 200 and t.questions.filter(pk=last.pk).exists()
    r = client.post(base + f"fragor/{last.uuid}/ta-bort/")
    assert r.status_code == 302 and not t.questions.filter(pk=last.pk).exists()
    # History
    assert "questionnaire.question_added" in client.get(base).content.decode()


def test_only_inkop_changes_templates(world, client_for, template):
    base = f"/forfragningar/formular/{template.uuid}/"
    client = client_for(world.orderer_vm)
    assert client.get(base).status_code == 200
    assert client.post(base + "fragor/", {"text": "X", "type": "text"}).status_code == 403
    assert client.get("/forfragningar/formular/ny/").status_code == 403
    q = template.questions.first()
    assert client.post(base + f"fragor/{q.uuid}/ta-bort/").status_code == 403


def test_template_list_query_count(world, client_for, django_assert_max_num_queries):
    client = client_for(world.officer)
    with django_assert_max_num_queries(8):
        r = client.get("/forfragningar/formular/")
    assert r.status_code == 200
    # The seeded templates are there, one per requirement type
    assert r.context["page"].paginator.count >= 4
    assert "Självdeklaration: uppförandekod för leverantörer" in r.content.decode()


@pytest.mark.parametrize("requirement_type", ["social", "labour", "environment", "animal_welfare"])
def test_seeded_templates_per_requirement_type(db, requirement_type):
    template = Questionnaire.objects.get(is_template=True, requirement_type=requirement_type)
    questions = list(template.questions.all())
    assert len(questions) >= 6
    assert any(q.show_if_question_id for q in questions)
    assert any(q.type == "file" for q in questions)


def test_officer_changes_the_deadline_and_a_past_one_is_refused(world, client_for, sent):
    client = client_for(world.officer)
    url = f"/forfragningar/{sent.uuid}/andra/"
    r = client.post(url, {"title": "Ny rubrik", "deadline": "2020-01-01", "message": "Hej", "version": sent.version})
    assert r.status_code == 400
    assert "Ny rubrik" in r.content.decode()
    new = TODAY + datetime.timedelta(days=30)
    r = client.post(url, {"title": "Ny rubrik", "deadline": new.isoformat(), "message": "", "version": sent.version})
    assert r.status_code == 302
    sent.refresh_from_db()
    assert (sent.title, sent.deadline) == ("Ny rubrik", new)
    assert "request.updated" in client.get(detail_url(sent)).content.decode()
    # Supplier B cannot, the reader may not
    assert client_for(world.reader).post(url, {"title": "x"}).status_code == 403


def test_supplier_list_query_count(world, client_for, sent, labour_activity, template, django_assert_max_num_queries):
    for n in range(5):
        extra = services.request_create(
            actor=world.officer,
            activity=labour_activity,
            kind="documents",
            title=f"Dokument {n}",
            deadline=TODAY + datetime.timedelta(days=n + 1),
            template=template,
        )
        services.request_send(actor=world.officer, supplier_request=extra)
    client = client_for(world.supplier_contact)
    with django_assert_max_num_queries(8):
        r = client.get("/forfragningar/")
    assert r.context["page"].paginator.count == 6


def test_supplier_home_fragment_lists_open_requests(world, sent, draft, outsider):
    from django.template.loader import render_to_string

    from kravspar.questionnaires.selectors import open_requests_for_supplier

    requests = open_requests_for_supplier(world.supplier_contact.supplier)
    html = render_to_string("questionnaires/_supplier_requests.html", {"requests": requests})
    assert sent.title in html and answer_url(sent) in html
    assert list(open_requests_for_supplier(outsider.supplier)) == []
    empty = render_to_string("questionnaires/_supplier_requests.html", {"requests": []})
    assert "Inga öppna förfrågningar" in empty
