"""Log in with username or e-mail address.

This is the seam for single sign-on too: an OIDC or SAML backend added to
KRAVSPAR_AUTHENTICATION_BACKENDS authenticates the identity and must return an
existing, active User (looked up by e-mail), so roles stay managed in Kravspår.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest

from kravspar.accounts.models import User


class UsernameOrEmailBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if not username or not password:
            return None
        ident = username.strip()
        user = User.objects.filter(Q(username__iexact=ident) | Q(email__iexact=ident)).first()
        if user is None:
            # Hash anyway so that response time does not reveal whether the person exists.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
