"""The risk tier drives the follow-up: SKR's tier and the Kraljic class propose the methods
and frequency of each requirement; the officer may choose otherwise with a reason, and both
the proposal and the reason are kept. Staged methods keep their order everywhere."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import translation

from kravspar.audit.models import AuditEvent
from kravspar.procurements import policy, selectors, services
from kravspar.procurements.forms import StrategyEntryForm
from kravspar.procurements.models import Kraljic, Method, StrategyEntry, Tier, Timing
from kravspar.requirements import services as requirement_services

STAGED = ["self_assessment", "document_review", "desk_audit", "on_site_audit"]


def entry_url(procurement, requirement):
    return reverse("procurements:strategy_entry", args=[procurement.uuid, requirement.uuid])


def add(world, procurement, type_, title="Krav", **extra):
    return requirement_services.requirement_add(
        actor=world.officer, procurement=procurement, title=title, type=type_, text="Text.", **extra
    )


def set_tier(world, procurement, tier):
    return services.procurement_update(
        actor=world.officer,
        procurement=procurement,
        expected_version=None,
        tier_override=tier,
        tier_override_reason="Avtalet är verksamhetskritiskt." if tier else "",
    )


# --- The rule ---------------------------------------------------------------------------------


def test_the_cleaning_procurement_is_tier_b_and_strategic(world, procurement):
    # 40 MSEK (band 2) + criticality 2 + supply risk 3 = 7: tier B; important and risky: strategic.
    assert policy.tier(procurement) == Tier.B
    assert policy.kraljic(procurement) == Kraljic.STRATEGIC


@pytest.mark.parametrize(
    ("tier", "methods", "interval"),
    [
        # "Top 10 %: statistics + 3 meetings a year" (and an audit)
        ("A", ["desk_audit", "supplier_meeting"], 4),
        # "Next 30 %: statistics + 1 meeting a year"
        ("B", ["supplier_meeting"], 12),
        # "Remaining 60 %: statistics + follow-up every second year"
        ("C", ["self_assessment"], 24),
    ],
)
def test_the_tier_proposes_methods_and_frequency(world, procurement, tier, methods, interval):
    procurement = set_tier(world, procurement, tier)
    quality = add(world, procurement, "quality")
    proposal = policy.proposed_follow_up(procurement, quality)
    assert proposal == policy.FollowUpProposal(tuple(methods), Timing.RECURRING, interval)


def test_social_requirements_get_the_staged_follow_up_and_an_on_site_audit_when_the_supply_risk_is_high(
    world, procurement
):
    labour = add(world, procurement, "labour")
    proposal = policy.proposed_follow_up(procurement, labour)
    assert proposal.methods == ("self_assessment", "desk_audit", "on_site_audit", "supplier_meeting")
    # Low supply risk (leverage): no on-site audit; tier C: the first step only.
    low_risk = services.procurement_update(
        actor=world.officer, procurement=procurement, expected_version=None, supply_risk=1
    )
    assert (policy.kraljic(low_risk), policy.tier(low_risk)) == (Kraljic.LEVERAGE, Tier.C)
    assert policy.proposed_follow_up(low_risk, labour).methods == ("self_assessment",)
    # Tier A keeps the desk audit and the meetings, without the on-site audit.
    tier_a = set_tier(world, low_risk, "A")
    assert policy.proposed_follow_up(tier_a, labour).methods == ("self_assessment", "desk_audit", "supplier_meeting")


def test_economy_is_followed_up_on_the_invoices_and_evaluation_by_document_review(world, procurement):
    economy = add(world, procurement, "economy", title="Pris")
    assert policy.proposed_follow_up(procurement, economy).methods == ("supplier_meeting", "invoice_check")
    qualification = add(world, procurement, "quality", title="Kvalifikation", verified_when="evaluation")
    assert policy.proposed_follow_up(procurement, qualification) == policy.FollowUpProposal(
        ("document_review",), Timing.AT_EVALUATION, None
    )


def test_an_unclassified_procurement_gets_no_proposal_and_no_reason_is_asked(world, procurement):
    procurement = services.procurement_update(
        actor=world.officer, procurement=procurement, expected_version=None, criticality=None
    )
    quality = add(world, procurement, "quality")
    assert policy.proposed_follow_up(procurement, quality) is None
    entry = services.strategy_entry_set(
        actor=world.officer, procurement=procurement, requirement=quality, methods=["survey"], timing="at_start"
    )
    assert (entry.proposed_methods, entry.proposed_timing, entry.method_change_reason) == ([], "", "")


# --- The service ------------------------------------------------------------------------------


def test_taking_the_proposal_needs_no_reason_and_keeps_it(world, procurement):
    quality = add(world, procurement, "quality")
    entry = services.strategy_entry_set(
        actor=world.officer,
        procurement=procurement,
        requirement=quality,
        methods=["supplier_meeting"],
        timing="recurring",
        interval_months=12,
    )
    assert (entry.proposed_methods, entry.proposed_timing, entry.proposed_interval_months) == (
        ["supplier_meeting"],
        "recurring",
        12,
    )
    assert entry.method_change_reason == "" and not entry.differs_from_proposal


@pytest.mark.parametrize(
    "change",
    [
        {"methods": ["spot_check"], "timing": "recurring", "interval_months": 12},  # another method
        {"methods": ["supplier_meeting"], "timing": "recurring", "interval_months": 6},  # more often
        {"methods": ["supplier_meeting"], "timing": "at_start"},  # another timing
    ],
)
def test_departing_from_the_proposal_without_a_reason_is_refused_in_swedish(world, procurement, change):
    quality = add(world, procurement, "quality")
    with translation.override("sv"), pytest.raises(ValidationError) as exc:
        services.strategy_entry_set(actor=world.officer, procurement=procurement, requirement=quality, **change)
    [message] = exc.value.message_dict["change_reason"]
    assert message.startswith("Skäl: risknivån föreslår leverantörsmöte (var 12:e månad")
    assert "ange varför" in message
    assert not StrategyEntry.objects.filter(requirement=quality).exists()


def test_a_change_with_a_reason_keeps_proposal_and_reason_and_lands_in_the_history(world, procurement):
    quality = add(world, procurement, "quality", title="Städkvalitet")
    entry = services.strategy_entry_set(
        actor=world.officer,
        procurement=procurement,
        requirement=quality,
        methods=["spot_check"],
        timing="recurring",
        interval_months=3,
        change_reason="  Kvaliteten varierar mellan lokalerna.  ",
    )
    assert entry.methods == ["spot_check"] and entry.interval_months == 3
    assert entry.proposed_methods == ["supplier_meeting"] and entry.proposed_interval_months == 12
    assert entry.method_change_reason == "Kvaliteten varierar mellan lokalerna."
    event = AuditEvent.objects.filter(action="strategy.entry_set").latest("id")
    after = event.after["Städkvalitet"]
    assert after["proposed_methods"] == ["supplier_meeting"]
    assert after["method_change_reason"] == "Kvaliteten varierar mellan lokalerna."
    # Going back to the proposal drops the reason, and the history says so.
    back = services.strategy_entry_set(
        actor=world.officer,
        procurement=procurement,
        requirement=quality,
        methods=["supplier_meeting"],
        timing="recurring",
        interval_months=12,
        change_reason="Inaktuellt skäl.",
    )
    assert back.method_change_reason == ""
    event = AuditEvent.objects.filter(action="strategy.entry_set").latest("id")
    assert event.before["Städkvalitet"]["method_change_reason"].startswith("Kvaliteten")
    assert event.after["Städkvalitet"]["method_change_reason"] == ""


# --- The pages --------------------------------------------------------------------------------


def test_the_entry_form_is_filled_with_the_proposal_and_a_change_needs_a_reason(world, client_for, procurement):
    labour = add(world, procurement, "labour", title="Arbetsrättsliga villkor")
    client = client_for(world.officer)
    page = client.get(entry_url(procurement, labour))
    form = page.context["form"]
    assert form.initial["methods"] == ["self_assessment", "desk_audit", "on_site_audit", "supplier_meeting"]
    assert (form.initial["timing"], form.initial["interval_months"]) == ("recurring", 12)
    assert b'id="proposal-note"' in page.content
    data = {"methods": ["self_assessment"], "timing": "recurring", "interval_months": "12", "responsible": "purchasing"}
    refused = client.post(entry_url(procurement, labour), data)
    assert refused.status_code == 400
    assert refused.context["form"].errors["change_reason"][0].startswith("Skäl: risknivån föreslår")
    accepted = client.post(
        entry_url(procurement, labour), data | {"change_reason": "Leverantören granskades i fjol av Region Uppsala."}
    )
    assert accepted.status_code == 302
    detail = client.get(reverse("procurements:detail", args=[procurement.uuid]))
    [row] = detail.context["rows"]
    assert row.proposal.startswith("Självdeklaration, Skrivbordsrevision, Revision på plats, Leverantörsmöte")
    content = detail.content.decode()
    assert "Leverantören granskades i fjol av Region Uppsala." in content
    assert "Föreslaget av risknivån" in content


# --- The staged order -------------------------------------------------------------------------


def test_the_staged_order_is_defined_once_and_starts_the_method_order():
    assert [m.value for m in policy.STAGED_METHODS] == STAGED
    assert [m.value for m in policy.METHOD_ORDER[:4]] == STAGED
    assert set(policy.METHOD_ORDER) == set(Method)
    assert policy.ordered_methods(["on_site_audit", "desk_audit", "supplier_meeting", "self_assessment"]) == [
        "self_assessment",
        "desk_audit",
        "on_site_audit",
        "supplier_meeting",
    ]


def test_methods_are_stored_shown_and_offered_in_the_staged_order_not_alphabetically(world, client_for, procurement):
    labour = add(world, procurement, "labour")
    entry = services.strategy_entry_set(
        actor=world.officer,
        procurement=procurement,
        requirement=labour,
        methods=["on_site_audit", "document_review", "desk_audit", "self_assessment"],
        timing="at_months",
        at_months=[3, 12],
        change_reason="Stegvis under första året.",
    )
    assert entry.methods == STAGED  # sorted() would give desk_audit, document_review, on_site_audit, ...
    with translation.override("en"):
        [row] = selectors.current_rows([labour], policy.current_strategy(procurement))
        assert row.methods == ["Self-assessment questionnaire", "Document review", "Desk audit", "On-site audit"]
    form = StrategyEntryForm(units=world.inkop.organisation.units.all())
    assert [value for value, _label in form.fields["methods"].choices][:4] == STAGED
    with translation.override("en"):
        # The plan's notes ("Also by: ...") list what follows the first method, in the same order.
        from kravspar.followups.planning import _notes_for

        assert _notes_for(entry.methods) == "Also by: Document review, Desk audit, On-site audit."


def test_the_migration_puts_existing_entries_in_the_staged_order(world, procurement):
    migration = importlib.import_module("kravspar.procurements.migrations.0006_strategy_entry_proposal")
    assert [m.value for m in policy.METHOD_ORDER] == migration.METHOD_ORDER
    labour = add(world, procurement, "labour")
    entry = services.strategy_entry_set(
        actor=world.officer,
        procurement=procurement,
        requirement=labour,
        methods=["self_assessment", "desk_audit"],
        timing="at_start",
        change_reason="Vid start.",
    )
    StrategyEntry.objects.filter(pk=entry.pk).update(methods=["desk_audit", "self_assessment"])  # as sorted() left it
    migration.staged_order(apps, type("Editor", (), {"connection": connection})())
    entry.refresh_from_db()
    assert entry.methods == ["self_assessment", "desk_audit"]
