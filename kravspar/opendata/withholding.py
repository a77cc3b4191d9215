"""What Kravspår publishes as open data, and what it withholds. Every rule is here.

The OCDS writer (``ocds.py``) builds releases only from what these functions let
through, and reads only the fields it publishes (``batches.py``), so a withheld field is not
even read. Each rule below has its own test in ``tests/test_withholding.py``.

Never published
---------------
1. **Subcontractors** (*underleverantörer*). Domain § 4: "subcontractor names stay
   confidential". Nothing of ``contracts.Subcontractor`` is read, and a deviation found at
   a subcontractor is published without saying who (only that it concerned the chain).
2. **Personal data.** People's names and e-mail addresses (procurement officers, the
   responsible person of a follow-up, whoever raised, verified or decided anything) are
   never read. A supplier whose organisation number is a Swedish personal identity number
   (a sole trader, *enskild firma*: the third digit is 0 or 1, where organisation numbers
   have 2 or more) is published by its business name, as in the award decision, but
   without the number and without an address.
   Suppliers' street addresses are not published at all (only the town and country).
3. **Evidence files** (*verifikat*) and their names: they are the supplier's documents,
   often with trade secrets or personal data (payslips, timesheets).
4. **Internal notes and free text written during follow-up**: activity notes, strategy
   notes, reasons for cancelling or ending, the deviation's own title and description,
   the supplier's response, verification notes, sanction reasoning, the "how" text of an
   aim assessment and the contract's termination grounds. They are working material and
   may name people or subcontractors. What is published is built from code lists
   (method, severity, requirement type, aim) and from requirement titles, which are
   part of the published procurement documents.
5. **Deviations without an agreed action plan.** Domain § 4: "results are published only
   once a time-bound action plan exists". A deviation is published only when it has (or
   had) an agreed plan: status action plan agreed, fixed, not fixed, or closed after a plan
   (its deadline is set). An open deviation, a reopened one waiting for a new plan, an
   observation (which never gets a plan) and one closed without a plan are not mentioned
   at all. The outcome of a follow-up ("deviations found") is not published either,
   because it would reveal such a deviation before its plan exists.
6. **Procurements before advertising.** A procurement in planning (or with an approved
   strategy, not yet advertised) is internal: the estimated value and requirements are
   not public until the notice is. Procurements are published from "advertised" on; a
   cancelled procurement only if a contract was signed from it.

7. **Secrecy-marked deviations** (issue 14, ``kravspar/secrecy``). A deviation with an
   active secrecy mark is not mentioned at all, whoever its provision allows: open data is
   for everyone, and a mark means a registrar must assess each request first.

Sanctions
---------
Sanction decisions (fines, price reductions, termination, and waivers) are **not
published** in this version. They are public documents (*allmänna handlingar*) that
anyone may request, but OCDS 1.1 has no field for them: the registry's
``performance_failures`` extension would be the place, and its schema is not among the
files Kravspår validates against offline (``schema/PROVENANCE.md``). An undeclared field
of our own would pass the schema but mean nothing to OCDS tools, and a fine may still be
disputed in court when it is decided. A termination is still
visible as the contract's status (``terminated``, with the reason withheld). Adding the
extension later is the way to publish them.

Published about deviations
--------------------------
A publishable deviation becomes a contract implementation milestone: the severity, the
requirement type, the requirement's title, the plan's deadline, the day it was verified
as fixed, and whether the plan was met (see ``deviation_milestone_status``).
"""

from __future__ import annotations

import datetime
from typing import Protocol

from django.db.models import Exists, OuterRef, Q

from kravspar.findings.models import DeviationStatus
from kravspar.procurements.models import ProcurementStatus

# Rule 6: published from advertising on.
PUBLISHED_PROCUREMENT_STATUSES = (
    ProcurementStatus.ADVERTISED,
    ProcurementStatus.EVALUATION,
    ProcurementStatus.AWARDED,
    ProcurementStatus.CONCLUDED,
)

# Rule 5: statuses in which a deviation has (or had) an agreed, time-bound action plan.
PUBLISHED_DEVIATION_STATUSES = (
    DeviationStatus.ACTION_PLAN_AGREED,
    DeviationStatus.FIXED,
    DeviationStatus.NOT_FIXED,
    DeviationStatus.CLOSED,
)


class DeviationState(Protocol):
    """What the rules below read of a deviation: a model instance or a row of one."""

    @property
    def status(self) -> str: ...
    @property
    def deadline(self) -> datetime.date | None: ...
    @property
    def fixed_on(self) -> datetime.date | None: ...


def is_personal_identity_number(number: str) -> bool:
    """True for a Swedish personal identity number used as an organisation number (a sole
    trader). Organisation numbers of legal persons have 2 or more as their third digit
    ("group number"); a personnummer's third digit is the tens of the month, 0 or 1."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return len(digits) == 10 and digits[2] in "01"


def supplier_number_publishable(org_number: str) -> bool:
    """Rule 2: a supplier's number is published only if it is an organisation number."""
    digits = "".join(ch for ch in org_number if ch.isdigit())
    return len(digits) == 10 and not is_personal_identity_number(digits)


def publishable_deviations_q() -> Q:
    """Rules 5 and 7 as a filter on ``findings.Deviation``."""
    from kravspar.secrecy.access import marked
    from kravspar.secrecy.models import MarkKind

    return Q(status__in=PUBLISHED_DEVIATION_STATUSES, deadline__isnull=False) & ~Q(marked(MarkKind.DEVIATION))


def deviation_is_publishable(deviation: DeviationState) -> bool:
    """Rule 5 for one deviation (the same rule as ``publishable_deviations_q``)."""
    return deviation.status in PUBLISHED_DEVIATION_STATUSES and deviation.deadline is not None


def deviation_milestone_status(deviation: DeviationState, today: datetime.date) -> str:
    """met: verified as fixed (``dateMet`` after ``dueDate`` shows that it was late).
    notMet: verified not fixed, closed unfixed, or the deadline passed without a fix.
    scheduled: the deadline has not come."""
    if deviation.fixed_on is not None:
        return "met"
    if deviation.status in (DeviationStatus.NOT_FIXED, DeviationStatus.CLOSED):
        return "notMet"
    if deviation.deadline is not None and deviation.deadline < today:
        return "notMet"
    return "scheduled"


def published_procurements_q() -> Q:
    """Rule 6 as a filter on ``procurements.Procurement``."""
    from kravspar.contracts.models import Contract

    has_contract = Exists(Contract.objects.filter(procurement=OuterRef("pk")))
    return Q(status__in=PUBLISHED_PROCUREMENT_STATUSES) | Q(has_contract)
