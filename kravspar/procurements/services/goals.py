"""Environmental goals, maintained per region."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kravspar.accounts import access
from kravspar.accounts.roles import Perm
from kravspar.audit.services import audit_record, snapshot
from kravspar.core import services as core_services
from kravspar.core.errors import NotAllowedError
from kravspar.organisations.models import Organisation
from kravspar.procurements.models import EnvironmentalGoal

if TYPE_CHECKING:
    from kravspar.accounts.models import User


GOAL_FIELDS = ["programme", "code", "title", "description", "valid_from", "valid_to"]


def _can_manage_goals(actor: User | None, organisation: Organisation) -> None:
    if actor is None:
        return
    if not access.has_perm(actor, Perm.MANAGE_GOALS):
        raise NotAllowedError()
    visible = access.visible_organisation_ids(actor)
    if visible is not None and organisation.id not in visible:
        raise NotAllowedError()


def _clean_goal(goal: EnvironmentalGoal) -> None:
    errors: dict[str, list[str]] = {}
    goal.title = goal.title.strip()
    goal.programme = goal.programme.strip()
    if not goal.title:
        errors["title"] = [_("Goal: write the goal.")]
    if not goal.programme:
        errors["programme"] = [_("Programme: name the environmental programme the goal belongs to.")]
    if goal.organisation.parent_id is not None:
        errors["organisation"] = [_("Environmental programmes belong to regions; choose the region.")]
    if goal.valid_from is None:
        errors["valid_from"] = [_("Valid from: give the date the goal starts to apply.")]
    elif goal.valid_to is not None and goal.valid_to < goal.valid_from:
        errors["valid_to"] = [_("Valid to: the end date is before the start date.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def goal_create(*, actor: User | None, organisation: Organisation, **fields: Any) -> EnvironmentalGoal:
    _can_manage_goals(actor, organisation)
    goal = EnvironmentalGoal(organisation=organisation, **{k: v for k, v in fields.items() if k in GOAL_FIELDS})
    _clean_goal(goal)
    goal.save()
    audit_record(
        actor=actor, action="goal.created", obj=goal, organisation=organisation, after=snapshot(goal, GOAL_FIELDS)
    )
    return goal


@transaction.atomic
def goal_update(
    *, actor: User | None, goal: EnvironmentalGoal, expected_version: int | None, **changes: Any
) -> EnvironmentalGoal:
    """Change a goal. Ending a goal is done by setting ``valid_to``; goals are never
    deleted, since procurements have been assessed against them."""
    _can_manage_goals(actor, goal.organisation)
    locked = core_services.lock(EnvironmentalGoal.objects.select_related("organisation"), goal.pk, expected_version)
    core_services.update_fields(
        actor=actor,
        obj=locked,
        fields=GOAL_FIELDS,
        changes=changes,
        clean=_clean_goal,
        action="goal.updated",
        organisation=locked.organisation,
    )
    return locked
