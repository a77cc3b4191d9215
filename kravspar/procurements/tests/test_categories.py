"""The category tables behind the planning suggestions are kept by people: the Inköp
officers who keep the requirement library add and change rules, every rule names its
source, a rule that no longer applies is deactivated (never deleted), and every buyer
may read the tables and try a CPV code against them."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from kravspar.audit.models import AuditEvent
from kravspar.core.errors import ConcurrentEditError, NotAllowedError
from kravspar.procurements import policy, services
from kravspar.procurements.models import CategoryRule, CategoryRuleKind

LABOUR = CategoryRuleKind.LABOUR_CONDITIONS
LABOUR_SOURCE = "LOU 17 kap. 2–5 §§; Upphandlingsmyndighetens branschlista"
LIST = reverse("categories:list")
CREATE = reverse("categories:create")


def add_graffiti_removal(actor, **extra):
    """Graffiti removal (90690000) is labour-intensive, like the cleaning already listed."""
    fields = {"kind": LABOUR, "cpv_prefix": "9069", "label": "Klottersanering", "source": LABOUR_SOURCE} | extra
    return services.category_rule_create(actor=actor, **fields)


def edit_url(rule):
    return reverse("categories:edit", args=[rule.uuid])


def labour_suggestions(code):
    return [s for s in policy.suggestions_for_codes([code]) if s.kind == LABOUR]


def errors_of(call):
    """The messages in English (the msgids), whatever the catalogue says in Swedish."""
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        call()
    return exc.value.message_dict


# --- The services ---------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["5", "553a", "553 00", "553000001", "", "５５３"])
def test_a_prefix_is_two_to_eight_digits(world, prefix):
    errors = errors_of(lambda: add_graffiti_removal(world.officer, cpv_prefix=prefix))
    assert errors["cpv_prefix"][0].startswith("CPV prefix: write 2 to 8 digits")


def test_a_prefix_must_start_a_real_cpv_code(world):
    # No CPV division starts with 99.
    errors = errors_of(lambda: add_graffiti_removal(world.officer, cpv_prefix="99"))
    assert errors["cpv_prefix"] == ["CPV prefix: no CPV code starts with 99."]
    assert not CategoryRule.objects.filter(cpv_prefix="99").exists()


def test_every_rule_says_where_it_comes_from(world):
    errors = errors_of(lambda: add_graffiti_removal(world.officer, source="  ", label=""))
    assert errors["source"] == ["Source: say where the rule comes from."]
    assert errors["label"][0].startswith("Category:")
    errors = errors_of(lambda: add_graffiti_removal(world.officer, kind="fun"))
    assert errors["kind"][0].startswith("Kind:")


def test_a_table_holds_an_active_prefix_once(world):
    # Cleaning (9091) is already in the labour table from the seeded rows.
    errors = errors_of(lambda: add_graffiti_removal(world.officer, cpv_prefix="9091", label="Städ"))
    assert errors["cpv_prefix"] == ["CPV prefix: the table already has an active rule for 9091."]
    # Another table may hold the same prefix, and an inactive rule does not count.
    rule = add_graffiti_removal(world.officer)
    services.category_rule_update(actor=world.officer, rule=rule, expected_version=rule.version, is_active=False)
    replacement = add_graffiti_removal(world.officer, label="Klotter och sanering")
    assert services.category_rule_create(
        actor=world.officer, kind=CategoryRuleKind.ENVIRONMENT_PRIORITY, cpv_prefix="9069", label="Mat", source="X"
    )
    # Reactivating the old rule would make two.
    rule.refresh_from_db()
    errors = errors_of(
        lambda: services.category_rule_update(
            actor=world.officer, rule=rule, expected_version=rule.version, is_active=True
        )
    )
    assert "cpv_prefix" in errors
    assert replacement.is_active


def test_create_and_update_are_recorded(world):
    rule = add_graffiti_removal(world.officer, cpv_prefix=" 9069 ", label=" Klottersanering ")
    assert (rule.cpv_prefix, rule.label, rule.is_active) == ("9069", "Klottersanering", True)
    created = AuditEvent.objects.get(action="category_rule.created", object_id=str(rule.uuid))
    assert created.actor == world.officer
    assert created.after == {
        "kind": LABOUR,
        "cpv_prefix": "9069",
        "label": "Klottersanering",
        "source": LABOUR_SOURCE,
        "is_active": True,
    }
    services.category_rule_update(
        actor=world.officer, rule=rule, expected_version=rule.version, label="Klotter och sanering"
    )
    updated = AuditEvent.objects.get(action="category_rule.updated")
    assert updated.before == {"label": "Klottersanering"} and updated.after == {"label": "Klotter och sanering"}
    rule.refresh_from_db()
    assert rule.version == 2
    # Saving without a change writes nothing.
    services.category_rule_update(actor=world.officer, rule=rule, expected_version=2, label="Klotter och sanering")
    assert AuditEvent.objects.filter(action="category_rule.updated").count() == 1


def test_a_stale_edit_is_refused(world):
    rule = add_graffiti_removal(world.officer)
    services.category_rule_update(actor=world.admin, rule=rule, expected_version=1, source="Inköpspolicyn")
    with pytest.raises(ConcurrentEditError):
        services.category_rule_update(actor=world.officer, rule=rule, expected_version=1, label="Krog")
    with pytest.raises(ValueError):
        services.category_rule_update(actor=world.officer, rule=rule, expected_version=None, version=7)


def test_only_the_library_keepers_maintain_the_tables(world):
    for outsider in (world.orderer_vm, world.reader, world.env_vm, world.supplier_contact):
        with pytest.raises(NotAllowedError):
            add_graffiti_removal(outsider)
    rule = add_graffiti_removal(None)  # the system, e.g. an import
    assert AuditEvent.objects.get(action="category_rule.created").actor_label == "system"
    with pytest.raises(NotAllowedError):
        services.category_rule_update(actor=world.orderer_vm, rule=rule, expected_version=None, is_active=False)


def test_a_deactivated_rule_stops_suggesting(world):
    assert labour_suggestions("90690000") == []
    rule = add_graffiti_removal(world.officer)
    [suggestion] = labour_suggestions("90690000")
    assert (suggestion.label, suggestion.source) == ("Klottersanering", LABOUR_SOURCE)
    services.category_rule_update(actor=world.officer, rule=rule, expected_version=rule.version, is_active=False)
    assert labour_suggestions("90690000") == []
    # So does a seeded row: cleaning keeps its other tables.
    cleaning = CategoryRule.objects.get(kind=LABOUR, cpv_prefix="9091")
    services.category_rule_update(actor=world.admin, rule=cleaning, expected_version=None, is_active=False)
    assert labour_suggestions("90911200") == []
    assert {s.kind for s in policy.suggestions_for_codes(["90911200"])} == {
        CategoryRuleKind.HIGH_RISK_SOCIAL,
        CategoryRuleKind.ENVIRONMENT_PRIORITY,
    }
    assert CategoryRule.objects.filter(pk=cleaning.pk).exists()


# --- The pages ------------------------------------------------------------------------------


def test_officer_adds_a_rule(world, client_for):
    client = client_for(world.officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(LIST)
    assert page.status_code == 200 and page.context["can_manage"]
    assert CREATE.encode() in page.content
    assert client.get(CREATE).status_code == 200
    refused = client.post(CREATE, {"kind": LABOUR, "cpv_prefix": "99", "label": "Klottersanering", "source": ""})
    assert refused.status_code == 400
    assert refused.context["form"].errors["cpv_prefix"] == ["CPV prefix: no CPV code starts with 99."]
    assert refused.context["form"].errors["source"] == ["Source: say where the rule comes from."]
    response = client.post(
        CREATE, {"kind": LABOUR, "cpv_prefix": "9069", "label": "Klottersanering", "source": "LOU 17"}
    )
    assert response.status_code == 302
    rule = CategoryRule.objects.get(kind=LABOUR, cpv_prefix="9069")
    assert (rule.label, rule.source, rule.is_active) == ("Klottersanering", "LOU 17", True)
    assert AuditEvent.objects.get(action="category_rule.created").actor == world.officer


def test_officer_deactivates_a_rule_and_sees_its_history(world, client_for):
    rule = add_graffiti_removal(world.officer)
    client = client_for(world.officer)
    edit = client.get(edit_url(rule))
    assert edit.status_code == 200
    assert edit.context["cpv"].code == "90690000"
    assert [e.action for e in edit.context["history"]] == ["category_rule.created"]
    # The checkbox left unchecked deactivates; no confirmation step.
    fields = {"kind": LABOUR, "cpv_prefix": "9069", "label": "Klottersanering", "source": LABOUR_SOURCE}
    response = client.post(edit_url(rule), fields | {"version": rule.version})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert not rule.is_active and rule.version == 2
    stale = client.post(edit_url(rule), fields | {"is_active": "on", "version": 1})
    assert stale.status_code == 400 and stale.context["form"].non_field_errors()
    rule.refresh_from_db()
    assert not rule.is_active
    assert client.post(edit_url(rule), fields | {"is_active": "on", "version": 2}).status_code == 302
    rule.refresh_from_db()
    assert rule.is_active
    history = client.get(edit_url(rule)).context["history"]
    assert [e.action for e in history] == ["category_rule.updated"] * 2 + ["category_rule.created"]


def test_list_filters_and_shows_the_cpv_label(world, client_for):
    inactive = add_graffiti_removal(world.officer, label="Gammal klotterregel")
    services.category_rule_update(actor=world.officer, rule=inactive, expected_version=None, is_active=False)
    client = client_for(world.reader)

    def rules(**params):
        return [rule for rule, _cpv in client.get(LIST, params).context["rows"]]

    labour = rules(kind=LABOUR)
    assert labour and {r.kind for r in labour} == {LABOUR} and inactive not in labour
    assert [r.cpv_prefix for r in rules(q="9091")] == ["9091"] * 3
    assert {r.label for r in rules(q="Städ", kind=LABOUR)} == {"Städ"}
    assert rules(status="inactive") == [inactive]
    assert inactive in rules(status="all", kind=LABOUR)
    page = client.get(LIST, {"q": "9091", "kind": LABOUR})
    [(rule, cpv)] = page.context["rows"]
    assert (rule.kind, rule.label) == (LABOUR, "Städ")
    assert cpv.code == "90910000"
    assert "Städning" in page.content.decode() or "Cleaning" in page.content.decode()


def test_try_a_code(world, client_for):
    client = client_for(world.orderer_vm)
    page = client.get(LIST, {"cpv": "90911200", "kind": LABOUR})
    assert page.context["tried"].code == "90911200"
    assert {s.kind for s in page.context["suggestions"]} == {
        CategoryRuleKind.HIGH_RISK_SOCIAL,
        CategoryRuleKind.ENVIRONMENT_PRIORITY,
        LABOUR,
    }
    # The list keeps its filter.
    assert ("kind", LABOUR) in page.context["keep"]
    assert LABOUR_SOURCE in page.content.decode()
    nothing = client.get(LIST, {"cpv": "79530000"})
    assert nothing.context["tried"].code == "79530000" and nothing.context["suggestions"] == []
    wrong = client.get(LIST, {"cpv": "909"})
    assert wrong.status_code == 200 and wrong.context["tried"] is None
    assert wrong.context["try_form"].errors["cpv"]


def test_readers_and_orderers_read_but_cannot_change(world, client_for):
    rule = add_graffiti_removal(world.officer)
    for person in (world.reader, world.orderer_vm, world.env_vm):
        client = client_for(person)
        page = client.get(LIST)
        assert page.status_code == 200 and not page.context["can_manage"]
        assert CREATE.encode() not in page.content and edit_url(rule).encode() not in page.content
        assert client.get(CREATE).status_code == 403
        new_rule = {"kind": LABOUR, "cpv_prefix": "7953", "label": "Översättning", "source": "LOU 17"}
        assert client.post(CREATE, new_rule).status_code == 403
        assert client.get(edit_url(rule)).status_code == 403
        assert client.post(edit_url(rule), {"kind": LABOUR, "cpv_prefix": "9069"}).status_code == 403
    rule.refresh_from_db()
    assert rule.is_active and rule.version == 1
    assert not CategoryRule.objects.filter(cpv_prefix="7953").exists()


def test_supplier_contacts_and_strangers_see_nothing(world, client_for, client):
    rule = add_graffiti_removal(world.officer)
    assert client.get(LIST).status_code == 302  # to the login page
    supplier = client_for(world.supplier_contact)
    assert supplier.get(LIST).status_code == 403
    assert supplier.get(edit_url(rule)).status_code == 403
    assert supplier.get(CREATE).status_code == 403


def test_unknown_rule_is_not_found(world, client_for):
    client = client_for(world.officer)
    assert client.get(reverse("categories:edit", args=["not-a-uuid"])).status_code == 404
    assert client.get(reverse("categories:edit", args=["7b0d6f7e-63a4-4d4b-9a57-2c1b6f0a9e11"])).status_code == 404


def test_list_query_count_does_not_grow(world, client_for, django_assert_max_num_queries):
    for n in range(30):
        CategoryRule.objects.create(kind=LABOUR, cpv_prefix=f"{45000000 + n * 1000}"[:5], label=f"Bygg {n}", source="X")
    assert CategoryRule.objects.count() > 50
    client = client_for(world.officer)
    # Session, user, roles; the count, the page, the CPV labels of the page.
    with django_assert_max_num_queries(6):
        first = client.get(LIST, {"status": "all"})
    assert len(first.context["rows"]) == 25
    # Trying a code adds the code and the active rules.
    with django_assert_max_num_queries(8):
        last = client.get(LIST, {"status": "all", "sida": "3", "cpv": "45000000"})
    assert last.context["rows"] and last.context["suggestions"]
