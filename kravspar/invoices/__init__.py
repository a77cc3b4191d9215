"""Peppol BIS Billing 3.0 e-invoices: import and storage."""
