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
    if request.method == "POST" and (outcome := _submit(form, save)) is not None:
        return done(outcome[0])
    return render_form(request, template, {"form": form, **(context or {})})


def form_post(
    form: forms.BaseForm,
    *,
    save: Callable[[dict[str, Any]], T],
    done: Callable[[T], HttpResponse],
    failed: Callable[[], HttpResponse],
) -> HttpResponse:
    """The same for a form that lives on another page (a POST-only view): a refusal shows
    that page again, ``failed()``, with the form and its errors in it (status 400)."""
    if (outcome := _submit(form, save)) is not None:
        return done(outcome[0])
    return failed()


def _submit(form: forms.BaseForm, save: Callable[[dict[str, Any]], T]) -> tuple[T] | None:
    """``(save(cleaned_data),)`` when the form is valid; None when it is not or the service
    refuses, whose ValidationError or DomainError then lands on the form."""
    if not form.is_valid():
        return None
    try:
        return (save(form.cleaned_data),)
    except (ValidationError, DomainError) as exc:
        add_service_errors(form, exc)
        return None


def render_form(request: HttpRequest, template: str, context: Mapping[str, Any]) -> HttpResponse:
    """A form page as it is shown: 200 for a GET, 400 for a POST that did not go through
    (for the pages whose saving is their own, such as a form of many rows)."""
    return render(request, template, context, status=400 if request.method == "POST" else 200)


def saved(request: HttpRequest, message: str, to: str, *args: Any, **kwargs: Any) -> Callable[[Any], HttpResponse]:
    """The usual ``done``: say what was saved and go to the named page."""

    def done(_result: Any) -> HttpResponse:
        messages.success(request, message)
        return redirect(to, *args, **kwargs)

    return done


def created(request: HttpRequest, message: str | Callable[[Any], str], to: str) -> Callable[[Any], HttpResponse]:
    """The ``done`` of a page that makes something: say what was made (``message``, or
    ``message(result)`` to name it) and go to its page, the named URL ``to`` with the
    result's ``uuid`` as ``key``."""

    def done(result: Any) -> HttpResponse:
        messages.success(request, message if isinstance(message, str) else message(result))
        return redirect(to, key=result.uuid)

    return done


def without_version(data: Mapping[str, Any]) -> dict[str, Any]:
    """A form's cleaned data without the version the page showed: the fields a service takes
    besides ``expected_version``."""
    return {k: v for k, v in data.items() if k != "version"}
