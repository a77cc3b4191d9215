"""Every change to a contract's price list: articles entered by hand, changed with
optimistic locking, deleted, and imported from a CSV or Excel file after a dry run.

An import is all or nothing: every row is checked first, and if any row is wrong nothing
changes and the errors are reported row by row (as the requirement library's CSV import).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from stdnum import ean
from stdnum.exceptions import ValidationError as StdnumError

from kravspar.accounts import access
from kravspar.accounts.roles import Perm
from kravspar.audit.services import audit_record, snapshot
from kravspar.contracts.models import Contract
from kravspar.core import failures, numbers, workbooks
from kravspar.core import services as core_services
from kravspar.core.errors import DomainError, NotAllowedError
from kravspar.spend.models import PriceListArticle
from kravspar.spend.units import UNITS

if TYPE_CHECKING:
    from kravspar.accounts.models import User

ARTICLE_FIELDS = [
    "seller_item_id",
    "gtin",
    "name",
    "unit_code",
    "net_price",
    "currency",
    "valid_from",
    "valid_to",
    "price_index",
    "note",
]

# The import's columns, in order, with the Swedish headings also accepted.
IMPORT_COLUMNS = [
    "seller_item_id",
    "gtin",
    "name",
    "unit_code",
    "net_price",
    "valid_from",
    "valid_to",
    "price_index",
    "note",
]
COLUMN_ALIASES = {
    "artikelnummer": "seller_item_id",
    "artikelnr": "seller_item_id",
    "ean": "gtin",
    "benämning": "name",
    "benamning": "name",
    "enhet": "unit_code",
    "unit": "unit_code",
    "pris": "net_price",
    "avtalat pris": "net_price",
    "price": "net_price",
    "giltig från": "valid_from",
    "giltig fran": "valid_from",
    "giltig till": "valid_to",
    "index": "price_index",
    "prisindex": "price_index",
    "anteckning": "note",
}
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 20000
XLSX_MAGIC = b"PK\x03\x04"


class ArticleInUseError(DomainError):
    code = "article_in_use"
    status = 409


def _require_manage(actor: User | None) -> None:
    # actor=None is the system itself (the demo, commands).
    if actor is not None and not access.has_perm(actor, Perm.MANAGE_CONTRACTS):
        raise NotAllowedError()


def _overlaps(a_from: Any, a_to: Any, b_from: Any, b_to: Any) -> bool:
    start_a, end_a = a_from or datetime.date.min, a_to or datetime.date.max
    start_b, end_b = b_from or datetime.date.min, b_to or datetime.date.max
    return start_a <= end_b and start_b <= end_a


def _field_errors(article: PriceListArticle) -> dict[str, list[str]]:
    """Check one article on its own; normalises the text fields in place."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name in ("seller_item_id", "gtin", "name", "price_index", "note", "unit_code", "currency"):
        setattr(article, name, str(getattr(article, name) or "").strip())
    article.gtin = article.gtin.replace(" ", "")
    article.unit_code = article.unit_code.upper()
    article.currency = (article.currency or "SEK").upper()
    if not article.seller_item_id and not article.gtin:
        add("seller_item_id", _("Seller's item id: give the supplier's article number, a GTIN or both."))
    if article.gtin:
        try:
            if len(article.gtin) not in (8, 12, 13, 14):
                raise StdnumError
            ean.validate(article.gtin)
        except StdnumError:
            add(
                "gtin",
                _("GTIN: “%(value)s” is not a valid GTIN (8, 12, 13 or 14 digits with a correct check digit).")
                % {"value": article.gtin},
            )
    if not article.name:
        add("name", _("Name: write the article's name."))
    if article.unit_code not in UNITS:
        add(
            "unit_code",
            _(
                "Unit: “%(value)s” is not one of the units in the list "
                "(UN/ECE Recommendation 20 codes such as EA, KGM, HUR)."
            )
            % {"value": article.unit_code},
        )
    if article.net_price is None:
        add("net_price", _("Agreed net price: write the price per unit excluding VAT."))
    elif not isinstance(article.net_price, Decimal) or article.net_price < 0:
        add("net_price", _("Agreed net price: the price cannot be negative."))
    elif article.net_price.as_tuple().exponent < -4 or article.net_price >= Decimal(10) ** 10:  # type: ignore[operator]
        add("net_price", _("Agreed net price: at most 10 digits before and 4 after the decimal point."))
    if article.currency != "SEK":
        add("currency", _("Currency: price lists are kept in SEK."))
    if article.valid_from and article.valid_to and article.valid_to < article.valid_from:
        add("valid_to", _("Valid to: the end cannot be before the start."))
    return errors


