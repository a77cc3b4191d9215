"""Reading follow-up activities: the work lists and the calendar."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.followups.models import OPEN_STATUSES, Activity, ActivityStatus

DUE_SOON_DAYS = 14
WAITING_STATUSES = (ActivityStatus.UNDER_REVIEW, ActivityStatus.AWAITING_SUPPLIER)

LIST_RELATED = ("contract", "requirement", "responsible_unit", "responsible_person")


def mine_q(user: Any) -> Q:
    """Activities the person answers for: named to them, or to their unit with nobody named."""
    if not isinstance(user, User):
        return Q(pk__in=[])
    q = Q(responsible_person=user)
    if user.unit_id is not None:
        q |= Q(responsible_person__isnull=True, responsible_unit_id=user.unit_id)
    return q


def view_q(view: str, today: datetime.date) -> Q:
    open_ = Q(status__in=OPEN_STATUSES)
    if view == "overdue":
        return open_ & Q(due_on__lt=today)
    if view == "due_soon":
        return open_ & Q(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))
    if view == "waiting":
        return Q(status__in=WAITING_STATUSES)
    if view == "open":
        return open_
    return Q()


def my_activities(user: Any) -> QuerySet[Activity]:
    return access.activities_visible_to(user).filter(mine_q(user))


def work_list(
    user: Any,
    *,
    today: datetime.date,
    view: str = "open",
    scope: str = "mine",
    status: str = "",
    q: str = "",
) -> QuerySet[Activity]:
    qs = my_activities(user) if scope == "mine" else access.activities_visible_to(user)
    qs = qs.filter(view_q(view, today))
    if status:
        qs = qs.filter(status=status)
    if q := q.strip():
        qs = qs.filter(
            Q(contract__contract_number__icontains=q)
            | Q(contract__title__icontains=q)
            | Q(requirement__title__icontains=q)
        )
    return qs.select_related(*LIST_RELATED).order_by("due_on", "id")


def work_list_counts(user: Any, *, today: datetime.date, scope: str = "mine") -> dict[str, int]:
    """How many are overdue, due soon and waiting, in one query."""
    qs = my_activities(user) if scope == "mine" else access.activities_visible_to(user)
    return qs.aggregate(
        overdue=Count("id", filter=view_q("overdue", today)),
        due_soon=Count("id", filter=view_q("due_soon", today)),
        waiting=Count("id", filter=view_q("waiting", today)),
        open=Count("id", filter=view_q("open", today)),
    )


def month_activities(user: Any, *, first: datetime.date, last: datetime.date, scope: str) -> QuerySet[Activity]:
    qs = my_activities(user) if scope == "mine" else access.activities_visible_to(user)
    return (
        qs.filter(due_on__gte=first, due_on__lte=last)
        .exclude(status=ActivityStatus.CANCELLED)
        .select_related("contract", "requirement")
        .order_by("due_on", "id")
    )
