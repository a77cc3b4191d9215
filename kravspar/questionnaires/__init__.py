"""Requests to suppliers and questionnaires."""
