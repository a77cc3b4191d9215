"""The dashboard: figures per scope and period, limited to what the person sees, every
figure linking to the records behind it, and a bounded number of queries."""

from __future__ import annotations

import contextlib
import datetime
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db.backends.utils import CursorWrapper
from django.urls import reverse

from kravspar.findings.models import Deviation, Sanction
from kravspar.reports import figures
from kravspar.reports.scope import resolve
from kravspar.reports.tests.conftest import activity, make_contract, period, procurement, requirement, today
from kravspar.requirements.models import RequirementType
from kravspar.testing.factories import SupplierFactory

URL = reverse("reports:dashboard")
RECORD_LINK = re.compile(r'<a href="(/rapporter/poster/[^"]+)">(\d+)</a>')


def dashboard_for(user: Any, key: str = "") -> figures.Dashboard:
    p = period()
    return figures.dashboard(
        resolve(
            user,
            key=key,
            date_from=datetime.date.fromisoformat(p["from"]),
            date_to=datetime.date.fromisoformat(p["to"]),
            today=today(),
        )
    )


def by_key(rows: list[figures.Row]) -> dict[str, dict[str, int]]:
    return {r.key: r.counts for r in rows}


def test_a_vastmanland_orderer_counts_only_vastmanland(world: Any, data: Any) -> None:
    d = dashboard_for(world.orderer_vm)
    assert d.activities_total == {"due": 4, "on_time": 1, "late": 1, "overdue": 1, "upcoming": 1, "cancelled": 0}
    assert d.deviations_total == 1
    assert by_key(d.deviations_by_severity)["major"] == {"n": 1}
    assert by_key(d.deviations_by_severity)["critical"] == {"n": 0}  # Sörmland's critical deviation
    assert by_key(d.deviations_by_kind)["labour"] == {"n": 1}
    assert by_key(d.deviations_by_status)["open"] == {"n": 1}
    assert [r.counts["n"] for r in d.sanctions] == [0, 0]  # the fine was decided on Sörmland's contract
    assert by_key(d.suppliers_by_light) == {"green": {"n": 0}, "yellow": {"n": 1}, "red": {"n": 0}}
    assert (d.strategy_gate.part, d.strategy_gate.whole) == (1, 1)
    assert (d.local["local"].part, d.local["local"].whole, d.local["value"]) == (1, 1, 1_000_000)
    assert {k: (s.part, s.whole) for k, s in d.labour.items()} == {
        "with": (1, 1),
        "followed": (1, 1),
        "subcontractors": (1, 1),
        "subcontractors_followed": (1, 1),
    }


def test_the_officer_sees_both_regions(world: Any, data: Any) -> None:
    d = dashboard_for(world.officer)
    assert d.activities_total["due"] == 5
    assert d.activities_total["overdue"] == 2
    assert by_key(d.suppliers_by_light) == {"green": {"n": 0}, "yellow": {"n": 1}, "red": {"n": 1}}
    assert (d.strategy_gate.part, d.strategy_gate.whole, d.strategy_gate.percent) == (1, 2, 50)
    assert (d.local["local"].part, d.local["local"].whole) == (1, 2)
    assert d.local["local_value_percent"] == 25
    assert (d.local["sme"].part, d.local["sme"].whole) == (1, 2)
    apply, waive = d.sanctions
    assert (apply.counts["n"], apply.extra["amount"], waive.counts["n"]) == (1, 10000, 0)


def test_breakdowns_per_method_unit_and_type(world: Any, data: Any) -> None:
    d = dashboard_for(world.orderer_vm)
    methods = by_key(d.by_method)
    assert methods["spot_check"]["late"] == 1 and methods["spot_check"]["overdue"] == 1
    assert methods["self_assessment"]["on_time"] == 1 and methods["self_assessment"]["upcoming"] == 1
    units = {r.label: r.counts for r in d.by_unit}
    assert units["Ortopedkliniken"]["due"] == 2 and units["Inköp"]["due"] == 2
    types = by_key(d.by_type)
    assert types["labour"]["due"] == 2 and types["quality"]["late"] == 1


def test_policy_aim_coverage(world: Any, data: Any) -> None:
    aims = {r.key: r for r in dashboard_for(world.officer).aims}
    assert aims["4"].counts["procurements"] == 1
    assert aims["4"].counts["requirements"] == 1
    assert aims["4"].extra["types"] == [(str(RequirementType.LABOUR.label), 1)]
    assert aims["4"].counts["on_time"] == 1 and aims["4"].counts["upcoming"] == 1  # the labour requirement's follow-ups
    assert aims["3"].counts["procurements"] == 1 and aims["3"].counts["overdue"] == 1
    assert aims["5"].counts == dict.fromkeys(aims["5"].counts, 0)


