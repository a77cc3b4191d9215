"""Planning a procurement through the API only: the officer plans, a second officer
approves, and the gate answers 409 "strategy_incomplete" with the list of what is
missing until then. Outsiders see nothing (404) or may not change (403)."""

import pytest

from kravspar.accounts.services import api_token_create
from kravspar.cpv.models import CpvCode
from kravspar.procurements import policy, services
from kravspar.procurements.models import Procurement, ProcurementStatus, StrategyStatus
from kravspar.requirements.models import RequirementTemplate

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_as(client):
    """api_as(person)(method, url, body) -> the response, authenticated with the person's token."""
    tokens = {}

    def as_person(person):
        if person.pk not in tokens:
            tokens[person.pk] = api_token_create(actor=None, user=person, name="test")[1]

        def call(method, url, data=None):
            kwargs = {"HTTP_AUTHORIZATION": f"Bearer {tokens[person.pk]}"}
            if data is not None:
                kwargs.update(data=data, content_type="application/json")
            return getattr(client, method)(f"/api/v1{url}", **kwargs)

        return call

    return as_person


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code and body["message"]
    return body


@pytest.fixture
def sormland_only(world):
    """Patient transport for Region Sörmland alone: invisible to Västmanland's staff."""
    return services.procurement_create(
        actor=world.officer,
        buyers=[world.sormland],
        registry_number="RS-2026-0007",
        title="Sjukresor",
        kind="services",
    )


@pytest.fixture
def code_of_conduct(world):
    return RequirementTemplate.objects.create(
        title="Uppförandekod",
        type="social",
        text="Leverantören ska följa uppförandekoden för leverantörer.",
        level="bas",
        aims=[3, 4],
        binds_subcontractors=True,
        source="Nationella regionernas hållbarhetsarbete",
    )


def new_procurement_body(world, **overrides):
    return {
        "registry_number": "RV-2026-0301",
        "title": "Fordon och drivmedel",
        "description": "Personbilar för hemsjukvården.",
        "buyers": [str(world.vastmanland.uuid), str(world.sormland.uuid)],
        "officer": "officer",
        "ordering_units": [str(world.unit_vm.uuid)],
        "cpv_main": "34110000-1",
        "cpv_additional": ["09132000"],
        "kind": "goods",
        "procedure": "open",
        "agreement_type": "framework",
        "estimated_value": 60_000_000,
        "duration_months": 48,
        "criticality": 3,
        "supply_risk": 2,
    } | overrides


def plan(call, key, template):
    """Assess the six aims, add two requirements (one from the library) and follow both up."""
    for aim in range(1, 7):
        response = call("put", f"/procurements/{key}/aims/{aim}", {"relevant": aim != 5, "how": "Så här."})
        assert response.status_code == 200, response.content
    quality = call(
        "post",
        f"/procurements/{key}/requirements",
        {"title": "Servicenivå", "type": "quality", "text": "Ersättningsbil inom 24 timmar."},
    )
    social = call("post", f"/procurements/{key}/requirements", {"template": str(template.uuid), "level": "avancerad"})
    assert quality.status_code == social.status_code == 201
    entries = {
        quality.json()["uuid"]: {
            "methods": ["spot_check"],
            "timing": "recurring",
            "interval_months": 6,
            "change_reason": "Halvårsvis.",
        },
        social.json()["uuid"]: {
            "methods": ["self_assessment", "desk_audit"],
            "timing": "at_months",
            "at_months": [3, 12],
            "change_reason": "Tidig kontroll, sedan årligen.",
        },
    }
    for requirement, body in entries.items():
        response = call("put", f"/procurements/{key}/strategy/entries/{requirement}", body)
        assert response.status_code == 200, response.content
    return quality.json(), social.json()


def test_openapi_documents_the_planning_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/procurements",
        "/api/v1/procurements/{key}",
        "/api/v1/procurements/{key}/transitions",
        "/api/v1/procurements/{key}/aims",
        "/api/v1/procurements/{key}/aims/{aim}",
        "/api/v1/procurements/{key}/requirements",
        "/api/v1/requirements/{key}",
        "/api/v1/procurements/{key}/strategy",
        "/api/v1/procurements/{key}/strategy/versions/{number}",
        "/api/v1/procurements/{key}/strategy/entries/{requirement_key}",
        "/api/v1/procurements/{key}/strategy/submit",
        "/api/v1/procurements/{key}/strategy/approve",
        "/api/v1/procurements/{key}/strategy/return",
        "/api/v1/requirement-templates",
    ):
        assert path in paths
    assert set(paths["/api/v1/requirements/{key}"]) == {"get", "patch", "delete"}


