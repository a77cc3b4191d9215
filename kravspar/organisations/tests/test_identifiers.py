import pytest
from django.core.exceptions import ValidationError

from kravspar.organisations.identifiers import (
    eas_codes,
    format_org_number,
    normalise_org_number,
    normalise_peppol_id,
    normalise_vat_number,
)


def test_the_regions_org_numbers_are_valid_and_normalised():
    assert normalise_org_number("232100-0032") == "2321000032"
    assert normalise_org_number(" 2321000172 ") == "2321000172"
    assert format_org_number("2321000172") == "232100-0172"


def test_a_wrong_check_digit_names_the_field_and_the_number():
    with pytest.raises(ValidationError) as exc:
        normalise_org_number("232100-0033")
    assert exc.value.code == "checksum"
    message = exc.value.messages[0]
    assert message.startswith("Organisationsnummer")
    assert "232100-0033" in message
    assert "kontrollsiffr" in message


def test_a_number_of_the_wrong_length_is_a_format_error():
    with pytest.raises(ValidationError) as exc:
        normalise_org_number("12345")
    assert exc.value.code == "format"


def test_peppol_0007_is_checked_as_an_org_number():
    assert normalise_peppol_id("0007", "2321000032") == ("0007", "2321000032")
    with pytest.raises(ValidationError) as exc:
        normalise_peppol_id("0007", "2321000033")
    assert exc.value.messages[0].startswith("Peppol-id")


def test_peppol_schemes_come_from_the_eas_code_list():
    codes = eas_codes()
    assert {"0007", "0088", "0208"} <= set(codes)
    assert "9955" not in codes  # the old Swedish VAT scheme, withdrawn from the list
    assert normalise_peppol_id("0088", "7300010000001") == ("0088", "7300010000001")
    with pytest.raises(ValidationError) as exc:
        normalise_peppol_id("1234", "whatever")
    assert exc.value.code == "eas"


def test_peppol_values_with_odd_characters_are_refused():
    with pytest.raises(ValidationError):
        normalise_peppol_id("0088", "73 0001<script>")


def test_vat_numbers():
    assert normalise_vat_number("SE232100003201") == "SE232100003201"
    with pytest.raises(ValidationError):
        normalise_vat_number("SE232100003301")
