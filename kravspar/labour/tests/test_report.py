"""Riksrevisionen's figures: the report of the demo's year recounted in plain SQL, the API's
exact keys, who sees which organisation, and the dashboard section's links."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from kravspar.labour import demo
from kravspar.labour.report import labour_counts, labour_report
from kravspar.organisations.models import Organisation

KEYS = {
    "assessed",
    "needed",
    "conditions_set",
    "followed_up_step1",
    "followed_up_step2",
    "deviations",
    "sanctions",
    "share_followed_up",
}

# The definitions of kravspar/labour/report.py, in SQL: per buying organisation, the
# procurements whose needs assessment was decided in the year.
RECOUNT = """
WITH a AS (
    SELECT a.id, a.procurement_id, a.decision, a.agreement_id, pb.organisation_id
    FROM labour_needsassessment a
    JOIN procurements_procurement_buyers pb ON pb.procurement_id = a.procurement_id
    WHERE a.decided_on >= %(start)s AND a.decided_on < %(end)s
),
step1 AS (
    SELECT DISTINCT c.procurement_id FROM labour_selfdeclaration d
    JOIN labour_labourfollowup f ON f.id = d.followup_id
    JOIN contracts_contract c ON c.id = f.contract_id
    WHERE d.status = 'answered'
),
reviews AS (
    SELECT c.procurement_id, r.deviation_id FROM labour_conditionreview r
    JOIN labour_documentrequest q ON q.id = r.request_id
    JOIN labour_labourfollowup f ON f.id = q.followup_id
    JOIN contracts_contract c ON c.id = f.contract_id
)
SELECT o.org_number,
    COUNT(DISTINCT a.procurement_id),
    COUNT(DISTINCT CASE WHEN a.decision = 'needed' THEN a.procurement_id END),
    COUNT(DISTINCT CASE WHEN a.decision = 'needed' AND a.agreement_id IS NOT NULL
        AND (SELECT COUNT(*) FROM labour_conditionitem i WHERE i.assessment_id = a.id) = 3
        THEN a.procurement_id END),
    COUNT(DISTINCT CASE WHEN a.decision = 'needed' AND a.procurement_id IN (SELECT procurement_id FROM step1)
        THEN a.procurement_id END),
    COUNT(DISTINCT CASE WHEN a.decision = 'needed' AND a.procurement_id IN (SELECT procurement_id FROM reviews)
        THEN a.procurement_id END),
    (SELECT COUNT(DISTINCT r.deviation_id) FROM reviews r JOIN a a2 ON a2.procurement_id = r.procurement_id
        WHERE a2.organisation_id = o.id AND a2.decision = 'needed' AND r.deviation_id IS NOT NULL),
    (SELECT COUNT(DISTINCT sd.sanction_id) FROM findings_sanction_deviations sd
        JOIN reviews r ON r.deviation_id = sd.deviation_id JOIN a a2 ON a2.procurement_id = r.procurement_id
        WHERE a2.organisation_id = o.id AND a2.decision = 'needed'),
    COUNT(DISTINCT CASE WHEN a.decision = 'needed' AND (a.procurement_id IN (SELECT procurement_id FROM step1)
        OR a.procurement_id IN (SELECT procurement_id FROM reviews)) THEN a.procurement_id END)
