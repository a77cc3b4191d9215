"""One way to paginate lists in the UI and the API."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest


def paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int | None = None) -> Page[Any]:
    paginator = Paginator(queryset, per_page or settings.KRAVSPAR_PAGE_SIZE)
    # get_page() turns a wrong or out-of-range page number into the nearest real page.
    return paginator.get_page(request.GET.get("sida"))


def querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    for name in ("sida", AFTER, BEFORE):
        params.pop(name, None)
    return params.urlencode()


# Keyset ("seek") pagination for long lists sorted by a date and the id: a page starts after
# (or ends before) the last row seen, found through the index on (date, id), so that the
# thousandth page costs what the first does; OFFSET would read and skip every row before it.
AFTER, BEFORE = "efter", "fore"


@dataclass
class KeysetPage:
    object_list: list[Any]
    count: int  # rows in the whole list
    next_key: str | None  # the key of the last row, when a next page exists
    previous_key: str | None  # the key of the first row, when a previous page exists


def _key(row: Any, field: str) -> str:
    return f"{getattr(row, field).isoformat()}.{row.pk}"


def _parse_key(value: str | None) -> tuple[datetime.date, int] | None:
    """A key as written by ``_key``; anything else reads as no key (the first page)."""
    day, _, pk = (value or "").partition(".")
    try:
        return datetime.date.fromisoformat(day), int(pk)
    except ValueError:
        return None


def keyset_paginate(
    request: HttpRequest, queryset: QuerySet[Any], *, field: str, per_page: int | None = None
) -> KeysetPage:
    """One page of ``queryset`` ordered by (``field``, id), both ascending: two queries (the
    count and the page's rows plus one, which tells whether another page follows)."""
    size = per_page or settings.KRAVSPAR_PAGE_SIZE
    after, before = _parse_key(request.GET.get(AFTER)), _parse_key(request.GET.get(BEFORE))
    count = queryset.count()
    if before is not None:
        day, pk = before
        rows = list(
            queryset.filter(Q(**{f"{field}__lt": day}) | Q(**{field: day, "pk__lt": pk})).order_by(f"-{field}", "-pk")[
                : size + 1
            ]
        )
        more_before = len(rows) > size
        rows = rows[:size][::-1]
        return KeysetPage(
            object_list=rows,
            count=count,
            next_key=_key(rows[-1], field) if rows else None,
            previous_key=_key(rows[0], field) if rows and more_before else None,
        )
    if after is not None:
        day, pk = after
        queryset = queryset.filter(Q(**{f"{field}__gt": day}) | Q(**{field: day, "pk__gt": pk}))
    rows = list(queryset.order_by(field, "pk")[: size + 1])
    more_after = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        object_list=rows,
        count=count,
        next_key=_key(rows[-1], field) if more_after else None,
        previous_key=_key(rows[0], field) if rows and after is not None else None,
    )