def test_an_officer_plans_a_second_officer_approves_and_the_procurement_is_advertised(
    world, second_officer, code_of_conduct, api_as
):
    officer, approver = api_as(world.officer), api_as(second_officer)

    created = officer("post", "/procurements", new_procurement_body(world))
    assert created.status_code == 201, created.content
    body = created.json()
    key = body["uuid"]
    assert body["status"] == "planning"
    assert set(body["buyers"]) == {str(world.vastmanland.uuid), str(world.sormland.uuid)}
    assert body["officer"] == "officer" and body["cpv_main"] == "34110000" and body["cpv_additional"] == ["09132000"]
    assert body["estimated_value"] == 60_000_000 and body["tier"] == "A" and body["kraljic"] == "strategic"
    assert len(body["gate_missing"]) >= 6

    quality, social = plan(officer, key, code_of_conduct)
    assert social["template"] == str(code_of_conduct.uuid)
    assert social["text"] == code_of_conduct.text and social["level"] == "avancerad" and social["aims"] == [3, 4]
    aims = officer("get", f"/procurements/{key}/aims").json()
    assert [a["aim"] for a in aims] == [1, 2, 3, 4, 5, 6] and all(a["assessed"] for a in aims)

    strategy = officer("get", f"/procurements/{key}/strategy").json()
    assert strategy["number"] == 1 and strategy["status"] == "draft"
    by_requirement = {e["requirement"]: e for e in strategy["entries"]}
    # The policy assigns the responsible: quality to the ordering unit, social requirements to Inköp.
    assert by_requirement[quality["uuid"]]["responsible"] == "ordering_unit"
    assert by_requirement[quality["uuid"]]["responsible_unit"] == str(world.unit_vm.uuid)
    assert by_requirement[social["uuid"]]["responsible"] == "purchasing"
    assert by_requirement[social["uuid"]]["responsible_unit"] == str(world.inkop.uuid)
    assert all(e["problems"] == [] for e in strategy["entries"])

    submitted = officer("post", f"/procurements/{key}/strategy/submit")
    assert submitted.status_code == 200 and submitted.json()["submitted_by"] == "officer"

    # Before approval the gate refuses, and says why.
    refused = assert_error(
        officer("post", f"/procurements/{key}/transitions", {"to": "advertised"}), 409, "strategy_incomplete"
    )
    assert isinstance(refused["details"]["missing"], list) and len(refused["details"]["missing"]) == 1

    approved = approver("post", f"/procurements/{key}/strategy/approve")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved" and approved.json()["approved_by"] == "officer2"
    detail = officer("get", f"/procurements/{key}").json()
    assert detail["status"] == "strategy_approved" and detail["gate_missing"] == []
    assert detail["allowed_transitions"] == ["advertised", "cancelled"]

    advertised = officer("post", f"/procurements/{key}/transitions", {"to": "advertised"})
    assert advertised.status_code == 200, advertised.content
    assert advertised.json()["status"] == "advertised"
    assert Procurement.objects.get(uuid=key).status == ProcurementStatus.ADVERTISED


def test_the_gate_answers_409_strategy_incomplete_with_everything_missing(world, procurement, api_as):
    officer = api_as(world.officer)
    expected = policy.strategy_gate_missing(procurement)
    for target in ("strategy_approved", "advertised"):
        body = assert_error(
            officer("post", f"/procurements/{procurement.uuid}/transitions", {"to": target}),
            409,
            "strategy_incomplete",
        )
        assert body["details"]["missing"] == expected
    procurement.refresh_from_db()
    assert procurement.status == ProcurementStatus.PLANNING
    assert officer("get", f"/procurements/{procurement.uuid}").json()["gate_missing"] == expected


