"""The procurement page as five planning steps: each step's state comes from the gate, and the
gate's missing items link to the step that fixes them."""

from django.urls import reverse

from kravspar.procurements import policy, services
from kravspar.procurements.steps import DONE, TODO, WAITING, planning_steps
from kravspar.procurements.tests.test_gate import assess_all_aims, plan_fully


def states(procurement):
    steps = planning_steps(policy.strategy_gate_missing(procurement), policy.current_strategy(procurement))
    return {step.key: step.state for step in steps}, [s.key for s in steps if s.current]


def test_a_new_procurement_starts_at_the_aims(world, procurement):
    found, current = states(procurement)
    assert found == {"aims": TODO, "goals": DONE, "requirements": TODO, "strategy": TODO, "approval": TODO}
    assert current == ["aims"]


def test_the_steps_follow_the_work_to_approval(world, procurement, second_officer):
    assess_all_aims(world.officer, procurement)
    found, current = states(procurement)
    assert found["aims"] == DONE and current == ["requirements"]

    plan_fully(world, procurement)
    services.strategy_submit(actor=world.officer, procurement=procurement)
    found, current = states(procurement)
    assert found == {"aims": DONE, "goals": DONE, "requirements": DONE, "strategy": DONE, "approval": WAITING}
    assert current == ["approval"]

    services.strategy_approve(actor=second_officer, procurement=procurement)
    found, current = states(procurement)
    assert set(found.values()) == {DONE} and current == []


def test_the_page_shows_the_steps_and_links_the_gate_to_them(world, client_for, procurement):
    html = client_for(world.officer).get(reverse("procurements:detail", args=[procurement.uuid])).content.decode()
    assert 'aria-label="Planeringens steg"' in html
    assert '<a href="#aims" aria-current="step">' in html
    for anchor in ("aims", "goals", "requirements", "strategy", "approval"):
        assert f'id="{anchor}"' in html
    # The first missing aim links to step 1; the history is folded away.
    assert '<a href="#aims">Steg 1, Syften</a>:' in html
    assert '<details class="history-fold">' in html


def test_a_reader_sees_the_steps_without_the_forms(world, client_for, procurement):
    html = client_for(world.reader).get(reverse("procurements:detail", args=[procurement.uuid])).content.decode()
    assert 'class="stepper"' in html
    assert "strategy_submit" not in html and "/strategi/skicka/" not in html


def test_sending_for_approval_leads_back_to_step_5(world, client_for, procurement):
    plan_fully(world, procurement)
    response = client_for(world.officer).post(reverse("procurements:strategy_submit", args=[procurement.uuid]))
    assert response.status_code == 302 and response["Location"].endswith("#approval")
