"""The shape of a CPV code: how people write it, its level and its place in the tree."""

import pytest

from kravspar.cpv import codes
from kravspar.cpv.codes import CpvLevel


@pytest.mark.parametrize(
    ("written", "prefix"),
    [
        ("15100000", "15100000"),
        ("15100000-9", "15100000"),
        (" 1510 0000 ", "15100000"),
        ("151", "151"),
        ("1", "1"),
        ("kött", None),
        ("151 kött", None),
        ("151-9", None),  # a check digit only follows all eight digits
        ("151000000", None),
        ("15100000-", None),
        ("", None),
    ],
)
def test_code_prefix_reads_codes_as_people_write_them(written, prefix):
    assert codes.code_prefix(written) == prefix


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("15000000", CpvLevel.DIVISION, None),
        ("03000000", CpvLevel.DIVISION, None),
        ("15100000", CpvLevel.GROUP, "15000000"),
        ("15110000", CpvLevel.CLASS, "15100000"),
        ("15111000", CpvLevel.CATEGORY, "15110000"),
        ("15111100", CpvLevel.SUBCATEGORY, "15111000"),
        ("15111110", CpvLevel.SUBCATEGORY, "15111100"),
        ("30192121", CpvLevel.SUBCATEGORY, "30192120"),
    ],
)
def test_level_and_parent_follow_the_digits(code, level, parent):
    assert codes.code_level(code) == level
    assert codes.parent_code(code) == parent


def test_ancestors_run_from_the_division_down():
    assert codes.ancestor_codes("30192121") == ["30000000", "30100000", "30190000", "30192000", "30192100", "30192120"]
    assert codes.ancestor_codes("15000000") == []


def test_search_text_folds_case_beyond_ascii():
    assert codes.search_text("Ägg", "Eggs") == "ägg\neggs"
    assert codes.fold("KÖTT") == codes.fold("kött")
    # A decomposed "ö" (as some keyboards and PDFs produce) is the same letter.
    assert codes.fold("ko\u0308tt") == "kött"