def test_submitting_an_incomplete_strategy_lists_what_is_missing(world, procurement, api_as):
    officer = api_as(world.officer)
    key = procurement.uuid
    requirement = officer(
        "post", f"/procurements/{key}/requirements", {"title": "Kvalitet", "type": "quality", "text": "INSTA 800."}
    ).json()
    officer(
        "put",
        f"/procurements/{key}/strategy/entries/{requirement['uuid']}",
        {"methods": ["survey"], "timing": "at_start", "change_reason": "Passar kravet bättre."},
    )
    body = assert_error(officer("post", f"/procurements/{key}/strategy/submit"), 409, "strategy_incomplete")
    assert len(body["details"]["missing"]) == 6  # the six aims


def test_an_arrow_the_lifecycle_does_not_have_is_invalid_transition(world, procurement, api_as):
    response = api_as(world.officer)("post", f"/procurements/{procurement.uuid}/transitions", {"to": "evaluation"})
    assert_error(response, 409, "invalid_transition")


def test_cancelling_needs_a_reason(world, procurement, api_as):
    officer = api_as(world.officer)
    url = f"/procurements/{procurement.uuid}/transitions"
    body = assert_error(officer("post", url, {"to": "cancelled"}), 400, "invalid")
    assert "reason" in body["details"]["fields"]
    cancelled = officer("post", url, {"to": "cancelled", "reason": "Behovet försvann."}).json()
    assert cancelled["status"] == "cancelled" and cancelled["cancel_reason"] == "Behovet försvann."


def test_the_submitter_cannot_approve_their_own_strategy(world, procurement, second_officer, code_of_conduct, api_as):
    officer = api_as(world.officer)
    plan(officer, procurement.uuid, code_of_conduct)
    assert officer("post", f"/procurements/{procurement.uuid}/strategy/submit").status_code == 200
    assert_error(officer("post", f"/procurements/{procurement.uuid}/strategy/approve"), 403, "forbidden")
    assert policy.current_strategy(procurement).status == StrategyStatus.SUBMITTED
    # The approver may instead send it back, with a comment.
    returned = api_as(second_officer)(
        "post", f"/procurements/{procurement.uuid}/strategy/return", {"comment": "Lägg till platsbesök."}
    )
    assert returned.status_code == 200 and returned.json()["status"] == "draft"


def test_an_approved_version_stays_readable_after_a_change(world, procurement, second_officer, code_of_conduct, api_as):
    officer = api_as(world.officer)
    key = procurement.uuid
    quality, _social = plan(officer, key, code_of_conduct)
    officer("post", f"/procurements/{key}/strategy/submit")
    api_as(second_officer)("post", f"/procurements/{key}/strategy/approve")
    changed = officer(
        "put",
        f"/procurements/{key}/strategy/entries/{quality['uuid']}",
        {"methods": ["survey"], "timing": "at_start", "change_reason": "Passar kravet bättre."},
    )
    assert changed.status_code == 200 and changed.json()["methods"] == ["survey"]
    current = officer("get", f"/procurements/{key}/strategy").json()
    assert current["number"] == 2 and current["status"] == "draft"
    first = officer("get", f"/procurements/{key}/strategy/versions/1").json()
    assert first["status"] == "superseded" and first["approved_by"] == "officer2"
    assert {e["requirement"]: e["methods"] for e in first["entries"]}[quality["uuid"]] == ["spot_check"]
    versions = officer("get", f"/procurements/{key}/strategy/versions").json()
    assert [v["number"] for v in versions["items"]] == [2, 1]
    assert officer("get", f"/procurements/{key}").json()["status"] == "planning"
    assert_error(officer("get", f"/procurements/{key}/strategy/versions/9"), 404, "not_found")


def test_changing_the_policy_responsible_needs_a_reason(world, procurement, api_as):
    officer = api_as(world.officer)
    key = procurement.uuid
    requirement = officer(
        "post", f"/procurements/{key}/requirements", {"title": "Kvalitet", "type": "quality", "text": "INSTA 800."}
    ).json()
    url = f"/procurements/{key}/strategy/entries/{requirement['uuid']}"
    entry = {
        "methods": ["supplier_meeting"],
        "timing": "at_start",
        "responsible": "purchasing",
        "change_reason": "Ett startmöte.",
    }
    body = assert_error(officer("put", url, entry), 400, "invalid")
    assert "override_reason" in body["details"]["fields"]
    saved = officer("put", url, entry | {"override_reason": "Beställaren saknar resurser."}).json()
    assert saved["responsible"] == "purchasing" and saved["policy_responsible"] == "ordering_unit"


