"""Finding CPV codes by their digits or by words from their names."""

from kravspar.cpv import codes
from kravspar.cpv.selectors import cpv_search


def found(query, **kwargs):
    return [c.code for c in cpv_search(query, **kwargs)]


def test_digits_match_codes_that_start_with_them(db):
    result = found("151", limit=100)
    assert result[0] == "15100000"
    assert result == sorted(result)
    assert all(code.startswith("151") for code in result)
    assert "15130000" in result


def test_a_whole_code_with_check_digit_or_spaces_finds_that_code(db):
    assert found("15100000") == ["15100000"]
    assert found("15100000-9") == ["15100000"]
    assert found("1510 0000") == ["15100000"]


def test_swedish_words_in_any_case(db):
    result = found("kött", limit=100)
    assert {"15100000", "15130000"} <= set(result)
    assert found("KÖTT", limit=100) == result
    # SQLite's own case folding stops at ASCII: "ägg" must still find "Ägg".
    assert "03142500" in found("ägg")


def test_english_words(db):
    result = found("meat products", limit=100)
    assert {"15100000", "15130000"} <= set(result)
    for cpv in cpv_search("meat products", limit=100):
        assert "meat" in codes.fold(cpv.label_sv + " " + cpv.label_en)


def test_every_word_must_match_in_one_of_the_labels(db):
    meat = set(found("meat", limit=1000))
    products = set(found("products", limit=1000))
    both = set(found("products meat", limit=1000))
    assert both == meat & products
    assert both < meat
    # One word in Swedish, one in English: each matches on its own label.
    assert "15100000" in found("kött products", limit=100)
    assert found("kött finnsinte") == []


def test_nothing_typed_or_nothing_found(db):
    assert found("") == []
    assert found("   ") == []
    assert found("%") == []
    assert found("_") == []
    assert found("99") == []


def test_limit(db):
    assert len(found("3", limit=5)) == 5
    assert len(found("3")) == 20
    assert found("3", limit=0) == []
