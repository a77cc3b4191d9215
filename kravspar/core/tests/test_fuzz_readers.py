"""Every reader refuses, never crashes (issue 18): property tests over mutated seed files
(the repository's and ../shared/corpus's invoices and notices, sheets for each import)
and generated structures (questionnaire answers). A few dozen inputs per reader keep this
to seconds; ``bench/fuzz.py --n 100000`` is the long run."""

from __future__ import annotations

import datetime
import logging
import random
import warnings
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from kravspar.contracts.models import Contract
from kravspar.testing import fuzzing

SETTINGS = hsettings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None
)


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    logging.disable(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
    logging.disable(logging.NOTSET)


def _check(reader: fuzzing.Reader, seed: int) -> None:
    rnd = random.Random(seed)
    value = fuzzing.inputs(reader, rnd)
    assert fuzzing.try_one(reader, value) in ("ok", "refused")


@pytest.fixture(scope="module")
def pure_readers() -> dict[str, fuzzing.Reader]:
    return {r.name: r for r in fuzzing.readers(None)}


@pytest.mark.parametrize("name", ["ubl", "statistics", "answers", "ledger"])
@SETTINGS
@given(seed=st.integers(0, 2**32))
def test_a_reader_without_the_database_refuses_or_reads(
    pure_readers: dict[str, fuzzing.Reader], name: str, seed: int
) -> None:
    if name not in pure_readers:
        pytest.skip(f"no {name} reader in this tree")
    _check(pure_readers[name], seed)


def test_the_eforms_reader_refuses_or_reads_when_the_tree_has_it() -> None:
    reader = fuzzing.eforms_reader()
    if reader is None:
        pytest.skip("no eForms reader (issue 16) or no seed notices in this tree")
    with warnings.catch_warnings():
        for seed in range(40):
            _check(reader, seed)


@pytest.fixture
def context(world: Any) -> fuzzing.Context:
    contract = Contract.objects.create(
        contract_number="FUZZ-1",
        title="Fuzz",
        signed_on=datetime.date(2025, 1, 10),
        starts_on=datetime.date(2025, 2, 1),
        ends_on=datetime.date(2027, 12, 31),
        value=Decimal(1000),
        strategy_missing=False,
    )
    contract.buyers.set([world.vastmanland])
    return fuzzing.Context(user=world.admin, contract=contract)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["contracts", "pricelists", "requirements"])
@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None)
@given(seed=st.integers(0, 2**32))
def test_an_import_refuses_or_dry_runs(
    context: fuzzing.Context, settings: Any, tmp_path: Any, name: str, seed: int
) -> None:
    settings.VAR_DIR = tmp_path
    key = (name, id(context))
    if key not in _READERS:  # one per test: hypothesis runs the examples with one fixture
        _READERS.clear()
        _READERS[key] = {
            "contracts": fuzzing.contracts_reader,
            "pricelists": fuzzing.pricelists_reader,
            "requirements": fuzzing.requirements_reader,
        }[name](context)
    _check(_READERS[key], seed)


_READERS: dict[tuple[str, int], fuzzing.Reader] = {}


@pytest.mark.parametrize("name", ["ubl", "statistics", "ledger"])
def test_every_seed_reads_unmutated(pure_readers: dict[str, fuzzing.Reader], name: str) -> None:
    """The seeds are real inputs: a fuzzer whose seeds are all refused tests only refusals."""
    reader = pure_readers[name]
    results = []
    for seed in reader.seeds:
        value = fuzzing.workbook_bytes(seed[0]) if isinstance(seed, tuple) else seed
        results.append(fuzzing.try_one(reader, value))
    assert results.count("ok") >= len(results) // 2, results


# --- The row layer (bench/fuzz.py --layer rows) ----------------------------------------------


@pytest.fixture(scope="module")
def pure_row_readers() -> dict[str, fuzzing.Reader]:
    return {r.name: r for r in fuzzing.row_readers(None)}


@pytest.mark.parametrize("name", ["statistics-rows", "ledger-rows"])
@SETTINGS
@given(seed=st.integers(0, 2**32))
def test_a_sheet_readers_row_code_refuses_or_reads_generated_cells(
    pure_row_readers: dict[str, fuzzing.Reader], name: str, seed: int
) -> None:
    reader = pure_row_readers.get(name)
    if reader is None:
        pytest.skip(f"no {name} reader in this tree")
    _check(reader, seed)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["contracts-rows", "pricelists-rows", "requirements-rows"])
@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None)
@given(seed=st.integers(0, 2**32))
def test_an_imports_row_code_refuses_or_dry_runs_generated_cells(
    context: fuzzing.Context, name: str, seed: int
) -> None:
    key = (name, id(context))
    if key not in _READERS:
        _READERS.clear()
        _READERS[key] = {r.name: r for r in fuzzing.row_readers(context)}[name]
    _check(_READERS[key], seed)


@pytest.mark.django_db
def test_every_row_seed_reads_unmutated(context: fuzzing.Context) -> None:
    """The row layer's seed rows are real rows: each reader reads every one of them."""
    for reader in fuzzing.row_readers(context):
        assert [fuzzing.try_one(reader, seed) for seed in reader.seeds] == ["ok"] * len(reader.seeds), reader.name


def test_an_error_the_reader_caught_and_logged_counts_as_a_crash() -> None:
    """A reader that turns its own bug into an "internal error" refusal has still crashed: the
    fuzzer re-raises what was logged, so that it is counted and written out as a crash."""
    from kravspar.core import failures

    def run(value: Any) -> None:
        try:
            raise ZeroDivisionError(value)
        except ZeroDivisionError as exc:
            failures.log_internal_error("a fuzzed row", exc)

    reader = fuzzing.Reader("caught", run, (), [b""], lambda _rnd, seed: seed)
    with pytest.raises(ZeroDivisionError):
        fuzzing.try_one(reader, b"x")
