"""Mutation fuzzing of every reader: shared by the property tests (a few hundred inputs,
seconds) and ``bench/fuzz.py`` (a hundred thousand per reader).

A reader is a function from an input (bytes, or for questionnaire answers a JSON-like
value) to a result, with the exception classes that are its named refusals. Anything else
it raises is a crash. Inputs are mutations of seed files: byte-level (flips, inserts,
deletions, splices, truncation), structure-aware (an XML element's text or a CSV cell
replaced by a hostile value: ``99999999999999999999999999.999999``, ``1e999999999``,
``NaN``, a DTD, a NUL, ten thousand digits…), and for workbooks whole new .xlsx files
with typed hostile cells, or one XML part of a seed workbook mutated.

The readers that need the database (the contract, price-list and requirement imports
run their real dry run) take a ``Context`` with a contract and a user; the caller provides
a database (pytest-django, or the bench's throw-away SQLite).
"""

from __future__ import annotations

import atexit
import csv
import datetime
import io
import logging
import os
import random
import shutil
import struct
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

if TYPE_CHECKING:
    from kravspar.accounts.models import User
    from kravspar.contracts.models import Contract

ROOT = Path(__file__).resolve().parent.parent.parent


def find_shared_corpus() -> Path | None:
    """The shared third-party corpus (``shared/corpus``): ``KRAVSPAR_SHARED_CORPUS`` when set,
    else beside the checkout or beside one of the folders that hold it (a git worktree or a
    clone further down), else the development machines' ``/work/shared/corpus`` (where a
    fresh clone in a temporary folder still finds it, as CI's does). None when absent."""
    override = os.environ.get("KRAVSPAR_SHARED_CORPUS")
    if override:
        candidates = [Path(override)]
    else:
        candidates = [folder / "shared" / "corpus" for folder in ROOT.parents] + [Path("/work/shared/corpus")]
    return next((path for path in candidates if path.is_dir()), None)


# Where it was found; the first candidate (absent) otherwise, so that paths still compose and
# ``is_dir()`` answers False.
SHARED_CORPUS = find_shared_corpus() or ROOT.parent / "shared" / "corpus"

HUGE = "99999999999999999999999999.999999"
INTERESTING_TEXT = [
    HUGE,
    "-" + HUGE,
    "1e999999999",
    "1E-999999999",
    "-1e+99999",
    "0E+999999999",
    "NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "9" * 400,
    "0." + "0" * 300 + "1",
    "1_000",
    "١٢٣",
    "12,5",
    "1 200 000",
    "12.345678901234567890",
    "-0",
    "",
    " ",
    "\x00",
    "\ufeff",
    "x" * 5000,
    "2026-02-30",
    "9999-12-31",
    "0000-00-00",
    "2026-13-01",
    "<!DOCTYPE a [<!ENTITY b 'c'>]>",
    "&amp;&lt;",
    "]]>",
    "\u202e\u200b",
    "'; DROP TABLE x; --",
    "%s%s%s%(x)s",
    "{0}{1}",
    "ÅÄÖ åäö",
    "5560360793",
    "556036-0793",
    "232100-0172",
    "SE556036079301",
]
INTERESTING_CELLS: list[Any] = [
    *INTERESTING_TEXT[:20],
    1e308,
    -1e308,
    float("nan"),
    float("inf"),
    float("-inf"),
    5e-324,
    10**30,
    -(10**30),
    2**63,
    0,
    -1,
    True,
    False,
    None,
    datetime.datetime(1900, 1, 1),
    datetime.datetime(9999, 12, 31, 23, 59, 59),
    datetime.date(2026, 2, 28),
    datetime.time(12, 0),
    Decimal(HUGE),
]


@dataclass
class Context:
    """What the database-backed readers need: an importing user and a contract."""

    user: User | None = None
    contract: Contract | None = None


@dataclass
class Reader:
    name: str
    run: Callable[[Any], Any]
    refusals: tuple[type[BaseException], ...]
    seeds: list[Any]
    mutate: Callable[[random.Random, Any], Any]
    notes: str = ""
    temp: list[Path] = field(default_factory=list)


# --- Byte-level mutation -----------------------------------------------------------------


