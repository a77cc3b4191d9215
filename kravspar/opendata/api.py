"""API endpoints of opendata, mounted at /api/v1/."""

from ninja import Router

router = Router(tags=["Open data"])
