import uuid


def is_uuid(value: str) -> bool:
    """Whether a URL part is a UUID (public URLs carry UUIDs, never sequential ids)."""
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
