from django import template

from kravspar.accounts.roles import Role

register = template.Library()


@register.filter
def role_label(value: str) -> str:
    """The translated name of a role stored as a group name."""
    return str(Role(value).label) if value in Role.values else value


@register.filter
def with_label(error: str, label: str) -> str:
    """An error for the summary, naming its field once: service messages already start
    with the field's name, Django's own ("This field is required.") do not."""
    error, label = str(error), str(label)
    return error if error.lower().startswith(label.lower()) else f"{label}: {error}"


@register.filter
def action_label(action: str) -> str:
    """A history action in words (``deviation.raised`` → "Deviation raised")."""
    from kravspar.audit.labels import action_label as label

    return label(action)


@register.filter
def changes_in_words(event: object) -> list[object]:
    """A history event's changes labelled and valued in the reader's language."""
    from kravspar.audit.display import changes_in_words as in_words
    from kravspar.audit.models import AuditEvent

    return list(in_words(event)) if isinstance(event, AuditEvent) else []


@register.filter
def kr(value: object, decimals: int = 0) -> str:
    """An amount in kronor as "4 800 000 kr", never broken across lines (``core.formatting``)."""
    from kravspar.core.formatting import kronor

    return kronor(value, int(decimals))


@register.filter
def day(value: object) -> str:
    """A date as 2026-12-03 that never breaks across lines (the ``nowrap`` class)."""
    import datetime

    from django.utils.formats import date_format
    from django.utils.html import format_html

    if not isinstance(value, datetime.date):
        return ""
    return format_html('<span class="nowrap">{}</span>', date_format(value, "Y-m-d"))
