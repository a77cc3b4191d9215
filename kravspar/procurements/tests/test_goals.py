"""Environmental goals are maintained per region, by administrators and the region's
environment specialists, and never deleted."""

import datetime

import pytest
from django.urls import reverse

from kravspar.audit.models import AuditEvent
from kravspar.core.errors import NotAllowedError
from kravspar.procurements import services
from kravspar.procurements.models import EnvironmentalGoal


def add_goal(actor, region, **extra):
    return services.goal_create(
        actor=actor,
        organisation=region,
        programme="Miljöprogram 2024–2027",
        code="T1",
        title="Transporternas CO2 −32 %",
        valid_from=datetime.date(2024, 1, 1),
        **extra,
    )


def test_environment_specialist_maintains_own_regions_goals(world):
    goal = add_goal(world.env_vm, world.vastmanland)
    assert AuditEvent.objects.get(action="goal.created").organisation == world.vastmanland
    services.goal_update(
        actor=world.env_vm, goal=goal, expected_version=goal.version, valid_to=datetime.date(2027, 12, 31)
    )
    goal.refresh_from_db()
    assert goal.valid_to == datetime.date(2027, 12, 31)
    with pytest.raises(NotAllowedError):
        add_goal(world.env_vm, world.sormland)
    with pytest.raises(NotAllowedError):
        add_goal(world.officer, world.vastmanland)


def test_end_before_start_is_refused(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        add_goal(world.admin, world.vastmanland, valid_to=datetime.date(2020, 1, 1))
    assert "valid_to" in exc.value.message_dict


def test_goal_pages(world, client_for):
    goal = add_goal(world.admin, world.vastmanland)
    client = client_for(world.env_vm)
    page = client.get(reverse("goals:list", args=[world.vastmanland.uuid]))
    assert page.status_code == 200 and goal in page.context["current"]
    response = client.post(
        reverse("goals:create", args=[world.vastmanland.uuid]),
        {"programme": "Miljöprogram", "title": "Minska läkemedelsutsläpp", "valid_from": "2025-01-01"},
    )
    assert response.status_code == 302
    assert EnvironmentalGoal.objects.filter(title="Minska läkemedelsutsläpp").exists()
    edit = client.post(
        reverse("goals:edit", args=[goal.uuid]),
        {"programme": "Miljöprogram", "title": "Ny lydelse", "valid_from": "2024-01-01", "version": goal.version},
    )
    assert edit.status_code == 302


def test_outsiders_cannot_see_or_change_goals(world, client_for):
    goal = add_goal(world.admin, world.sormland)
    orderer = client_for(world.orderer_vm)
    assert orderer.get(reverse("goals:list", args=[world.sormland.uuid])).status_code == 404
    assert orderer.get(reverse("goals:edit", args=[goal.uuid])).status_code == 404
    assert orderer.get(reverse("goals:create", args=[world.vastmanland.uuid])).status_code == 403
    assert orderer.post(reverse("goals:create", args=[world.vastmanland.uuid]), {"title": "x"}).status_code == 403
