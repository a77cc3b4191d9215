"""One way to paginate lists in the UI and the API."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int | None = None) -> Page[Any]:
    paginator = Paginator(queryset, per_page or settings.KRAVSPAR_PAGE_SIZE)
    # get_page() turns a wrong or out-of-range page number into the nearest real page.
    return paginator.get_page(request.GET.get("sida"))


def querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("sida", None)
    return params.urlencode()
