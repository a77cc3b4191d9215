"""Swedish organisation numbers, VAT numbers and Peppol participant ids.

The checks themselves are python-stdnum's; this module only turns their errors into
messages a procurement officer understands, naming the field that is wrong.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from lxml import etree
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.se import orgnr, vat

EAS_CODELIST = Path(__file__).parent / "data" / "eas.xml"
SWEDISH_ORGNR_SCHEME = "0007"  # ISO 6523 ICD / Peppol EAS for Swedish organisation numbers


def normalise_org_number(value: str, *, field: str | None = None) -> str:
    """Return the ten digits of a valid Swedish organisation number or raise a
    ValidationError whose message names the field."""
    label = field or _("Organisation number")
    try:
        return str(orgnr.validate(value))
    except InvalidChecksum:
        raise ValidationError(
            _("%(field)s: the check digit of %(value)s is wrong. Check the number against the registration.")
            % {"field": label, "value": value},
            code="checksum",
        ) from None
    except (InvalidLength, InvalidFormat, StdnumError):
        raise ValidationError(
            _("%(field)s: %(value)s is not an organisation number. Write ten digits, e.g. 232100-0032.")
            % {"field": label, "value": value},
            code="format",
        ) from None


def format_org_number(digits: str) -> str:
    return str(orgnr.format(digits))


def vat_from_org_number(digits: str) -> str:
    """Swedish VAT numbers are SE + the organisation number + 01."""
    return f"SE{digits}01"


def normalise_vat_number(value: str) -> str:
    try:
        return "SE" + str(vat.validate(value))
    except StdnumError:
        raise ValidationError(
            _("VAT number: %(value)s is not a valid Swedish VAT number (SE + organisation number + 01).")
            % {"value": value},
            code="vat",
        ) from None


@functools.cache
def eas_codes() -> dict[str, str]:
    """The Peppol Electronic Address Scheme code list, read safely from the bundled file."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.parse(str(EAS_CODELIST), parser).getroot()
    ns = {"c": root.nsmap[None]}
    codes: dict[str, str] = {}
    for code in root.iterfind("c:Code", ns):
        ident = code.findtext("c:Id", namespaces=ns)
        name = code.findtext("c:Name", namespaces=ns) or ""
        if ident:
            codes[ident.strip()] = " ".join(name.split())
    return codes


_PEPPOL_VALUE = re.compile(r"^[A-Za-z0-9.:_\-]{1,130}$")


def normalise_peppol_id(scheme: str, value: str) -> tuple[str, str]:
    """Check a Peppol participant id (EAS scheme + identifier)."""
    scheme = scheme.strip()
    value = value.strip()
    if scheme not in eas_codes():
        raise ValidationError(
            _("Peppol scheme: %(scheme)s is not in the Peppol EAS code list.") % {"scheme": scheme},
            code="eas",
        )
    if scheme == SWEDISH_ORGNR_SCHEME:
        value = normalise_org_number(value, field=_("Peppol id"))
    elif not _PEPPOL_VALUE.match(value):
        raise ValidationError(
            _("Peppol id: %(value)s contains characters a Peppol identifier cannot have.") % {"value": value},
            code="peppol",
        )
    return scheme, value
