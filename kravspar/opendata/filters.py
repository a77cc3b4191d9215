"""The two filters of the export, shared by the command and the API: an organisation
(by organisation number) and a date. Bad input is refused with a message saying why."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from kravspar.opendata.ocds import Filters
from kravspar.organisations.identifiers import normalise_org_number
from kravspar.organisations.models import Organisation


def parse_filters(*, organisation: str | None, since: str | datetime.date | None) -> Filters:
    errors: dict[str, list[str]] = {}
    org = None
    if organisation:
        try:
            digits = normalise_org_number(organisation.strip())
        except ValidationError as exc:
            errors["organisation"] = exc.messages
        else:
            org = Organisation.objects.filter(org_number=digits).first()
            if org is None:
                errors["organisation"] = [
                    _("No organisation has the organisation number %(number)s.") % {"number": organisation}
                ]
    start = None
    if since:
        day = since
        if isinstance(day, str):
            try:
                day = datetime.date.fromisoformat(day.strip())
            except ValueError:
                errors["since"] = [
                    _("Since: %(value)s is not a date. Write it as YYYY-MM-DD, e.g. 2026-01-31.") % {"value": since}
                ]
        if isinstance(day, datetime.date):
            start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    if errors:
        raise ValidationError(errors)
    return Filters(organisation=org, since=start)
