"""API endpoints of reports, mounted at /api/v1/."""

from ninja import Router

router = Router(tags=["Reports"])
