"""iCalendar feeds for Outlook and other calendar programs.

A feed is reached by a secret token in its URL, since calendar programs cannot log in.
The token is shown once when the feed is created; only its SHA-256 is stored, so a copy
of the database does not give away anyone's calendar. A feed shows what its owner may
see today: if they lose access to the contract or are deactivated, it stops answering.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from kravspar.accounts import access
from kravspar.audit.services import audit_record
from kravspar.core.errors import NotAllowedError
from kravspar.followups import selectors
from kravspar.followups.models import Activity, ActivityStatus, CalendarFeed

if TYPE_CHECKING:
    from kravspar.accounts.models import User
    from kravspar.contracts.models import Contract

# Past activities older than this are left out of feeds, to keep them small.
FEED_HISTORY_DAYS = 365


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_create(*, actor: User, contract: Contract | None = None) -> tuple[CalendarFeed, str]:
    """A new feed and its secret token, which the caller shows once and never stores."""
    if contract is not None and not access.contracts_visible_to(actor).filter(pk=contract.pk).exists():
        raise NotAllowedError()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        feed = CalendarFeed.objects.create(user=actor, contract=contract, token_hash=hash_token(token))
        audit_record(
            actor=actor,
            action="calendar_feed.created",
            obj=feed,
            after={"contract": contract.contract_number if contract else None},
        )
    return feed, token


def feed_revoke(*, actor: User, feed: CalendarFeed) -> None:
    if feed.user_id != actor.pk:
        raise NotAllowedError()
    with transaction.atomic():
        updated = CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if updated:
            audit_record(actor=actor, action="calendar_feed.revoked", obj=feed)


def feed_for_token(token: str) -> CalendarFeed | None:
    return (
        CalendarFeed.objects.filter(token_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
        .select_related("user", "contract")
        .first()
    )


def feed_activities(feed: CalendarFeed, *, today: datetime.date) -> QuerySet[Activity] | None:
    """The feed's activities, or None if its owner no longer sees its contract."""
    user = feed.user
    if feed.contract_id is not None:
        if not access.contracts_visible_to(user).filter(pk=feed.contract_id).exists():
            return None
        qs = access.activities_visible_to(user).filter(contract_id=feed.contract_id)
    else:
        qs = selectors.my_activities(user)
    return (
        qs.exclude(status=ActivityStatus.CANCELLED)
        .filter(due_on__gte=today - datetime.timedelta(days=FEED_HISTORY_DAYS))
        .select_related("contract", "requirement")
        .order_by("due_on", "id")
    )


def build_ical(activities: QuerySet[Activity], *, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Kravspår//follow-ups//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    base = settings.KRAVSPAR_BASE_URL.rstrip("/")
    for activity in activities.iterator(chunk_size=500):
        url = base + reverse("followups:detail", args=[activity.uuid])
        event = Event()
        event.add("uid", f"{activity.uuid}@kravspar")
        event.add("dtstamp", activity.updated_at)
        event.add("dtstart", activity.due_on)
        event.add("dtend", activity.due_on + datetime.timedelta(days=1))
        event.add(
            "summary",
            f"{activity.get_method_display()}: {activity.requirement.title} ({activity.contract.contract_number})",
        )
        event.add(
            "description",
            f"{activity.contract.title}\n{activity.get_status_display()}\n{url}",
        )
        event.add("url", url)
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
