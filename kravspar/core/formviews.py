"""The one shape of a form page: GET shows the form; POST validates it, hands the cleaned
data to a service, and either redirects or shows the service's refusal on the form with
status 400. A view keeps only what is its own: the access check, the form, the service
call and where to go next."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kravspar.core.errors import DomainError
from kravspar.core.forms import add_service_errors

T = TypeVar("T")


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    template: str,
    save: Callable[[dict[str, Any]], T],
    done: Callable[[T], HttpResponse],
    context: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """Render ``template`` with ``form`` (and ``context``); on a valid POST call
    ``save(form.cleaned_data)`` and return ``done(result)``. A ValidationError or
    DomainError from the service lands on the form's fields, and what the person typed
    stays in the form."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            return done(result)
    return render(
        request,
        template,
        {"form": form, **(context or {})},
        status=400 if request.method == "POST" else 200,
    )


def saved(request: HttpRequest, message: str, to: str, *args: Any, **kwargs: Any) -> Callable[[Any], HttpResponse]:
    """The usual ``done``: say what was saved and go to the named page."""

    def done(_result: Any) -> HttpResponse:
        messages.success(request, message)
        return redirect(to, *args, **kwargs)

    return done