def test_requirements_are_changed_and_removed_softly(world, procurement, api_as):
    officer = api_as(world.officer)
    created = officer(
        "post",
        f"/procurements/{procurement.uuid}/requirements",
        {"title": "Fakturor", "type": "economy", "text": "E-faktura via Peppol.", "aims": [1]},
    ).json()
    url = f"/requirements/{created['uuid']}"
    changed = officer("patch", url, {"text": "E-faktura enligt Peppol BIS Billing 3.", "version": created["version"]})
    assert changed.status_code == 200 and changed.json()["version"] == created["version"] + 1
    removed = officer("delete", url)
    assert removed.status_code == 200 and removed.json()["removed"] is True
    listing = f"/procurements/{procurement.uuid}/requirements"
    assert officer("get", listing).json()["count"] == 0
    assert officer("get", f"{listing}?include_removed=true").json()["count"] == 1
    assert officer("get", url).json()["removed"] is True


def test_an_unknown_template_is_not_found(world, procurement, api_as):
    body = {"template": "00000000-0000-0000-0000-000000000000"}
    response = api_as(world.officer)("post", f"/procurements/{procurement.uuid}/requirements", body)
    assert_error(response, 404, "not_found")


def test_procurement_list_filters(world, procurement, sormland_only, api_as):
    officer = api_as(world.officer)

    def registry_numbers(query):
        response = officer("get", f"/procurements?{query}")
        assert response.status_code == 200, response.content
        return sorted(p["registry_number"] for p in response.json()["items"])

    assert registry_numbers("") == ["RS-2026-0007", "RS-2026-0142"]
    assert registry_numbers("q=städ") == ["RS-2026-0142"]
    assert registry_numbers("q=0007") == ["RS-2026-0007"]
    assert registry_numbers(f"organisation={world.vastmanland.uuid}") == ["RS-2026-0142"]
    assert registry_numbers("cpv=9091") == ["RS-2026-0142"]
    assert registry_numbers("officer=officer") == ["RS-2026-0142"]
    assert registry_numbers("status=planning") == ["RS-2026-0007", "RS-2026-0142"]
    assert registry_numbers("status=advertised") == []


def test_list_query_count_does_not_grow_with_the_rows(world, api_as, django_assert_num_queries):
    officer = api_as(world.officer)

    def add(count, start):
        for n in range(start, start + count):
            services.procurement_create(
                actor=world.officer,
                buyers=[world.sormland, world.vastmanland],
                ordering_units=[world.unit_vm, world.unit_sl],
                registry_number=f"RS-2026-{n:04d}",
                title=f"Upphandling {n}",
                kind="goods",
                officer=world.officer,
                cpv_main=CpvCode.objects.get(code="90910000"),
                estimated_value=1_000_000,
                criticality=1,
                supply_risk=1,
            ).cpv_additional.set(["09132000", "34110000"])

    add(3, 0)
    officer("get", "/procurements")  # the token's first use of the minute is recorded
    # token, roles, visible organisations (3), count, page, buyers, ordering units, CPV codes
    with django_assert_num_queries(10):
        page = officer("get", "/procurements?limit=50").json()
    assert page["count"] == 3
    add(20, 100)
    with django_assert_num_queries(10):
        page = officer("get", "/procurements?limit=50").json()
    assert page["count"] == 23 and len(page["items"][0]["buyers"]) == 2


# --- Outsiders ------------------------------------------------------------------------------


