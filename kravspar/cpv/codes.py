"""The shape of a CPV 2008 code, without the database.

Commission Regulation (EC) No 213/2008, annex I: the first two digits are the division,
three the group, four the class, five the category; each of the last three digits is a
further sub-category. A ninth digit, written after a dash, is a check digit. Kravspår
stores the eight digits only: see data/PROVENANCE.md for why the check digit is not computed.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import models
from django.utils.translation import gettext_lazy as _

CODE_LENGTH = 8
DIVISION_LENGTH = 2

_WRITTEN_CODE = re.compile(r"^(?:(\d{8})-\d|(\d{1,8}))$")


class CpvLevel(models.TextChoices):
    DIVISION = "division", _("Division")  # XX000000
    GROUP = "group", _("Group")  # XXX00000
    CLASS = "class", _("Class")  # XXXX0000
    CATEGORY = "category", _("Category")  # XXXXX000
    SUBCATEGORY = "subcategory", _("Sub-category")  # XXXXXX00, XXXXXXX0, XXXXXXXX


_LEVEL_BY_LENGTH = {2: CpvLevel.DIVISION, 3: CpvLevel.GROUP, 4: CpvLevel.CLASS, 5: CpvLevel.CATEGORY}


def code_prefix(written: str) -> str | None:
    """The digits of a code as people write it ("15100000-9", "1510 0000", "151"), or None
    if it is not a code. A check digit is accepted after all eight digits and dropped."""
    match = _WRITTEN_CODE.match("".join(written.split()))
    if match is None:
        return None
    return match.group(1) or match.group(2)


def significant_length(code: str) -> int:
    """How many leading digits carry meaning: 2 for a division, 8 for the finest sub-category."""
    return max(len(code.rstrip("0")), DIVISION_LENGTH)


def code_level(code: str) -> CpvLevel:
    return _LEVEL_BY_LENGTH.get(significant_length(code), CpvLevel.SUBCATEGORY)


def parent_code(code: str) -> str | None:
    """The code one level up, by the structure alone; None for a division.

    The vocabulary has gaps: 35 codes (e.g. 30192121) have a structural parent that is not
    itself a CPV code (30192120). ``ancestor_codes`` lets callers find the nearest one that is.
    """
    length = significant_length(code)
    if length == DIVISION_LENGTH:
        return None
    return code[: length - 1].ljust(CODE_LENGTH, "0")


def ancestor_codes(code: str) -> list[str]:
    """Every structural ancestor, the division first."""
    ancestors: list[str] = []
    parent = parent_code(code)
    while parent is not None:
        ancestors.append(parent)
        parent = parent_code(parent)
    return ancestors[::-1]


def fold(text: str) -> str:
    """Text as the search compares it. SQLite folds case for ASCII only ("Ägg" does not match
    "ägg" in its LIKE), so labels are folded in Python once, and each query the same way."""
    return unicodedata.normalize("NFC", text).casefold()


def search_text(label_sv: str, label_en: str) -> str:
    # The newline keeps a word of the query from matching across the two labels.
    return f"{fold(label_sv)}\n{fold(label_en)}"
