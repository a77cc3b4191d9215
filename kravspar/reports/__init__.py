"""Dashboards, reports to file, exports and contract import."""
