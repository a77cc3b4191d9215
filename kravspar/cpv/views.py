"""Finding CPV codes: a page to browse the vocabulary, and the options of an autocomplete."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kravspar.cpv.forms import CpvSearchForm
from kravspar.cpv.selectors import cpv_divisions, cpv_search

BROWSE_LIMIT = 100
OPTIONS_LIMIT = 20


@login_required
@require_safe
def cpv_browse(request: HttpRequest) -> HttpResponse:
    form = CpvSearchForm(request.GET or None)
    query = form.query()
    # One more than is shown tells whether there are more to narrow down.
    results = cpv_search(query, limit=BROWSE_LIMIT + 1)
    context = {
        "form": form,
        "query": query,
        "results": results[:BROWSE_LIMIT],
        "more": len(results) > BROWSE_LIMIT,
        "limit": BROWSE_LIMIT,
        "divisions": [] if query else cpv_divisions(),
    }
    # htmx asks for just the results when the person types in the search field.
    partial = request.headers.get("HX-Request") and not request.headers.get("HX-Boosted")
    return render(request, "cpv/_cpv_results.html" if partial else "cpv/cpv_browse.html", context)


@login_required
@require_safe
def cpv_options(request: HttpRequest) -> HttpResponse:
    """The options for a CPV field with autocomplete, as an HTML fragment for htmx."""
    query = CpvSearchForm(request.GET or None).query()
    results = cpv_search(query, limit=OPTIONS_LIMIT + 1)
    return render(
        request,
        "cpv/_search_results.html",
        {"query": query, "results": results[:OPTIONS_LIMIT], "more": len(results) > OPTIONS_LIMIT},
    )
