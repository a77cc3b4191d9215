"""One document's (or one row's) unexpected error never stops a batch.

Every reader refuses bad input with its own named refusal. Anything else it raises is a
bug, and a bug met by one file of a night's import, one row of a spreadsheet or one
questionnaire answer must not cost the others: the import commands, the upload pages and
the API catch it around that one document, row or batch of rows, log the traceback under a
fresh reference (``ERR-`` and eight hex digits) for the operators, refuse that part with the
reason "internal error" and the reference, and go on. The invoice import
(``invoices.services.internal_error``) does the same with its own problem code.

    try:
        ...
    except Exception as exc:  # one row's bug never stops the file
        errors.append(failures.internal_error_text(failures.log_internal_error("price list row 7", exc)))
"""

from __future__ import annotations

import logging
import secrets

from django.utils.translation import gettext as _

logger = logging.getLogger("kravspar.failures")

# The code an outcome or problem carries when it was refused for an internal error.
INTERNAL_ERROR = "internal_error"


def new_reference() -> str:
    return f"ERR-{secrets.token_hex(4).upper()}"


def log_internal_error(what: str, exc: BaseException) -> str:
    """Log ``exc`` with its traceback under a new reference, saying what it stopped
    (``what``: a file name, "row 7 of prices.xlsx"…); return the reference."""
    reference = new_reference()
    logger.error("Internal error on %s (reference %s)", what, reference, exc_info=(type(exc), exc, exc.__traceback__))
    return reference


def internal_error_text(reference: str) -> str:
    """The refusal a person reads: what happened, and the reference to give the operators."""
    return _("Internal error (reference %(reference)s); the operators find the details in the log.") % {
        "reference": reference
    }


# The sentences around it, here so that every reader says them alike (and they are
# translated in one place, the core app's catalogue).


def row_text(row: int, message: str) -> str:
    return _("Row %(row)d: %(message)s") % {"row": row, "message": message}


def rows_not_imported_text(first: int, last: int, reason: str) -> str:
    return _("Rows %(first)d–%(last)d were not imported: %(reason)s") % {"first": first, "last": last, "reason": reason}


def file_not_imported_text(reason: str) -> str:
    return _("The file was not imported: %(reason)s") % {"reason": reason}


def internal_errors_summary(count: int) -> str:
    """For a command's summary: how many parts met an internal error."""
    return _("%(count)s rows, batches or files met an internal error; the log has each one's reference.") % {
        "count": count
    }


def files_not_imported_summary(failed: int, files: int) -> str:
    return _("%(failed)s of %(files)s files were not imported.") % {"failed": failed, "files": files}
