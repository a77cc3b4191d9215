"""Signals other apps connect to.

``invoice_stored`` is sent once for every newly stored document, after the transaction
that stored it has committed (``transaction.on_commit``), with ``document`` (an
``InvoiceDocument``) as keyword argument. Receivers run outside the import's
transaction: if a receiver fails, the invoice stays stored and the import goes on
(failures are logged). The ``spend`` app matches invoices from here.

Bulk imports (``import_paths(..., bulk_signal=True)`` or ``store_documents(...,
bulk_signal=True)``) send ``invoices_stored`` instead, once per group of documents (100
by default), with ``documents`` (a list), so that a receiver can match many documents in
a few queries. Exactly one of the two signals is sent for a stored document.
"""

from __future__ import annotations

from django.dispatch import Signal

invoice_stored = Signal()  # kwargs: document
invoices_stored = Signal()  # kwargs: documents (list), for bulk receivers
