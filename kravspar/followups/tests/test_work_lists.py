"""Mina uppföljningar and the month calendar."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse

from kravspar.followups import services
from kravspar.followups.models import Activity
from kravspar.followups.planning import plan_contract

LIST = reverse("followups:work_list")


@pytest.fixture
def today(monkeypatch):
    day = datetime.date(2026, 6, 25)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day)
    return day


def titles(response):
    return [(a.requirement.title, a.due_on) for a in response.context["page"].object_list]


def test_due_soon_overdue_and_waiting(world, client_for, planned, today):
    client = client_for(world.orderer_vm)
    # The quality check due 2026-07-01 is within 14 days; nothing of the unit's is overdue.
    assert titles(client.get(LIST, {"view": "due_soon"})) == [("Städkvalitet", datetime.date(2026, 7, 1))]
    assert titles(client.get(LIST, {"view": "overdue"})) == []
    # Inköp's at-start check (due 2026-01-31) is overdue in the officer's list, not the orderer's.
    assert titles(client_for(world.officer).get(LIST, {"view": "overdue"})) == [
        ("Arbetsrättsliga villkor", datetime.date(2026, 1, 31))
    ]
    activity = Activity.objects.get(contract=planned, requirement__title="Städkvalitet", occurrence=1)
    activity = services.activity_start(actor=world.orderer_vm, activity=activity)
    services.activity_await_supplier(actor=world.orderer_vm, activity=activity)
    response = client_for(world.orderer_vm).get(LIST, {"view": "waiting"})
    assert titles(response) == [("Städkvalitet", datetime.date(2027, 1, 1))]
    assert response.context["counts"] == {"overdue": 0, "due_soon": 1, "waiting": 1, "open": 4 - 1 + 1 - 1}


def test_other_region_sees_nothing(world, client_for, planned, today):
    response = client_for(world.orderer_sl).get(LIST, {"scope": "all", "view": "all"})
    assert response.context["page"].count == 0


def test_list_query_count_does_not_grow(world, client_for, make_contract, today, django_assert_num_queries):
    client = client_for(world.officer)
    spec = {"methods": ["survey"], "timing": "recurring", "interval_months": 3, "responsible_unit": world.inkop}
    plan_contract(make_contract(requirements=[dict(spec)]))
    # session, user, roles, 3 for the organisations seen, counts, list count, page rows
    with django_assert_num_queries(9):
        client.get(LIST, {"scope": "all"})
    for _ in range(5):
        plan_contract(make_contract(requirements=[dict(spec), dict(spec)]))
    with django_assert_num_queries(9):
        response = client.get(LIST, {"scope": "all"})
    assert response.context["page"].count == 7 * 11


@override_settings(KRAVSPAR_PAGE_SIZE=4)
def test_pages_follow_on_from_the_last_row_seen(world, client_for, make_contract, today, django_assert_num_queries):
    """Keyset pages (issue 15): next and previous links carry the (due date, id) of the row
    they continue from; filters stay in the links, and a later page costs what the first does."""
    client = client_for(world.officer)
    spec = {"methods": ["survey"], "timing": "recurring", "interval_months": 3, "responsible_unit": world.inkop}
    for _ in range(2):
        plan_contract(make_contract(requirements=[dict(spec)]))
    every = list(Activity.objects.order_by("due_on", "id"))
    assert len(every) == 14  # two contracts, seven quarters each; same due dates, so ids break ties
    seen, params, links = [], {"scope": "all", "view": "all"}, []
    while True:
        with django_assert_num_queries(9):
            response = client.get(LIST, params)
        page = response.context["page"]
        assert page.count == 14
        seen += page.object_list
        html = response.content.decode()
        links.append(html)
        if page.next_key is None:
            break
        assert 'rel="next"' in html and "scope=all&amp;view=all&amp;efter=" in html
        params = {"scope": "all", "view": "all", "efter": page.next_key}
    assert seen == every and len(links) == 4
    assert 'rel="next"' not in links[-1] and 'rel="prev"' in links[-1]
    # Back from the last page: the four rows before its first.
    back = client.get(LIST, {"scope": "all", "view": "all", "fore": page.previous_key}).context["page"]
    assert back.object_list == every[8:12] and back.next_key and back.previous_key
    first = client.get(LIST, {"scope": "all", "view": "all", "fore": f"{every[4].due_on}.{every[4].pk}"})
    assert first.context["page"].object_list == every[:4] and first.context["page"].previous_key is None
    assert 'rel="prev"' not in links[0]
    # A key that is not one is the first page, not an error.
    assert client.get(LIST, {"scope": "all", "view": "all", "efter": "x.y"}).context["page"].object_list == every[:4]
    # Filters narrow the pages too.
    narrowed = client.get(LIST, {"scope": "all", "view": "all", "q": every[0].contract.contract_number})
    assert narrowed.context["page"].count == 7


def test_month_calendar(world, client_for, planned, today):
    response = client_for(world.orderer_vm).get(reverse("followups:calendar"), {"manad": "2026-07"})
    assert response.status_code == 200
    assert response.context["count"] == 1
    html = response.content.decode()
    assert "<caption>" in html and 'scope="col"' in html
    assert reverse("followups:detail", args=[Activity.objects.get(due_on="2026-07-01").uuid]) in html
    # A wrong month shows this month.
    assert client_for(world.orderer_vm).get(reverse("followups:calendar"), {"manad": "x"}).status_code == 200


def test_calendar_query_count(world, client_for, planned, today, django_assert_num_queries):
    client = client_for(world.officer)
    # session, user, roles, 3 for the organisations seen, the month's activities
    with django_assert_num_queries(7):
        client.get(reverse("followups:calendar"), {"manad": "2026-07", "vem": "alla"})
