"""The public open-data page and the schema it points to. No log-in: everything shown
here is what the export publishes anyway."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from kravspar.opendata import ocds, validation
from kravspar.opendata.ocds import Filters


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    everything = Filters()
    context = {
        "api_url": request.build_absolute_uri(reverse("api:ocds_releases")),
        "schema_url": reverse("opendata:release_schema"),
        "licence_url": ocds._setting("KRAVSPAR_OCDS_LICENSE", ocds.DEFAULT_LICENSE),
        "licence_is_cc0": ocds._setting("KRAVSPAR_OCDS_LICENSE", ocds.DEFAULT_LICENSE) == ocds.DEFAULT_LICENSE,
        "publisher": ocds.publisher()["name"],
        "procurements": ocds.procurements_to_publish(everything).count(),
        "direct_contracts": ocds.direct_contracts_to_publish(everything).count(),
        "ocid_prefix": ocds.ocid_prefix(),
    }
    return render(request, "opendata/index.html", context)


@require_GET
def release_schema(request: HttpRequest) -> JsonResponse:
    """The OCDS 1.1.5 release schema with the declared extensions applied: what the
    package is validated against."""
    return JsonResponse(
        validation.release_schema(tuple(ocds.EXTENSIONS)), json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
