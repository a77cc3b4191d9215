"""Supplier portal (invitations, supplier's own view, evidence library, declarations)."""