def test_a_region_scope_counts_the_region_with_its_companies(
    world: Any, data: Any, company_of_vastmanland: Any
) -> None:
    supplier = data.local_supplier
    company_contract = make_contract("VMF-1", [company_of_vastmanland], supplier, 500_000)
    activity(requirement(company_contract, "Kvalitet", "quality", []), -1)
    d = dashboard_for(world.officer, f"org:{world.vastmanland.uuid}")
    assert d.activities_total["due"] == 5  # Västmanland's four and its company's one
    only_company = dashboard_for(world.officer, f"org:{company_of_vastmanland.uuid}")
    assert only_company.activities_total["due"] == 1


def test_the_inkop_unit_scope_covers_everything_it_serves(world: Any, data: Any) -> None:
    d = dashboard_for(world.officer, f"unit:{world.inkop.uuid}")
    assert d.activities_total["due"] == 5


def test_the_page_shows_the_figures_and_links_to_the_records(world: Any, data: Any, client_for: Any) -> None:
    client = client_for(world.orderer_vm)
    response = client.get(URL, period())
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="img"' in html and "<title" in html and "<desc" in html
    links = RECORD_LINK.findall(html)
    assert len(links) > 20
    for url, number in links:
        records = client.get(url.replace("&amp;", "&"))
        assert records.status_code == 200, url
        assert records.context["page"].paginator.count == int(number), url


def test_the_records_behind_a_figure_are_the_right_ones(world: Any, data: Any, client_for: Any) -> None:
    url = reverse("reports:records", args=["uppfoljningar"])
    response = client_for(world.officer).get(url, period() | {"state": "overdue"})
    contracts = {a.contract.contract_number for a in response.context["page"].object_list}
    assert contracts == {"VM-1", "SL-1"}
    response = client_for(world.orderer_vm).get(url, period() | {"state": "overdue"})
    assert {a.contract.contract_number for a in response.context["page"].object_list} == {"VM-1"}


def test_each_outcome_figure_opens_its_records_within_the_persons_scope(world: Any, data: Any, client_for: Any) -> None:
    # Every figure's link is checked against its list's length in the test above; here,
    # that the outcome figures have them and that a list keeps to the person's regions.
    html = client_for(world.officer).get(URL, period()).content.decode()
    for kind, param in (
        ("krav", "planned=with"),
        ("uppfoljningar", "outcome=on_time"),
        ("avvikelser", "outcome=major"),
    ):
        assert re.search(rf'href="/rapporter/poster/{kind}/\?[^"]*{param}', html), kind
    url = reverse("reports:records", args=["uppfoljningar"])
    late = client_for(world.officer).get(url, period() | {"outcome": "late"}).context["page"]
    assert {a.contract.contract_number for a in late.object_list} == {"VM-1", "SL-1"}
    late = client_for(world.orderer_vm).get(url, period() | {"outcome": "late"}).context["page"]
    assert {a.contract.contract_number for a in late.object_list} == {"VM-1"}
    assert client_for(world.officer).get(url, period() | {"outcome": "nonsense"}).status_code == 404


def test_a_person_cannot_choose_an_organisation_they_do_not_see(world: Any, data: Any, client_for: Any) -> None:
    client = client_for(world.orderer_vm)
    response = client.get(URL, {"scope": f"org:{world.sormland.uuid}"} | period())
    assert response.context["form"].errors["scope"]  # not among the choices
    assert response.context["d"].scope.key == ""  # what they see, and only that
    assert response.context["d"].activities_total["due"] == 4
    url = reverse("reports:records", args=["avtal"])
    listed = client.get(url, {"scope": f"org:{world.sormland.uuid}"} | period()).context["page"].object_list
    assert [c.contract_number for c in listed] == ["VM-1"]
    choices = [label for _key, label in client.get(URL).context["form"].fields["scope"].choices]
    assert not any("Sörmland" in label for label in choices)


def test_a_supplier_contact_gets_no_dashboard(world: Any, data: Any, client_for: Any) -> None:
    client = client_for(world.supplier_contact)
    assert client.get(URL).status_code == 403
    assert client.get(reverse("reports:records", args=["avtal"])).status_code == 403


def test_anonymous_is_sent_to_log_in(client: Any) -> None:
    assert client.get(URL).status_code == 302


