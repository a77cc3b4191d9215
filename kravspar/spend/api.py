"""API endpoints of spend, mounted at /api/v1/."""

from ninja import Router

router = Router(tags=["Economic follow-up"])
