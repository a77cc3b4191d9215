"""djangosaml2's endpoints under /saml2/, answering 404 until an IdP is configured. The
names are djangosaml2's own (it reverses them without a namespace).

The views are imported at the first SAML request, not with the URLs (accounts/sso_views.py
says why). A view's attributes that middleware reads before calling it must be on the
stand-in: the assertion consumer and the single logout service take the IdP's POST without a
CSRF token, as djangosaml2 marks them (kravspar/accounts/tests/test_saml_lazy.py checks that
each stand-in carries the real view's mark)."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import path

from kravspar.accounts.sso import saml_enabled


def _on_first_request(name: str, *, csrf_exempt: bool = False) -> Callable[..., HttpResponse]:
    """A stand-in for ``sso_views.<name>`` that imports it when it is first called."""

    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from kravspar.accounts import sso_views

        real: Callable[..., HttpResponse] = getattr(sso_views, name)
        return real(request, *args, **kwargs)

    view.__name__ = view.__qualname__ = name
    if csrf_exempt:
        view.csrf_exempt = True  # type: ignore[attr-defined]
    return view


urlpatterns = [
    path("login/", saml_enabled(_on_first_request("login")), name="saml2_login"),
    path("acs/", saml_enabled(_on_first_request("acs", csrf_exempt=True)), name="saml2_acs"),
    path("logout/", saml_enabled(_on_first_request("logout_init")), name="saml2_logout"),
    path("ls/", saml_enabled(_on_first_request("logout_service", csrf_exempt=True)), name="saml2_ls"),
    path("ls/post/", saml_enabled(_on_first_request("logout_service", csrf_exempt=True)), name="saml2_ls_post"),
    path("metadata/", saml_enabled(_on_first_request("metadata")), name="saml2_metadata"),
]
