"""API endpoints of supplierinfo, mounted at /api/v1/."""

from ninja import Router

router = Router(tags=["Supplier information"])
