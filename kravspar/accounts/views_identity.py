"""Pages for a person's single sign-on links (accounts/sso.py); kept apart from views.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kravspar.accounts import access, sso
from kravspar.accounts.models import ExternalIdentityLink, User
from kravspar.core.ids import is_uuid


@login_required
@require_http_methods(["GET", "POST"])
def person_identity_remove(request: HttpRequest, key: str, link_key: str) -> HttpResponse:
    """An administrator removes one of a person's stored single sign-on links."""
    person = access.person_for(request.user, key, change=True)
    link = ExternalIdentityLink.objects.filter(user=person, uuid=link_key).first() if is_uuid(link_key) else None
    if link is None:
        raise Http404
    if request.method == "POST":
        actor: User = request.user  # type: ignore[assignment]
        sso.link_remove(actor=actor, link=link)
        messages.success(
            request,
            _("The link was removed. %(name)s's next single sign-on is matched by HSA-id or e-mail again.")
            % {"name": person},
        )
        return redirect("accounts:person_detail", key=person.uuid)
    return render(request, "accounts/confirm_identity_remove.html", {"person": person, "link": link})
