"""Units of measure that convert by a fixed factor, for checking a line invoiced in another
unit than the price list's (a price per GRM against an agreed price per KGM).

Source: UN/ECE Recommendation 20, "Codes for Units of Measure Used in International Trade",
Revision 11e (the version Peppol BIS Billing 3.0 publishes as ``UNECERec20-11e.xml``).
Annex II of the Recommendation gives each unit's conversion factor to its SI unit (GRM:
10⁻³ kg, CMT: 10⁻² m, MLT: 10⁻⁶ m³, HUR: 3 600 s, KWH: 3.6 × 10⁶ J …); the factors below
are those, expressed against one unit of each group. Every factor here is exact by
definition of the unit. Units whose factor is a convention rather than a definition are
left out on purpose, so that a line in them is never priced on a guess:

- month (MON) and year (ANN): Rec 20 gives an average (2.6298 × 10⁶ s, 3.15576 × 10⁷ s),
  but a month of cleaning is not 730.5 hours of it;
- packages (XBX box, XPK package, SET, PR pair …): how many pieces a box holds is the
  supplier's, not a unit's, definition;
- units of different kinds (KGM and LTR): a litre of something weighs what it weighs.

One more group is kept deliberately: the three units of count for a single item, EA
(each), H87 (piece) and C62 (one), which Rec 20 defines alike ("a unit of count defining
the number of items / pieces / articles") and which Peppol senders use interchangeably.
Counting the same items under another of these names is not a change of unit.

Factors are ``Fraction``s so that converting and converting back is exact (a minute is
1/60 hour, which no decimal writes exactly).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction

# code -> (group, how many of the group's first unit one of this unit is)
FACTORS: dict[str, tuple[str, Fraction]] = {
    # mass, in kilograms
    "KGM": ("mass", Fraction(1)),
    "GRM": ("mass", Fraction(1, 1000)),
    "MGM": ("mass", Fraction(1, 1_000_000)),
    "HGM": ("mass", Fraction(1, 10)),
    "TNE": ("mass", Fraction(1000)),
    # length, in metres
    "MTR": ("length", Fraction(1)),
    "MMT": ("length", Fraction(1, 1000)),
    "CMT": ("length", Fraction(1, 100)),
    "DMT": ("length", Fraction(1, 10)),
    "KMT": ("length", Fraction(1000)),
    # area, in square metres
    "MTK": ("area", Fraction(1)),
    "MMK": ("area", Fraction(1, 1_000_000)),
    "CMK": ("area", Fraction(1, 10_000)),
    "DMK": ("area", Fraction(1, 100)),
    "KMK": ("area", Fraction(1_000_000)),
    # volume, in litres (a litre is a cubic decimetre by definition)
    "LTR": ("volume", Fraction(1)),
    "MLT": ("volume", Fraction(1, 1000)),
    "CLT": ("volume", Fraction(1, 100)),
    "DLT": ("volume", Fraction(1, 10)),
    "HLT": ("volume", Fraction(100)),
    "MMQ": ("volume", Fraction(1, 1_000_000)),
    "CMQ": ("volume", Fraction(1, 1000)),
    "DMQ": ("volume", Fraction(1)),
    "MTQ": ("volume", Fraction(1000)),
    # time, in hours (month and year are not here: see above)
    "HUR": ("time", Fraction(1)),
    "SEC": ("time", Fraction(1, 3600)),
    "MIN": ("time", Fraction(1, 60)),
    "DAY": ("time", Fraction(24)),
    "WEE": ("time", Fraction(7 * 24)),
    # energy, in kilowatt hours
    "KWH": ("energy", Fraction(1)),
    "WHR": ("energy", Fraction(1, 1000)),
    "MWH": ("energy", Fraction(1000)),
    "GWH": ("energy", Fraction(1_000_000)),
    # single items counted under another name
    "EA": ("count", Fraction(1)),
    "H87": ("count", Fraction(1)),
    "C62": ("count", Fraction(1)),
}


def normalise(code: str | None) -> str:
    return (code or "").strip().upper()


def factor(from_unit: str, to_unit: str) -> Fraction | None:
    """How many ``to_unit`` one ``from_unit`` is (GRM → KGM: 1/1000), or None when the two
    do not convert by a fixed factor. The same code is always 1, known or not."""
    a, b = normalise(from_unit), normalise(to_unit)
    if a == b:
        return Fraction(1)
    left, right = FACTORS.get(a), FACTORS.get(b)
    if left is None or right is None or left[0] != right[0]:
        return None
    return left[1] / right[1]


def convertible(from_unit: str, to_unit: str) -> bool:
    return factor(from_unit, to_unit) is not None


def quantity_in(quantity: Decimal | Fraction, from_unit: str, to_unit: str) -> Fraction:
    """The same amount counted in ``to_unit`` (2 500 GRM → 5/2 KGM). ValueError when the
    units do not convert."""
    f = factor(from_unit, to_unit)
    if f is None:
        raise ValueError(f"{from_unit} does not convert to {to_unit} by a fixed factor")
    return Fraction(quantity) * f


def price_in(price: Decimal | Fraction, from_unit: str, to_unit: str) -> Fraction:
    """A price per ``from_unit`` as a price per ``to_unit`` (0.09 per GRM → 90 per KGM), so
    that price × quantity stays the same. ValueError when the units do not convert."""
    f = factor(from_unit, to_unit)
    if f is None:
        raise ValueError(f"{from_unit} does not convert to {to_unit} by a fixed factor")
    return Fraction(price) / f


def to_decimal(value: Fraction, places: Decimal) -> Decimal:
    """A fraction rounded half up to ``places`` (e.g. ``Decimal("0.01")``) for storing."""
    wide = Context(prec=80)
    quotient = wide.divide(Decimal(value.numerator), Decimal(value.denominator))
    return quotient.quantize(places, ROUND_HALF_UP, context=wide)
