#!/usr/bin/env python3
"""``bench_invoices.py`` with CPU time (``time.process_time``) summed around the import's parts,
without a profiler (which doubles the run and inflates the ORM's share): the reader, storing,
writing the originals, and the matcher's steps. Takes ``bench_invoices.py``'s arguments:

    DJANGO_SECRET_KEY=x .venv/bin/python bench/bench_invoices_parts.py --invoices 1000 [--setup-cache DIR]

Prints, after the benchmark's own lines, each part's CPU seconds and calls. Nested parts are
included in their parents (``match_stored`` is all of matching, inside ``_send_stored``, inside
``_store_group``)."""

import atexit
import functools
import sys
import time
from pathlib import Path

sys.argv = ["bench_invoices.py", *sys.argv[1:]]
sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_invoices  # noqa: E402

acc = {}


def timed(fn, label):
    @functools.wraps(fn)
    def w(*a, **k):
        t = time.process_time()
        try:
            return fn(*a, **k)
        finally:
            e = acc.setdefault(label, [0.0, 0])
            e[0] += time.process_time() - t
            e[1] += 1

    return w


orig_configure = bench_invoices.configure


def configure(*a, **k):
    orig_configure(*a, **k)
    import kravspar.spend.matching.matcher as m
    from kravspar.spend.matching import Matcher

    for n in [
        "match_stored",
        "_match_loaded",
        "_load_articles",
        "_raise",
        "_over_value",
        "_off_contract",
        "_resolve_parties",
        "__init__",
    ]:
        setattr(Matcher, n, timed(getattr(Matcher, n), n))
    for n in ["upsert_line_matches", "upsert_invoice_matches"]:
        setattr(m, n, timed(getattr(m, n), n))
    import kravspar.invoices.originals as originals
    import kravspar.invoices.services as services
    import kravspar.invoices.ubl as ubl

    ubl.parse = timed(ubl.parse, "READER ubl.parse")
    services.parse = ubl.parse
    for n in ["_store_group", "_write_documents", "_send_stored", "_prepare"]:
        if hasattr(services, n):
            setattr(services, n, timed(getattr(services, n), "STORE " + n))
    originals.save = timed(originals.save, "STORE originals.save")
    import kravspar.spend.matching.lines as lines

    lines._articles_for_pairs = timed(lines._articles_for_pairs, "_articles_for_pairs")
    Matcher._load_pairs = timed(Matcher._load_pairs, "_load_pairs")
    Matcher._match_contract = timed(Matcher._match_contract, "_match_contract")
    Matcher._count_spend = timed(Matcher._count_spend, "_count_spend")


bench_invoices.configure = configure
atexit.register(
    lambda: [print(f"  {v[0]:7.3f} s {v[1]:5d}  {k}") for k, v in sorted(acc.items(), key=lambda kv: -kv[1][0])]
)
bench_invoices.main()
