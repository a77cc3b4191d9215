"""send_reminders: before the due date, when overdue, and escalated to the Inköp lead,
each once however often cron runs."""

import datetime
from io import StringIO

from django.core import mail
from django.core.management import call_command

from kravspar.accounts.roles import Role
from kravspar.followups import services
from kravspar.followups.models import Activity, ReminderSent
from kravspar.testing.factories import UserFactory


def run(today, capture):
    with capture(execute=True):
        call_command("send_reminders", "--today", today, stdout=StringIO())


def test_each_reminder_is_sent_once(world, planned, django_capture_on_commit_callbacks):
    # 2026-06-25: the quality check due 2026-07-01 is 6 days away (for Ortopedkliniken's people);
    # Inköp's at-start check due 2026-01-31 is overdue (to the Inköp unit) and past escalation.
    lead = UserFactory.create(
        username="lead", organisation=world.sormland, unit=world.inkop, roles=[Role.ADMINISTRATOR]
    )
    run("2026-06-25", django_capture_on_commit_callbacks)
    first = [(m.subject, sorted(m.to)) for m in mail.outbox]
    run("2026-06-25", django_capture_on_commit_callbacks)
    run("2026-06-26", django_capture_on_commit_callbacks)
    assert [(m.subject, sorted(m.to)) for m in mail.outbox] == first
    kinds = dict(ReminderSent.objects.values_list("kind", "activity__requirement__title"))
    assert kinds == {
        "before_due": "Städkvalitet",
        "overdue": "Arbetsrättsliga villkor",
        "escalation": "Arbetsrättsliga villkor",
    }
    before_due = next(m for m in mail.outbox if "Städkvalitet" in m.subject and "2026-07-01" in m.subject)
    assert sorted(before_due.to) == sorted([world.orderer_vm.email, world.env_vm.email])
    # The administrators of the Inköp unit that serves Region Västmanland are the lead.
    escalation = ReminderSent.objects.get(kind="escalation")
    assert escalation.sent_to == ", ".join(sorted([world.admin.email, lead.email]))
    assert len(mail.outbox) == 3


def test_the_named_person_gets_it_and_done_work_gets_nothing(
    world, quality_activity, django_capture_on_commit_callbacks
):
    services.activity_assign(actor=world.officer, activity=quality_activity, person=world.orderer_vm)
    other = Activity.objects.exclude(pk=quality_activity.pk).get(occurrence=0, requirement__title__startswith="Arb")
    services.activity_cancel(actor=world.officer, activity=other, reason="Not needed")
    run("2026-06-25", django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[world.orderer_vm.email]]


def test_escalation_falls_back_to_the_setting(world, planned, settings, django_capture_on_commit_callbacks):
    settings.KRAVSPAR_ESCALATION_EMAIL = "inkopschef@example.se"
    world.admin.is_active = False  # the only Inköp administrator
    world.admin.save()
    run("2026-03-01", django_capture_on_commit_callbacks)
    assert any(m.to == ["inkopschef@example.se"] for m in mail.outbox)


def test_a_reminder_already_recorded_by_another_run_is_not_sent(
    world, quality_activity, django_capture_on_commit_callbacks
):
    ReminderSent.objects.create(activity=quality_activity, kind="before_due", sent_to="x@example.se")
    run(str(quality_activity.due_on - datetime.timedelta(days=3)), django_capture_on_commit_callbacks)
    assert not any("Städkvalitet" in m.subject for m in mail.outbox)
