"""Assessing the six aims and the environmental goals for a procurement."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kravspar.accounts.roles import Perm
from kravspar.audit.models import AuditEvent
from kravspar.audit.services import audit_event, audit_record_many
from kravspar.procurements import policy
from kravspar.procurements.models import Aim, AimAssessment, EnvironmentalGoal, GoalAssessment, Procurement
from kravspar.procurements.services.common import _lock, _org, _require

if TYPE_CHECKING:
    from kravspar.accounts.models import User
    from kravspar.organisations.models import Organisation


@transaction.atomic
def aim_assess(*, actor: User | None, procurement: Procurement, aim: int, relevant: bool, how: str) -> AimAssessment:
    """Record whether one of the six aims is relevant and how it is served (or why not)."""
    aims, _goals = assessments_record(actor=actor, procurement=procurement, aims=[(aim, relevant, how)])
    return aims[0]


@transaction.atomic
def goal_assess(
    *, actor: User | None, procurement: Procurement, goal: EnvironmentalGoal, addressed: bool, how: str
) -> GoalAssessment:
    _aims, goals = assessments_record(actor=actor, procurement=procurement, goals=[(goal, addressed, how)])
    return goals[0]


@transaction.atomic
def assessments_record(
    *,
    actor: User | None,
    procurement: Procurement,
    aims: Iterable[tuple[int, bool, str]] = (),
    goals: Iterable[tuple[EnvironmentalGoal, bool, str]] = (),
    every_goal: tuple[bool, str] | None = None,
) -> tuple[list[AimAssessment], list[GoalAssessment]]:
    """Assess several aims (aim, relevant, how) and environmental goals (goal, addressed,
    how) at once: the same checks, changes, versions and history events as ``aim_assess``
    and ``goal_assess`` called for each in turn (aims first), with the procurement locked
    and its goals and owner looked up once. ``every_goal`` (addressed, how) assesses, after
    ``goals``, every goal the buying regions have today (``policy.goals_for``) alike.
    Returns the assessments in the order given."""
    _require(actor, Perm.MANAGE_PROCUREMENTS)
    locked = _lock(procurement)
    aims, goals = list(aims), list(goals)
    events: list[AuditEvent] = []
    new_aims: list[AimAssessment] = []
    new_goals: list[GoalAssessment] = []
    owner: list[Organisation | None] = []

    def organisation() -> Organisation | None:
        if not owner:
            owner.append(_org(locked))
        return owner[0]

    aim_rows = {a.aim: a for a in AimAssessment.objects.filter(procurement=locked)} if aims else {}
    aims_done: list[AimAssessment] = []
    for aim, relevant, how in aims:
        if aim not in Aim.values:
            raise ValidationError({"aim": [_("Aim: choose one of the six aims.")]})
        how = how.strip()
        if not how:
            raise ValidationError(
                {
                    "how": [
                        _("Say how the procurement serves the aim.")
                        if relevant
                        else _("Say why the aim is not relevant.")
                    ]
                }
            )
        existing = aim_rows.get(aim)
        before = {"relevant": existing.relevant, "how": existing.how} if existing else None
        after = {"relevant": relevant, "how": how}
        row = existing or AimAssessment(procurement=locked, aim=aim)
        if existing is None:
            new_aims.append(row)
        elif before != after and row.pk is not None:
            AimAssessment.objects.filter(pk=row.pk).update(relevant=relevant, how=how)
        row.relevant, row.how = relevant, how
        aim_rows[aim] = row
        aims_done.append(row)
        if before != after:
            locked.version += 1
            events.append(
                audit_event(
                    actor=actor,
                    action="procurement.aim_assessed",
                    obj=locked,
                    organisation=organisation(),
                    before={f"aim_{aim}": before} if before else None,
                    after={f"aim_{aim}": after},
                )
            )
    valid_goals = policy.goals_for(locked) if goals or every_goal else []
    if every_goal is not None:
        goals += [(goal, *every_goal) for goal in valid_goals]
    goal_rows = {g.goal_id: g for g in GoalAssessment.objects.filter(procurement=locked)} if goals else {}
    goals_done: list[GoalAssessment] = []
    for goal, addressed, how in goals:
        if goal not in valid_goals:
            raise ValidationError({"goal": [_("Environmental goal: the goal does not belong to a buying region.")]})
        how = how.strip()
        if not how:
            raise ValidationError({"how": [_("Say how the goal is addressed, or why it is not.")]})
        goal_row = goal_rows.get(goal.pk) or GoalAssessment(procurement=locked, goal=goal)
        if goal_row.pk is None and goal_row not in new_goals:
            new_goals.append(goal_row)
        elif goal_row.pk is not None and (goal_row.addressed, goal_row.how) != (addressed, how):
            GoalAssessment.objects.filter(pk=goal_row.pk).update(addressed=addressed, how=how)
        goal_row.addressed, goal_row.how = addressed, how
        goal_rows[goal.pk] = goal_row
        goals_done.append(goal_row)
        locked.version += 1
        events.append(
            audit_event(
                actor=actor,
                action="procurement.goal_assessed",
                obj=locked,
                organisation=organisation(),
                after={f"goal {goal}": {"addressed": addressed, "how": how}},
            )
        )
    # New rows in the order given: the ids they would have had one by one.
    AimAssessment.objects.bulk_create(new_aims)
    GoalAssessment.objects.bulk_create(new_goals)
    if events:
        Procurement.objects.filter(pk=locked.pk).update(version=locked.version, updated_at=timezone.now())
        audit_record_many(events)
    return aims_done, goals_done
