"""mozilla-django-oidc's endpoints under /oidc/, answering 404 until a provider is configured.
The names are mozilla-django-oidc's own (it reverses the callback without a namespace)."""

from django.urls import path

from kravspar.accounts import oidc

urlpatterns = [
    path("authenticate/", oidc.login_start, name="oidc_authentication_init"),
    path("callback/", oidc.callback, name="oidc_authentication_callback"),
]
