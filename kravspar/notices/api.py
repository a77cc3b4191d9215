"""API endpoints of notices, mounted at /api/v1/.

``POST /notices`` takes one eForms notice as the raw request body (``Content-Type:
application/xml``) and answers 201 with what was imported, or ``{code, message,
details}``: 400 for a notice that cannot be imported (the code names why, e.g.
``unknown_buyer`` with ``details.org_number``), 403 for a buyer the caller does not work
for, 409 for a notice already imported, 413 over the size limit, 415 for another type.
"""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.api import error_response
from kravspar.notices.eforms import Code
from kravspar.notices.services import DUPLICATE, IMPORTED, MAX_BYTES, can_import, import_one

router = Router(tags=["Notices"])
XML_TYPES = ("application/xml", "text/xml")


class ContractRef(Schema):
    uuid: UUID
    contract_number: str
    strategy_missing: bool


class NoticeOut(Schema):
    uuid: UUID
    kind: str
    notice_id: str
    version_id: str
    folder_id: str
    issue_date: datetime.date | None
    title: str
    procurement: str
    contracts: list[ContractRef]


class ErrorOut(Schema):
    code: str
    message: str
    details: dict[str, Any]


@router.post(
    "/notices",
    response={201: NoticeOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut, 413: ErrorOut, 415: ErrorOut},
    summary="Import one eForms notice (raw UBL XML body): cn, can or can-modif",
    openapi_extra={"requestBody": {"required": True, "content": {"application/xml": {"schema": {"type": "string"}}}}},
)
def notice_import(request: HttpRequest) -> Any:
    user = request.user
    if not isinstance(user, User) or not can_import(user):
        raise PermissionDenied
    if (request.content_type or "").lower() not in XML_TYPES:
        return error_response(
            request, 415, "unsupported_media_type", _("Send the notice with Content-Type: application/xml.")
        )
    too_large = _("The file is larger than %(size)s MB.") % {"size": MAX_BYTES // (1024 * 1024)}
    try:
        data = request.body
    except RequestDataTooBig:
        return error_response(request, 413, str(Code.TOO_LARGE), too_large, {"max_bytes": MAX_BYTES})
    if len(data) > MAX_BYTES:
        return error_response(request, 413, str(Code.TOO_LARGE), too_large, {"max_bytes": MAX_BYTES})
    outcome = import_one("api.xml", data, actor=user, allowed_buyer_ids=access.visible_organisation_ids(user))
    if outcome.status == IMPORTED:
        assert outcome.notice is not None
        notice = outcome.notice
        return 201, {
            "uuid": notice.uuid,
            "kind": notice.kind,
            "notice_id": notice.notice_id,
            "version_id": notice.version_id,
            "folder_id": notice.folder_id,
            "issue_date": notice.issue_date,
            "title": notice.title,
            "procurement": str(notice.procurement.uuid),
            "contracts": outcome.contracts,
        }
    if outcome.status == DUPLICATE:
        return error_response(request, 409, outcome.code, outcome.message, outcome.details)
    status = 403 if outcome.code in (Code.BUYER_NOT_ALLOWED, Code.NOT_ALLOWED) else 400
    return error_response(request, status, outcome.code, outcome.message, outcome.details)