def _conflict(article: PriceListArticle, others: Iterable[PriceListArticle]) -> str | None:
    for other in others:
        if other is article or (other.pk is not None and other.pk == article.pk):
            continue
        same_id = article.seller_item_id and other.seller_item_id == article.seller_item_id
        same_gtin = article.gtin and other.gtin == article.gtin
        if (same_id or same_gtin) and _overlaps(article.valid_from, article.valid_to, other.valid_from, other.valid_to):
            key = article.seller_item_id if same_id else article.gtin
            return _(
                "The article %(key)s is already in the price list for a period that overlaps this one. "
                "End the earlier period (valid to) before adding a new price."
            ) % {"key": key}
    return None


def clean_article(article: PriceListArticle) -> None:
    errors = _field_errors(article)
    if not errors:
        others = PriceListArticle.objects.filter(contract_id=article.contract_id).exclude(pk=article.pk)
        if message := _conflict(article, others):
            errors["valid_from"] = [message]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def article_create(*, actor: User | None, contract: Contract, **fields: Any) -> PriceListArticle:
    """Add an article to the contract's price list."""
    _require_manage(actor)
    unknown = set(fields) - set(ARTICLE_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    article = PriceListArticle(contract=contract, **fields)
    clean_article(article)
    article.save()
    audit_record(
        actor=actor,
        action="pricelist.article_added",
        obj=article,
        after=snapshot(article, ARTICLE_FIELDS) | {"contract": contract.contract_number},
    )
    return article


@transaction.atomic
def article_update(
    *, actor: User | None, article: PriceListArticle, expected_version: int | None, **changes: Any
) -> PriceListArticle:
    """Change an article; refused if someone saved it after ``expected_version`` was read."""
    _require_manage(actor)
    locked = core_services.lock(PriceListArticle.objects.select_related("contract"), article.pk, expected_version)
    core_services.update_fields(
        actor=actor,
        obj=locked,
        fields=ARTICLE_FIELDS,
        changes=changes,
        clean=clean_article,
        action="pricelist.article_changed",
    )
    return locked


@transaction.atomic
def article_delete(*, actor: User | None, article: PriceListArticle, expected_version: int | None = None) -> None:
    """Delete an article that no invoice line was matched to. One that was used stays, so
    the matches keep their evidence; end its period instead."""
    from kravspar.spend.models import LineMatch

    _require_manage(actor)
    locked = core_services.lock(PriceListArticle.objects.select_related("contract"), article.pk, expected_version)
    used = LineMatch.objects.filter(article=locked).count()
    if used:
        raise ArticleInUseError(
            _(
                "%(count)d invoice lines are matched to this article, so it cannot be deleted. "
                "Set its “valid to” date instead."
            )
            % {"count": used}
        )
    audit_record(
        actor=actor,
        action="pricelist.article_deleted",
        obj=locked,
        before=snapshot(locked, ARTICLE_FIELDS) | {"contract": locked.contract.contract_number},
        after={},
    )
    locked.delete()


# --- Import ------------------------------------------------------------------------------


def _rows_from_csv(data: bytes) -> Iterator[dict[str, Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("The file is not UTF-8 text. Save it as CSV UTF-8 and try again.")) from None
    try:
        dialect: Any = csv.Sniffer().sniff(text.splitlines()[0] if text else "", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect=dialect)
    try:
        yield from _rows_with_header(reader)
    except csv.Error:
        # A field over the csv module's limit (128 kB) or a broken quote.
        raise ValidationError(_("The CSV file cannot be read; save it again as CSV.")) from None


def _rows_from_xlsx(data: bytes) -> Iterator[dict[str, Any]]:
    try:
        with workbooks.first_sheet_rows(data) as rows:
            yield from _rows_with_header(rows)
    except workbooks.WorkbookRefused as exc:
        if exc.reason == "not_a_workbook":
            raise ValidationError(
                _("The Excel file could not be read. Save it again as .xlsx and try again.")
            ) from None
        raise ValidationError(str(exc)) from None


def _rows_with_header(rows: Iterable[Iterable[Any]]) -> Iterator[dict[str, Any]]:
    iterator = iter(rows)
    header = next(iterator, None)
    if header is None:
        raise ValidationError(_("The file is empty."))
    names = []
    for cell in header:
        name = str(cell or "").strip().lower()
        names.append(COLUMN_ALIASES.get(name, name))
    missing = {"name", "unit_code", "net_price"} - set(names)
    if not {"seller_item_id", "gtin"} & set(names):
        missing.add("seller_item_id")
    if missing:
        raise ValidationError(_("The file lacks the columns %(columns)s.") % {"columns": ", ".join(sorted(missing))})
    for values in iterator:
        row = {name: value for name, value in zip(names, values, strict=False) if name}
        if all(v is None or str(v).strip() == "" for v in row.values()):
            continue
        yield row


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _decimal(value: Any) -> Decimal | None:
    """The agreed net price within PriceListArticle.net_price (DecimalField(14, 4)), or
    ValueError (``NumberRefused`` says why)."""
    if value is None or _text(value) == "":
        return None
    return numbers.parse_decimal(value, places=4, digits=14)


def _date(value: Any) -> datetime.date | None:
    if value is None or _text(value) == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(_text(value))


def detect_format(data: bytes, file_name: str = "") -> str:
    """ "xlsx" or "csv", by the content; the file name only breaks no ties."""
    if data.startswith(XLSX_MAGIC):
        return "xlsx"
    if b"\x00" in data[:4096]:
        raise ValidationError(_("The file is neither CSV text nor an Excel (.xlsx) workbook."))
    return "csv"


def pricelist_import(
    *, actor: User | None, contract: Contract, data: bytes, file_name: str = "", dry_run: bool = False
) -> dict[str, Any]:
    """See ``_pricelist_import``. A bug met by this file (anything but the file's own refusal
    or a permission error) refuses it as an internal error with a reference (the log has the
    traceback); nothing is stored, as with any refusal."""
    try:
        return _pricelist_import(actor=actor, contract=contract, data=data, file_name=file_name, dry_run=dry_run)
    except (ValidationError, PermissionDenied, DomainError):
        raise
    except Exception as exc:
        reference = failures.log_internal_error(f"price-list file {file_name or '-'} for {contract}", exc)
        raise ValidationError(failures.internal_error_text(reference)) from None


def _pricelist_import(
    *, actor: User | None, contract: Contract, data: bytes, file_name: str = "", dry_run: bool = False
) -> dict[str, Any]:
    """Import articles into the contract's price list from CSV (UTF-8, comma or semicolon
    separated) or Excel (.xlsx, first sheet), with a header row naming the columns in
    IMPORT_COLUMNS (or their Swedish headings).

    An article with the same seller's item id, GTIN and valid-from date as one already in
    the list is updated; every other row is added. Nothing changes if any row is wrong."""
    _require_manage(actor)
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError(_("The file is larger than 5 MB. Split it into smaller files."))
    rows = _rows_from_xlsx(data) if detect_format(data, file_name) == "xlsx" else _rows_from_csv(data)
    existing = list(PriceListArticle.objects.filter(contract=contract))
    by_key = {(a.seller_item_id, a.gtin, a.valid_from): a for a in existing}
    checked: list[tuple[PriceListArticle, bool, dict[str, Any]]] = []
    errors: list[str] = []
    seen: dict[tuple[str, str, Any], int] = {}
    for number, row in enumerate(rows, start=2):
        if number - 1 > MAX_IMPORT_ROWS:
            raise ValidationError(
                _("The file has more than %(max)d rows. Split it into smaller files.") % {"max": MAX_IMPORT_ROWS}
            )
        row_errors: list[str] = []
        values: dict[str, Any] = {}
        for name in ("seller_item_id", "gtin", "name", "unit_code", "price_index", "note"):
            values[name] = _text(row.get(name))
        try:
            values["net_price"] = _decimal(row.get("net_price"))
        except numbers.NumberRefused as exc:
            if exc.reason == numbers.Reason.NOT_A_NUMBER:
                price_error = _("Agreed net price: “%(value)s” is not a number.") % {
                    "value": _text(row.get("net_price"))
                }
            else:
                price_error = _("Agreed net price: %(error)s") % {"error": numbers.refusal_text(exc)}
            row_errors.append(price_error)
            values["net_price"] = Decimal(0)
        for name, label in (("valid_from", _("Valid from")), ("valid_to", _("Valid to"))):
            try:
                values[name] = _date(row.get(name))
            except ValueError:
                row_errors.append(
                    _("%(field)s: “%(value)s” is not a date; write it as YYYY-MM-DD.")
                    % {"field": label, "value": _text(row.get(name))}
                )
                values[name] = None
        key = (values["seller_item_id"], values["gtin"].replace(" ", ""), values["valid_from"])
        article = by_key.get(key)
        is_new = article is None
        before = snapshot(article, ARTICLE_FIELDS) if article is not None else {}
        raw_before = {f: getattr(article, f) for f in ARTICLE_FIELDS} if article is not None else {}
        if article is None:
            article = PriceListArticle(contract=contract)
        for name, value in values.items():
            setattr(article, name, value)
        for messages in _field_errors(article).values():
            row_errors.extend(messages)
        if key in seen:
            row_errors.append(_("The same article and valid-from date is also on row %(row)d.") % {"row": seen[key]})
        seen.setdefault(key, number)
        if row_errors:
            errors.extend(_("Row %(row)d: %(error)s") % {"row": number, "error": m} for m in row_errors)
            continue
        if not is_new and all(getattr(article, f) == raw_before[f] for f in ARTICLE_FIELDS):
            before = {"unchanged": True}
        checked.append((article, is_new, before))
    if not checked and not errors:
        raise ValidationError(_("The file has no article rows under the header."))
    # Overlapping periods, against the list as it will be after the import.
    final = {id(a): a for a in existing} | {id(a): a for a, _new, _b in checked}
    for article, _new, _before in checked:
        if message := _conflict(article, final.values()):
            label = article.seller_item_id or article.gtin
            errors.append(_("Article %(key)s: %(error)s") % {"key": label, "error": message})
    if errors:
        raise ValidationError(errors)
    changed = [(a, new, b) for a, new, b in checked if new or not b.get("unchanged")]
    result = {
        "created": sum(1 for _a, new, _b in changed if new),
        "updated": sum(1 for _a, new, _b in changed if not new),
        "unchanged": len(checked) - len(changed),
        "rows": [a for a, _new, _b in checked],
        "dry_run": dry_run,
    }
    if dry_run:
        return result
    with transaction.atomic():
        for article, is_new, before in changed:
            if not is_new:
                article.version += 1
            article.save()
            audit_record(
                actor=actor,
                action="pricelist.imported",
                obj=article,
                before=before or None,
                after=snapshot(article, ARTICLE_FIELDS) | {"contract": contract.contract_number, "new": is_new},
            )
    return result
