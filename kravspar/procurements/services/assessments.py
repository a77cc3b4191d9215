"""Assessing the six aims and the environmental goals for a procurement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kravspar.accounts.roles import Perm
from kravspar.audit.services import audit_record
from kravspar.procurements import policy
from kravspar.procurements.models import Aim, AimAssessment, EnvironmentalGoal, GoalAssessment, Procurement
from kravspar.procurements.services.common import _lock, _org, _require, _touch

if TYPE_CHECKING:
    from kravspar.accounts.models import User


@transaction.atomic
def aim_assess(*, actor: User | None, procurement: Procurement, aim: int, relevant: bool, how: str) -> AimAssessment:
    """Record whether one of the six aims is relevant and how it is served (or why not)."""
    _require(actor, Perm.MANAGE_PROCUREMENTS)
    locked = _lock(procurement)
    if aim not in Aim.values:
        raise ValidationError({"aim": [_("Aim: choose one of the six aims.")]})
    how = how.strip()
    if not how:
        raise ValidationError(
            {
                "how": [
                    _("Say how the procurement serves the aim.") if relevant else _("Say why the aim is not relevant.")
                ]
            }
        )
    existing = AimAssessment.objects.filter(procurement=locked, aim=aim).first()
    before = {"relevant": existing.relevant, "how": existing.how} if existing else None
    assessment, _created = AimAssessment.objects.update_or_create(
        procurement=locked, aim=aim, defaults={"relevant": relevant, "how": how}
    )
    after = {"relevant": relevant, "how": how}
    if before != after:
        _touch(locked)
        audit_record(
            actor=actor,
            action="procurement.aim_assessed",
            obj=locked,
            organisation=_org(locked),
            before={f"aim_{aim}": before} if before else None,
            after={f"aim_{aim}": after},
        )
    return assessment


@transaction.atomic
def goal_assess(
    *, actor: User | None, procurement: Procurement, goal: EnvironmentalGoal, addressed: bool, how: str
) -> GoalAssessment:
    _require(actor, Perm.MANAGE_PROCUREMENTS)
    locked = _lock(procurement)
    if goal not in policy.goals_for(locked):
        raise ValidationError({"goal": [_("Environmental goal: the goal does not belong to a buying region.")]})
    how = how.strip()
    if not how:
        raise ValidationError({"how": [_("Say how the goal is addressed, or why it is not.")]})
    assessment, _created = GoalAssessment.objects.update_or_create(
        procurement=locked, goal=goal, defaults={"addressed": addressed, "how": how}
    )
    _touch(locked)
    audit_record(
        actor=actor,
        action="procurement.goal_assessed",
        obj=locked,
        organisation=_org(locked),
        after={f"goal {goal}": {"addressed": addressed, "how": how}},
    )
    return assessment
