"""The threshold table, the strategy gate's labour item and the sampling helper."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kravspar.labour import policy, services
from kravspar.labour.models import BuyerCategory, ContractKind, EUThreshold, NeedDecision, WorkLocation
from kravspar.labour.tests.conftest import make_procurement
from kravspar.procurements.policy import strategy_gate_missing

D = datetime.date


class TestThresholds:
    @pytest.mark.parametrize(
        ("kind", "category", "day", "sek"),
        [
            # 2024–2025: the Commission's kronor values (1 EUR = 10,8126 SEK).
            (ContractKind.SERVICES, BuyerCategory.SUB_CENTRAL, D(2024, 1, 1), 2_389_585),
            (ContractKind.SUPPLIES, BuyerCategory.SUB_CENTRAL, D(2025, 12, 31), 2_389_585),
            (ContractKind.SUPPLIES, BuyerCategory.CENTRAL, D(2025, 6, 1), 1_546_202),
            (ContractKind.WORKS, BuyerCategory.SUB_CENTRAL, D(2025, 6, 1), 59_880_179),
            (ContractKind.SOCIAL_SERVICES, BuyerCategory.SUB_CENTRAL, D(2024, 6, 1), 8_109_450),
            # 2026–2027.
            (ContractKind.SERVICES, BuyerCategory.SUB_CENTRAL, D(2026, 1, 1), 2_447_280),
            (ContractKind.SERVICES, BuyerCategory.CENTRAL, D(2027, 12, 31), 1_586_200),
            (ContractKind.WORKS, BuyerCategory.SUB_CENTRAL, D(2026, 6, 1), 61_227_320),
            (ContractKind.SOCIAL_SERVICES, BuyerCategory.SUB_CENTRAL, D(2027, 6, 1), 8_497_500),
        ],
    )
    def test_value_per_period_and_kind(self, db: Any, kind: str, category: str, day: datetime.date, sek: int) -> None:
        threshold = policy.threshold_for(contract_kind=kind, buyer_category=category, on=day)
        assert threshold is not None and threshold.amount_sek == Decimal(sek)

    def test_euro_values_of_each_period(self, db: Any) -> None:
        eur = {
            (t.valid_from.year, t.buyer_category, t.contract_kind): int(t.amount_eur) for t in EUThreshold.objects.all()
        }
        assert eur[(2024, "sub_central", "services")] == 221_000
        assert eur[(2026, "sub_central", "services")] == 216_000
        assert eur[(2024, "central", "supplies")] == 143_000
        assert eur[(2026, "central", "supplies")] == 140_000
        assert eur[(2024, "sub_central", "works")] == 5_538_000
        assert eur[(2026, "sub_central", "works")] == 5_404_000
        assert len(eur) == 16  # two periods × two buyer categories × four kinds

    def test_no_threshold_outside_the_table(self, db: Any) -> None:
        assert policy.threshold_for(contract_kind=ContractKind.SERVICES, on=D(2023, 12, 31)) is None

    def test_at_the_threshold_counts_as_above(self, db: Any) -> None:
        threshold = policy.threshold_for(contract_kind=ContractKind.SERVICES, on=D(2026, 3, 1))
        assert policy.is_above(Decimal(2_447_280), threshold)
        assert not policy.is_above(Decimal(2_447_279), threshold)
        assert not policy.is_above(None, threshold)


class TestGate:
    def test_above_the_threshold_in_a_flagged_area_the_gate_names_the_missing_assessment(self, world: Any) -> None:
        procurement = make_procurement(world, "RV-2026-0901", value=3_000_000)
        missing = strategy_gate_missing(procurement)
        labour = [m for m in missing if m.startswith("Arbetsrättsliga villkor")]
        assert len(labour) == 1
        assert "behövlighetsbedömningen" in labour[0] and "Städ" in labour[0]

    def test_below_the_threshold_nothing_is_asked(self, world: Any) -> None:
        procurement = make_procurement(world, "RV-2026-0902", value=2_000_000)
        assert not [m for m in strategy_gate_missing(procurement) if m.startswith("Arbetsrättsliga villkor")]

    def test_outside_the_flagged_areas_nothing_is_asked(self, world: Any) -> None:
        procurement = make_procurement(world, "RV-2026-0903", cpv="30190000", value=9_000_000)  # office supplies
        assert not [m for m in strategy_gate_missing(procurement) if m.startswith("Arbetsrättsliga villkor")]

    def test_needed_without_conditions_names_each_missing_condition(self, world: Any) -> None:
        procurement = make_procurement(world, "RV-2026-0904", value=3_000_000)
        services.assessment_record(
            actor=world.officer,
            procurement=procurement,
            decision=NeedDecision.NEEDED,
            reason="Risk för låga löner.",
            work_location=WorkLocation.SWEDEN,
        )
        labour = [m for m in strategy_gate_missing(procurement) if m.startswith("Arbetsrättsliga villkor")]
        assert labour == [
            "Arbetsrättsliga villkor: ange det centrala kollektivavtalet.",
            "Arbetsrättsliga villkor: villkoret om lön är inte ställt.",
            "Arbetsrättsliga villkor: villkoret om semester är inte ställt.",
            "Arbetsrättsliga villkor: villkoret om arbetstid är inte ställt.",
        ]

    def test_conditions_set_close_the_item_and_bind_subcontractors(self, world: Any, cast: Any) -> None:
        assert not [m for m in strategy_gate_missing(cast.procurement) if m.startswith("Arbetsrättsliga villkor")]
        requirements = list(cast.procurement.requirements.filter(type="labour"))
        assert len(requirements) == 3
        assert all(r.binds_subcontractors and "Serviceentreprenadavtalet" in r.text for r in requirements)

    def test_not_needed_requires_a_reason_and_then_opens_the_gate(self, world: Any) -> None:
        procurement = make_procurement(world, "RV-2026-0905", value=3_000_000)
        with pytest.raises(ValidationError) as exc:
            services.assessment_record(
                actor=world.officer,
                procurement=procurement,
                decision=NeedDecision.NOT_NEEDED,
                reason=" ",
                work_location=WorkLocation.SWEDEN,
            )
        assert exc.value.message_dict["reason"] == ["Motivering: säg varför villkor inte behövs."]
        assessment = services.assessment_record(
            actor=world.officer,
            procurement=procurement,
            decision=NeedDecision.NOT_NEEDED,
            reason="Arbetet utförs av regionens egen personal; bara maskiner köps in.",
            work_location=WorkLocation.SWEDEN,
        )
        assert assessment.above_threshold and assessment.labour_intensive and assessment.signal == "Städ"
        assert not [m for m in strategy_gate_missing(procurement) if m.startswith("Arbetsrättsliga villkor")]

    def test_the_transition_is_refused_with_the_item_named(self, world: Any) -> None:
        from kravspar.procurements.services import StrategyIncompleteError, procurement_transition

        procurement = make_procurement(world, "RV-2026-0906", value=3_000_000)
        with pytest.raises(StrategyIncompleteError) as exc:
            procurement_transition(actor=world.officer, procurement=procurement, to="advertised")
        assert any(
            m.startswith("Arbetsrättsliga villkor: registrera behövlighetsbedömningen")
            for m in exc.value.details["missing"]
        )

    def test_readers_cannot_record_an_assessment(self, world: Any) -> None:
        from kravspar.core.errors import NotAllowedError

        procurement = make_procurement(world, "RV-2026-0907", value=3_000_000)
        with pytest.raises(NotAllowedError):
            services.assessment_record(
                actor=world.reader,
                procurement=procurement,
                decision=NeedDecision.NEEDED,
                reason="x",
                work_location=WorkLocation.SWEDEN,
            )


class TestSampling:
    @pytest.mark.parametrize(
        ("workforce", "employees"), [(1, 1), (2, 2), (3, 3), (4, 3), (10, 4), (100, 10), (101, 11)]
    )
    def test_employees(self, workforce: int, employees: int) -> None:
        plan = policy.sample(workforce=workforce, period_start=D(2026, 1, 1), period_end=D(2026, 12, 31))
        assert plan.employees == employees

    def test_months_spread_over_the_period_two_per_year(self) -> None:
        assert policy.sample(workforce=5, period_start=D(2026, 1, 1), period_end=D(2026, 12, 31)).months == [
            "2026-01",
            "2026-12",
        ]
        assert policy.sample(workforce=5, period_start=D(2025, 1, 15), period_end=D(2026, 12, 31)).months == [
            "2025-01",
            "2025-09",
            "2026-04",
            "2026-12",
        ]
        assert policy.sample(workforce=5, period_start=D(2026, 5, 1), period_end=D(2026, 5, 20)).months == ["2026-05"]

    def test_refuses_nonsense(self) -> None:
        with pytest.raises(ValueError):
            policy.sample(workforce=0, period_start=D(2026, 1, 1), period_end=D(2026, 2, 1))
        with pytest.raises(ValueError):
            policy.sample(workforce=3, period_start=D(2026, 2, 1), period_end=D(2026, 1, 1))


def test_a_keeper_corrects_a_threshold_with_the_command(db: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    from kravspar.audit.models import AuditEvent

    call_command(
        "set_eu_threshold",
        "--from=2026-01-01",
        "--to=2027-12-31",
        "--category=sub_central",
        "--kind=services",
        "--eur=216000",
        "--sek=2400000",
        "--source=Upphandlingsmyndigheten",
        stdout=StringIO(),
    )
    threshold = policy.threshold_for(contract_kind=ContractKind.SERVICES, on=D(2026, 6, 1))
    assert threshold is not None and threshold.amount_sek == Decimal(2_400_000)
    assert AuditEvent.objects.filter(action="labour.threshold_set").count() == 1
    with pytest.raises(ValidationError) as exc:
        services.threshold_set(
            actor=None,
            valid_from=D(2026, 1, 1),
            valid_to=D(2025, 1, 1),
            buyer_category="sub_central",
            contract_kind="services",
            amount_eur=1,
            amount_sek=1,
            source="x",
        )
    assert exc.value.message_dict["valid_to"] == ["Gäller till: perioden kan inte sluta innan den börjar."]
