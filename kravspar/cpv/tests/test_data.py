"""The bundled CPV 2008 file and the migration that loads it."""

import hashlib
import importlib
import re
from pathlib import Path
from types import SimpleNamespace

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from kravspar.cpv import codes
from kravspar.cpv.codes import CpvLevel
from kravspar.cpv.models import CpvCode

DATA = Path(__file__).resolve().parents[1] / "data"
load_migration = importlib.import_module("kravspar.cpv.migrations.0002_load_cpv2008")


def test_bundled_file_is_the_one_provenance_names():
    documented = re.search(r"sha256 \| `([0-9a-f]{64})`", (DATA / "PROVENANCE.md").read_text()).group(1)
    assert hashlib.sha256((DATA / "cpv2008_sv_en.csv").read_bytes()).hexdigest() == documented


def test_migration_loaded_every_code(db):
    assert CpvCode.objects.count() == 9454
    assert CpvCode.objects.filter(code__endswith="000000").count() == 45


def test_known_codes_have_both_labels(db):
    meat = CpvCode.objects.get(code="15100000")
    assert meat.division == "15"
    assert meat.label_sv == "Animaliska livsmedel, kött och köttprodukter"
    assert meat.label_en == "Animal products, meat and meat products"
    assert CpvCode.objects.get(code="33600000").label_sv == "Läkemedel"
    assert CpvCode.objects.get(code="45000000").label_en == "Construction work"
    assert not CpvCode.objects.filter(label_sv="").exists()
    assert not CpvCode.objects.filter(label_en="").exists()


def test_label_follows_the_language_of_the_page(db):
    meat = CpvCode.objects.get(code="15100000")
    with translation.override("sv"):
        assert meat.label == "Animaliska livsmedel, kött och köttprodukter"
        assert str(meat) == "15100000 Animaliska livsmedel, kött och köttprodukter"
    with translation.override("en"):
        assert meat.label == "Animal products, meat and meat products"


def test_hierarchy_helpers_on_the_model(db):
    meat = CpvCode.objects.get(code="15100000")
    assert meat.code_display == "15100000"
    assert meat.level == CpvLevel.GROUP
    assert meat.parent_code == "15000000"
    assert meat.prefix == "151"
    assert CpvCode.objects.get(code="15000000").parent_code is None


def test_every_code_has_an_ancestor_in_the_vocabulary(db):
    """The vocabulary has gaps (30192121's parent 30192120 is not a code), but every code
    that is not a division has at least its division above it, and the division matches."""
    known = set(CpvCode.objects.values_list("code", flat=True))
    gaps = set()
    for code in known:
        ancestors = codes.ancestor_codes(code)
        assert not ancestors or ancestors[0] == code[:2] + "000000"
        assert all(a in known for a in ancestors[:1])
        if ancestors and ancestors[-1] not in known:
            gaps.add(code)
    assert "30192121" in gaps
    assert len(gaps) == 35


def test_search_text_matches_the_labels(db):
    for cpv in CpvCode.objects.all():
        assert cpv.search_text == codes.search_text(cpv.label_sv, cpv.label_en), cpv.code


def test_migration_can_be_reversed_and_applied_again(db):
    apps = MigrationExecutor(connection).loader.project_state(("cpv", "0002_load_cpv2008")).apps
    # The functions only ask the schema editor for its connection; a real one cannot be
    # opened inside the test's transaction on SQLite.
    editor = SimpleNamespace(connection=connection)
    load_migration.remove_codes(apps, editor)
    assert CpvCode.objects.count() == 0
    load_migration.load_codes(apps, editor)
    assert CpvCode.objects.count() == 9454
