"""The findings tests' small signed contract with one follow-up activity, reused here."""

from kravspar.findings.tests.conftest import activity, contract, raise_deviation, supplier  # noqa: F401
