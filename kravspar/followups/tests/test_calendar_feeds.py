"""iCalendar feeds: a secret-token URL per person or per contract, for Outlook."""

import re

from django.urls import reverse
from icalendar import Calendar

from kravspar.followups.calendar import feed_create, hash_token
from kravspar.followups.models import Activity, CalendarFeed

FEEDS = reverse("followups:feeds")


def events(response):
    cal = Calendar.from_ical(response.content)
    return list(cal.walk("VEVENT"))


def test_person_creates_a_feed_shown_once_and_stored_hashed(world, client_for, planned):
    client = client_for(world.orderer_vm)
    response = client.post(FEEDS, {"contract_number": ""})
    assert response.status_code == 200
    url = response.context["new_url"]
    token = re.search(r"/ical/([^/]+)\.ics$", url).group(1)
    feed = CalendarFeed.objects.get(user=world.orderer_vm)
    assert feed.token_hash == hash_token(token)
    assert token not in client.get(FEEDS).content.decode()

    client.logout()
    response = client.get(reverse("followups:ical", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    found = events(response)
    activities = Activity.objects.filter(requirement__title="Städkvalitet").order_by("due_on")
    assert [str(e["UID"]) for e in found] == [f"{a.uuid}@kravspar" for a in activities]
    assert found[0].decoded("DTSTART") == activities[0].due_on
    assert "Städkvalitet" in str(found[0]["SUMMARY"])
    assert reverse("followups:detail", args=[activities[0].uuid]) in str(found[0]["DESCRIPTION"])


def test_contract_feed(world, client_for, planned):
    response = client_for(world.officer).post(FEEDS, {"contract_number": planned.contract_number})
    token = response.context["new_url"].rsplit("/", 1)[1].removesuffix(".ics")
    assert len(events(client_for(world.officer).get(reverse("followups:ical", args=[token])))) == 4


def test_a_contract_one_does_not_see_cannot_be_subscribed(world, client_for, planned):
    response = client_for(world.orderer_sl).post(FEEDS, {"contract_number": planned.contract_number})
    assert response.status_code == 400
    assert not CalendarFeed.objects.exists()


def test_revoked_or_unknown_token_is_404(world, client_for, planned):
    feed, token = feed_create(actor=world.orderer_vm)
    url = reverse("followups:ical", args=[token])
    client = client_for(world.orderer_vm)
    assert client.get(url).status_code == 200
    # Someone else cannot turn my feed off.
    assert client_for(world.officer).post(reverse("followups:feed_revoke", args=[feed.uuid])).status_code == 404
    client_for(world.orderer_vm).post(reverse("followups:feed_revoke", args=[feed.uuid]))
    assert client.get(url).status_code == 404
    assert client.get(reverse("followups:ical", args=["not-a-token"])).status_code == 404


def test_feed_stops_when_the_person_is_deactivated(world, client, planned):
    _feed, token = feed_create(actor=world.orderer_vm)
    world.orderer_vm.is_active = False
    world.orderer_vm.save()
    assert client.get(reverse("followups:ical", args=[token])).status_code == 404
