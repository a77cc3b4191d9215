"""Signals other apps listen to, so that the questionnaires app need not know them."""

from django.dispatch import Signal

# Sent inside the submitting transaction, after the submission is stored and the activity
# moved. kwargs: supplier_request, submission, actor. A receiver that raises undoes the submit.
request_submitted = Signal()
