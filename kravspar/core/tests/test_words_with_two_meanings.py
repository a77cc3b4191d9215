"""A short English word with two meanings gets a context, so that each meaning has its own
Swedish word: all apps share one merged catalogue, and the first translation of a bare
msgid wins everywhere ("Tal" from the questionnaires showed where the reports meant "Antal")."""

import re
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext, pgettext

from kravspar.questionnaires.models import QuestionType

ROOT = Path(__file__).resolve().parents[3]
# The msgids that must never be used bare: each use says which meaning it has.
AMBIGUOUS = ("Number",)
WORDS = "|".join(AMBIGUOUS)
BARE = re.compile(
    r"""(?:\b_|gettext|gettext_lazy)\(\s*["'](""" + WORDS + r""")["']\s*\)"""
    r"""|\{%\s*trans(?:late)?\s+["'](""" + WORDS + r""")["']\s*%\}"""
)


def test_each_meaning_has_its_swedish_word():
    with translation.override("sv"):
        assert str(QuestionType.NUMBER.label) == "Tal"  # the kind of answer: a number
        assert pgettext("count", "Number") == "Antal"  # a column of counts
        assert pgettext("count", "Due") == "Planerade"  # how many follow-ups were due
        assert gettext("Due") == "Förfaller"  # the day a follow-up is due
        assert gettext("Note") == "Anteckning"  # a note, not the sanction "Anmärkning" (Remark)
        assert gettext("Remark") == "Anmärkning"


def test_no_ambiguous_msgid_is_used_without_a_context():
    sources = [p for p in (ROOT / "kravspar").rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts]
    sources += list((ROOT / "kravspar").rglob("*.html")) + list((ROOT / "templates").rglob("*.html"))
    bare = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in sources
        for match in BARE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert bare == []


def test_the_follow_up_counts_say_how_many_were_planned_not_when():
    dashboard = (ROOT / "kravspar/reports/templates/reports/dashboard.html").read_text(encoding="utf-8")
    assert '{% translate "Due" context "count" %}' in dashboard
    for module in ("views.py", "pdf.py"):
        assert 'pgettext("count", "Due")' in (ROOT / "kravspar/reports" / module).read_text(encoding="utf-8")
