"""People, their API tokens and failed logins."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person. Buyer staff belong to an organisation (and usually a unit); supplier
    contacts belong to a supplier. Never both: the constraint below says so."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-mail address"))
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    unit = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    supplier = models.ForeignKey(
        "suppliers.Supplier",
        verbose_name=_("supplier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    # The person's HSA-id (Inera's catalogue of health-care staff), which the region's SAML
    # identity provider sends; single sign-on matches on it before the e-mail address.
    hsa_id = models.CharField(_("HSA-id"), max_length=64, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects: UserManager[User] = UserManager()  # type: ignore[assignment,misc]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="unique_user_email_ci"),
            models.UniqueConstraint(Lower("hsa_id"), condition=~models.Q(hsa_id=""), name="unique_user_hsa_id_ci"),
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=True) | models.Q(supplier__isnull=True),
                name="person_is_buyer_or_supplier_not_both",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 hash is stored: the token is shown once.
    (Tokens are 256-bit random, so a fast hash is enough; a slow one would only slow
    every API request.)"""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for, e.g. 'Power BI'."))
    prefix = models.CharField(_("starts with"), max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class LoginFailure(models.Model):
    """A failed login, counted for the lockout. Kept in the database (not the cache)
    so that every app server behind the proxy sees the same count."""

    username_key = models.CharField(max_length=254, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.username_key} {self.created_at:%Y-%m-%d %H:%M}"


class SsoRefusal(models.Model):
    """A single sign-on login by an identity that matches no active person: kept (and
    written to the history) so that an administrator can see who tried and add them."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.CharField(_("provider"), max_length=20)
    identifier = models.CharField(_("identity"), max_length=254)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("refused single sign-on")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.provider}: {self.identifier}"


class ExternalIdentityLink(models.Model):
    """A person's identity at a single sign-on provider: the provider's own, stable
    identifier for them (SAML NameID, OIDC ``sub``), stored at the first login that matched
    them by HSA-id or verified e-mail. Later logins match on this link first, so a changed
    e-mail address at the provider still finds the person, and a subject linked to one
    person never logs in as another. An administrator can remove a link (history)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    provider = models.CharField(_("provider"), max_length=20)
    issuer = models.CharField(_("issuer"), max_length=255, help_text=_("The identity provider's entity id or issuer."))
    subject = models.CharField(_("subject"), max_length=255)
    created_at = models.DateTimeField(_("linked"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        ordering = ["provider", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "issuer", "subject"], name="unique_external_identity"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}: {self.subject}"
