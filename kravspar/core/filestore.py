"""What the file storage holds, whichever it is: local files under MEDIA_ROOT or an S3 bucket
(``KRAVSPAR_S3_BUCKET``). Housekeeping (``prune_orphan_files``) and backups (``core.backup``)
read the storage through here, never the local folder, so they work the same on both.

``protected_names`` is the one answer to "may this file go?": every file a record refers to
(any FileField of any model) and every input of a background job that has not ended yet (a
job may wait in the queue for longer than a day, and is requeued after its worker died).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.core.files.storage import Storage, default_storage
from django.db import models


@dataclass(frozen=True)
class StoredFile:
    name: str  # the storage name, as a FileField holds it
    modified: datetime.datetime


def _s3_prefix(storage: Storage) -> str | None:
    """The key prefix of an S3 storage, or None for any other storage."""
    try:
        from storages.backends.s3 import S3Storage
    except ImportError:  # django-storages without boto3
        return None
    if not isinstance(storage, S3Storage):
        return None
    location = str(storage.location or "").strip("/")
    return f"{location}/" if location else ""


def walk(storage: Storage | None = None) -> Iterator[StoredFile]:
    """Every file in the storage, with its modification time. An S3 bucket is listed a
    thousand keys per request (one listing gives the times too); a local storage is walked."""
    storage = storage or default_storage
    prefix = _s3_prefix(storage)
    if prefix is not None:
        for item in storage.bucket.objects.filter(Prefix=prefix):  # type: ignore[attr-defined]
            name = item.key[len(prefix) :]
            if name and not name.endswith("/"):
                yield StoredFile(name, item.last_modified)
        return
    folders = [""]
    while folders:
        folder = folders.pop()
        try:
            subfolders, files = storage.listdir(folder)
        except FileNotFoundError:  # a local storage whose folder was never made
            continue
        folders.extend(f"{folder}/{sub}" if folder else sub for sub in subfolders)
        for file_name in files:
            name = f"{folder}/{file_name}" if folder else file_name
            yield StoredFile(name, storage.get_modified_time(name))


def sha256_stored(name: str, storage: Storage | None = None) -> str | None:
    """The SHA-256 of a stored file, or None when the storage does not have it."""
    storage = storage or default_storage
    if not storage.exists(name):
        return None
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def referenced_names(using: str = "default") -> set[str]:
    """The storage names of every file a FileField of any model refers to."""
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                names.update(
                    str(name)
                    for name in model._default_manager.using(using)
                    .exclude(**{field.name: ""})
                    .values_list(field.name, flat=True)
                    .iterator(chunk_size=2000)
                    if name
                )
    return names


def job_input_names(using: str = "default") -> set[str]:
    """The stored inputs of every background job that is queued or running."""
    from kravspar.jobs.models import Job, JobStatus

    names: set[str] = set()
    unfinished = Job.objects.using(using).filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
    for params in unfinished.values_list("params", flat=True).iterator(chunk_size=500):
        for item in (params or {}).get("inputs", []):
            if item.get("path"):
                names.add(str(item["path"]))
    return names


def protected_names(using: str = "default") -> set[str]:
    return referenced_names(using) | job_input_names(using)