def mutate_bytes(rnd: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rnd.choice((1, 1, 2, 4, 8))):
        op = rnd.randrange(7)
        pos = rnd.randrange(len(buf) + 1)
        if op == 0 and buf:
            pos = min(pos, len(buf) - 1)
            buf[pos] ^= 1 << rnd.randrange(8)
        elif op == 1:
            buf[pos:pos] = bytes([rnd.randrange(256)])
        elif op == 2 and buf:
            del buf[pos : pos + rnd.randrange(1, 16)]
        elif op == 3:
            buf[pos:pos] = rnd.choice(INTERESTING_TEXT).encode("utf-8")
        elif op == 4 and buf:
            start = rnd.randrange(len(buf))
            chunk = buf[start : start + rnd.randrange(1, 64)]
            buf[pos:pos] = chunk * rnd.randrange(1, 4)
        elif op == 5:
            del buf[pos:]
        else:
            buf[pos:pos] = rnd.choice((b"<", b">", b"&", b'"', b";", b",", b"\n", b"\r", b"\xff\xfe", b"\xc3"))
    return bytes(buf)


# --- XML ---------------------------------------------------------------------------------

_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def mutate_xml(rnd: random.Random, data: bytes) -> bytes:
    """Replace the text (or an attribute) of some elements by hostile values, drop or
    duplicate an element; one time in four a byte-level mutation instead."""
    if rnd.random() < 0.25:
        return mutate_bytes(rnd, data)
    try:
        root = etree.fromstring(data, _XML_PARSER)
    except etree.XMLSyntaxError:
        return mutate_bytes(rnd, data)
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    for _ in range(rnd.choice((1, 1, 2, 3))):
        el = rnd.choice(elements)
        op = rnd.randrange(5)
        if op <= 1:
            el.text = rnd.choice(INTERESTING_TEXT).replace("\x00", "")
        elif op == 2 and el.attrib:
            key = rnd.choice(list(el.attrib))
            el.set(key, rnd.choice(INTERESTING_TEXT).replace("\x00", ""))
        elif op == 3 and el.getparent() is not None:
            parent = el.getparent()
            assert parent is not None
            parent.remove(el)
            elements = [e for e in root.iter() if isinstance(e.tag, str)]
        elif el.getparent() is not None:
            parent = el.getparent()
            assert parent is not None
            parent.insert(parent.index(el), etree.fromstring(etree.tostring(el)))
    out = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return mutate_bytes(rnd, out) if rnd.random() < 0.1 else out


# --- CSV and workbooks -------------------------------------------------------------------


def mutate_csv(rnd: random.Random, data: bytes) -> bytes:
    if rnd.random() < 0.3:
        return mutate_bytes(rnd, data)
    text = data.decode("utf-8-sig", errors="replace")
    lines = text.splitlines() or [""]
    sep = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    rows = [line.split(sep) for line in lines]
    for _ in range(rnd.choice((1, 2, 3))):
        r = rnd.randrange(len(rows))
        if rows[r] and rnd.random() < 0.85:
            c = rnd.randrange(len(rows[r]))
            rows[r][c] = rnd.choice(INTERESTING_TEXT)
        elif rnd.random() < 0.5:
            rows.insert(r, list(rows[r]))
        else:
            rows[r].append(rnd.choice(INTERESTING_TEXT))
    return ("\n".join(sep.join(row) for row in rows) + "\n").encode("utf-8")


