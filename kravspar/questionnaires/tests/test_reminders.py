"""Reminders to the supplier before the deadline and when overdue: once each."""

from __future__ import annotations

import datetime
import io

from django.core import mail
from django.core.management import call_command

from kravspar.questionnaires.models import RequestReminder

from .conftest import TODAY


def test_each_reminder_is_sent_once(world, sent, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    before = sent.deadline - datetime.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_request_reminders", "--today", before.isoformat(), stdout=io.StringIO())
        call_command("send_request_reminders", "--today", before.isoformat(), stdout=io.StringIO())
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [world.supplier_contact.email]
    assert "Påminnelse" in mail.outbox[0].subject
    after = sent.deadline + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_request_reminders", "--today", after.isoformat(), stdout=io.StringIO())
        call_command("send_request_reminders", "--today", after.isoformat(), stdout=io.StringIO())
    assert len(mail.outbox) == 2
    assert "Försenad" in mail.outbox[1].subject
    assert RequestReminder.objects.filter(request=sent).count() == 2


def test_no_reminders_for_drafts_or_submitted(world, draft, submitted):
    # `submitted` is the same request as the draft, now submitted
    with_reminders = RequestReminder.objects.count()
    call_command(
        "send_request_reminders",
        "--today",
        (TODAY + datetime.timedelta(days=30)).isoformat(),
        stdout=io.StringIO(),
    )
    assert RequestReminder.objects.count() == with_reminders


def test_a_new_deadline_is_reminded_again(world, submitted, django_capture_on_commit_callbacks):
    from kravspar.questionnaires import services

    overdue_day = submitted.deadline + datetime.timedelta(days=1)
    # Overdue while submitted: nothing (the supplier has answered)
    call_command("send_request_reminders", "--today", overdue_day.isoformat(), stdout=io.StringIO())
    assert not RequestReminder.objects.filter(request=submitted).exists()
    new_deadline = submitted.deadline + datetime.timedelta(days=10)
    services.request_ask_completion(
        actor=world.officer, supplier_request=submitted, comment="Komplettera.", deadline=new_deadline
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "send_request_reminders",
            "--today",
            (new_deadline - datetime.timedelta(days=1)).isoformat(),
            stdout=io.StringIO(),
        )
    assert list(RequestReminder.objects.filter(request=submitted).values_list("kind", "deadline")) == [
        ("before_deadline", new_deadline)
    ]