def test_a_period_that_ends_before_it_starts_is_refused_kindly(world: Any, client_for: Any) -> None:
    response = client_for(world.officer).get(URL, {"from": "2026-06-01", "to": "2026-01-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["to"]


def test_an_unknown_drill_down_is_404(world: Any, client_for: Any) -> None:
    client = client_for(world.officer)
    assert client.get(reverse("reports:records", args=["hemligt"])).status_code == 404
    url = reverse("reports:records", args=["uppfoljningar"])
    assert client.get(url, {"state": "nonsense"}).status_code == 404
    assert client.get(url, {"method": "nonsense"}).status_code == 404


def test_the_dashboard_query_count_does_not_grow_with_the_data(
    world: Any, data: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(world.officer)
    # 35 with the labour-law conditions section (kravspar/labour/report.py).
    with django_assert_max_num_queries(35):
        client.get(URL, period())
    for n in range(10):
        contract = make_contract(f"X-{n}", [world.vastmanland], data.local_supplier, 100)
        req = requirement(contract, "Kvalitet", "quality", [1, 6])
        activity(req, -n, unit=world.unit_vm)
        # The chain per aim and the strategy gate read these: their queries must not grow either.
        raised = Deviation.objects.create(
            contract=contract, requirement=req, kind="quality", severity="major", title="Brist", raised_on=today()
        )
        Deviation.objects.create(contract=contract, kind="economy", severity="minor", title="Pris", raised_on=today())
        Sanction.objects.create(contract=contract, decision="apply", kind="fine", decided_on=today()).deviations.set(
            [raised]
        )
        procurement(f"X-P-{n}", world.vastmanland, approved=n % 2 == 0, aims=[1])
    with django_assert_max_num_queries(35):
        response = client.get(URL, period())
    d = response.context["d"]
    assert d.activities_total["due"] == 15
    assert (d.strategy_gate.part, d.strategy_gate.whole) == (6, 12)
    economy = next(r for r in d.aims if r.key == "1").counts
    assert (economy["deviations"], economy["sanctions"]) == (20, 10)


@contextlib.contextmanager
def rows_fetched() -> Iterator[list[int]]:
    """Counts the rows the database hands to Python, through Django's own cursor wrapper."""
    counted = [0]
    names = ("fetchone", "fetchmany", "fetchall")  # the wrapper passes them on to the DB-API cursor

    def counting(name: str) -> Any:
        def fetch(self: Any, *args: Any) -> Any:
            result = getattr(self.cursor, name)(*args)
            if name == "fetchone":
                counted[0] += result is not None
            else:
                counted[0] += len(result)
            return result

        return fetch

    for name in names:
        setattr(CursorWrapper, name, counting(name))
    try:
        yield counted
    finally:
        for name in names:
            delattr(CursorWrapper, name)


def test_the_dashboard_fetches_the_same_rows_with_ten_times_the_contracts(world: Any, data: Any) -> None:
    """Issue 15: supplier status, the aims' sanctions and the median days late are computed in
    the database, so a request reads a fixed number of rows however much data lies behind it
    (grouped figures read one row per category, and the categories stay the same here)."""

    def add(first: int, last: int) -> None:
        for n in range(first, last):
            supplier = SupplierFactory.create(name=f"Radleverantör {n}")
            contract = make_contract(f"R-{n}", [world.vastmanland], supplier, 100)
            req = requirement(contract, "Kvalitet", "quality", [1, 6])
            activity(req, -n - 2, done=-n if n % 2 else None, unit=world.unit_vm)  # late, or overdue
            raised = Deviation.objects.create(
                contract=contract, requirement=req, kind="quality", severity="major", title="Brist", raised_on=today()
            )
            sanction = Sanction.objects.create(contract=contract, decision="apply", kind="fine", decided_on=today())
            sanction.deviations.set([raised])

    add(0, 2)
    dashboard_for(world.officer)  # warm the per-process caches (content types, permissions)
    with rows_fetched() as before:
        dashboard_for(world.officer)
    add(2, 20)
    with rows_fetched() as after:
        d = dashboard_for(world.officer)
    assert sum(r.counts["n"] for r in d.suppliers_by_light) == 22  # the new suppliers are counted...
    assert d.outcome.late == 23  # with the three of the data fixture
    assert next(r for r in d.aims if r.key == "6").counts["sanctions"] == 20
    assert after[0] == before[0]  # ...without reading them


@pytest.mark.parametrize(
    "kind", ["upphandlingar", "avtal", "uppfoljningar", "avvikelser", "sanktioner", "leverantorer", "krav"]
)
def test_drill_down_lists_have_bounded_queries(
    world: Any, data: Any, client_for: Any, django_assert_max_num_queries: Any, kind: str
) -> None:
    url = reverse("reports:records", args=[kind]) + "?" + urlencode(period())
    client = client_for(world.officer)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200


def test_other_apps_can_add_figures(world: Any, data: Any, client_for: Any, monkeypatch: Any) -> None:
    """The slot the e-invoice follow-up (issue 7) fills: a callable in figures.EXTENSIONS."""

    def invoices(scope: Any) -> dict[str, Any]:
        rows = [figures.Row(key="checked", label="Granskade fakturor", counts={"n": 12}, extra={"url": "/x/"})]
        return {"title": "E-fakturor", "rows": rows}

    monkeypatch.setattr(figures, "EXTENSIONS", [invoices])
    html = client_for(world.officer).get(URL).content.decode()
    assert "E-fakturor" in html and '<a href="/x/">12</a>' in html


def test_the_error_summary_names_the_field_once(world: Any, client_for: Any) -> None:
    html = client_for(world.officer).get(URL, {"from": "2026-06-01", "to": "2026-01-01"}).content.decode()
    assert "Till: perioden kan inte sluta innan den börjar." in html
    assert "Till: Till:" not in html
