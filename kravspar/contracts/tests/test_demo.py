import time

import pytest
from django.core.management import call_command

from kravspar.contracts.demo import seed_contracts
from kravspar.contracts.models import Contract

pytestmark = pytest.mark.django_db


def test_the_imported_procurements_become_contracts_once_and_fast(capsys):
    call_command("seed_demo")  # which seeds the contracts too
    capsys.readouterr()
    imported = Contract.objects.filter(procurement__source__startswith="Upphandlingsmyndigheten")
    assert imported.filter(strategy_missing=True).exists()
    count = imported.count()
    assert seed_contracts() == 0
    imported.delete()  # time the seeding on its own
    started = time.monotonic()
    made = seed_contracts()
    elapsed = time.monotonic() - started
    assert made == count > 0
    assert seed_contracts() == 0
    assert elapsed < 5, elapsed
    print(f"{made} contracts in {elapsed:.2f} s")
