"""Buyer organisations (regions, their companies and foundations) and their units."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kravspar.accounts.roles import Role
from kravspar.core.models import TimestampedModel
from kravspar.organisations.counties import County
from kravspar.organisations.identifiers import format_org_number

# Roles an account created at single sign-on may get by default; never administrator.
PROVISIONING_ROLES = (Role.PROCUREMENT_OFFICER, Role.ORDERER, Role.ENVIRONMENT_SPECIALIST, Role.READER)


class OrganisationKind(models.TextChoices):
    REGION = "region", _("Region")  # a regional authority, the top of a tree
    COMPANY = "company", _("Wholly owned company")  # owned by a region; the policy applies
    FOUNDATION = "foundation", _("Foundation")  # founded by a region; the policy applies
    OTHER = "other", _("Other public buyer")  # e.g. a municipality in a joint procurement


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def active(self) -> OrganisationQuerySet:
        return self.filter(is_active=True)


class Organisation(TimestampedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("The region that owns a company or foundation."),
    )
    name = models.CharField(_("name"), max_length=200)
    org_number = models.CharField(
        _("organisation number"),
        max_length=10,
        unique=True,
        help_text=_("Ten digits, e.g. 232100-0032. The last digit is a check digit."),
    )
    peppol_scheme = models.CharField(
        _("Peppol scheme"),
        max_length=4,
        default="0007",
        help_text=_("EAS code of the Peppol participant id. 0007 is the Swedish organisation number."),
    )
    peppol_value = models.CharField(_("Peppol id"), max_length=130)
    vat_number = models.CharField(_("VAT number"), max_length=14, blank=True)
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    county = models.CharField(_("county"), max_length=2, choices=County.choices, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Staff must log in with single sign-on (SITHS through the region's IdP, or Freja eID);
    # their password login is refused with a message naming the button to use.
    sso_required = models.BooleanField(_("single sign-on required"), default=False)
    # Off by default: a single sign-on login by someone Kravspår does not know is refused. When on,
    # an identity whose attributes name this organisation (its organisation number, or an HSA-id
    # made from it) gets an account here with the default role below, or none (accounts/sso.py).
    sso_provisioning = models.BooleanField(_("create accounts at single sign-on"), default=False)
    sso_default_role = models.CharField(
        _("role for created accounts"),
        max_length=40,
        blank=True,
        choices=[(role.value, role.label) for role in PROVISIONING_ROLES],
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["peppol_scheme", "peppol_value"], name="unique_peppol_participant"),
            models.CheckConstraint(
                condition=~models.Q(kind="region") | models.Q(parent__isnull=True),
                name="region_has_no_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def org_number_display(self) -> str:
        return format_org_number(self.org_number)

    @property
    def peppol_id(self) -> str:
        return f"{self.peppol_scheme}:{self.peppol_value}"


class UnitKind(models.TextChoices):
    PURCHASING = "purchasing", _("Purchasing (Inköp)")  # contract law, social and environment
    ORDERING = "ordering", _("Ordering unit (beställare)")  # uses the contract; quality
    ENVIRONMENT = "environment", _("Environmental organisation")  # takes part in priority areas
    MANAGEMENT = "management", _("Management")
    OTHER = "other", _("Other")


class Unit(TimestampedModel):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="units"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices, default=UnitKind.ORDERING)
    description = models.TextField(_("description"), blank=True)
    serves = models.ManyToManyField(
        Organisation,
        verbose_name=_("serves"),
        blank=True,
        related_name="served_by_units",
        help_text=_(
            "Organisations this unit works for besides its own, e.g. the joint Inköp unit "
            "serves both regions and their companies."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # The named person a generated follow-up plan gives the unit's follow-ups to, until
    # someone else is assigned on the activity. Empty: the whole unit shares them.
    followup_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("follow-up contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The person in the unit who gets the unit's follow-ups when a plan is made."),
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_unit_name_per_organisation")
        ]

    def __str__(self) -> str:
        return self.name
