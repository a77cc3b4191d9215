"""Price lists, invoice matching, price checks and spend figures."""