FROM a JOIN organisations_organisation o ON o.id = a.organisation_id
GROUP BY o.id, o.org_number
ORDER BY o.org_number
"""


def recount(year: int) -> dict[str, dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(RECOUNT, {"start": f"{year}-01-01", "end": f"{year + 1}-01-01"})
        rows = cursor.fetchall()
    out = {}
    for org, assessed, needed, cond, s1, s2, devs, sanctions, followed in rows:
        out[org] = {
            "assessed": assessed,
            "needed": needed,
            "conditions_set": cond,
            "followed_up_step1": s1,
            "followed_up_step2": s2,
            "deviations": devs,
            "sanctions": sanctions,
            "share_followed_up": round(followed / needed, 3) if needed else None,
        }
    return out


@pytest.fixture
def demo_world(world: Any) -> Any:
    from kravspar.accounts.roles import Role
    from kravspar.testing.factories import UserFactory

    UserFactory.create(
        username="inkopare", organisation=world.sormland, unit=world.inkop, roles=[Role.PROCUREMENT_OFFICER]
    )
    UserFactory.create(
        username="inkopare2", organisation=world.sormland, unit=world.inkop, roles=[Role.PROCUREMENT_OFFICER]
    )
    logins = demo.seed()
    assert [u for u, _r, _n in logins] == ["leverantor.bygg", "leverantor.stad"]
    return world


def test_the_demo_years_report_matches_a_plain_sql_recount(demo_world: Any) -> None:
    year = timezone.localdate().year
    by_org = {f.organisation.org_number: f.as_dict() for f in labour_report(year=year, organisation_ids=None)}
    assert by_org == recount(year)
    # The dashboard's and the API's aggregates in SQL give the same figures.
    assert {f.organisation.org_number: f.as_dict() for f in labour_counts(year=year, organisation_ids=None)} == by_org
    # The story: cleaning in Västmanland, construction in Sörmland, both needed, set, followed
    # up in both steps with one deviation each; a second cleaning contract in Västmanland
    # waiting for step 1; window cleaning below the threshold not needed.
    assert by_org["2321000172"] == {
        "assessed": 3,
        "needed": 2,
        "conditions_set": 2,
        "followed_up_step1": 1,
        "followed_up_step2": 1,
        "deviations": 1,
        "sanctions": 0,
        "share_followed_up": 0.5,
    }
    assert by_org["2321000032"]["deviations"] == 1 and by_org["2321000032"]["needed"] == 1


def test_the_demo_is_idempotent(demo_world: Any) -> None:
    from kravspar.labour.models import NeedsAssessment, ProofDocument

    counts = (NeedsAssessment.objects.count(), ProofDocument.objects.count())
    demo.seed()
    assert counts == (NeedsAssessment.objects.count(), ProofDocument.objects.count()) == (4, 4)


def test_a_sanction_on_a_review_deviation_counts(demo_world: Any) -> None:
    import datetime

    from kravspar.findings import services as finding_services
    from kravspar.labour.models import ConditionReview

    review = ConditionReview.objects.filter(deviation__isnull=False).select_related("deviation__contract").first()
    assert review is not None and review.deviation is not None
    finding_services.sanction_decide(
        actor=None,
        contract=review.deviation.contract,
        deviations=[review.deviation],
        kind="remark",
        decision="apply",
        reason="Lön under avtalets nivå hos underleverantören.",
        decided_on=datetime.date.today(),
    )
    year = timezone.localdate().year
    by_org = {f.organisation.org_number: f.as_dict() for f in labour_report(year=year, organisation_ids=None)}
    assert by_org == recount(year)
    assert sum(v["sanctions"] for v in by_org.values()) == 1
    assert {f.organisation.org_number: f.as_dict() for f in labour_counts(year=year, organisation_ids=None)} == by_org


def test_the_api_names_each_count_and_scopes_to_what_the_person_sees(demo_world: Any, client_for: Any) -> None:
    year = timezone.localdate().year
    body = client_for(demo_world.orderer_vm).get(f"/api/v1/reports/labour-conditions?year={year}").json()
    assert body["year"] == year
    assert [o["organisation"]["org_number"] for o in body["organisations"]] == ["2321000172"]
    row = body["organisations"][0]
    assert set(row) >= KEYS and set(row) - KEYS == {"organisation", "year", "links"}
    assert row["needed"] == 2 and row["share_followed_up"] == 0.5
    assert set(row["links"]) == KEYS - {"share_followed_up"}
    officer = client_for(demo_world.officer).get(f"/api/v1/reports/labour-conditions?year={year}").json()
    assert len(officer["organisations"]) == 2
    assert (
        client_for(demo_world.supplier_contact).get(f"/api/v1/reports/labour-conditions?year={year}").status_code == 403
    )
    assert client_for(demo_world.officer).get("/api/v1/reports/labour-conditions").status_code == 422


def test_each_count_links_to_its_records(demo_world: Any, client_for: Any) -> None:
    year = timezone.localdate().year
    vastmanland = Organisation.objects.get(org_number="2321000172")
    client = client_for(demo_world.reader)
    page = client.get(reverse("labour:report") + f"?year={year}").content.decode()
    assert "Region Västmanland" in page and "figure=deviations" in page
    needed = client.get(
        reverse("labour:records") + f"?year={year}&organisation={vastmanland.uuid}&figure=assessed"
    ).content.decode()
    assert "Lokalvård vårdcentraler Västmanland" in needed and "Fönsterputs Köpings vårdcentral" in needed
    assert "Under EU:s tröskelvärde" in needed  # the "not needed" reason is shown
    deviations = client.get(
        reverse("labour:records") + f"?year={year}&organisation={vastmanland.uuid}&figure=deviations"
    ).content.decode()
    assert "Arbetsrättsligt villkor om lön uppfylls inte av Fönsterputsarna i Västerås AB" in deviations


# A past day, and the second day of a year (the whole story fits in two days).
@pytest.mark.parametrize("day", [datetime.date(2025, 6, 16), datetime.date(2026, 1, 2)])
def test_the_demo_tells_its_story_from_the_day_it_is_given(world: Any, day: datetime.date) -> None:
    from kravspar.accounts.roles import Role
    from kravspar.labour.models import ConditionReview, DocumentRequest, SelfDeclaration, UnionConsultation
    from kravspar.testing.factories import UserFactory

    for username in ("inkopare", "inkopare2"):
        UserFactory.create(
            username=username, organisation=world.sormland, unit=world.inkop, roles=[Role.PROCUREMENT_OFFICER]
        )
    demo.seed(today=day)
    by_org = {f.organisation.org_number: f.as_dict() for f in labour_report(year=day.year, organisation_ids=None)}
    assert by_org == recount(day.year)
    assert by_org["2321000172"]["followed_up_step2"] == 1 and by_org["2321000032"]["deviations"] == 1
    answered = SelfDeclaration.objects.exclude(answered_on=None).values_list("answered_on", flat=True)
    assert answered and all(d <= day for d in answered)
    assert {r.requested_on <= day < r.due_on for r in DocumentRequest.objects.all()} == {True}
    assert set(ConditionReview.objects.values_list("reviewed_on", flat=True)) == {day}
    assert set(UnionConsultation.objects.values_list("held_on", flat=True)) == {day}