def test_vastmanland_does_not_see_a_procurement_of_sormland_alone(world, sormland_only, api_as):
    orderer = api_as(world.orderer_vm)
    key = sormland_only.uuid
    requirement = api_as(world.officer)(
        "post", f"/procurements/{key}/requirements", {"title": "Krav", "type": "quality", "text": "Text."}
    ).json()
    assert orderer("get", "/procurements").json()["count"] == 0
    for url in (
        f"/procurements/{key}",
        f"/procurements/{key}/aims",
        f"/procurements/{key}/requirements",
        f"/procurements/{key}/strategy",
        f"/requirements/{requirement['uuid']}",
    ):
        assert_error(orderer("get", url), 404, "not_found")
    assert_error(orderer("patch", f"/procurements/{key}", {"title": "X"}), 404, "not_found")
    assert_error(
        orderer("post", f"/procurements/{key}/transitions", {"to": "cancelled", "reason": "x"}), 404, "not_found"
    )
    assert_error(orderer("delete", f"/requirements/{requirement['uuid']}"), 404, "not_found")


def test_an_orderer_sees_but_cannot_change(world, procurement, api_as):
    orderer = api_as(world.orderer_vm)
    key = procurement.uuid
    requirement = api_as(world.officer)(
        "post", f"/procurements/{key}/requirements", {"title": "Krav", "type": "quality", "text": "Text."}
    ).json()
    assert orderer("get", f"/procurements/{key}").status_code == 200
    assert orderer("get", f"/requirements/{requirement['uuid']}").status_code == 200
    for method, url, body in (
        ("patch", f"/procurements/{key}", {"title": "X"}),
        ("put", f"/procurements/{key}/aims/1", {"relevant": True, "how": "x"}),
        ("post", f"/procurements/{key}/requirements", {"title": "K", "type": "quality", "text": "T"}),
        ("patch", f"/requirements/{requirement['uuid']}", {"title": "X"}),
        ("delete", f"/requirements/{requirement['uuid']}", None),
        (
            "put",
            f"/procurements/{key}/strategy/entries/{requirement['uuid']}",
            {"methods": ["survey"], "timing": "at_start", "change_reason": "Passar kravet bättre."},
        ),
        ("post", f"/procurements/{key}/strategy/submit", None),
        ("post", f"/procurements/{key}/strategy/approve", None),
        ("post", f"/procurements/{key}/transitions", {"to": "cancelled", "reason": "x"}),
        ("post", "/procurements", new_procurement_body(world)),
        ("post", "/requirement-templates", {"title": "T", "type": "quality", "text": "T"}),
    ):
        assert_error(orderer(method, url, body), 403, "forbidden")
    procurement.refresh_from_db()
    assert procurement.title == "Städtjänster" and procurement.status == ProcurementStatus.PLANNING


def test_a_supplier_contact_sees_nothing(world, procurement, code_of_conduct, client):
    client.force_login(world.supplier_contact)
    assert client.get("/api/v1/procurements").json()["count"] == 0
    assert client.get("/api/v1/requirement-templates").json()["count"] == 0
    assert_error(client.get(f"/api/v1/procurements/{procurement.uuid}"), 404, "not_found")
    assert_error(client.get(f"/api/v1/requirement-templates/{code_of_conduct.uuid}"), 404, "not_found")


# --- Bodies and versions ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("post", "/procurements", {"title": "Utan diarienummer"}),
        ("post", "/procurements", {"kind": "spaceships", "registry_number": "X-1", "title": "T", "buyers": []}),
        ("patch", "/procurements/{key}", {"title": None}),
        ("patch", "/procurements/{key}", {"criticality": 7}),
        ("post", "/procurements/{key}/transitions", {"to": "nowhere"}),
        ("put", "/procurements/{key}/aims/1", {"relevant": "perhaps", "how": "x"}),
        ("post", "/procurements/{key}/requirements", {"type": "astrology"}),
        ("post", "/procurements/{key}/strategy/return", {}),
    ],
)
def test_malformed_bodies_are_422(world, procurement, api_as, method, url, body):
    response = api_as(world.officer)(method, url.format(key=procurement.uuid), body)
    assert assert_error(response, 422, "invalid_request")["details"]["errors"]


def test_an_unknown_method_in_a_strategy_entry_is_422(world, procurement, api_as):
    officer = api_as(world.officer)
    requirement = officer(
        "post", f"/procurements/{procurement.uuid}/requirements", {"title": "K", "type": "quality", "text": "T"}
    ).json()
    url = f"/procurements/{procurement.uuid}/strategy/entries/{requirement['uuid']}"
    assert_error(
        officer("put", url, {"methods": ["tarot"], "timing": "at_start", "change_reason": "Passar kravet bättre."}),
        422,
        "invalid_request",
    )


