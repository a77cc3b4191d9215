"""Signals other apps connect to.

``invoice_stored`` is sent once for every newly stored document, after the transaction
that stored it has committed (``transaction.on_commit``), with ``document`` (an
``InvoiceDocument``) as keyword argument. Receivers run outside the import's
transaction: if a receiver fails, the invoice stays stored and the import goes on
(failures are logged). The ``spend`` app matches invoices from here.

Folder imports (``import_paths``, the command) and ``store_documents(...,
bulk_signal=True)`` send ``invoices_stored`` instead, once per group of documents (100
by default) inside the group's transaction, before its commit (one commit for storing and
matching; a kill leaves a group stored and matched, or neither), in a savepoint of its own:
if a receiver fails, what the receivers wrote is rolled back, the documents stay stored
and the failure is logged. Its arguments: ``documents`` (a list), so that a receiver can
match many documents in a few queries; ``run``, a dictionary that lives as long as the
import (or ``None``), where a receiver keeps what it builds once per run; ``fresh``, true
when the documents are not yet committed (nothing else can have matched them). Exactly one
of the two signals is sent for a stored document.
"""

from __future__ import annotations

from django.dispatch import Signal

invoice_stored = Signal()  # kwargs: document
invoices_stored = Signal()  # kwargs: documents (list), run (dict or None), for bulk receivers
