import time

import pytest
from django.core.management import call_command

from kravspar.contracts.demo import seed_contracts
from kravspar.contracts.models import Contract

pytestmark = pytest.mark.django_db


def test_the_imported_procurements_become_contracts_once_and_fast(capsys):
    call_command("seed_demo")
    capsys.readouterr()
    started = time.monotonic()
    made = seed_contracts()
    elapsed = time.monotonic() - started
    assert made > 0 and Contract.objects.count() == made
    assert Contract.objects.filter(
        procurement__source__startswith="Upphandlingsmyndigheten", strategy_missing=True
    ).exists()
    assert seed_contracts() == 0
    assert elapsed < 5, elapsed
    print(f"{made} contracts in {elapsed:.2f} s")
