"""API endpoints of portal, mounted at /api/v1/."""

from ninja import Router

router = Router(tags=["Supplier portal"])
