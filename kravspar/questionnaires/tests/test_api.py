"""The API: officers create, send and review; supplier contacts list their own, save a draft
and submit. Supplier B and the other region see nothing."""

from __future__ import annotations

import datetime
import json

from kravspar.followups.models import ActivityStatus
from kravspar.questionnaires.models import RequestStatus

from .conftest import TODAY, questions_by_text

BASE = "/api/v1"


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_officer_creates_and_sends(world, client_for, labour_activity, template):
    client = client_for(world.officer)
    r = post(
        client,
        f"{BASE}/requests",
        {
            "activity": str(labour_activity.uuid),
            "kind": "self_assessment",
            "title": "Via API",
            "deadline": (TODAY + datetime.timedelta(days=5)).isoformat(),
            "template": str(template.uuid),
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "draft" and len(body["questionnaire"]["questions"]) == 4
    r = post(client, f"{BASE}/requests/{body['uuid']}/send", {"version": 99})
    assert r.status_code == 409 and r.json()["code"] == "concurrent_edit"
    r = post(client, f"{BASE}/requests/{body['uuid']}/send", {"version": body["version"]})
    assert r.status_code == 200 and r.json()["status"] == "sent"
    r = post(
        client,
        f"{BASE}/requests",
        {"activity": str(labour_activity.uuid), "kind": "x", "title": "", "deadline": "2020-01-01"},
    )
    assert r.status_code == 400
    assert set(r.json()["details"]["fields"]) == {"kind", "title", "deadline"}


def test_supplier_answers_over_the_api(world, client_for, sent, labour_activity):
    client = client_for(world.supplier_contact)
    items = client.get(f"{BASE}/requests").json()["items"]
    assert [i["uuid"] for i in items] == [str(sent.uuid)]
    detail = client.get(f"{BASE}/requests/{sent.uuid}").json()
    assert detail["activity"] is None
    q = questions_by_text(sent)
    r = client.put(
        f"{BASE}/requests/{sent.uuid}/draft",
        json.dumps({"version": detail["response_version"], "answers": {q["Tillämpar ni kollektivavtal?"].key: "no"}}),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    version = r.json()["response_version"]
    r = post(client, f"{BASE}/requests/{sent.uuid}/submit", {"version": version})
    assert r.status_code == 400
    assert list(r.json()["details"]["fields"]) == [q["Varför inte?"].field_name]
    r = client.put(
        f"{BASE}/requests/{sent.uuid}/draft",
        json.dumps(
            {
                "version": version,
                "answers": {q["Tillämpar ni kollektivavtal?"].key: "no", q["Varför inte?"].key: "Inget avtal."},
            }
        ),
        content_type="application/json",
    )
    r = post(client, f"{BASE}/requests/{sent.uuid}/submit", {"version": r.json()["response_version"]})
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    assert len(r.json()["submissions"]) == 1
    # The supplier cannot review its own answers
    assert post(client, f"{BASE}/requests/{sent.uuid}/accept", {}).status_code == 403
    # The officer sends back, then accepts after the revision
    officer = client_for(world.officer)
    r = post(officer, f"{BASE}/requests/{sent.uuid}/ask-completion", {"comment": "Mer."})
    assert r.status_code == 200 and r.json()["status"] == "needs_completion"
    client = client_for(world.supplier_contact)
    version = client.get(f"{BASE}/requests/{sent.uuid}").json()["response_version"]
    r = post(client, f"{BASE}/requests/{sent.uuid}/submit", {"version": version})
    assert r.status_code == 200
    officer = client_for(world.officer)
    r = post(officer, f"{BASE}/requests/{sent.uuid}/accept", {"comment": "OK"})
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert [s["decision"] for s in r.json()["submissions"]] == ["needs_completion", "accepted"]
    labour_activity.refresh_from_db()
    assert labour_activity.status == ActivityStatus.DONE


def test_officer_cannot_answer_for_the_supplier(world, client_for, sent):
    client = client_for(world.officer)
    r = client.put(f"{BASE}/requests/{sent.uuid}/draft", json.dumps({"answers": {}}), content_type="application/json")
    assert r.status_code == 403
    assert post(client, f"{BASE}/requests/{sent.uuid}/submit", {}).status_code == 403


def test_outsiders_see_nothing(world, client_for, sent, outsider):
    endpoints_get = [f"{BASE}/requests/{sent.uuid}"]
    endpoints_post = [f"{BASE}/requests/{sent.uuid}/{step}" for step in ("send", "accept", "submit")] + [
        f"{BASE}/requests/{sent.uuid}/ask-completion"
    ]
    # Supplier B
    client = client_for(outsider)
    assert client.get(f"{BASE}/requests").json()["count"] == 0
    for url in endpoints_get:
        assert client.get(url).status_code == 404
    assert post(client, f"{BASE}/requests/{sent.uuid}/submit", {}).status_code == 404
    r = client.put(f"{BASE}/requests/{sent.uuid}/draft", json.dumps({"answers": {}}), content_type="application/json")
    assert r.status_code == 404
    for url in endpoints_post:
        assert post(client, url, {"comment": "x"}).status_code in (403, 404), url
    assert client.get(f"{BASE}/questionnaire-templates").status_code == 403
    assert (
        post(
            client,
            f"{BASE}/requests",
            {"activity": str(sent.activity.uuid), "kind": "documents", "title": "x", "deadline": "2030-01-01"},
        ).status_code
        == 403
    )
    # A beställare of the other region
    client = client_for(world.orderer_sl)
    assert client.get(f"{BASE}/requests").json()["count"] == 0
    for url in endpoints_get:
        assert client.get(url).status_code == 404
    for url in endpoints_post:
        assert post(client, url, {"comment": "x"}).status_code == 404, url
    # The reader sees it, may not act
    client = client_for(world.reader)
    assert client.get(f"{BASE}/requests/{sent.uuid}").status_code == 200
    assert post(client, f"{BASE}/requests/{sent.uuid}/send", {}).status_code == 403


def test_draft_is_hidden_from_the_supplier(world, client_for, draft):
    client = client_for(world.supplier_contact)
    assert client.get(f"{BASE}/requests/{draft.uuid}").status_code == 404
    assert client.get(f"{BASE}/requests").json()["count"] == 0


def test_templates(world, client_for, template, django_assert_max_num_queries):
    client = client_for(world.officer)
    with django_assert_max_num_queries(10):
        r = client.get(f"{BASE}/questionnaire-templates", {"requirement_type": "labour"})
    assert r.status_code == 200
    titles = [t["title"] for t in r.json()["items"]]
    assert "Kollektivavtal" in titles and "Självdeklaration: arbetsrättsliga villkor" in titles
    r = client.get(f"{BASE}/questionnaire-templates/{template.uuid}")
    follow_up = next(q for q in r.json()["questions"] if q["text"] == "Bifoga avtalet")
    assert follow_up["show_if_value"] == "yes" and follow_up["show_if_question"]


def test_list_filters(world, client_for, sent, labour_activity):
    from kravspar.questionnaires import services

    services.request_create(
        actor=world.officer,
        activity=labour_activity,
        kind="documents",
        title="Dokument",
        deadline=TODAY + datetime.timedelta(days=2),
    )
    client = client_for(world.officer)
    assert client.get(f"{BASE}/requests").json()["count"] == 2
    assert client.get(f"{BASE}/requests", {"status": "sent"}).json()["count"] == 1
    assert client.get(f"{BASE}/requests", {"overdue": "true"}).json()["count"] == 0
    r = client.get(f"{BASE}/requests", {"contract": str(sent.contract.uuid)})
    assert r.json()["count"] == 2
    assert sent.status == RequestStatus.SENT


def test_supplier_uploads_a_file_answer_and_keeps_the_others(world, client_for, sent, outsider):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import PDF

    q = questions_by_text(sent)
    client = client_for(world.supplier_contact)
    detail = client.get(f"{BASE}/requests/{sent.uuid}").json()
    r = client.put(
        f"{BASE}/requests/{sent.uuid}/draft",
        json.dumps({"version": detail["response_version"], "answers": {q["Tillämpar ni kollektivavtal?"].key: "yes"}}),
        content_type="application/json",
    )
    version = r.json()["response_version"]
    url = f"{BASE}/requests/{sent.uuid}/files/{q['Bifoga avtalet'].uuid}"
    r = client.post(url, {"file": SimpleUploadedFile("avtal.txt", b"\x00\x01binary"), "version": version})
    assert r.status_code == 400
    assert list(r.json()["details"]["fields"]) == [q["Bifoga avtalet"].field_name]
    r = client.post(url, {"file": SimpleUploadedFile("avtal.pdf", PDF), "version": version})
    assert r.status_code == 200, r.content
    answers = r.json()["answers"]
    assert answers[q["Tillämpar ni kollektivavtal?"].key] == "yes"
    assert answers[q["Bifoga avtalet"].key]["name"] == "avtal.pdf"
    # Not a file question: refused
    r = client.post(
        f"{BASE}/requests/{sent.uuid}/files/{q['Lägsta timlön'].uuid}", {"file": SimpleUploadedFile("a.pdf", PDF)}
    )
    assert r.status_code == 400
    # Supplier B and the officer cannot upload
    assert client_for(outsider).post(url, {"file": SimpleUploadedFile("a.pdf", PDF)}).status_code == 404
    assert client_for(world.officer).post(url, {"file": SimpleUploadedFile("a.pdf", PDF)}).status_code == 403