def csv_rows(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8-sig")
    sep = ";" if text.split("\n", 1)[0].count(";") else ","
    return [line.split(sep) for line in text.splitlines()]


def workbook_bytes(rows: list[list[Any]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    # openpyxl refuses to write some values (NaN, control characters, huge ints as text is fine).
    if isinstance(value, str):
        return "".join(ch for ch in value if ch >= " " or ch in "\t\n\r")[:3000]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**53:
        return str(value)
    return value


def mutate_workbook(rnd: random.Random, seed: tuple[list[list[Any]], bytes]) -> bytes:
    """A new workbook from the seed's rows with hostile typed cells, one XML part of the
    seed workbook mutated, or the workbook's bytes mutated."""
    rows, data = seed
    choice = rnd.random()
    if choice < 0.4:
        new = [list(r) for r in rows]
        for _ in range(rnd.choice((1, 2, 4))):
            r = rnd.randrange(len(new))
            if new[r]:
                new[r][rnd.randrange(len(new[r]))] = rnd.choice(INTERESTING_CELLS)
        if rnd.random() < 0.2:
            new.append([rnd.choice(INTERESTING_CELLS) for _ in range(rnd.randrange(1, 12))])
        try:
            return workbook_bytes([[_cell(v) for v in row] for row in new])
        except (ValueError, TypeError):
            return data  # a value openpyxl will not write; the seed itself then
    if choice < 0.8:
        source = zipfile.ZipFile(io.BytesIO(data))
        infos = source.infolist()
        target_name = rnd.choice([i.filename for i in infos if i.filename.endswith((".xml", ".rels"))])
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in infos:
                content = source.read(info)
                if info.filename == target_name:
                    content = mutate_xml(rnd, content)
                target.writestr(info, content)
        return out.getvalue()
    return mutate_bytes(rnd, data)


def _suffix_by_content(data: bytes) -> str:
    return ".xlsx" if data.startswith(b"PK") else ".csv"


class _TempFiles:
    """One temporary folder per reader for readers that take a path."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="kravspar-fuzz-"))
        self.n = 0
        atexit.register(shutil.rmtree, self.dir, True)

    def write(self, data: bytes, suffix: str) -> Path:
        self.n += 1
        path = self.dir / f"input-{self.n % 4}{suffix}"
        path.write_bytes(data)
        return path


# --- The readers -------------------------------------------------------------------------


def ubl_reader(*, shared_corpus: bool = True) -> Reader:
    from kravspar.invoices.generate import SUPPLIERS, InvoiceSpec, Line, render
    from kravspar.invoices.ubl import InvoiceRejected, parse

    seeds: list[bytes] = []
    local = ROOT / "kravspar" / "invoices" / "tests" / "corpus"
    folders = [local] + ([SHARED_CORPUS / "peppol"] if shared_corpus and SHARED_CORPUS.is_dir() else [])
    for folder in folders:
        for path in sorted(folder.rglob("*.xml")):
            if "codelist" not in path.parts and path.stat().st_size < 300_000:
                seeds.append(path.read_bytes())
    seeds.append(
        render(
            InvoiceSpec(
                number="F-1",
                issue_date=datetime.date(2026, 3, 2),
                due_date=datetime.date(2026, 4, 1),
                seller=SUPPLIERS[0],
                buyer=SUPPLIERS[1],
                buyer_reference="X",
                order_reference="",
                contract_reference="",
                lines=[Line("A", "Sak", Decimal(3), "EA", Decimal("12.50"))],
            )
        )
    )
    return Reader("ubl", lambda data: parse(data, "fuzz.xml"), (InvoiceRejected,), seeds, mutate_xml)


def eforms_reader() -> Reader | None:
    """The eForms notice reader (issue 16), if this tree has it."""
    try:
        from kravspar.notices import eforms  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    seeds = []
    for folder in (ROOT / "kravspar" / "notices" / "tests" / "corpus", SHARED_CORPUS / "eforms-examples"):
        if folder.is_dir():
            seeds += [p.read_bytes() for p in sorted(folder.rglob("*.xml")) if p.stat().st_size < 300_000]
    if not seeds:
        return None
    refusals = tuple(
        cls for cls in (getattr(eforms, "NoticeRefused", None), getattr(eforms, "InvoiceRejected", None)) if cls
    )
    return Reader("eforms", eforms.parse, refusals, seeds, mutate_xml)


CONTRACT_CSV = (
    "Avtalsnummer;Avtalsnamn;Leverantör;Leverantörens organisationsnummer;Köpare;Beställare;Tecknat;"
    "Startdatum;Slutdatum;Värde;Förlängningsoptioner;Månader per förlängning\n"
    "RV-1;Städ;Glans AB;556036-0793;232100-0172;;2023-01-15;2023-02-01;2026-01-31;1 200 000;2;12\n"
    "RV-2;Tvätt;Tvätt AB;;232100-0032;;;2024-01-01;2027-12-31;800000,50;;\n"
).encode()


def _sheet_reader(name: str, csv_seed: bytes, run_bytes: Callable[[bytes], Any], refusals: Any) -> Reader:
    rows: list[list[Any]] = [list(r) for r in csv_rows(csv_seed)]
    typed = [rows[0]] + [[_typed(v) for v in row] for row in rows[1:]]
    workbook_seed = (typed, workbook_bytes(typed))

    def mutate(rnd: random.Random, seed: Any) -> bytes:
        return mutate_workbook(rnd, seed) if isinstance(seed, tuple) else mutate_csv(rnd, seed)

    return Reader(name, run_bytes, refusals, [csv_seed, workbook_seed], mutate)


def _typed(value: str) -> Any:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        pass
    try:
        return int(value.replace(" ", ""))
    except ValueError:
        return value


def contracts_reader(context: Context) -> Reader:
    from kravspar.reports import importing

    files = _TempFiles()

    def run(data: bytes) -> Any:
        path = files.write(data, _suffix_by_content(data))
        sheet = importing.read_sheet(path)
        mapping: dict[str, int | None] = dict(importing.guess_mapping(sheet.headers))
        if importing.validate_mapping(mapping, sheet.headers):
            raise importing.ImportFileError("mapping")
        assert context.user is not None
        result = importing.run_import(actor=context.user, sheet=sheet, mapping=mapping, commit=False)
        return result

    return _sheet_reader("contracts", CONTRACT_CSV, run, (importing.ImportFileError,))


PRICE_CSV = (
    "seller_item_id;gtin;name;unit_code;net_price;valid_from;valid_to;price_index;note\n"
    "ART-0001;;Handskar nitril;XBX;100,50;2025-02-01;;KPI;\n"
    "ART-0002;7300000000011;Förband;EA;10;;;;\n"
).encode()


def pricelists_reader(context: Context) -> Reader:
    from django.core.exceptions import ValidationError

    from kravspar.spend import pricelists

    def run(data: bytes) -> Any:
        assert context.contract is not None
        return pricelists.pricelist_import(actor=None, contract=context.contract, data=data, dry_run=True)

    return _sheet_reader("pricelists", PRICE_CSV, run, (ValidationError,))


REQUIREMENTS_CSV = (
    "title;type;text;level;criterion_ref;criterion_version;evidence;verified_when;binds_subcontractors;aims;source\n"
    "Fuzz krav ett;environment;Leverantören ska;bas;;;Intyg;after_contract;ja;;Upphandlingsmyndigheten\n"
    "Fuzz krav två;quality;Poäng för;;;;;;nej;;\n"
).encode()


def requirements_reader(context: Context) -> Reader:
    from django.core.exceptions import ValidationError

    from kravspar.requirements.services import library_import_csv

    def run(data: bytes) -> Any:
        return library_import_csv(actor=None, data=data, dry_run=True)

    return Reader("requirements", run, (ValidationError,), [REQUIREMENTS_CSV], mutate_csv)


LEDGER_COLUMNS = {
    "supplier_org_number": "Orgnr",
    "invoice_number": "Fakturanr",
    "invoice_date": "Fakturadatum",
    "cost_centre": "Ansvar",
    "account": "Konto",
    "amount": "Belopp",
    "quantity": "Antal",
    "article": "Artikel",
}
LEDGER_CSV = (
    b"Orgnr;Fakturanr;Fakturadatum;Ansvar;Konto;Belopp;Antal;Artikel\n"
    b"556036-0793;F-1;2026-01-15;1010;4010;1 250,50;2;ART-1\n"
    b"5560360793;F-2;20260116;1020;4010;-300;;\n"
)


def ledger_reader() -> Reader | None:
    """The financial-system (spend) export reader, if this tree has it: the reading and
    checking of every row, before anything is stored."""
    try:
        from kravspar.ledger.models import ColumnMapping
        from kravspar.ledger.services import LedgerRefused, read_rows
    except ImportError:
        return None
    mapping = ColumnMapping(columns=LEDGER_COLUMNS, cost_centres={"1010": "Kirurgkliniken"})
    reader = _sheet_reader("ledger", LEDGER_CSV, lambda data: read_rows(data, "fuzz", mapping), (LedgerRefused,))
    return reader


def _statistics_seeds() -> list[Any]:
    from kravspar.procurements import statistics as s

    header = [*s.PROCUREMENT_COLUMNS, s.VALUE]
    row = [
        "2021-1",
        "Region Västmanland",
        "232100-0172",
        "Tjänster",
        "90911200",
        "Öppet förfarande",
        "Kontrakt",
        "Städ",
        "2021-03-01",
        "1200000",
    ]
    supplier_header = [*s.PROCUREMENT_COLUMNS, s.SUPPLIER, s.SUPPLIER_SIZE, s.SUPPLIER_SECTOR, s.LOT, s.TENDERS]
    supplier_row = [*row[:9], "Glans AB", "Små företag", "Privat", "1", "1"]
    procurement_header = [*s.PROCUREMENT_COLUMNS, s.COUNT]
    seeds: list[Any] = []
    for h, r in ((header, row), (supplier_header, supplier_row), (procurement_header, [*row[:9], "1"])):
        text = ",".join(h) + "\n" + ",".join(r) + "\n"
        seeds.append(text.encode())
        rows = [h, [_typed(v) for v in r]]
        seeds.append((rows, workbook_bytes(rows)))
    return seeds


def statistics_reader() -> Reader:
    from kravspar.procurements import statistics as s

    files = _TempFiles()

    def run(data: bytes) -> Any:
        path = files.write(data, _suffix_by_content(data))
        with s.open_rows(path) as (header, rows):
            kind = s.detect_kind(header, path.name)
            parser = s.Parser(kind, header, {"90911200", "33631600"})
            out = []
            for number, values in enumerate(rows, start=2):
                out.append(parser.parse(number, values))
            return out

    def mutate(rnd: random.Random, seed: Any) -> bytes:
        return mutate_workbook(rnd, seed) if isinstance(seed, tuple) else mutate_csv(rnd, seed)

    return Reader("statistics", run, (s.StatisticsFileError,), _statistics_seeds(), mutate)


def _questions() -> list[Any]:
    from kravspar.questionnaires.models import Question, QuestionType

    out = []
    for n, kind in enumerate(QuestionType.values):
        q = Question(type=kind, text=f"Fråga {n}", options=["Ett", "Två"] if kind in ("single", "multiple") else [])
        out.append(q)
    return out


def random_json(rnd: random.Random, depth: int = 0) -> Any:
    pick = rnd.randrange(9 if depth < 3 else 6)
    if pick == 0:
        return rnd.choice(INTERESTING_TEXT)
    if pick == 1:
        return rnd.choice([v for v in INTERESTING_CELLS if not isinstance(v, datetime.date | datetime.time)])
    if pick == 2:
        return rnd.choice(["yes", "no", "ja", "Ett", "Två", "2026-03-01", "38", "12,5", True, False])
    if pick == 3:
        return rnd.randint(-(2**70), 2**70)
    if pick == 4:
        return rnd.uniform(-1e300, 1e300)
    if pick == 5:
        return "".join(chr(rnd.randrange(0x20, 0x3000)) for _ in range(rnd.randrange(0, 30)))
    if pick in (6, 7):
        return [random_json(rnd, depth + 1) for _ in range(rnd.randrange(0, 4))]
    return {rnd.choice(["file", "name", "x"]): random_json(rnd, depth + 1) for _ in range(rnd.randrange(0, 3))}


def answers_reader() -> Reader:
    from kravspar.questionnaires.answers import clean_answers

    questions = _questions()

    def run(raw: dict[str, Any]) -> Any:
        return clean_answers(questions, raw)

    def mutate(rnd: random.Random, _seed: Any) -> dict[str, Any]:
        return {q.key: random_json(rnd) for q in questions if rnd.random() < 0.7}

    return Reader("answers", run, (), [{}], mutate, notes="generated answers to one question of each type")


def readers(context: Context | None, *, shared_corpus: bool = True) -> list[Reader]:
    """Every reader; the database-backed ones only with a context."""
    out = [ubl_reader(shared_corpus=shared_corpus)]
    if (eforms := eforms_reader()) is not None:
        out.append(eforms)
    if (ledger := ledger_reader()) is not None:
        out.append(ledger)
    out += [statistics_reader(), answers_reader()]
    if context is not None:
        out += [contracts_reader(context), pricelists_reader(context), requirements_reader(context)]
    return out


# --- The row layer -----------------------------------------------------------------------
#
# A workbook costs openpyxl 10–300 ms to write and read, so 10^5 whole workbooks per reader
# take hours. The cells are where the hostile values are, though: the row layer feeds each
# reader's per-row code the cells an Excel sheet can hold (text, int, float, bool, date,
# datetime, time, None; and Decimal) directly, a seed row with one to three cells replaced
# by generated or hostile values, sometimes cut short or with extra cells, behind the
# reader's real header. Whole mutated workbooks (``readers``) stay the file layer.


class RowRefused(Exception):
    """The reader refused the row with its own messages (a result, not an exception)."""


_SEPARATED = ["1 234,56", "1.234,56", "1,234.56", "12 %", "kr 100", "100 kr", "−5", "+7", "1e3", "0x10", "١٢٣٫٤"]


def generated_cell(rnd: random.Random) -> Any:
    """One cell value of any type a sheet reader meets, often hostile."""
    pick = rnd.randrange(11)
    if pick == 0:
        return rnd.choice(INTERESTING_CELLS)
    if pick == 1:
        return rnd.choice(INTERESTING_TEXT)
    if pick == 2:
        bound = 10 ** rnd.randrange(1, 40)
        return rnd.randint(-bound, bound)
    if pick == 3:
        return struct.unpack("<d", rnd.randbytes(8))[0]  # any double: NaN, inf, subnormal…
    if pick == 4:
        digits = "".join(rnd.choice("0123456789") for _ in range(rnd.randrange(1, 40)))
        text = rnd.choice(["", "-", "+"]) + digits
        if rnd.random() < 0.5:
            text += rnd.choice([".", ","]) + "".join(rnd.choice("0123456789") for _ in range(rnd.randrange(0, 30)))
        if rnd.random() < 0.3:
            text += rnd.choice("eE") + str(rnd.randint(-99999, 99999))
        return text
    if pick == 5:
        day = datetime.date.fromordinal(rnd.randint(1, datetime.date.max.toordinal()))
        if rnd.random() < 0.5:
            return day
        return datetime.datetime.combine(day, datetime.time(rnd.randrange(24), rnd.randrange(60)))
    if pick == 6:
        return "".join(chr(rnd.randrange(0x20, 0x3000)) for _ in range(rnd.randrange(0, 40)))
    if pick == 7:
        return rnd.choice(_SEPARATED)
    if pick == 8:
        return "".join(rnd.choice("0123456789-– ") for _ in range(rnd.randrange(0, 16)))
    if pick == 9:
        return rnd.choice([None, "", " ", "\t", 0.0, -0.0, datetime.time(0, 0), datetime.timedelta(days=1)])
    return rnd.choice([True, False, 1.5, 0.1, 1e-7, 123456789.123456789, 2**53 + 1])


def mutate_row(rnd: random.Random, row: list[Any]) -> list[Any]:
    new = list(row)
    for _ in range(rnd.choice((1, 1, 2, 3))):
        if new:
            new[rnd.randrange(len(new))] = generated_cell(rnd)
    roll = rnd.random()
    if roll < 0.08:
        del new[rnd.randrange(len(new) + 1) :]
    elif roll < 0.16:
        new.extend(generated_cell(rnd) for _ in range(rnd.randrange(1, 4)))
    return new


def _header_and_rows(csv_seed: bytes) -> tuple[list[str], list[list[Any]]]:
    rows = csv_rows(csv_seed)
    return rows[0], [[_typed(v) for v in row] for row in rows[1:]] + rows[1:]


def contracts_rows(context: Context) -> Reader:
    """The register import's rows (``run_import``'s per-row check and dry run)."""
    from kravspar.reports import importing

    header, seeds = _header_and_rows(CONTRACT_CSV)
    mapping: dict[str, int | None] = dict(importing.guess_mapping(header))

    def run(cells: list[Any]) -> Any:
        assert context.user is not None
        values = list(cells) + [None] * (len(header) - len(cells))  # as read_sheet pads them
        sheet = importing.Sheet(headers=header, rows=[(2, values)])
        result = importing.run_import(actor=context.user, sheet=sheet, mapping=mapping, commit=False)
        if result.errors:
            raise RowRefused(result.errors)
        return result

    return Reader("contracts-rows", run, (RowRefused,), seeds, mutate_row)


def pricelists_rows(context: Context) -> Reader:
    """The price-list import's rows: its dry run with the workbook's rows given directly."""
    from unittest import mock

    from django.core.exceptions import ValidationError

    from kravspar.spend import pricelists

    header, seeds = _header_and_rows(PRICE_CSV)

    def run(cells: list[Any]) -> Any:
        assert context.contract is not None
        rows = pricelists._rows_with_header([header, cells])
        with mock.patch.object(pricelists, "_rows_from_xlsx", lambda _data: rows):
            return pricelists.pricelist_import(
                actor=None, contract=context.contract, data=pricelists.XLSX_MAGIC, file_name="rows.xlsx", dry_run=True
            )

    return Reader("pricelists-rows", run, (ValidationError,), seeds, mutate_row)


def ledger_rows() -> Reader | None:
    """The financial-system export's rows: ``read_rows`` with the sheet's rows given directly."""
    from unittest import mock

    try:
        from kravspar.ledger import services
        from kravspar.ledger.models import ColumnMapping
    except ImportError:
        return None
    mapping = ColumnMapping(columns=LEDGER_COLUMNS, cost_centres={"1010": "Kirurgkliniken"})
    header, seeds = _header_and_rows(LEDGER_CSV)

    def run(cells: list[Any]) -> Any:
        with mock.patch.object(services, "_table", lambda _data, _name: iter([header, list(cells)])):
            return services.read_rows(b"PK\x03\x04", "rows.xlsx", mapping)

    return Reader("ledger-rows", run, (services.LedgerRefused,), seeds, mutate_row)


def statistics_rows() -> Reader:
    """Upphandlingsmyndigheten's files' rows (``Parser.parse``), for each kind of file."""
    from kravspar.procurements import statistics as s

    parsers = []
    seeds: list[Any] = []
    for seed in _statistics_seeds():
        if isinstance(seed, tuple):
            header, row = seed[0]
            parsers.append(s.Parser(s.detect_kind(header, "fuzz.xlsx"), header, {"90911200", "33631600"}))
            seeds.append((len(parsers) - 1, row))

    def run(value: tuple[int, list[Any]]) -> Any:
        which, cells = value
        row, problems = parsers[which].parse(2, tuple(cells))
        if row is None:
            raise RowRefused(problems)
        return row

    def mutate(rnd: random.Random, seed: tuple[int, list[Any]]) -> tuple[int, list[Any]]:
        return seed[0], mutate_row(rnd, seed[1])

    return Reader("statistics-rows", run, (RowRefused,), seeds, mutate)


def requirements_rows() -> Reader:
    """The requirement library's CSV import, one row of generated cells under its header
    (the import is CSV only: a cell is text, written as a spreadsheet program would)."""
    from django.core.exceptions import ValidationError

    from kravspar.requirements.services import library_import_csv

    header, seeds = _header_and_rows(REQUIREMENTS_CSV)

    def run(cells: list[Any]) -> Any:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow(header)
        writer.writerow(["" if c is None else str(c) for c in cells])
        return library_import_csv(actor=None, data=out.getvalue().encode("utf-8", "surrogatepass"), dry_run=True)

    return Reader("requirements-rows", run, (ValidationError,), seeds, mutate_row)


def row_readers(context: Context | None) -> list[Reader]:
    """The row layer of every sheet reader; the database-backed ones only with a context."""
    out = [statistics_rows()]
    if (ledger := ledger_rows()) is not None:
        out.append(ledger)
    if context is not None:
        out += [contracts_rows(context), pricelists_rows(context), requirements_rows()]
    return out


class _InternalErrors(logging.Handler):
    """Collects the exceptions the readers catch and log as internal errors
    (``core.failures.log_internal_error``): a row or file refused as "internal error" is a
    bug met by the input, so the fuzzer counts it as a crash, not as a refusal."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.caught: list[BaseException] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.caught.append(record.exc_info[1])


_INTERNAL = _InternalErrors()
logging.getLogger("kravspar.failures").addHandler(_INTERNAL)


def try_one(reader: Reader, value: Any) -> str:
    """'ok' or 'refused'; any other exception propagates (a crash), and so does the first
    exception the reader caught itself and logged as an internal error."""
    _INTERNAL.caught.clear()
    try:
        reader.run(value)
    except reader.refusals:
        outcome = "refused"
    else:
        outcome = "ok"
    if _INTERNAL.caught:
        raise _INTERNAL.caught[0]
    return outcome


def inputs(reader: Reader, rnd: random.Random) -> Any:
    return reader.mutate(rnd, rnd.choice(reader.seeds))
