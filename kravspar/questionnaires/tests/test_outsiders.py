"""Every page of the app from the outsider's side: supplier B sees nothing of supplier A's
requests, a beställare of the other region sees nothing of the contract, and supplier A's
own contact never reaches the buyer's pages or the builder."""

from __future__ import annotations

import pytest

from .conftest import answer_yes_with_file


def urls(r, activity, template):
    q = r.questionnaire.questions.first()
    t = template.questions.first()
    stored = r.files.first()
    return {
        "detail": f"/forfragningar/{r.uuid}/",
        "answer": f"/forfragningar/{r.uuid}/svara/",
        "send": f"/forfragningar/{r.uuid}/skicka/",
        "edit": f"/forfragningar/{r.uuid}/andra/",
        "review": f"/forfragningar/{r.uuid}/granska/",
        "cancel": f"/forfragningar/{r.uuid}/avbryt/",
        "file": f"/forfragningar/{r.uuid}/filer/{stored.uuid}/",
        "create": f"/forfragningar/ny/{activity.uuid}/",
        "copy_builder": f"/forfragningar/formular/{r.questionnaire.uuid}/",
        "copy_preview": f"/forfragningar/formular/{r.questionnaire.uuid}/forhandsvisning/",
        "copy_question": f"/forfragningar/formular/{r.questionnaire.uuid}/fragor/{q.uuid}/",
        "template_builder": f"/forfragningar/formular/{template.uuid}/",
        "template_question_add": f"/forfragningar/formular/{template.uuid}/fragor/",
        "template_question": f"/forfragningar/formular/{template.uuid}/fragor/{t.uuid}/",
        "template_question_delete": f"/forfragningar/formular/{template.uuid}/fragor/{t.uuid}/ta-bort/",
        "template_question_move": f"/forfragningar/formular/{template.uuid}/fragor/{t.uuid}/flytta/",
        "template_create": "/forfragningar/formular/ny/",
    }


ALLOWED = {
    # Supplier B: none of A's request exists; the builder and templates are not for suppliers.
    "outsider": {"template_create": 403},
    # A beställare in Region Sörmland: the Västmanland contract's request does not exist for her;
    # she may read templates but not change them.
    "orderer_sl": {
        "template_builder": 200,
        "template_question": 403,
        "template_question_add": 403,
        "template_question_delete": 403,
        "template_question_move": 403,
        "template_create": 403,
    },
    # Supplier A's contact: only the answer page and their own file.
    "supplier_contact": {"answer": 200, "file": 200, "detail": 302, "template_create": 403},
}


@pytest.mark.parametrize("who", list(ALLOWED))
def test_every_page_from_the_outsiders_side(world, client_for, sent, labour_activity, template, outsider, who):
    answer_yes_with_file(world, sent)
    person = outsider if who == "outsider" else getattr(world, who)
    client = client_for(person)
    for name, url in urls(sent, labour_activity, template).items():
        expected = ALLOWED[who].get(name, 404)
        got = client.get(url).status_code
        # A POST-only page answers 405 to a GET before anything is looked up.
        assert got in (expected, 405), (who, name, "GET", got)
        if name in ("file", "detail", "copy_preview") or expected in (200, 302):
            continue  # GET-only pages, and pages this person may post to
        got = client.post(url, {"reason": "x", "decision": "accept", "text": "x", "type": "text"}).status_code
        assert got == expected, (who, name, "POST", got)
