"""Every example notice of the eForms SDK either imports or is refused with a named
reason; the INVALID_* files are refused. Each notice is imported for Region Västmanland
(its buyers' numbers replaced), so what decides is the notice itself."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest

from kravspar.notices.eforms import NoticeRefused, parse
from kravspar.notices.models import Notice
from kravspar.notices.services import IMPORTED, REFUSED, import_one
from kravspar.notices.tests.conftest import CORPUS, for_buyer

FILES = sorted(p.name for p in CORPUS.glob("*.xml"))
# Why a file is refused; every other file imports.
REFUSED_BY_NAME = {
    "INVALID_can_24_empty.xml": "missing_notice_id",
    "INVALID_can_24_stage-1.xml": "missing_notice_id",
    "INVALID_can_24_stage-2.xml": "missing_notice_id",
    "INVALID_change-cn_24_FRA_comments.xml": "invalid_lot_limits",
    "INVALID_cn_24_empty.xml": "missing_notice_id",
    "INVALID_cn_24_multiple.xml": "incomplete_organisation",
    "INVALID_cn_24_stage-1.xml": "missing_notice_id",
    "INVALID_cn_24_stage-2.xml": "missing_notice_id",
    # Buyers without an organisation number in the notice:
    "E3_minimal.xml": "missing_buyer",
    "E4_minimal.xml": "missing_buyer",
    "E5_minimal.xml": "missing_buyer",
    "can_81_FRA.xml": "missing_buyer",
    "cn_81.xml": "missing_buyer",
    "cn_81_FRA.xml": "missing_buyer",
    # Modifications of contracts Kravspår does not hold:
    "E6_minimal.xml": "unknown_contract",
    "can-modif_23.xml": "unknown_contract",
    "can-modif_24_duration.xml": "unknown_contract",
    "can-modif_24_value.xml": "unknown_contract",
    "can-modif_25.xml": "unknown_contract",
}
UNSUPPORTED_PREFIXES = ("pin-", "INVALID_pin-", "CEI", "E1_", "E2_", "X0", "t01_")


def expected(name: str) -> str:
    if name in REFUSED_BY_NAME:
        return REFUSED_BY_NAME[name]
    if name.startswith(UNSUPPORTED_PREFIXES):
        return "unsupported_notice_type"
    return IMPORTED


def test_the_corpus_is_all_here() -> None:
    assert len(FILES) == 92
    assert all(expected(name) != IMPORTED for name in FILES if name.startswith("INVALID_"))


@pytest.mark.parametrize("name", FILES)
def test_corpus_notice(world: Any, name: str) -> None:
    data = (CORPUS / name).read_bytes()
    with contextlib.suppress(NoticeRefused):  # refused by the reader already: imported as it is
        data = for_buyer(data, world.vastmanland.org_number)
    outcome = import_one(name, data, actor=world.officer)
    want = expected(name)
    if want == IMPORTED:
        assert outcome.status == IMPORTED, (outcome.code, outcome.message)
        assert outcome.notice is not None
        assert outcome.notice.procurement.buyers.filter(pk=world.vastmanland.pk).exists()
        # Re-importing changes nothing.
        count = Notice.objects.count()
        again = import_one(name, data, actor=world.officer)
        assert (again.status, again.code) == ("duplicate", "duplicate_notice")
        assert Notice.objects.count() == count
    else:
        assert (outcome.status, outcome.code) == (REFUSED, want), outcome.message
        assert outcome.message
        assert not Notice.objects.exists()


def test_invalid_files_are_refused_by_the_reader_alone() -> None:
    for name in FILES:
        if name.startswith("INVALID_"):
            with pytest.raises(NoticeRefused):
                parse((CORPUS / name).read_bytes())


def test_unknown_buyer_is_refused_with_its_organisation_number(world: Any) -> None:
    outcome = import_one("cn.xml", (CORPUS / "cn_24_FRA_comments.xml").read_bytes(), actor=world.officer)
    assert (outcome.status, outcome.code) == (REFUSED, "unknown_buyer")
    assert "123 456 789" in outcome.message
    assert outcome.details == {"org_number": "123 456 789"}
    assert not Notice.objects.exists()


def test_a_swedish_buyer_kravspar_does_not_serve_is_refused(world: Any) -> None:
    data = for_buyer((CORPUS / "cn_24_FRA_comments.xml").read_bytes(), "5560160680")
    outcome = import_one("cn.xml", data, actor=world.officer)
    assert outcome.code == "unknown_buyer"
    assert "5560160680" in outcome.message


def test_a_notice_with_a_doctype_is_refused_unread(world: Any, tmp_path: Path) -> None:
    data = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    outcome = import_one("evil.xml", data, actor=world.officer)
    assert (outcome.status, outcome.code) == (REFUSED, "doctype_refused")


@pytest.mark.parametrize("amount", ["1e999999999", "NaN", "-Infinity", "99999999999999999999999999.999999"])
def test_an_amount_the_decimal_module_cannot_hold_is_refused_by_name(amount: str) -> None:
    # Found by bench/fuzz.py: an exponent overflowing the decimal context crashed the reader.
    data = (
        (CORPUS / "cn_25.xml")
        .read_bytes()
        .replace(b">1500000</cbc:EstimatedOverall", f">{amount}</cbc:EstimatedOverall".encode())
    )
    with pytest.raises(NoticeRefused) as refused:
        parse(data)
    assert refused.value.code == "invalid_amount"


@pytest.mark.parametrize("duration", ["1e999999999", "NaN", "Infinity", "-3"])
def test_a_duration_the_decimal_module_cannot_hold_is_no_duration(duration: str) -> None:
    data = (
        (CORPUS / "cn_25.xml")
        .read_bytes()
        .replace(
            b'<cbc:DurationMeasure unitCode="MONTH">5<', f'<cbc:DurationMeasure unitCode="MONTH">{duration}<'.encode()
        )
    )
    notice = parse(data)  # read, with the duration left out rather than a crash
    assert notice.lots and all(lot.duration_months is None for lot in notice.lots)
