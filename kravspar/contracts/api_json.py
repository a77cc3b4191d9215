"""GET /api/v1/contracts written straight from database rows to JSON bytes (issue 15).

The page's rows are fetched on the DB-API cursor, without the ORM's per-value converters,
and each value is written as the JSON text that ninja's renderer (``json.dumps`` with
``DjangoJSONEncoder``) writes for what the converters would have returned: the same keys
in the same order as ``ContractOut``, the same separators, ASCII-escaped strings, dates as
ISO dates, datetimes in UTC with milliseconds and "Z", decimals as strings with the field's
decimal places, uuids with dashes. The queries are the ORM's own (the page compiled from
``contract_list``'s queryset, so visibility and filters are unchanged) and one per party
kind, ordered by name as before. ``test_api_rows.py`` holds the answer equal to
``ContractOut``'s serialisation of the same contracts.
"""

from __future__ import annotations

import datetime
import decimal
import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from uuid import UUID

from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import QuerySet

from kravspar.contracts.models import Contract
from kravspar.core.dates import add_months as _add_months

# The contracts of a page end on a few days with a few extension lengths: computed once.
add_months = lru_cache(maxsize=4096)(_add_months)
_string: Callable[[str], str] = json.encoder.encode_basestring_ascii


def _text(value: str | None) -> str:
    return "null" if value is None else _string(value)


def _uuid(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, UUID):
        return f'"{value}"'
    # A database without a uuid type (SQLite) stores the 32 hex digits.
    value = value.replace("-", "")
    return f'"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"'


def _date(value: datetime.date | str | None) -> str:
    if value is None:
        return "null"
    return f'"{value if isinstance(value, str) else value.isoformat()}"'


def _datetime(value: datetime.datetime | None) -> str:
    """As ``DjangoJSONEncoder``: milliseconds, and UTC as "Z" (SQLite's naive values are UTC)."""
    if value is None:
        return "null"
    text = value.isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    if value.tzinfo is None:
        text += "Z"
    elif text.endswith("+00:00"):
        text = text[:-6] + "Z"
    return f'"{text}"'


def _int(value: int | None) -> str:
    return "null" if value is None else str(int(value))


def _bool(value: Any) -> str:
    return "true" if value else "false"


def _decimal(field: models.DecimalField[Any, Any]) -> Callable[[Any], str]:
    """The field's value as the ORM gives it (SQLite keeps a number; its converter makes a
    Decimal of 15 significant digits with the field's places), as a JSON string."""
    create = decimal.Context(prec=15).create_decimal_from_float
    places = decimal.Decimal(1).scaleb(-(field.decimal_places or 0))
    context = field.context

    def write(value: Any) -> str:
        if value is None:
            return "null"
        if not isinstance(value, decimal.Decimal):
            value = create(value).quantize(places, context=context)
        return f'"{value}"'

    return write


# ContractOut's fields in its order: (key, the page column or None for a computed one, writer).
_meta = Contract._meta
FIELDS: list[tuple[str, str | None, Callable[[Any], str]]] = [
    ("uuid", "uuid", _uuid),
    ("contract_number", "contract_number", _text),
    ("title", "title", _text),
    ("diary_number", "diary_number", _text),
    ("procurement", "procurement__uuid", _uuid),
    ("suppliers", None, str),
    ("buyers", None, str),
    ("signed_on", "signed_on", _date),
    ("starts_on", "starts_on", _date),
    ("ends_on", "ends_on", _date),
    ("effective_end", None, _date),
    ("extension_options", "extension_options", _int),
    ("extension_months", "extension_months", _int),
    ("extensions_used", "options_used", _int),
    ("value", "value", _decimal(_meta.get_field("value"))),
    ("fine_per_week", "fine_per_week", _decimal(_meta.get_field("fine_per_week"))),
    ("fine_cap_weeks", "fine_cap_weeks", _int),
    ("termination_grounds", "termination_grounds", _text),
    ("status", "status", _text),
    ("ended_on", "ended_on", _date),
    ("end_reason", "end_reason", _text),
    ("strategy_missing", "strategy_missing", _bool),
    ("strategy_version", "strategy_version", _int),
    ("version", "version", _int),
    ("created_at", "created_at", _datetime),
    ("updated_at", "updated_at", _datetime),
]
_COLUMNS = ["pk", "months_used", *(column for _key, column, _write in FIELDS if column)]
_TEMPLATE = "{" + ", ".join(f'"{key}": %s' for key, _column, _write in FIELDS) + "}"


