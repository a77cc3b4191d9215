"""Reading policy documents and acknowledgements. ``unacknowledged_versions_for`` and the
``supplierinfo/_acknowledge_panel.html`` include are what the supplier portal uses."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm, Role
from kravspar.organisations.models import Organisation, OrganisationKind
from kravspar.supplierinfo.models import Acknowledgement, DocumentKind, PolicyDocument, PolicyDocumentVersion

# The order a supplier reads them in: the policy, its guidelines, the code of conduct, the rest.
KIND_ORDER = [DocumentKind.POLICY, DocumentKind.GUIDELINE, DocumentKind.CODE_OF_CONDUCT, DocumentKind.OTHER]


def kind_rank(field: str = "kind") -> Case:
    return Case(
        *(When(**{field: kind}, then=Value(n)) for n, kind in enumerate(KIND_ORDER)),
        default=Value(len(KIND_ORDER)),
        output_field=IntegerField(),
    )


def current_versions() -> QuerySet[PolicyDocumentVersion]:
    """The current version of every document that is not withdrawn: the latest published."""
    latest = PolicyDocumentVersion.objects.filter(document=OuterRef("document")).order_by("-published_at", "-id")
    return (
        PolicyDocumentVersion.objects.filter(pk=Subquery(latest.values("pk")[:1]), document__withdrawn_at__isnull=True)
        .select_related("document")
        .order_by(kind_rank("document__kind"), "document__title")
    )


def unacknowledged_versions_for(user: Any) -> QuerySet[PolicyDocumentVersion]:
    """Current versions the supplier contact has not yet confirmed; nothing for anyone else."""
    from kravspar.supplierinfo.services import can_acknowledge

    if not can_acknowledge(user):
        return PolicyDocumentVersion.objects.none()
    return current_versions().exclude(acknowledgements__user=user)


def versions_for_supplier_contact(user: User) -> QuerySet[PolicyDocumentVersion]:
    """Current versions, each annotated with whether this contact has confirmed it."""
    return current_versions().annotate(
        acknowledged_at=Subquery(Acknowledgement.objects.filter(version=OuterRef("pk"), user=user).values("at")[:1])
    )


def published_documents() -> QuerySet[PolicyDocument]:
    """What the public page and the API list: documents not withdrawn that have a version,
    with all their versions (newest first) in one extra query."""
    return (
        PolicyDocument.objects.published()
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=PolicyDocumentVersion.objects.order_by("-published_at", "-id"),
            )
        )
        .order_by(kind_rank(), "title")
    )


def regions() -> QuerySet[Organisation]:
    return (
        Organisation.objects.active()
        .filter(kind=OrganisationKind.REGION)
        .select_related("supplier_contact")
        .order_by("name")
    )


def can_manage_documents(user: Any) -> bool:
    return access.is_administrator(user)


def can_follow_acknowledgements(user: Any) -> bool:
    """Inköp (who follows up the code of conduct) and administrators see who has confirmed."""
    return access.is_administrator(user) or access.has_perm(user, Perm.MANAGE_CONTRACTS)


def document_list(*, text: str = "", kind: str = "", state: str = "") -> QuerySet[PolicyDocument]:
    qs = PolicyDocument.objects.annotate(version_count=Count("versions")).prefetch_related(
        Prefetch("versions", queryset=PolicyDocumentVersion.objects.order_by("-published_at", "-id"))
    )
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(description__icontains=text))
    if kind:
        qs = qs.filter(kind=kind)
    if state == "active":
        qs = qs.filter(withdrawn_at__isnull=True)
    elif state == "withdrawn":
        qs = qs.filter(withdrawn_at__isnull=False)
    return qs.order_by(kind_rank(), "title")


def supplier_contacts() -> QuerySet[User]:
    in_role = User.groups.through.objects.filter(group__name=Role.SUPPLIER_CONTACT).values("user_id")
    return User.objects.filter(supplier__isnull=False, is_active=True, pk__in=in_role)


def acknowledgement_rows(version: PolicyDocumentVersion, *, status: str = "", text: str = "") -> QuerySet[User]:
    """Every active supplier contact with when (if ever) they confirmed ``version``,
    ordered by supplier so the page can group them."""
    qs = (
        supplier_contacts()
        .select_related("supplier")
        .annotate(
            acknowledged_at=Subquery(
                Acknowledgement.objects.filter(version=version, user=OuterRef("pk")).values("at")[:1]
            ),
            has_acknowledged=Exists(Acknowledgement.objects.filter(version=version, user=OuterRef("pk"))),
        )
    )
    if status == "yes":
        qs = qs.filter(has_acknowledged=True)
    elif status == "no":
        qs = qs.filter(has_acknowledged=False)
    if text:
        qs = qs.filter(
            Q(supplier__name__icontains=text)
            | Q(first_name__icontains=text)
            | Q(last_name__icontains=text)
            | Q(email__icontains=text)
        )
    return qs.order_by("supplier__name", "supplier_id", "last_name", "first_name", "pk")


def acknowledgement_counts(version: PolicyDocumentVersion) -> dict[str, int]:
    contacts = supplier_contacts()
    total = contacts.count()
    done = contacts.filter(acknowledgements__version=version).count()
    return {"total": total, "acknowledged": done, "missing": total - done}
