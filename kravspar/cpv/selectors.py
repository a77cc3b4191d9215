"""Reading the CPV vocabulary: search by code or by words, and the divisions to browse."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kravspar.cpv import codes
from kravspar.cpv.models import CpvCode


def cpv_search(query: str, *, limit: int = 20) -> list[CpvCode]:
    """Codes that match ``query``, at most ``limit`` of them.

    Digits ("151", "15100000-9", "1510 0000") match the codes that start with them. Anything
    else is words, and every word must appear in the Swedish or the English label, in any case.
    The code that is exactly what was typed comes first, then the rest by code.
    """
    if limit < 1:
        return []
    prefix = codes.code_prefix(query)
    if prefix is not None:
        # Ordering by code is enough to put the exact code first: it is the prefix padded
        # with zeros, the smallest code that starts with the prefix.
        return list(CpvCode.objects.filter(code__startswith=prefix).order_by("code")[:limit])
    words = codes.fold(query).split()
    if not words:
        return []
    # search_text is folded like the words, so a case-sensitive contains is exact on SQLite
    # and PostgreSQL alike. Django escapes % and _ in the words.
    condition = Q()
    for word in words:
        condition &= Q(search_text__contains=word)
    return list(CpvCode.objects.filter(condition).order_by("code")[:limit])


def cpv_divisions() -> QuerySet[CpvCode]:
    """The 45 divisions, the top of the tree, for people who browse."""
    return CpvCode.objects.filter(code__endswith="0" * (codes.CODE_LENGTH - codes.DIVISION_LENGTH)).order_by("code")
