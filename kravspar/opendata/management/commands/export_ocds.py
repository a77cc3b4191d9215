"""python manage.py export_ocds --output FILE [--organisation ORGNR] [--since DATE] [--validate]

Writes the published procurements and contracts as an OCDS 1.1 release package. The file
is written release by release (memory stays flat however many contracts there are) to a
temporary file beside FILE, which replaces FILE only when the export has succeeded, so a
failed or refused export leaves the previous file as it was. ``--output -`` writes to
standard output. What is published and what is withheld: kravspar/opendata/withholding.py."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kravspar.opendata import ocds
from kravspar.opendata.filters import parse_filters

MAX_ERRORS = 20


class Command(BaseCommand):
    help = "Export published procurements and contracts as an OCDS 1.1 release package."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, metavar="FILE", help="the file to write, or - for stdout")
        parser.add_argument(
            "--organisation",
            metavar="ORGNR",
            help="only releases where this organisation (organisation number) is a buyer",
        )
        parser.add_argument("--since", metavar="DATE", help="only releases changed on or after DATE (YYYY-MM-DD)")
        parser.add_argument(
            "--validate",
            action="store_true",
            help="check every release against the OCDS schema with its extensions; write nothing if one fails",
        )
        parser.add_argument("--uri", help="the package's uri (default: the API address with the same filters)")
        parser.add_argument("--chunk-size", type=int, default=ocds.DEFAULT_CHUNK, help="rows read per batch")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            filters = parse_filters(organisation=options["organisation"], since=options["since"])
            ocds.ocid_prefix()
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        if options["chunk_size"] < 1:
            raise CommandError(_("--chunk-size must be at least 1."))
        output = options["output"]
        if output != "-":
            folder = Path(output).resolve().parent
            if not folder.is_dir():
                raise CommandError(_("The folder %(folder)s does not exist.") % {"folder": folder})
        uri = options["uri"] or default_uri(options["organisation"], options["since"])

        checker = ReleaseChecker() if options["validate"] else None
        count = 0
        started = time.monotonic()

        def counted(release: dict[str, Any]) -> None:
            nonlocal count
            count += 1
            if checker is not None:
                checker.check(release)

        releases = ocds.iter_releases(filters, chunk_size=options["chunk_size"])
        pieces = ocds.package_pieces(releases, uri=uri, on_release=counted)
        if output == "-":
            write_all(sys.stdout, pieces)
        else:
            write_atomically(Path(output), pieces, checker)
        if checker is not None and checker.errors:
            raise CommandError(checker.report())
        seconds = time.monotonic() - started
        if count == 0:
            self.stderr.write(
                _("No procurement or contract is published yet: the package has no releases (OCDS needs at least one).")
            )
        if output != "-":
            self.stdout.write(
                self.style.SUCCESS(
                    _("Wrote %(count)s releases to %(file)s in %(seconds).1f s.")
                    % {"count": count, "file": output, "seconds": seconds}
                )
            )


def default_uri(organisation: str | None, since: str | None) -> str:
    from urllib.parse import urlencode

    query = urlencode({k: v for k, v in (("organisation", organisation), ("since", since)) if v})
    return f"{ocds.base_url()}/api/v1/ocds/releases" + (f"?{query}" if query else "")


class ReleaseChecker:
    """Validates releases one by one as they stream past, and the package's envelope
    with the first release (the schema needs at least one)."""

    def __init__(self) -> None:
        from kravspar.opendata import validation

        self.validation = validation
        self.extensions = tuple(ocds.EXTENSIONS)
        self.errors: list[str] = []
        self.checked_envelope = False

    def check(self, release: dict[str, Any]) -> None:
        if len(self.errors) >= MAX_ERRORS:
            return
        if not self.checked_envelope:
            self.checked_envelope = True
            head = ocds.package_head(uri=ocds.base_url() + "/api/v1/ocds/releases")
            self.errors += self.validation.package_errors({**head, "releases": [release]})
        for error in self.validation.release_errors(release, self.extensions):
            self.errors.append(f"{release.get('ocid')}: {error}")

    def report(self) -> str:
        lines = [_("The export does not validate against the OCDS schema; nothing was written:")]
        return "\n".join(lines + [f"  {e}" for e in self.errors[:MAX_ERRORS]])


def write_all(stream: IO[str], pieces: Any) -> None:
    for piece in pieces:
        stream.write(piece)


def write_atomically(path: Path, pieces: Any, checker: ReleaseChecker | None) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.resolve().parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            write_all(stream, pieces)
        if checker is not None and checker.errors:
            return
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
