"""The package: releases in chunks, the envelope written by hand and the streamed bytes."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from django.db.models import Max
from django.utils import timezone

from kravspar.contracts.models import Contract
from kravspar.findings.models import Deviation
from kravspar.followups.models import Activity
from kravspar.opendata.ocds.codes import (
    DEFAULT_LICENSE,
    EXTENSIONS,
    OCDS_VERSION,
)
from kravspar.opendata.ocds.config import _setting, base_url, publisher
from kravspar.opendata.ocds.filters import (
    Filters,
    _direct_contract_queryset,
    _procurement_queryset,
)
from kravspar.opendata.ocds.releases import ReleaseBuilder
from kravspar.opendata.ocds.values import ocds_datetime
from kravspar.procurements.models import (
    Procurement,
)

DEFAULT_CHUNK = 200


def iter_releases(
    filters: Filters, *, chunk_size: int = DEFAULT_CHUNK, today: datetime.date | None = None
) -> Iterator[dict[str, Any]]:
    """Every release to publish, procurements first, then contracts registered directly.
    Each batch of ``chunk_size`` rows costs a fixed number of queries."""
    builder = ReleaseBuilder(today=today)
    procurements = _procurement_queryset(filters).iterator(chunk_size=chunk_size)
    while batch := list(islice(procurements, chunk_size)):
        builder.load_procurements(batch)
        for procurement in batch:
            yield builder.procurement_release(procurement)
    contracts = _direct_contract_queryset(filters).iterator(chunk_size=chunk_size)
    while direct := list(islice(contracts, chunk_size)):
        builder.load_direct_contracts(direct)
        for contract in direct:
            yield builder.contract_release(contract)


def published_date() -> datetime.datetime:
    """For a package made on demand, OCDS asks for the last change to its contents."""
    stamps = [
        Procurement.objects.aggregate(m=Max("updated_at"))["m"],
        Contract.objects.aggregate(m=Max("updated_at"))["m"],
        Activity.objects.aggregate(m=Max("updated_at"))["m"],
        Deviation.objects.aggregate(m=Max("updated_at"))["m"],
    ]
    present = [s for s in stamps if s is not None]
    return max(present) if present else timezone.now()


def package_head(*, uri: str) -> dict[str, Any]:
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": list(EXTENSIONS),
        "publishedDate": ocds_datetime(published_date()),
        "publisher": publisher(),
        "license": _setting("KRAVSPAR_OCDS_LICENSE", DEFAULT_LICENSE),
        "publicationPolicy": f"{base_url()}/oppna-data/",
    }


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def package_pieces(
    releases: Iterable[dict[str, Any]],
    *,
    uri: str,
    on_release: Callable[[dict[str, Any]], None] | None = None,
) -> Iterator[str]:
    """The package as text, one release at a time: the envelope is written by hand
    around releases serialised one by one, so the whole package is never in memory."""
    head = dumps(package_head(uri=uri))
    yield head[:-1] + ',"releases":['
    first = True
    for release in releases:
        if on_release is not None:
            on_release(release)
        yield ("" if first else ",\n") + dumps(release)
        first = False
    yield "]}\n"


def buffered(pieces: Iterable[str], size: int = 64 * 1024) -> Iterator[bytes]:
    """Join small pieces into blocks of about ``size`` bytes for the HTTP response."""
    buffer: list[str] = []
    length = 0
    for piece in pieces:
        buffer.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(buffer).encode()
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer).encode()
