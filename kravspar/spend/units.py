"""The units of measure a price list may use: a small selection of UN/ECE Recommendation 20
(with the Recommendation 21 package codes prefixed X), the code list that Peppol BIS Billing
3.0 requires for ``cbc:InvoicedQuantity/@unitCode`` (BT-130).

Provenance: codes and English names copied from the Peppol code list file
``UNECERec20-11e.xml`` (UN/ECE Recommendation 20, Revision 11e, as published with
Peppol BIS Billing 3.0); the Swedish names are ours. An invoice may carry any Rec 20 code;
only a price-list article is limited to these, so that the officer picks from a short list.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# code -> (name in the code list, label shown to the user)
UNITS: dict[str, tuple[str, object]] = {
    "EA": ("each", _("each (EA)")),
    "H87": ("piece", _("piece (H87)")),
    "C62": ("one", _("one (C62)")),
    "XPP": ("Piece", _("piece, package code (XPP)")),
    "SET": ("set", _("set (SET)")),
    "PR": ("pair", _("pair (PR)")),
    "XBX": ("Box", _("box (XBX)")),
    "XPK": ("Package", _("package (XPK)")),
    "XPA": ("Packet", _("packet (XPA)")),
    "XCT": ("Carton", _("carton (XCT)")),
    "XRO": ("Roll", _("roll (XRO)")),
    "XBO": ("Bottle, non-protected, cylindrical", _("bottle (XBO)")),
    "GRM": ("gram", _("gram (GRM)")),
    "KGM": ("kilogram", _("kilogram (KGM)")),
    "TNE": ("tonne (metric ton)", _("tonne (TNE)")),
    "MLT": ("millilitre", _("millilitre (MLT)")),
    "LTR": ("litre", _("litre (LTR)")),
    "MTR": ("metre", _("metre (MTR)")),
    "KMT": ("kilometre", _("kilometre (KMT)")),
    "MTK": ("square metre", _("square metre (MTK)")),
    "MTQ": ("cubic metre", _("cubic metre (MTQ)")),
    "MIN": ("minute [unit of time]", _("minute (MIN)")),
    "HUR": ("hour", _("hour (HUR)")),
    "DAY": ("day", _("day (DAY)")),
    "WEE": ("week", _("week (WEE)")),
    "MON": ("month", _("month (MON)")),
    "ANN": ("year", _("year (ANN)")),
    "KWH": ("kilowatt hour", _("kilowatt hour (KWH)")),
    "E48": ("service unit", _("service unit (E48)")),
    "LS": ("lump sum", _("lump sum (LS)")),
}

UNIT_CHOICES = [(code, label) for code, (_name, label) in UNITS.items()]
