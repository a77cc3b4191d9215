"""Every action the code records has words for the history table, in Swedish."""

import re
from pathlib import Path

from django.utils import translation

from kravspar.audit.labels import ACTION_LABELS, action_label

ROOT = Path(__file__).resolve().parents[2]


def recorded_actions() -> set[str]:
    found: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        found.update(re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    return found


def test_every_recorded_action_has_a_label():
    missing = recorded_actions() - set(ACTION_LABELS)
    assert not missing, sorted(missing)


def test_labels_are_swedish_and_unknown_actions_show_their_code():
    with translation.override("sv"):
        assert action_label("deviation.raised") == "Avvikelse registrerad"
    assert action_label("something.new") == "something.new"


def test_the_history_shows_the_words_not_the_code(world, client_for):
    from kravspar.organisations.services import organisation_update

    organisation_update(actor=world.admin, organisation=world.sormland, expected_version=None, city="Nyköping")
    page = client_for(world.admin).get(f"/organisationer/{world.sormland.uuid}/").content.decode()
    # The code is no text in the table, only the cell's data-action for tools that read the page.
    assert "Organisation ändrad" in page and ">organisation.updated<" not in page
    assert 'data-action="organisation.updated"' in page