def _parties(field: str, ids: list[int]) -> dict[int, str]:
    """Each contract's suppliers or buyers as a JSON list of {"uuid", "name"}, ordered by name
    (then id) as the schema's lists are: one query."""
    through = getattr(Contract, field).through
    party_fk = next(f for f in through._meta.concrete_fields if f.is_relation and f.related_model is not Contract)
    contract_fk = through._meta.get_field("contract")
    party = party_fk.related_model._meta
    q = connection.ops.quote_name
    table, party_table = q(through._meta.db_table), q(party.db_table)
    party_id, contract_id = q(party_fk.column), q(contract_fk.column)
    placeholders = ", ".join(["%s"] * len(ids))
    # Only quoted names from the models' own metadata are formatted in; the ids are parameters.
    sql = (
        f"SELECT t.{contract_id}, p.{q(party.get_field('uuid').column)}, p.{q(party.get_field('name').column)} "  # noqa: S608
        f"FROM {table} t INNER JOIN {party_table} p ON p.{q(party.pk.column)} = t.{party_id} "
        f"WHERE t.{contract_id} IN ({placeholders}) ORDER BY p.{q(party.get_field('name').column)}, t.{party_id}"
    )
    found: dict[int, list[str]] = {pk: [] for pk in ids}
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        for contract, uuid, name in cursor.fetchall():
            found[contract].append(f'{{"uuid": {_uuid(uuid)}, "name": {_string(name)}}}')
    return {pk: "[" + ", ".join(parties) + "]" for pk, parties in found.items()}


def contract_page_json(qs: QuerySet[Contract], offset: int, limit: int) -> bytes:
    """``{"items": [ContractOut, ...], "count": N}`` of ``qs[offset:offset + limit]`` as the
    JSON bytes ninja's renderer writes; ``qs`` must be annotated by ``with_extensions``."""
    try:
        sql, params = _page_sql(qs, offset, limit)
    except EmptyResultSet:  # nothing visible (``none()``): no query at all, as the ORM does
        rows: list[tuple[Any, ...]] = []
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    ids = [row[0] for row in rows]
    suppliers = _parties("suppliers", ids) if ids else {}
    buyers = _parties("buyers", ids) if ids else {}
    write = _row_writer()
    items = [write(row, suppliers, buyers) for row in rows]
    body = '{"items": [' + ", ".join(items) + '], "count": ' + str(qs.count()) + "}"
    return body.encode()


# The page query's SQL by the SQL of the same page selecting only the id, which compiles in a
# fifth of the time: both come from the same filters, order and limits, so the same id-only
# SQL always has the same full SQL, whose parameters are its select list's (fixed) followed by
# the id-only query's. Checked when an entry is made; bounded.
_page_sql_cache: dict[tuple[str, str], tuple[str, tuple[Any, ...]]] = {}


def _page_sql(qs: QuerySet[Contract], offset: int, limit: int) -> tuple[str, tuple[Any, ...]]:
    lean = qs.values_list("pk")[offset : offset + limit].query.get_compiler(connection=connection)
    lean_sql, lean_params = lean.as_sql()
    key = (connection.alias, lean_sql)
    cached = _page_sql_cache.get(key)
    if cached is None:
        page = qs.values_list(*_COLUMNS)[offset : offset + limit]
        sql, params = page.query.get_compiler(connection=connection).as_sql()
        head = len(params) - len(lean_params)
        if head < 0 or tuple(params[head:]) != tuple(lean_params):
            return sql, tuple(params)  # not the expected shape: compiled every time
        if len(_page_sql_cache) >= 1000:
            _page_sql_cache.clear()
        cached = _page_sql_cache[key] = (sql, tuple(params[:head]))
    sql, head_params = cached
    return sql, (*head_params, *lean_params)


_writer: Callable[[tuple[Any, ...], dict[int, str], dict[int, str]], str] | None = None


def _row_writer() -> Callable[[tuple[Any, ...], dict[int, str], dict[int, str]], str]:
    """One function from a page row (and its parties' JSON) to its JSON object, compiled once
    per process: a generic loop of a writer per value cost more than the page's SQL."""
    global _writer
    if _writer is None:
        _writer = _compile_writer()
    return _writer


def _compile_writer() -> Callable[[tuple[Any, ...], dict[int, str], dict[int, str]], str]:
    index = {column: n for n, column in enumerate(_COLUMNS)}
    namespace: dict[str, Any] = {
        "_string": _string,
        "_date": _date,
        "_as_date": _as_date,
        "add_months": add_months,
        "_text": _text,
        "_int": _int,
    }
    parts = []
    for n, (key, column, write) in enumerate(FIELDS):
        if key in ("suppliers", "buyers"):
            parts.append(f"{key}[row[0]]")
        elif key == "effective_end":
            parts.append(f"_date(add_months(_as_date(row[{index['ends_on']}]), int(row[{index['months_used']}] or 0)))")
        elif write is _text and not _meta_null(column):
            parts.append(f"_string(row[{index[column or '']}])")
        elif write is _int and not _meta_null(column):
            parts.append(f"str(row[{index[column or '']}])")
        elif write is _bool:
            parts.append(f"('true' if row[{index[column or '']}] else 'false')")
        else:
            namespace[f"w{n}"] = write
            parts.append(f"w{n}(row[{index[column or '']}])")
    template = _TEMPLATE
    namespace["template"] = template
    # Only column indexes and local names go into the source; the values stay in the namespace.
    return eval(f"lambda row, suppliers, buyers: template % ({', '.join(parts)},)", namespace)  # noqa: S307


def _meta_null(column: str | None) -> bool:
    """Whether the page column can be NULL (the extensions used are counted, never NULL)."""
    if column in (None, "options_used", "months_used", "pk"):
        return False
    return bool(_meta.get_field(column).null)


def _as_date(value: datetime.date | str) -> datetime.date:
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value
