from django import template

from kravspar.accounts.roles import Role

register = template.Library()


@register.filter
def role_label(value: str) -> str:
    """The translated name of a role stored as a group name."""
    return str(Role(value).label) if value in Role.values else value
