"""Reading the CPV vocabulary: search by code or by words, and the divisions to browse."""

from __future__ import annotations

from django.db.models import Case, Q, QuerySet, Value, When
from django.db.models.functions import Length

from kravspar.cpv import codes
from kravspar.cpv.models import CpvCode


def cpv_search(query: str, *, limit: int = 20) -> list[CpvCode]:
    """Codes that match ``query``, at most ``limit`` of them.

    Digits ("151", "15100000-9", "1510 0000") match the codes that start with them. Anything
    else is words, and every word must appear in the Swedish or the English label, in any case.
    The code that is exactly what was typed comes first, then the rest by code; words rank
    by the Swedish term (see below).
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
    # Ranked by the Swedish term (issue 17: "städ" finds 90910000 Städning first): the Swedish
    # label that is the query, then those that start with it, then those with a word that
    # does, then the rest; shorter (more general) labels first within each, then by code.
    # search_text starts with the folded Swedish label and a newline.
    typed = " ".join(words)
    rank = Case(
        When(search_text__startswith=f"{typed}\n", then=Value(0)),
        When(search_text__startswith=typed, then=Value(1)),
        When(search_text__contains=f" {words[0]}", then=Value(2)),
        default=Value(3),
    )
    found = CpvCode.objects.filter(condition).annotate(rank=rank, length=Length("label_sv"))
    return list(found.order_by("rank", "length", "code")[:limit])


def cpv_divisions() -> QuerySet[CpvCode]:
    """The 45 divisions, the top of the tree, for people who browse."""
    return CpvCode.objects.filter(code__endswith="0" * (codes.CODE_LENGTH - codes.DIVISION_LENGTH)).order_by("code")
