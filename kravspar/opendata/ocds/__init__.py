"""The OCDS 1.1 writer: procurements, contracts and follow-ups as an Open Contracting
Data Standard release package, streamed.

One release per published procurement, holding its tender, an award and a contract for
each contract signed from it, and the contracts' implementation milestones (the
follow-ups and the corrective action plans). A contract registered directly, without a
procurement, gets a release of its own. What is left out is decided in
``withholding.py``.

Memory stays flat: procurements and contracts are read with ``iterator(chunk_size=...)``,
and each batch's related rows come from a fixed number of queries (``batches.py``); each
release is serialised and written as soon as it is built, inside an envelope written by
hand.

The package, along its own sections: ``codes`` (constants and code-list mappings),
``config`` (the publisher's settings), ``values``, ``filters``, ``parties``, ``releases``
(``ReleaseBuilder``) and ``package`` (the envelope and streaming). Every name stays
importable from here.
"""

from kravspar.opendata.ocds.codes import (
    CONTRACT_STATUS,
    COUNTRY_NAMES,
    CURRENCY,
    DEFAULT_LICENSE,
    DEFAULT_PREFIX,
    DEFAULT_PUBLISHER,
    EXTENSIONS,
    LANGUAGE,
    MAIN_CATEGORY,
    MILESTONE_TYPE,
    OCDS_VERSION,
    PREFIX_PATTERN,
    PROCUREMENT_METHOD,
    SCHEME,
    SUSTAINABILITY_GOAL,
    TENDER_STATUS,
)
from kravspar.opendata.ocds.config import _setting, base_url, ocid_prefix, publisher
from kravspar.opendata.ocds.filters import (
    Filters,
    _changed_since,
    _direct_contract_queryset,
    _procurement_queryset,
    direct_contracts_to_publish,
    procurements_to_publish,
)
from kravspar.opendata.ocds.package import (
    DEFAULT_CHUNK,
    buffered,
    dumps,
    iter_releases,
    package_head,
    package_pieces,
    published_date,
)
from kravspar.opendata.ocds.parties import Labels, Parties, organisation_party, supplier_party, unit_party
from kravspar.opendata.ocds.releases import ReleaseBuilder
from kravspar.opendata.ocds.values import _ZONE, _compact, _midnight, money, ocds_datetime

__all__ = [
    "CONTRACT_STATUS",
    "COUNTRY_NAMES",
    "CURRENCY",
    "DEFAULT_CHUNK",
    "DEFAULT_LICENSE",
    "DEFAULT_PREFIX",
    "DEFAULT_PUBLISHER",
    "EXTENSIONS",
    "LANGUAGE",
    "MAIN_CATEGORY",
    "MILESTONE_TYPE",
    "OCDS_VERSION",
    "PREFIX_PATTERN",
    "PROCUREMENT_METHOD",
    "SCHEME",
    "SUSTAINABILITY_GOAL",
    "TENDER_STATUS",
    "_ZONE",
    "Filters",
    "Labels",
    "Parties",
    "ReleaseBuilder",
    "_changed_since",
    "_compact",
    "_direct_contract_queryset",
    "_midnight",
    "_procurement_queryset",
    "_setting",
    "base_url",
    "buffered",
    "direct_contracts_to_publish",
    "dumps",
    "iter_releases",
    "money",
    "ocds_datetime",
    "ocid_prefix",
    "organisation_party",
    "package_head",
    "package_pieces",
    "procurements_to_publish",
    "published_date",
    "publisher",
    "supplier_party",
    "unit_party",
]
