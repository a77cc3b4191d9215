"""Registering contracts: the snapshot, the dates, the extensions, the status, subcontractors."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from kravspar.audit.models import AuditEvent
from kravspar.contracts import services
from kravspar.contracts.models import ContractStatus
from kravspar.contracts.selectors import effective_end
from kravspar.contracts.tests.conftest import contract_fields
from kravspar.core.dates import add_months
from kravspar.core.errors import ConcurrentEditError, NotAllowedError
from kravspar.requirements import services as requirement_services

D = datetime.date


def test_a_contract_from_an_awarded_procurement_copies_requirements_and_strategy(world, awarded, cleaner):
    quality, labour = awarded.planned
    contract = services.contract_create_from_procurement(
        actor=world.officer,
        procurement=awarded,
        suppliers=[cleaner],
        buyers=[world.sormland, world.vastmanland],
        **contract_fields(),
    )
    assert not contract.strategy_missing and contract.strategy_version == 1
    rows = {r.source_requirement_id: r for r in contract.requirements.all()}
    assert set(rows) == {quality.id, labour.id}
    assert rows[quality.id].methods == ["spot_check"] and rows[quality.id].interval_months == 3
    assert rows[quality.id].responsible_unit == world.unit_vm
    assert rows[labour.id].at_months == [3, 12] and rows[labour.id].binds_subcontractors
    assert AuditEvent.objects.filter(action="contract.created", object_id=str(contract.uuid)).exists()


def test_changing_the_procurement_afterwards_does_not_change_the_contract(world, awarded, cleaner):
    quality, _labour = awarded.planned
    contract = services.contract_create_from_procurement(
        actor=world.officer, procurement=awarded, suppliers=[cleaner], buyers=[world.sormland], **contract_fields()
    )
    # The requirement service may refuse changes after award; change the row as a later edit would.
    quality.text = "Something else entirely."
    quality.save()
    row = contract.requirements.get(source_requirement=quality)
    assert row.text == "INSTA 800 nivå 3."


def test_without_an_approved_strategy_the_contract_is_flagged(world, procurement, cleaner):
    requirement_services.requirement_add(
        actor=world.officer, procurement=procurement, title="Städkvalitet", type="quality", text="INSTA 800."
    )
    procurement.status = "awarded"  # a procurement that predates the gate
    procurement.save()
    contract = services.contract_create_from_procurement(
        actor=world.officer, procurement=procurement, suppliers=[cleaner], buyers=[world.sormland], **contract_fields()
    )
    assert contract.strategy_missing and contract.strategy_version is None
    assert [r.methods for r in contract.requirements.all()] == [[]]


def test_a_procurement_in_planning_cannot_have_a_contract(world, procurement, cleaner):
    with pytest.raises(services.ContractError):
        services.contract_create_from_procurement(
            actor=world.officer,
            procurement=procurement,
            suppliers=[cleaner],
            buyers=[world.sormland],
            **contract_fields(),
        )


def test_a_direct_registration_is_flagged_strategy_missing(sormland_contract):
    assert sormland_contract.strategy_missing and sormland_contract.procurement is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"starts_on": D(2026, 1, 1)}, "starts_on"),
        ({"ends_on": D(2026, 1, 31)}, "ends_on"),
        ({"value": -1}, "value"),
        ({"fine_per_week": -5}, "fine_per_week"),
        ({"extension_options": 1, "extension_months": 0}, "extension_months"),
        ({"contract_number": " "}, "contract_number"),
    ],
)
def test_dates_in_order_and_numbers_not_negative(world, cleaner, overrides, field):
    with pytest.raises(ValidationError) as exc:
        services.contract_register_direct(
            actor=world.officer, suppliers=[cleaner], buyers=[world.sormland], **contract_fields(**overrides)
        )
    assert field in exc.value.message_dict


def test_at_least_one_supplier_and_a_buyer_the_actor_sees(world, cleaner, company_of_vastmanland):
    with pytest.raises(ValidationError) as exc:
        services.contract_register_direct(actor=world.officer, suppliers=[], buyers=[], **contract_fields())
    assert {"suppliers", "buyers"} <= set(exc.value.message_dict)
    # The joint Inköp unit sees both regions and their companies.
    assert services.contract_register_direct(
        actor=world.officer, suppliers=[cleaner], buyers=[company_of_vastmanland], **contract_fields()
    )


def test_the_contract_number_is_unique(world, cleaner, sormland_contract):
    with pytest.raises(ValidationError) as exc:
        services.contract_register_direct(
            actor=world.officer,
            suppliers=[cleaner],
            buyers=[world.sormland],
            **contract_fields(contract_number="SL-2020-17"),
        )
    assert exc.value.message_dict["contract_number"][0].startswith(("Contract number", "Avtalsnummer"))


def test_extensions_move_the_end_and_stop_at_the_limit(world, joint_contract):
    assert effective_end(joint_contract) == D(2028, 1, 31)
    services.contract_use_extension(actor=world.officer, contract=joint_contract, decided_on=D(2027, 9, 1))
    services.contract_use_extension(actor=world.officer, contract=joint_contract, decided_on=D(2028, 9, 1))
    joint_contract.refresh_from_db()
    assert effective_end(joint_contract) == D(2030, 1, 31)
    with pytest.raises(services.ContractError):
        services.contract_use_extension(actor=world.officer, contract=joint_contract, decided_on=D(2029, 9, 1))
    assert joint_contract.extensions.count() == 2
    # Options can no longer be fewer than those used.
    with pytest.raises(ValidationError):
        services.contract_update(
            actor=world.officer, contract=joint_contract, expected_version=None, extension_options=1
        )


def test_add_months_clamps_to_the_end_of_a_short_month():
    assert add_months(D(2027, 1, 31), 1) == D(2027, 2, 28)
    assert add_months(D(2027, 11, 29), 14) == D(2029, 1, 29)


def test_update_never_rewrites_the_snapshot_and_refuses_a_stale_version(world, awarded, cleaner, other_supplier):
    contract = services.contract_create_from_procurement(
        actor=world.officer, procurement=awarded, suppliers=[cleaner], buyers=[world.sormland], **contract_fields()
    )
    version = contract.version
    services.contract_update(
        actor=world.officer,
        contract=contract,
        expected_version=version,
        title="Städ och fönsterputs",
        suppliers=[cleaner, other_supplier],
    )
    contract.refresh_from_db()
    assert contract.title == "Städ och fönsterputs" and contract.suppliers.count() == 2
    assert contract.requirements.count() == 2
    with pytest.raises(ConcurrentEditError):
        services.contract_update(actor=world.officer, contract=contract, expected_version=version, title="Stale")


def test_termination_needs_a_reason_and_is_final(world, joint_contract):
    with pytest.raises(ValidationError) as exc:
        services.contract_set_status(actor=world.officer, contract=joint_contract, to="terminated")
    assert "reason" in exc.value.message_dict
    services.contract_set_status(
        actor=world.officer, contract=joint_contract, to="terminated", reason="Hävt enligt 14.2 c: lönedumpning."
    )
    joint_contract.refresh_from_db()
    assert joint_contract.status == ContractStatus.TERMINATED and joint_contract.end_reason
    with pytest.raises(services.ContractError):
        services.contract_set_status(actor=world.officer, contract=joint_contract, to="expired")
    with pytest.raises(services.ContractError):
        services.contract_use_extension(actor=world.officer, contract=joint_contract, decided_on=D(2027, 1, 1))


def test_only_inkop_registers_contracts(world, cleaner):
    for person in (world.orderer_vm, world.reader, world.supplier_contact):
        with pytest.raises(NotAllowedError):
            services.contract_register_direct(
                actor=person, suppliers=[cleaner], buyers=[world.sormland], **contract_fields()
            )


def test_subcontractors_belong_to_a_supplier_of_the_contract(world, joint_contract, cleaner, other_supplier):
    sub = services.subcontractor_add(
        actor=world.officer,
        contract=joint_contract,
        supplier=cleaner,
        name="Kemtvätt Öst AB",
        org_number="556036-0793",
        role="Mattvätt",
        collective_agreement="agreement",
    )
    assert sub.org_number == "5560360793"
    with pytest.raises(ValidationError) as exc:
        services.subcontractor_add(
            actor=world.officer, contract=joint_contract, supplier=other_supplier, name="X", role="Y"
        )
    assert "supplier" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.subcontractor_add(
            actor=world.officer,
            contract=joint_contract,
            supplier=cleaner,
            name="Fel AB",
            org_number="5560360794",
            role="Z",
        )
    assert exc.value.message_dict["org_number"][0].startswith(("Organisation number", "Organisationsnummer"))
    foreign = services.subcontractor_add(
        actor=world.officer, contract=joint_contract, supplier=cleaner, name="Puhdas Oy", country="fi", role="Golv"
    )
    assert foreign.country == "FI"
    services.subcontractor_deactivate(actor=world.officer, subcontractor=foreign)
    foreign.refresh_from_db()
    assert not foreign.is_active
    with pytest.raises(ConcurrentEditError):
        services.subcontractor_update(actor=world.officer, subcontractor=foreign, expected_version=1, role="Fönster")


# Fields every model row has, which are the row's own and never copied.
BOOKKEEPING = {"id", "uuid", "created_at", "updated_at", "version"}


def test_every_field_a_requirement_shares_with_the_contracts_copy_is_copied():
    """A field added to the requirement (and so to the contract's copy) is copied at
    registration only if it is in REQUIREMENT_COPY: this fails until it is."""
    from kravspar.contracts.models import ContractRequirement
    from kravspar.requirements.models import Requirement

    def names(model):
        return {f.name for f in model._meta.concrete_fields} - BOOKKEEPING

    assert names(Requirement) & names(ContractRequirement) == set(services.REQUIREMENT_COPY)
    assert set(requirement_services.REQUIREMENT_FIELDS) <= set(services.REQUIREMENT_COPY)


def test_registration_copies_each_of_those_fields_as_it_is(world, awarded, cleaner):
    from kravspar.requirements.models import Level, Requirement, VerifiedWhen

    quality, labour = awarded.planned
    Requirement.objects.filter(pk=quality.pk).update(
        level=Level.ADVANCED,
        criterion_ref="10173:1",
        criterion_version="3",
        evidence="Rapport från INSTA 800-mätning.",
        verified_when=VerifiedWhen.BOTH,
        aims=[1, 3],
        position=7,
    )
    contract = services.contract_create_from_procurement(
        actor=world.officer, procurement=awarded, suppliers=[cleaner], buyers=[world.sormland], **contract_fields()
    )
    for requirement in Requirement.objects.filter(pk__in=[quality.pk, labour.pk]):
        row = contract.requirements.get(source_requirement=requirement)
        for field in services.REQUIREMENT_COPY:
            assert getattr(row, field) == getattr(requirement, field), field
    assert contract.requirements.get(source_requirement=quality).level == Level.ADVANCED
