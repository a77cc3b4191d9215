"""The maintained tables behind the planning suggestions, and the requirement library, as
the migrations seed them: every row sourced, every CPV prefix real, suggestions right."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from kravspar.cpv.models import CpvCode
from kravspar.procurements import policy
from kravspar.procurements.models import CategoryRule, CategoryRuleKind
from kravspar.requirements.models import RequirementTemplate, RequirementType
from kravspar.requirements.services import clean_requirement_fields

pytestmark = pytest.mark.django_db

SOURCES = {
    CategoryRuleKind.HIGH_RISK_SOCIAL: "Regionernas gemensamma uppförandekod och högriskkategorier "
    "(Hållbar upphandling – regionernas samarbete)",
    CategoryRuleKind.ENVIRONMENT_PRIORITY: "Regionernas miljöprogram; Upphandlingsmyndighetens prioriterade områden",
    CategoryRuleKind.ANIMAL_PRODUCTS: "Inköpspolicyn, syfte 5 (djurskydd)",
    CategoryRuleKind.LABOUR_CONDITIONS: "LOU 17 kap. 2–5 §§; Upphandlingsmyndighetens branschlista",
}


def test_each_of_the_four_tables_has_rows_that_name_their_source():
    for kind, source in SOURCES.items():
        rules = CategoryRule.objects.filter(kind=kind, is_active=True)
        assert rules.count() >= 5, kind
        assert set(rules.values_list("source", flat=True)) == {source}
        assert all(rule.label.strip() for rule in rules)


def test_every_prefix_starts_a_real_cpv_code():
    for rule in CategoryRule.objects.all():
        assert CpvCode.objects.filter(code__startswith=rule.cpv_prefix).exists(), rule.cpv_prefix


def test_cleaning_is_high_risk_environment_priority_and_labour_intensive():
    found = {(s.kind, s.label) for s in policy.suggestions_for_codes(["90911200"])}
    assert found == {
        (CategoryRuleKind.HIGH_RISK_SOCIAL, "Städ"),
        (CategoryRuleKind.ENVIRONMENT_PRIORITY, "Städ"),
        (CategoryRuleKind.LABOUR_CONDITIONS, "Städ"),
    }
    assert {s.source for s in policy.suggestions_for_codes(["90911200"])} == {
        SOURCES[CategoryRuleKind.HIGH_RISK_SOCIAL],
        SOURCES[CategoryRuleKind.ENVIRONMENT_PRIORITY],
        SOURCES[CategoryRuleKind.LABOUR_CONDITIONS],
    }


def test_meat_makes_animal_welfare_relevant():
    suggestions = policy.suggestions_for_codes(["15110000"])
    kinds = {s.kind for s in suggestions}
    assert CategoryRuleKind.ANIMAL_PRODUCTS in kinds
    assert {CategoryRuleKind.HIGH_RISK_SOCIAL, CategoryRuleKind.ENVIRONMENT_PRIORITY} <= kinds
    assert any(s.label == "Kött och köttprodukter" for s in suggestions)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("33169000", CategoryRuleKind.HIGH_RISK_SOCIAL),  # surgical instruments
        ("33141110", CategoryRuleKind.HIGH_RISK_SOCIAL),  # dressings (wound care)
        ("33690000", CategoryRuleKind.ENVIRONMENT_PRIORITY),  # medicinal products
        ("34110000", CategoryRuleKind.ENVIRONMENT_PRIORITY),  # passenger cars
        ("03142500", CategoryRuleKind.ANIMAL_PRODUCTS),  # eggs
        ("15511000", CategoryRuleKind.ANIMAL_PRODUCTS),  # milk
        ("79713000", CategoryRuleKind.LABOUR_CONDITIONS),  # guard services
        ("79624000", CategoryRuleKind.LABOUR_CONDITIONS),  # supply of nursing personnel
    ],
)
def test_other_categories_are_found(code, kind):
    assert kind in {s.kind for s in policy.suggestions_for_codes([code])}


def test_office_software_triggers_nothing_social():
    kinds = {s.kind for s in policy.suggestions_for_codes(["48000000"])}
    assert CategoryRuleKind.HIGH_RISK_SOCIAL not in kinds


def test_category_rule_migration_is_reversible():
    migration = importlib.import_module("kravspar.procurements.migrations.0003_category_rules")
    editor = type("Editor", (), {"connection": connection})()
    count = CategoryRule.objects.count()
    migration.remove_rules(apps, editor)
    assert CategoryRule.objects.count() == count - len(migration.RULES)
    migration.add_rules(apps, editor)
    migration.add_rules(apps, editor)
    assert CategoryRule.objects.count() == count


# --- The requirement library --------------------------------------------------------------


def test_the_library_holds_a_realistic_set_of_valid_templates():
    templates = list(RequirementTemplate.objects.all())
    assert len(templates) >= 10
    assert {t.type for t in templates} == set(RequirementType.values)
    for template in templates:
        clean_requirement_fields(template)  # raises if a template would be refused by the services
        assert template.source and template.evidence, template.title


def test_labour_conditions_template_binds_subcontractors_and_serves_aim_4():
    template = RequirementTemplate.objects.get(title="Lön, semester och arbetstid enligt kollektivavtal")
    assert template.type == RequirementType.LABOUR
    assert template.binds_subcontractors
    assert template.aims == [4]
    assert "LOU" in template.source


def test_code_of_conduct_and_animal_welfare_templates():
    code = RequirementTemplate.objects.get(title="Uppförandekod för leverantörer")
    assert (code.type, code.aims, code.binds_subcontractors) == (RequirementType.SOCIAL, [3, 4], True)
    assert {"bas", "avancerad"} == set(
        RequirementTemplate.objects.filter(title__startswith="Tillbörlig aktsamhet").values_list("level", flat=True)
    )
    animal = RequirementTemplate.objects.get(title="Djurskydd enligt svensk djurskyddslagstiftning")
    assert (animal.type, animal.aims) == (RequirementType.ANIMAL_WELFARE, [5])
    euro = RequirementTemplate.objects.get(title="Tunga fordon i transportuppdraget uppfyller Euro VI")
    assert (euro.criterion_ref, euro.criterion_version) == ("10234", "2")


def test_library_migration_is_reversible():
    migration = importlib.import_module("kravspar.requirements.migrations.0002_library_seed")
    editor = type("Editor", (), {"connection": connection})()
    migration.remove_templates(apps, editor)
    assert not RequirementTemplate.objects.exists()
    migration.add_templates(apps, editor)
    migration.add_templates(apps, editor)
    assert RequirementTemplate.objects.count() == len(migration.TEMPLATES)


# --- Labour-law conditions: every ready-made area of Upphandlingsmyndigheten ---------------------


@pytest.mark.parametrize(
    ("area", "code"),
    [
        ("cleaning", "90910000"),
        ("construction", "45000000"),
        ("painting (construction)", "45442100"),
        ("road transport", "60100000"),
        ("bus services", "60112000"),
        ("security", "79710000"),
        ("restaurant", "55300000"),
        ("catering", "55500000"),
        ("hotel", "55100000"),
        ("laundry", "98310000"),
        ("waste collection", "90511000"),
        ("forestry", "77200000"),
        ("logging", "77210000"),
        ("tree-cutting", "77211400"),
        ("afforestation", "77231600"),
        ("snow clearing", "90620000"),
        ("ice clearing", "90630000"),
        ("removals", "98392000"),
        ("staffing", "79620000"),
        ("care staffing", "79624000"),
    ],
)
def test_each_ready_made_labour_area_asks_for_the_needs_assessment(area, code):
    assert CpvCode.objects.filter(code=code).exists(), code
    assert CategoryRuleKind.LABOUR_CONDITIONS in {s.kind for s in policy.suggestions_for_codes([code])}, area


def test_the_labour_area_migration_adds_each_rule_once_and_can_be_undone():
    migration = importlib.import_module("kravspar.procurements.migrations.0005_labour_condition_areas")
    editor = type("Editor", (), {"connection": connection})()
    labour = CategoryRule.objects.filter(kind=CategoryRuleKind.LABOUR_CONDITIONS)
    count = labour.count()
    migration.add_rules(apps, editor)  # already applied: adds nothing
    assert labour.count() == count
    migration.remove_rules(apps, editor)
    assert labour.count() == count - len(migration.RULES)
    assert CategoryRuleKind.LABOUR_CONDITIONS not in {s.kind for s in policy.suggestions_for_codes(["90620000"])}
    migration.add_rules(apps, editor)
    migration.add_rules(apps, editor)
    assert labour.count() == count
    assert set(labour.values_list("source", flat=True)) == {SOURCES[CategoryRuleKind.LABOUR_CONDITIONS]}
