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
