"""The statistics import's isolation (issue 18): a row and a batch of rows that a bug meets
are refused as internal errors with ERR- references, the rest of the file is imported, and the
command's exit status counts them. (The other readers: test_isolation.py.)"""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from kravspar.core.tests.test_isolation import REF, Bug, logged


def test_the_statistics_command_refuses_a_row_and_a_batch_a_bug_meets_and_imports_the_rest(
    world: Any, tmp_path: Path, monkeypatch: Any, caplog: Any
) -> None:
    from kravspar.core.management.commands.seed_demo import STATISTICS_FILES
    from kravspar.procurements import statistics
    from kravspar.procurements.models import Procurement

    source = STATISTICS_FILES[0]
    path = tmp_path / source.name
    lines = source.read_text(encoding="utf-8-sig").splitlines()[:13]  # the header and 12 rows
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    real_parse, real_write = statistics.Parser.parse, statistics.Importer._write
    writes = {"n": 0}

    def parse(self: Any, number: int, values: Any) -> Any:
        if number == 3:
            raise Bug("a bug in reading row 3")
        return real_parse(self, number, values)

    def write(self: Any, rows: Any, report: Any) -> None:
        writes["n"] += 1
        if writes["n"] == 2:  # rows 5–6 with --batch-size 2
            raise Bug("a bug in writing the second batch")
        real_write(self, rows, report)

    monkeypatch.setattr(statistics.Parser, "parse", parse)
    monkeypatch.setattr(statistics.Importer, "_write", write)
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exit_status:
        call_command("import_procurement_statistics", str(path), "--batch-size", "2", stdout=out, stderr=err)
    assert exit_status.value.code == 2
    text = out.getvalue()
    assert "2 rader, omgångar eller filer fick ett internt fel" in err.getvalue()
    references = REF.findall(text)
    assert len(references) == 2 and all(logged(caplog, r) for r in references)
    assert re.search(r"rad 3: Internt fel \(referens ERR-", text)
    assert re.search(r"rad 5: Raderna 5–6 importerades inte: Internt fel \(referens ERR-", text)
    # 12 rows: row 3 refused, rows 5 and 6 rolled back with their batch, the other nine stored.
    assert Procurement.objects.filter(source=statistics.SOURCE).count() == 9