def test_an_unknown_cpv_code_names_the_field(world, api_as):
    response = api_as(world.officer)("post", "/procurements", new_procurement_body(world, cpv_main="99999999"))
    assert list(assert_error(response, 400, "invalid")["details"]["fields"]) == ["cpv_main"]


def test_a_stale_version_is_409(world, procurement, api_as):
    officer = api_as(world.officer)
    url = f"/procurements/{procurement.uuid}"
    version = officer("get", url).json()["version"]
    changed = officer("patch", url, {"title": "Städ- och fönsterputstjänster", "version": version})
    assert changed.status_code == 200 and changed.json()["version"] == version + 1
    assert_error(officer("patch", url, {"title": "Något annat", "version": version}), 409, "concurrent_edit")
    procurement.refresh_from_db()
    assert procurement.title == "Städ- och fönsterputstjänster"


def test_a_stale_requirement_version_is_409(world, procurement, api_as):
    officer = api_as(world.officer)
    created = officer(
        "post", f"/procurements/{procurement.uuid}/requirements", {"title": "K", "type": "quality", "text": "T"}
    ).json()
    url = f"/requirements/{created['uuid']}"
    assert officer("patch", url, {"text": "Ny", "version": created["version"]}).status_code == 200
    assert_error(officer("patch", url, {"text": "Äldre", "version": created["version"]}), 409, "concurrent_edit")


def test_patch_changes_buyers_and_codes(world, procurement, api_as):
    officer = api_as(world.officer)
    changed = officer(
        "patch",
        f"/procurements/{procurement.uuid}",
        {"buyers": [str(world.vastmanland.uuid)], "cpv_additional": ["90911000"], "officer": None},
    )
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert body["buyers"] == [str(world.vastmanland.uuid)]
    assert body["cpv_additional"] == ["90911000"] and body["officer"] is None
    assert body["title"] == "Städtjänster"


# --- Library ------------------------------------------------------------------------------------


def test_the_library_is_searched_and_kept_by_officers(world, code_of_conduct, api_as):
    officer = api_as(world.officer)
    active = RequirementTemplate.objects.filter(is_active=True).count()  # the seeded library and ours
    created = officer(
        "post",
        "/requirement-templates",
        {"title": "Elcyklar", "type": "environment", "text": "Cyklarna ska ha ett utbytbart batteri.", "aims": [3]},
    )
    assert created.status_code == 201, created.content
    assert created.json()["verified_when"] == "after_contract"
    assert [t["title"] for t in officer("get", "/requirement-templates?q=elcykl").json()["items"]] == ["Elcyklar"]
    socials = officer("get", "/requirement-templates?type=social&limit=100").json()["items"]
    assert "Uppförandekod" in [t["title"] for t in socials] and {t["type"] for t in socials} == {"social"}
    assert api_as(world.orderer_vm)("get", "/requirement-templates").json()["count"] == active + 1
    retired = officer("patch", f"/requirement-templates/{created.json()['uuid']}", {"is_active": False})
    assert retired.status_code == 200 and retired.json()["is_active"] is False
    assert officer("get", "/requirement-templates").json()["count"] == active
    assert officer("get", "/requirement-templates?include_inactive=true").json()["count"] == active + 1
    duplicate = officer("post", "/requirement-templates", {"title": "uppförandekod", "type": "social", "text": "T"})
    assert "title" in assert_error(duplicate, 400, "invalid")["details"]["fields"]


def test_detail_query_count_does_not_grow_with_requirements(
    world, procurement, code_of_conduct, api_as, django_assert_num_queries
):
    officer = api_as(world.officer)
    url = f"/procurements/{procurement.uuid}"
    plan(officer, procurement.uuid, code_of_conduct)
    # 16 with the labour-law needs assessment the gate reads (kravspar/labour/policy.py).
    with django_assert_num_queries(16):
        assert officer("get", url).json()["gate_missing"]
    for n in range(5):
        officer("post", f"{url}/requirements", {"title": f"Krav {n}", "type": "quality", "text": "T"})
    with django_assert_num_queries(16):
        assert len(officer("get", url).json()["gate_missing"]) == 6
