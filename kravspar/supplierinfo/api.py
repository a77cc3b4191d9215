"""API endpoints of supplierinfo, mounted at /api/v1/: the published documents (public,
like the page) and a supplier contact's confirmation of having read one."""

import datetime
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema

from kravspar.supplierinfo import selectors, services
from kravspar.supplierinfo.models import PolicyDocument, PolicyDocumentVersion

router = Router(tags=["Supplier information"])


class VersionOut(Schema):
    uuid: UUID
    label: str
    valid_from: datetime.date
    published_at: datetime.datetime
    change_note: str
    url: str = Field(..., description="The external link, or where to download the file.")
    is_link: bool
    content_type: str = Field("", description="For files: the type found in the file's content.")
    size: int | None = None


class DocumentOut(Schema):
    uuid: UUID
    title: str
    kind: str
    description: str
    current_version: VersionOut
    earlier_versions: list[VersionOut]


class AcknowledgementOut(Schema):
    document: UUID
    version: UUID
    version_label: str
    acknowledged_at: datetime.datetime
    created: bool = Field(..., description="False if you had already confirmed this version.")


def _version_out(request: HttpRequest, document: PolicyDocument, version: PolicyDocumentVersion) -> VersionOut:
    url = version.url or request.build_absolute_uri(
        reverse("supplierinfo:download", args=[document.uuid, version.uuid])
    )
    return VersionOut(
        uuid=version.uuid,
        label=version.label,
        valid_from=version.valid_from,
        published_at=version.published_at,
        change_note=version.change_note,
        url=url,
        is_link=version.is_link,
        content_type=version.content_type,
        size=version.size,
    )


@router.get("/supplier-information/documents", response=list[DocumentOut], auth=None)
def document_list(request: HttpRequest) -> list[DocumentOut]:
    """Every published document with its current version first; no login needed."""
    result = []
    for document in selectors.published_documents():
        versions = list(document.versions.all())
        result.append(
            DocumentOut(
                uuid=document.uuid,
                title=document.title,
                kind=document.kind,
                description=document.description,
                current_version=_version_out(request, document, versions[0]),
                earlier_versions=[_version_out(request, document, v) for v in versions[1:]],
            )
        )
    return result


@router.post("/supplier-information/documents/{key}/acknowledge", response=AcknowledgementOut)
def document_acknowledge(request: HttpRequest, key: UUID) -> AcknowledgementOut:
    """The supplier contact calling confirms having read the document's current version."""
    if not services.can_acknowledge(request.user):
        raise PermissionDenied
    version = selectors.current_versions().filter(document__uuid=key).first()
    if version is None:
        raise Http404
    ack, created = services.acknowledge(actor=request.user, version=version)  # type: ignore[arg-type]
    return AcknowledgementOut(
        document=version.document.uuid,
        version=version.uuid,
        version_label=version.label,
        acknowledged_at=ack.at,
        created=created,
    )
