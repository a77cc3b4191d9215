"""Deviation pages: who sees what (404 for outsiders, 403 for those who may only look),
the lifecycle through the forms, the conflict message that keeps what was typed, and
pinned query counts."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from kravspar.findings import policy, services
from kravspar.findings.models import Deviation, DeviationStatus, Sanction, Severity
from kravspar.findings.tests.conftest import make_activity

LIST = reverse("findings:list")
DAY = datetime.timedelta(days=1)


def titles(response):
    return [row["deviation"].title for row in response.context["rows"]]


def test_orderer_of_another_region_sees_nothing(world, client_for, sormland_contract):
    activity = make_activity(sormland_contract)
    deviation = services.deviation_raise(actor=world.officer, activity=activity, severity="major", title="Sörmland")
    client = client_for(world.orderer_vm)
    assert titles(client.get(LIST)) == []
    assert client.get(reverse("findings:detail", args=[deviation.uuid])).status_code == 404
    assert client.get(reverse("findings:sanction", args=[deviation.uuid])).status_code == 404
    assert client.get(reverse("findings:raise", args=[activity.uuid])).status_code == 404


def test_orderer_of_the_right_region_may_look_but_not_raise_or_decide(world, client_for, raise_deviation, activity):
    deviation = raise_deviation()
    client = client_for(world.orderer_vm)
    assert titles(client.get(LIST)) == [deviation.title]
    page = client.get(reverse("findings:detail", args=[deviation.uuid]))
    assert page.status_code == 200
    assert reverse("findings:plan", args=[deviation.uuid]).encode() not in page.content
    assert client.get(reverse("findings:raise", args=[activity.uuid])).status_code == 403
    decide = client.post(reverse("findings:sanction", args=[deviation.uuid]), {"decision": "waive", "reason": "x"})
    assert decide.status_code == 403
    assert client.post(reverse("findings:edit", args=[deviation.uuid]), {"title": "y"}).status_code == 403
    assert not Sanction.objects.exists()


def test_supplier_contact_sees_nothing(world, client_for, raise_deviation):
    deviation = raise_deviation()
    client = client_for(world.supplier_contact)
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("findings:detail", args=[deviation.uuid])).status_code == 404


def test_officer_raises_agrees_and_decides_through_the_pages(world, client_for, activity, contract):
    client = client_for(world.officer)
    today = timezone.localdate()
    response = client.post(
        reverse("findings:raise", args=[activity.uuid]),
        {
            "severity": Severity.MAJOR,
            "title": "Lönespecifikationer saknas",
            "description": "",
            "raised_on": (today - 40 * DAY).isoformat(),
        },
    )
    deviation = Deviation.objects.get()
    assert deviation.raised_on == today - 40 * DAY
    assert response.url == reverse("findings:detail", args=[deviation.uuid])
    assert deviation.requirement == activity.requirement
    response = client.post(
        reverse("findings:plan", args=[deviation.uuid]),
        {
            "version": deviation.version,
            "agreed_on": (today - 30 * DAY).isoformat(),
            "deadline": (today - 10 * DAY).isoformat(),
            "action_0": "Lämna lönespecifikationer för mars",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    page = client.get(reverse("findings:detail", args=[deviation.uuid]))
    assert page.context["needs_decision"]
    assert "Röd".encode() in page.content or b"Red" in page.content
    form = client.get(reverse("findings:sanction", args=[deviation.uuid]))
    assert form.context["fine"].amount == 10000  # 10 days late: 2 started weeks × 5 000 SEK
    waive = client.post(
        reverse("findings:sanction", args=[deviation.uuid]), {"decision": "waive", "decided_on": today.isoformat()}
    )
    assert waive.status_code == 400
    assert "reason" in waive.context["form"].errors
    apply = client.post(
        reverse("findings:sanction", args=[deviation.uuid]),
        {"decision": "apply", "kind": "fine", "clause": "§ 12 Vite", "decided_on": today.isoformat()},
    )
    assert apply.status_code == 302
    assert Sanction.objects.get().amount == 10000
    assert not client.get(reverse("findings:detail", args=[deviation.uuid])).context["needs_decision"]


def test_conflict_message_keeps_what_was_typed(world, client_for, raise_deviation):
    deviation = raise_deviation()
    client = client_for(world.officer)
    url = reverse("findings:edit", args=[deviation.uuid])
    seen = client.get(url).context["form"].initial["version"]
    services.deviation_update(actor=world.officer, deviation=deviation, expected_version=None, title="Någon annans")
    response = client.post(
        url, {"version": seen, "severity": "critical", "title": "Mitt nya namn", "description": "Min text"}
    )
    assert response.status_code == 400
    assert b"Someone else changed this" in response.content or "Någon annan".encode() in response.content
    assert b'value="Mitt nya namn"' in response.content
    assert b"Min text" in response.content
    assert Deviation.objects.get(pk=deviation.pk).title == "Någon annans"


def test_reopen_through_the_page_is_in_the_history(world, client_for, raise_deviation, with_plan):
    deviation = with_plan(raise_deviation(severity=Severity.MINOR), timezone.localdate() + 5 * DAY)
    services.action_plan_verify(actor=world.officer, deviation=deviation, expected_version=None, fixed=True)
    client = client_for(world.officer)
    deviation.refresh_from_db()
    response = client.post(
        reverse("findings:reopen", args=[deviation.uuid]), {"version": deviation.version, "reason": "Samma brist igen"}
    )
    assert response.status_code == 302
    assert Deviation.objects.get(pk=deviation.pk).status == DeviationStatus.REOPENED
    page = client.get(reverse("findings:detail", args=[deviation.uuid]))
    assert b"deviation.reopened" in page.content


def test_filters(world, client_for, raise_deviation, with_plan):
    today = timezone.localdate()
    late = with_plan(raise_deviation(title="Sen", raised_on=today - 20 * DAY), today - DAY, agreed_on=today - 9 * DAY)
    raise_deviation(severity=Severity.MINOR, title="Liten", raised_on=today - 10 * DAY)
    client = client_for(world.officer)
    assert titles(client.get(LIST, {"severity": "minor"})) == ["Liten"]
    assert titles(client.get(LIST, {"status": "action_plan_agreed"})) == ["Sen"]
    assert titles(client.get(LIST, {"decision_needed": "on"})) == [late.title]
    assert titles(client.get(LIST, {"contract": "RS-2025-0001"})) == ["Liten", "Sen"]
    assert titles(client.get(LIST, {"contract": "finns-inte"})) == []


def test_list_and_detail_query_counts_do_not_grow(
    world, client_for, raise_deviation, with_plan, django_assert_max_num_queries
):
    today = timezone.localdate()
    for i in range(30):
        with_plan(raise_deviation(title=f"Brist {i}"), today + i * DAY)
    client = client_for(world.officer)
    # One for the suppliers' status, one for Inköp's queue count and one for the page's
    # secrecy marks (issue 14), whatever the page size.
    with django_assert_max_num_queries(11):
        response = client.get(LIST)
    assert len(response.context["rows"]) == 25
    deviation = Deviation.objects.first()
    for _ in range(3):
        services.sanction_decide(
            actor=world.officer, contract=deviation.contract, deviations=[deviation], decision="apply", kind="remark"
        )
    with django_assert_max_num_queries(14):  # 13, and one for the deviation's secrecy mark
        assert client.get(reverse("findings:detail", args=[deviation.uuid])).status_code == 200


def test_evaluation_form(world, client_for, contract):
    client = client_for(world.officer)
    url = reverse("findings:evaluation", args=[contract.uuid])
    assert client.get(url).status_code == 200
    data = {"evaluated_on": timezone.localdate().isoformat(), "lessons": "Kortare svarstider."}
    data |= {f"aim_{n}": "met" for n in range(1, 7)}
    assert client.post(url, data).status_code == 302
    assert contract.evaluation.aims.count() == 6
    assert client_for(world.orderer_vm).get(url).status_code == 403


def test_status_badge_tags_show_the_word_not_only_the_colour(world, raise_deviation, contract, supplier):
    from django.template import Context, Template
    from django.utils import translation

    template = Template("{% load findings %}{% supplier_status contract %}|{% supplier_status_overall supplier %}")
    with translation.override("en"):
        assert template.render(Context({"contract": contract, "supplier": supplier})).count("Green") == 2
    raise_deviation(severity=Severity.CRITICAL)  # critical without a plan: red
    with translation.override("en"):
        html = template.render(Context({"contract": contract, "supplier": supplier}))
    assert html.count("Red") == 2 and "status-red" in html


def test_officer_marks_an_action_done_on_the_deviation_page(world, client_for, raise_deviation, with_plan):
    deviation = with_plan(raise_deviation(severity=Severity.MINOR), timezone.localdate() + 5 * DAY)
    item = deviation.action_plans.get().items.get()
    url = reverse("findings:item_done", args=[deviation.uuid, item.pk])
    client = client_for(world.officer)
    page = client.get(reverse("findings:detail", args=[deviation.uuid]))
    assert url.encode() in page.content
    assert f'name="version" value="{deviation.version}"'.encode() in page.content

    assert client.get(url).status_code == 405
    response = client.post(url, {"version": deviation.version})
    assert response.status_code == 302 and response.url == reverse("findings:detail", args=[deviation.uuid])
    item.refresh_from_db()
    assert item.done_on == timezone.localdate()
    page = client.get(reverse("findings:detail", args=[deviation.uuid]))
    assert url.encode() not in page.content  # done: the date, no button
    assert item.done_on.isoformat().encode() in page.content
    assert b"deviation.action_done" in page.content


def test_marking_done_with_a_stale_version_changes_nothing_and_says_why(world, client_for, raise_deviation, with_plan):
    deviation = with_plan(raise_deviation(severity=Severity.MINOR), timezone.localdate() + 5 * DAY)
    item = deviation.action_plans.get().items.get()
    services.deviation_update(actor=world.officer, deviation=deviation, expected_version=None, title="Någon annan")
    client = client_for(world.officer)
    response = client.post(
        reverse("findings:item_done", args=[deviation.uuid, item.pk]), {"version": deviation.version}, follow=True
    )
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    item.refresh_from_db()
    assert item.done_on is None


def test_only_those_who_manage_findings_can_mark_actions_done(
    world, client_for, raise_deviation, with_plan, sormland_contract
):
    deviation = with_plan(raise_deviation(severity=Severity.MINOR), timezone.localdate() + 5 * DAY)
    item = deviation.action_plans.get().items.get()
    url = reverse("findings:item_done", args=[deviation.uuid, item.pk])
    orderer = client_for(world.orderer_vm)
    assert url.encode() not in orderer.get(reverse("findings:detail", args=[deviation.uuid])).content
    assert orderer.post(url, {"version": deviation.version}).status_code == 403
    hidden = with_plan(
        services.deviation_raise(
            actor=world.officer, activity=make_activity(sormland_contract), severity="minor", title="Dold"
        ),
        timezone.localdate() + 5 * DAY,
    )
    hidden_item = hidden.action_plans.get().items.get()
    assert orderer.post(reverse("findings:item_done", args=[hidden.uuid, hidden_item.pk])).status_code == 404
    # An action of another deviation, under this deviation's address, is not found either.
    officer = client_for(world.officer)
    assert officer.post(reverse("findings:item_done", args=[deviation.uuid, hidden_item.pk])).status_code == 404
    assert not type(item).objects.filter(done_on__isnull=False).exists()


def test_status_badge_has_classes_not_inline_colours(world, client_for, raise_deviation):
    deviation = raise_deviation(severity=Severity.CRITICAL)  # red
    page = client_for(world.officer).get(reverse("findings:detail", args=[deviation.uuid]))
    match = re.search(r'<span class="status-badge status-red"([^>]*)>(.*?</span>.*?)</span>', page.content.decode())
    assert match, "no red badge"
    assert "style" not in match.group(1)
    assert "Red" in match.group(2) or "Röd" in match.group(2)  # the word as well as the colour


def test_the_lists_show_each_suppliers_status(world, client_for, raise_deviation, with_plan, contract):
    """Supplier status wherever the supplier appears: the contract, supplier and deviation lists."""
    late = raise_deviation(title="Sen åtgärd")
    with_plan(late, timezone.localdate() - DAY)  # the action plan's deadline has passed: red
    client = client_for(world.officer)
    for url in (reverse("contracts:list"), reverse("suppliers:list"), LIST):
        body = client.get(url).content.decode()
        assert "status-badge status-red" in body, url


def test_one_decision_on_the_page_covers_several_deviations_of_the_contract(
    world, client_for, raise_deviation, with_plan, contract
):
    past = timezone.localdate() - 5 * DAY
    first = with_plan(raise_deviation(title="Lön"), past)
    second = with_plan(raise_deviation(title="Semester"), past)
    with_plan(raise_deviation(title="Rättad i tid"), timezone.localdate() + 5 * DAY)  # not waiting: not offered
    client = client_for(world.officer)
    url = reverse("findings:sanction", args=[first.uuid])
    form = client.get(url).context["form"]
    assert list(form.fields["also"].queryset) == [second]
    response = client.post(
        url,
        {"decision": "apply", "kind": "remark", "decided_on": timezone.localdate().isoformat(), "also": [second.pk]},
    )
    assert response.status_code == 302
    sanction = Sanction.objects.get()
    assert set(sanction.deviations.all()) == {first, second}
    assert not Deviation.objects.filter(policy.decision_needed_q(timezone.localdate()), contract=contract).exists()
