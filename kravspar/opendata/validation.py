"""Validate OCDS output against the release-package schema with the declared
extensions, offline: the schemas are the copies in ``schema/`` (see PROVENANCE.md), every
``$ref`` resolves to them, and an unknown URL is an error, never a download."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT4

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
RELEASE_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
PACKAGE_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/release-package-schema.json"

# The URL the OCDS extension registry gives for the sustainability extension.
SUSTAINABILITY_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_sustainability_extension/master/extension.json"
)
# Extension URL as declared in a package -> its folder under schema/extensions/.
EXTENSION_DIRS = {SUSTAINABILITY_EXTENSION: "sustainability"}


def merge_patch(target: Any, patch: Any) -> Any:
    """JSON Merge Patch (RFC 7386): how an OCDS extension's release-schema.json changes
    the core schema. ``null`` removes a key; objects merge; anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def unknown_extensions(extensions: list[str]) -> list[str]:
    return [url for url in extensions if url not in EXTENSION_DIRS]


@cache
def release_schema(extensions: tuple[str, ...]) -> dict[str, Any]:
    """The core release schema with the extensions' patches applied, in the order declared."""
    missing = unknown_extensions(list(extensions))
    if missing:
        raise ValueError(f"no local copy of the extension(s) {missing}; see {SCHEMA_DIR / 'PROVENANCE.md'}")
    schema: dict[str, Any] = _load(SCHEMA_DIR / "release-schema.json")
    for url in extensions:
        schema = merge_patch(schema, _load(SCHEMA_DIR / "extensions" / EXTENSION_DIRS[url] / "release-schema.json"))
    return schema


def _refuse(uri: str) -> Resource[Any]:
    # Nothing is fetched: a $ref to anything but the local files is a mistake.
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


def registry(extensions: tuple[str, ...]) -> Registry[Any]:
    resources = [
        (RELEASE_SCHEMA_URL, Resource.from_contents(release_schema(extensions), default_specification=DRAFT4)),
        (
            PACKAGE_SCHEMA_URL,
            Resource.from_contents(_load(SCHEMA_DIR / "release-package-schema.json"), default_specification=DRAFT4),
        ),
    ]
    return Registry(retrieve=_refuse).with_resources(resources)  # type: ignore[call-arg]


FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    # RFC 3339 needs the time and an offset; fromisoformat alone would accept a bare date.
    if not isinstance(value, str):
        return True
    parsed = datetime.datetime.fromisoformat(value)
    return "T" in value and parsed.tzinfo is not None


@FORMATS.checks("uri", raises=ValueError)
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and (parts.netloc or parts.path))


@cache
def _validator(schema_url: str, extensions: tuple[str, ...]) -> Draft4Validator:
    reg = registry(extensions)
    schema = reg.contents(schema_url)
    return Draft4Validator(schema, registry=reg, format_checker=FORMATS)


def package_validator(extensions: tuple[str, ...]) -> Draft4Validator:
    return _validator(PACKAGE_SCHEMA_URL, extensions)


def release_validator(extensions: tuple[str, ...]) -> Draft4Validator:
    return _validator(RELEASE_SCHEMA_URL, extensions)


def _describe(error: ValidationError) -> str:
    where = "/".join(str(p) for p in error.absolute_path) or "(top)"
    return f"{where}: {error.message}"


def package_errors(package: dict[str, Any]) -> list[str]:
    """Every validation error of a whole package, with the extensions it declares."""
    extensions = tuple(package.get("extensions") or ())
    missing = unknown_extensions(list(extensions))
    if missing:
        return [f"extensions: no local schema for {url}" for url in missing]
    return sorted(_describe(e) for e in package_validator(extensions).iter_errors(package))


def release_errors(release: dict[str, Any], extensions: tuple[str, ...]) -> Iterator[str]:
    """Validation errors of one release: the streaming export checks releases one by one."""
    for error in release_validator(extensions).iter_errors(release):
        yield _describe(error)
