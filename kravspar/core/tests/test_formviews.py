"""The one shape of a form page (core.formviews): a GET shows the form; a POST that the form
or the service refuses shows it again with the refusal on it (400) and what was typed kept;
a POST that goes through says so and goes on. form_post is the same for a form that lives
on another page."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from kravspar.core.errors import ConcurrentEditError
from kravspar.core.formviews import created, form_page, form_post, saved, without_version

TEMPLATE = "formviews-test.html"


class NameForm(forms.Form):
    name = forms.CharField(max_length=20)
    version = forms.IntegerField(required=False)


@pytest.fixture(autouse=True)
def _template(settings: Any) -> None:
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {TEMPLATE: "{{ extra }}|{{ form.name.value|default:'' }}|{{ form.errors.as_json|safe }}"},
                    )
                ]
            },
        }
    ]


def request(method: str = "GET", data: dict[str, str] | None = None) -> HttpRequest:
    made = getattr(RequestFactory(), method.lower())("/", data or {})
    made._messages = CookieStorage(made)
    return made


def page(req: HttpRequest, save: Any, done: Any = None) -> HttpResponse:
    return form_page(
        req,
        NameForm(req.POST or None),
        template=TEMPLATE,
        save=save,
        done=done or saved(req, "Saved.", "/next/"),
        context={"extra": "own"},
    )


def refuse(exc: Exception) -> Any:
    def save(_data: dict[str, Any]) -> None:
        raise exc

    return save


def test_a_get_shows_the_form_and_calls_no_service() -> None:
    calls: list[Any] = []
    response = page(request(), calls.append)
    assert response.status_code == 200
    assert response.content.decode().startswith("own||")
    assert calls == []


def test_a_post_the_form_refuses_stays_on_the_page_without_a_service_call() -> None:
    calls: list[Any] = []
    response = page(request("POST", {"name": "x" * 21}), calls.append)
    assert response.status_code == 400
    assert '"name"' in response.content.decode()
    assert calls == []


@pytest.mark.parametrize(
    ("exc", "where"),
    [(ValidationError({"name": "Taken."}), '"name"'), (ConcurrentEditError(), '"__all__"')],
)
def test_a_refusal_of_the_service_lands_on_the_form_and_keeps_what_was_typed(exc: Exception, where: str) -> None:
    response = page(request("POST", {"name": "Anna"}), refuse(exc))
    body = response.content.decode()
    assert response.status_code == 400
    assert body.startswith("own|Anna|") and where in body.split("|", 2)[2]


def test_a_post_that_goes_through_says_so_and_goes_on() -> None:
    req = request("POST", {"name": "Anna", "version": "3"})
    got: list[dict[str, Any]] = []
    response = page(req, got.append)
    assert (response.status_code, response["Location"]) == (302, "/next/")
    assert got == [{"name": "Anna", "version": 3}]
    assert without_version(got[0]) == {"name": "Anna"}
    assert [str(m) for m in get_messages(req)] == ["Saved."]


def test_created_names_what_was_made_and_goes_to_its_page() -> None:
    class Made:
        uuid = uuid.uuid4()
        name = "Städ AB"

    req = request("POST", {"name": "Städ AB"})
    response = page(
        req, lambda _data: Made(), created(req, lambda made: f"{made.name} was registered.", "suppliers:detail")
    )
    assert response.status_code == 302 and str(Made.uuid) in response["Location"]
    assert [str(m) for m in get_messages(req)] == ["Städ AB was registered."]


def test_form_post_shows_the_other_page_again_on_a_refusal_and_goes_on_otherwise() -> None:
    def post(save: Any) -> HttpResponse:
        req = request("POST", {"name": "Anna"})
        form = NameForm(req.POST)
        return form_post(
            form,
            save=save,
            done=saved(req, "Saved.", "/next/"),
            failed=lambda: HttpResponse(form.errors.as_json(), status=400),
        )

    refused = post(refuse(ValidationError({"name": "Taken."})))
    assert refused.status_code == 400 and "Taken." in refused.content.decode()
    assert post(lambda data: data).status_code == 302
