"""Signals other apps connect to.

``invoice_stored`` is sent once for every newly stored document, after the transaction
that stored it has committed (``transaction.on_commit``), with ``document`` (an
``InvoiceDocument``) as keyword argument. Receivers run outside the import's
transaction: if a receiver fails, the invoice stays stored and the import goes on
(failures are logged). The ``spend`` app matches invoices from here.

Bulk imports (``store_documents`` with ``send_signals=False``) instead send
``invoices_stored`` once per batch of documents with ``documents`` (a list), so that a
receiver can match many documents in a few queries.
"""

from __future__ import annotations

from django.dispatch import Signal

invoice_stored = Signal()  # kwargs: document
invoices_stored = Signal()  # kwargs: documents (list), for bulk receivers
