"""Reminders to suppliers about requests, run daily by cron (``manage.py send_request_reminders``).

For every request waiting for the supplier (sent, or sent back for completion):
- ``KRAVSPAR_REMINDER_DAYS_BEFORE`` days (default 7) before the deadline, a reminder;
- once the deadline has passed, a reminder that it is overdue.

Each is sent once per request and deadline (a request sent back with a new deadline is
reminded again), like the follow-up reminders: the ``RequestReminder`` row is
inserted first and the mail goes out when it commits; the unique (request, kind) constraint
decides between two overlapping runs.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from kravspar.followups.reminders import days_before
from kravspar.questionnaires.models import (
    ANSWERABLE_STATUSES,
    RequestReminder,
    RequestReminderKind,
    SupplierRequest,
)
from kravspar.questionnaires.services import mail_facts, mail_on_commit, supplier_contacts

logger = logging.getLogger(__name__)
K = RequestReminderKind


@dataclass
class RequestReminderReport:
    sent: dict[str, int] = field(default_factory=lambda: dict.fromkeys(K.values, 0))
    no_recipient: int = 0


def _candidates(kind: str, today: datetime.date) -> QuerySet[SupplierRequest]:
    qs = SupplierRequest.objects.filter(status__in=ANSWERABLE_STATUSES)
    if kind == K.BEFORE_DEADLINE:
        qs = qs.filter(deadline__gte=today, deadline__lte=today + datetime.timedelta(days=days_before()))
    else:
        qs = qs.filter(deadline__lt=today)
    already = RequestReminder.objects.filter(request=OuterRef("pk"), kind=kind, deadline=OuterRef("deadline"))
    return qs.filter(~Exists(already)).select_related("contract", "supplier").order_by("deadline", "id")


def _message(kind: str, supplier_request: SupplierRequest) -> tuple[str, str]:
    facts = mail_facts(supplier_request)
    with translation.override(settings.LANGUAGE_CODE):
        if kind == K.BEFORE_DEADLINE:
            subject = _("Reminder: answer “%(title)s” by %(deadline)s") % facts
            body = (
                _(
                    "The buyer is waiting for your answer to “%(title)s” for contract %(contract)s. "
                    "The deadline is %(deadline)s.\n\n%(url)s\n"
                )
                % facts
            )
        else:
            subject = _("Overdue: “%(title)s” was due on %(deadline)s") % facts
            body = (
                _(
                    "Your answer to “%(title)s” for contract %(contract)s was due on %(deadline)s and has not "
                    "been submitted. Answer as soon as possible.\n\n%(url)s\n"
                )
                % facts
            )
    return subject, body


def send_request_reminders(*, today: datetime.date) -> RequestReminderReport:
    report = RequestReminderReport()
    contacts: dict[int, list[str]] = {}
    for kind in (K.BEFORE_DEADLINE, K.OVERDUE):
        for supplier_request in _candidates(kind, today).iterator(chunk_size=500):
            if supplier_request.supplier_id not in contacts:
                contacts[supplier_request.supplier_id] = supplier_contacts(supplier_request.supplier)
            to = contacts[supplier_request.supplier_id]
            if not to:
                report.no_recipient += 1
                logger.warning("No supplier contact to remind of request %s (%s)", supplier_request.uuid, kind)
                continue
            subject, body = _message(kind, supplier_request)
            try:
                with transaction.atomic():
                    RequestReminder.objects.create(
                        request=supplier_request, kind=kind, deadline=supplier_request.deadline, sent_to=", ".join(to)
                    )
                    mail_on_commit(subject, body, to)
            except IntegrityError:
                continue  # another run got there first
            report.sent[kind] += 1
    return report
