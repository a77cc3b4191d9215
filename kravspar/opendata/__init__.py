"""Open data: OCDS release packages."""
