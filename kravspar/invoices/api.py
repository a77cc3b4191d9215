"""API endpoints of invoices, mounted at /api/v1/."""

from ninja import Router

router = Router(tags=["E-invoices"])
