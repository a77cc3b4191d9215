"""API endpoints of questionnaires, mounted at /api/v1/."""

from ninja import Router

router = Router(tags=["Requests to suppliers"])
