"""The labour-law demo's step 1 goes the way it is done now (issue 12): sent through the
questionnaires, one request per self-declaration, and answered by the supplier's contact in
the questionnaire, not through the old declaration form."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from kravspar.labour import demo
from kravspar.labour.models import DeclarationStatus, LabourFollowUp
from kravspar.questionnaires.models import RequestStatus

pytestmark = pytest.mark.usefixtures("demo_data")


def followup_of(story: demo.Story) -> LabourFollowUp:
    number = story.number.format(year=timezone.localdate().year)
    return LabourFollowUp.objects.get(contract__contract_number=number)


def test_step1_is_answered_in_the_questionnaire_and_accepted(db):
    done = [s for s in demo.STORIES if s.stage == "done"]
    assert done
    for story in done:
        followup = followup_of(story)
        declarations = list(followup.declarations.select_related("request", "answered_by").order_by("id"))
        assert len(declarations) == 2  # the supplier and its subcontractor
        for declaration in declarations:
            request = declaration.request
            assert request is not None and request.status == RequestStatus.ACCEPTED
            assert request.activity_id == followup.activity_id
            submission = request.submissions.get()
            assert submission.submitted_by.username == story.contact
            assert declaration.status == DeclarationStatus.ANSWERED
            assert declaration.answers == {"wages": True, "holiday": True, "working_hours": True}
            assert declaration.employees == (12 if declaration.subcontractor_id else 40)
            assert declaration.answered_by.username == story.contact
            # Answered in the week after the follow-up opened, on the demo's clock.
            assert followup.opened_on <= declaration.answered_on <= timezone.localdate()
            assert declaration.answered_on <= followup.opened_on + datetime.timedelta(days=7)
            assert timezone.localtime(submission.submitted_at).date() == declaration.answered_on


def test_the_waiting_story_has_step1_sent_and_unanswered(db):
    (story,) = [s for s in demo.STORIES if s.stage == "waiting"]
    followup = followup_of(story)
    declarations = list(followup.declarations.select_related("request").order_by("id"))
    assert len(declarations) == 2
    for declaration in declarations:
        assert declaration.status == DeclarationStatus.REQUESTED
        assert declaration.request is not None and declaration.request.status == RequestStatus.SENT
        assert declaration.request.deadline > timezone.localdate()


def test_the_step1_history_reads_in_swedish(db):
    from django.utils import translation

    from kravspar.audit.display import changes_in_words
    from kravspar.audit.models import AuditEvent

    events = AuditEvent.objects.filter(action="labour.step1_sent")
    assert events.count() == len(demo.STORIES)
    with translation.override("sv"):
        for event in events:
            labels = {change.label for change in changes_in_words(event)}
            assert labels == {"Förfrågningar", "Centralt kollektivavtal", "Tidsfrist"}, labels
