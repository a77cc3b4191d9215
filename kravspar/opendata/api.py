"""The public open-data API, mounted at /api/v1/: the OCDS release package.

The package is **streamed**, not paginated. An OCDS release package is one JSON document
(envelope plus releases); a page of it would have to be a package of its own, and the
registry's pagination extension is not among the schemas Kravspår validates against
offline. Streaming gives every client the standard document in one request, while the
server holds one chunk of rows at a time, however many contracts there are. Clients that
want less use ``organisation`` and ``since``; large publishers should also write the file
with ``export_ocds`` on a schedule and let the web server hand it out (docs/operations.md).
"""

import datetime

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Query, Router, Schema

from kravspar.opendata import ocds
from kravspar.opendata.filters import parse_filters

router = Router(tags=["Open data"])


class ReleaseFilters(Schema):
    organisation: str | None = None
    since: datetime.date | None = None


@router.get(
    "/ocds/releases",
    auth=None,
    url_name="ocds_releases",
    summary="OCDS release package (public)",
    description=(
        "Published procurements and contracts as an Open Contracting Data Standard 1.1 release "
        "package with the sustainability extension, streamed. Public: no log-in. `organisation`: "
        "an organisation number (e.g. 232100-0032), only releases where it is a buyer. `since`: a date "
        "(YYYY-MM-DD), only releases changed on or after it. What is withheld: see /oppna-data/."
    ),
    response={200: dict, 400: dict, 422: dict},
    openapi_extra={"responses": {"200": {"content": {"application/json": {"schema": {"type": "object"}}}}}},
)
def ocds_releases(request: HttpRequest, filters: Query[ReleaseFilters]) -> StreamingHttpResponse:
    parsed = parse_filters(organisation=filters.organisation, since=filters.since)
    ocds.ocid_prefix()  # a misconfigured prefix fails here, before the response starts
    releases = ocds.iter_releases(parsed)
    response = StreamingHttpResponse(
        ocds.buffered(ocds.package_pieces(releases, uri=request.build_absolute_uri())),
        content_type="application/json",
    )
    response["Content-Disposition"] = 'inline; filename="ocds-releases.json"'
    return response
