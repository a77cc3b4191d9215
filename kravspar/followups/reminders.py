"""Reminders by e-mail, run daily by cron (``manage.py send_reminders``).

For every open activity:
- ``KRAVSPAR_REMINDER_DAYS_BEFORE`` days (default 7) before the due date, a reminder to the
  responsible person, or to the active people of the responsible unit when nobody is named;
- once it is overdue, a reminder to the same people;
- ``KRAVSPAR_ESCALATION_DAYS`` days (default 14) after the due date, a message to the Inköp
  lead: the administrators of the Inköp unit that serves the contract's buyers, or
  ``KRAVSPAR_ESCALATION_EMAIL`` when there is none.

Each is sent once. The ``ReminderSent`` row is inserted first, in its own transaction, and
the mail goes out when that commits; the unique (activity, kind) constraint decides
between two overlapping runs. The price is at-most-once: a mail server that refuses the
message after the commit is logged, not retried.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from kravspar.accounts.models import User
from kravspar.accounts.roles import Role
from kravspar.contracts.models import Contract
from kravspar.followups.models import OPEN_STATUSES, Activity, ReminderKind, ReminderSent
from kravspar.organisations.models import Organisation, Unit, UnitKind

logger = logging.getLogger(__name__)


def days_before() -> int:
    return int(getattr(settings, "KRAVSPAR_REMINDER_DAYS_BEFORE", 7))


def escalation_days() -> int:
    return int(getattr(settings, "KRAVSPAR_ESCALATION_DAYS", 14))


@dataclass
class ReminderReport:
    sent: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ReminderKind.values, 0))
    no_recipient: int = 0


def _candidates(kind: str, today: datetime.date) -> QuerySet[Activity]:
    qs = Activity.objects.filter(status__in=OPEN_STATUSES)
    if kind == ReminderKind.BEFORE_DUE:
        qs = qs.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=days_before()))
    elif kind == ReminderKind.OVERDUE:
        qs = qs.filter(due_on__lt=today)
    else:
        qs = qs.filter(due_on__lte=today - datetime.timedelta(days=escalation_days()))
    already = ReminderSent.objects.filter(activity=OuterRef("pk"), kind=kind)
    return (
        qs.filter(~Exists(already))
        .select_related("contract", "requirement", "responsible_person", "responsible_unit")
        .order_by("due_on", "id")
    )


def _people_email(people: QuerySet[User]) -> list[str]:
    return sorted(
        set(people.filter(is_active=True, supplier__isnull=True).exclude(email="").values_list("email", flat=True))
    )


class _Recipients:
    """Who gets what; looked up once per unit or contract within a run."""

    def __init__(self) -> None:
        self._units: dict[int, list[str]] = {}
        self._leads: dict[int, list[str]] = {}

    def responsible(self, activity: Activity) -> list[str]:
        person = activity.responsible_person
        if person is not None and person.is_active and person.email:
            return [person.email]
        unit_id = activity.responsible_unit_id
        if unit_id is None:
            return []
        if unit_id not in self._units:
            self._units[unit_id] = _people_email(User.objects.filter(unit_id=unit_id))
        return self._units[unit_id]

    def inkop_lead(self, contract: Contract) -> list[str]:
        if contract.pk not in self._leads:
            buyers = list(Organisation.objects.filter(contracts=contract).values_list("id", "parent_id"))
            ids = {i for pair in buyers for i in pair if i is not None}
            units = Unit.objects.filter(kind=UnitKind.PURCHASING, is_active=True).filter(
                Q(organisation_id__in=ids) | Q(serves__in=ids)
            )
            leads = _people_email(User.objects.filter(unit__in=units, groups__name=Role.ADMINISTRATOR))
            fallback = getattr(settings, "KRAVSPAR_ESCALATION_EMAIL", "")
            self._leads[contract.pk] = leads or ([fallback] if fallback else [])
        return self._leads[contract.pk]


def _message(kind: str, activity: Activity, today: datetime.date) -> tuple[str, str]:
    url = settings.KRAVSPAR_BASE_URL.rstrip("/") + reverse("followups:detail", args=[activity.uuid])
    facts = {
        "title": activity.requirement.title,
        "contract": f"{activity.contract.contract_number} {activity.contract.title}",
        "due": activity.due_on.isoformat(),
        "days": (today - activity.due_on).days,
        "url": url,
    }
    if kind == ReminderKind.BEFORE_DUE:
        subject = _("Follow-up due on %(due)s: %(title)s") % facts
        body = _("The follow-up “%(title)s” of contract %(contract)s is due on %(due)s.\n\n%(url)s\n") % facts
    elif kind == ReminderKind.OVERDUE:
        subject = _("Overdue follow-up: %(title)s") % facts
        body = _("The follow-up “%(title)s” of contract %(contract)s was due on %(due)s.\n\n%(url)s\n") % facts
    else:
        subject = _("Follow-up %(days)s days overdue: %(title)s") % facts
        body = (
            _(
                "The follow-up “%(title)s” of contract %(contract)s was due on %(due)s and is still "
                "not done, %(days)s days later. You receive this as the Inköp lead.\n\n%(url)s\n"
            )
            % facts
        )
    return subject, body


def _send_later(subject: str, body: str, recipients: list[str]) -> Callable[[], None]:
    def send() -> None:
        try:
            send_mail(subject, body, None, recipients)
        except Exception:  # a refused message must not stop the other reminders
            logger.exception("Reminder could not be sent to %s", recipients)

    return send


def send_reminders(*, today: datetime.date) -> ReminderReport:
    report = ReminderReport()
    recipients = _Recipients()
    for kind in (ReminderKind.BEFORE_DUE, ReminderKind.OVERDUE, ReminderKind.ESCALATION):
        for activity in _candidates(kind, today).iterator(chunk_size=500):
            if kind == ReminderKind.ESCALATION:
                to = recipients.inkop_lead(activity.contract)
            else:
                to = recipients.responsible(activity)
            if not to:
                report.no_recipient += 1
                logger.warning("No one to remind of activity %s (%s)", activity.uuid, kind)
                continue
            subject, body = _message(kind, activity, today)
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(activity=activity, kind=kind, sent_to=", ".join(to)[:254])
                    transaction.on_commit(_send_later(subject, body, to))
            except IntegrityError:
                continue  # another run got there first
            report.sent[kind] += 1
    return report
