"""Supplier information (public page, policy documents)."""
