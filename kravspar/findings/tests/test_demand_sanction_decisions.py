"""The command that asks Inköp for a missing sanction decision keeps asking on every
run until one is recorded."""

import datetime
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from kravspar.audit.models import AuditEvent
from kravspar.findings import services
from kravspar.findings.models import Severity

DAY = datetime.timedelta(days=1)


def run(today=None):
    out = StringIO()
    args = ["demand_sanction_decisions"] + ([f"--today={today:%Y-%m-%d}"] if today else [])
    call_command(*args, stdout=out)
    return out.getvalue()


def test_asks_on_every_run_until_a_decision_is_recorded(world, raise_deviation, with_plan, contract):
    today = timezone.localdate()
    deviation = with_plan(raise_deviation(), today - 3 * DAY, agreed_on=today - 30 * DAY)
    raise_deviation(severity=Severity.MINOR, title="Liten brist")  # minor: never demands a decision

    run()
    run()
    assert len(mail.outbox) == 2
    assert world.officer.email in mail.outbox[0].to
    assert f"http://127.0.0.1:8000/avvikelser/{deviation.uuid}/" in mail.outbox[0].body
    assert "Liten brist" not in mail.outbox[0].body
    # Each time it asked is in the deviation's history, with whom it asked.
    asked = AuditEvent.objects.filter(action="deviation.decision_demanded", object_id=str(deviation.uuid))
    assert asked.count() == 2
    assert world.officer.email in asked.first().after["recipients"]

    services.sanction_decide(
        actor=world.officer, contract=contract, deviations=[deviation], decision="waive", reason="Rättat nu."
    )
    run()
    assert len(mail.outbox) == 2


def test_nothing_is_asked_before_the_deadline_has_passed(world, raise_deviation, with_plan):
    deadline = timezone.localdate() + 5 * DAY
    with_plan(raise_deviation(), deadline)
    assert "0 deviation(s)" in run()
    assert "1 deviation(s)" in run(today=deadline + DAY)
    assert len(mail.outbox) == 1


def test_falls_back_to_the_escalation_address(world, raise_deviation, with_plan, settings):
    settings.KRAVSPAR_ESCALATION_EMAIL = "inkop@example.se"
    today = timezone.localdate()
    with_plan(raise_deviation(raised_on=today - 20 * DAY), today - DAY, agreed_on=today - 10 * DAY)
    world.officer.groups.clear()  # no Inköp officer left for the contract
    run()
    assert mail.outbox[0].to == ["inkop@example.se"]


def test_asks_for_a_major_deviation_without_a_plan_after_the_set_days(world, raise_deviation, settings):
    settings.KRAVSPAR_ACTION_PLAN_DAYS = 30
    today = timezone.localdate()
    waiting = raise_deviation(title="Inget svar", raised_on=today - 31 * DAY)
    raise_deviation(title="Nyss funnen", raised_on=today - 30 * DAY)  # still within the 30 days
    run()
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Inget svar" in body and "Nyss funnen" not in body
    assert "30" in body
    assert AuditEvent.objects.filter(action="deviation.decision_demanded", object_id=str(waiting.uuid)).exists()
