"""The follow-up demo that `make run` loads goes through the real services."""

from django.core.management import call_command

from kravspar.findings.models import Sanction
from kravspar.followups.models import Activity, ActivityStatus


def test_demo_contract_has_a_plan_done_work_and_both_sanction_outcomes(db):
    call_command("seed_demo")
    activities = Activity.objects.filter(contract__contract_number="RV-2025-0107")
    assert activities.exists()
    assert activities.filter(status=ActivityStatus.DONE).exists()
    decisions = dict(Sanction.objects.filter(contract__contract_number="RV-2025-0107").values_list("decision", "kind"))
    assert set(decisions) == {"apply", "waive"}
    assert decisions["apply"] == "fine"
    count = activities.count()
    call_command("seed_demo")
    assert Activity.objects.filter(contract__contract_number="RV-2025-0107").count() == count


def test_inkops_follow_ups_are_planned_for_the_procurement_officer(db):
    call_command("seed_demo")
    activities = Activity.objects.filter(contract__contract_number="RV-2025-0107")
    purchasing = activities.filter(responsible="purchasing")
    assert purchasing.exists()
    assert set(purchasing.values_list("responsible_person__username", flat=True)) == {"inkopare"}
    assert set(activities.filter(responsible="ordering_unit").values_list("responsible_person", flat=True)) == {None}
