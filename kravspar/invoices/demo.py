"""Demo data of invoices, called by `seed_demo` after contracts and follow-ups exist."""


def seed() -> list[tuple[str, str, str]]:
    """Idempotent: running `seed_demo` twice creates nothing new. Returns extra demo
    logins as (username, role, name) for `make run` to print."""
    return []
