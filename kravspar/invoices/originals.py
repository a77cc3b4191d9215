"""Where an invoice's original bytes live: Django's default storage (local files under
MEDIA_ROOT, or the S3 bucket when ``KRAVSPAR_S3_BUCKET`` is set), like evidence and supplier
documents, so that every app server and worker reads the same files.

Write, then commit: the bytes are written under a new random name before the row that refers
to them is inserted, so a committed document always has its file. When the transaction that
would have stored the row fails, the caller deletes the file (``delete``); a file left behind
by a killed process or a transaction rolled back further out is never served (downloads start
from the row, through the access check) and ``prune_orphan_files`` removes it a day later.
A random name rather than the checksum: two imports racing with the same document would
otherwise write one file, and the loser's clean-up would delete the winner's.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

logger = logging.getLogger(__name__)

PREFIX = "invoices"


def new_name() -> str:
    """A fresh storage name, one folder per month so that no folder grows without bound."""
    return f"{PREFIX}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.xml"


def save(data: bytes) -> str:
    """Write the bytes under a new name; returns the name the storage chose."""
    return default_storage.save(new_name(), ContentFile(data))


def read(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        data: bytes = handle.read()
    return data


def delete(names: Iterable[str]) -> None:
    """Delete files whose rows were never committed. A failure is logged, not raised: the
    caller is already handling an error, and ``prune_orphan_files`` gets the file later."""
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:
            logger.warning("Could not delete the uncommitted invoice original %s", name, exc_info=True)
