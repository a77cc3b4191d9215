"""Import eForms notices (contract notices, award notices, modification notices).

    python manage.py import_notices /srv/tendsign/export can_2026-0142.xml

Folders are read recursively (``*.xml``). Each notice is imported in its own transaction;
one already imported is reported as a duplicate and changes nothing. A notice that meets an
unexpected error (a bug) is refused as an internal error with a reference (the log has the
traceback) and the next is read. The exit status is 1 when a notice was refused, else 0.
"""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from kravspar.accounts.models import User
from kravspar.core import failures
from kravspar.notices.services import IMPORTED, REFUSED, import_paths


class Command(BaseCommand):
    help = "Import eForms notices (UBL XML) from files and folders."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="Files, or folders read recursively for *.xml")
        parser.add_argument("--user", default="", help="Username recorded as the importer")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate(settings.LANGUAGE_CODE)
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(_("There is no user %(username)s.") % {"username": options["user"]})
        outcomes = import_paths(options["paths"], actor=actor)
        for outcome in outcomes:
            if outcome.status == IMPORTED:
                contracts = ", ".join(c.contract_number for c in outcome.contracts)
                self.stdout.write(f"{outcome.name}: {outcome.status}" + (f" ({contracts})" if contracts else ""))
            else:
                self.stdout.write(f"{outcome.name}: {outcome.status} [{outcome.code}] {outcome.message}")
        counts = {s: sum(1 for o in outcomes if o.status == s) for s in ("imported", "duplicate", "refused")}
        self.stdout.write(
            _("%(files)s files: %(imported)s imported, %(duplicates)s duplicates, %(refused)s refused")
            % {
                "files": len(outcomes),
                "imported": counts["imported"],
                "duplicates": counts["duplicate"],
                "refused": counts["refused"],
            }
        )
        internal = sum(1 for o in outcomes if o.code == failures.INTERNAL_ERROR)
        if internal:
            self.stdout.write("  " + failures.internal_errors_summary(internal))
        if counts[REFUSED]:
            sys.exit(1)
