"""Who in Inköp hears about a contract's deviations, and the e-mails they get. Mail goes
out after the change is committed; a refused message never undoes the change."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from kravspar.accounts.models import User
from kravspar.accounts.roles import Role
from kravspar.organisations.models import UnitKind

if TYPE_CHECKING:
    from kravspar.contracts.models import Contract
    from kravspar.findings.models import Deviation

logger = logging.getLogger(__name__)


def inkop_recipients(contract: Contract) -> list[str]:
    """The contract's procurement officer and the officers of the Inköp units that belong
    to or serve the organisations that call off from it; else the escalation address."""
    buyers = list(contract.buyers.all())
    orgs = {o.pk for o in buyers} | {o.parent_id for o in buyers if o.parent_id}
    officers = User.objects.filter(
        is_active=True,
        groups__name=Role.PROCUREMENT_OFFICER,
        unit__kind=UnitKind.PURCHASING,
    ).filter(Q(unit__organisation__in=orgs) | Q(unit__serves__in=orgs))
    emails = {e for e in officers.values_list("email", flat=True) if e}
    procurement = contract.procurement
    if procurement is not None and procurement.officer is not None and procurement.officer.email:
        emails.add(procurement.officer.email)
    if not emails:
        fallback = getattr(settings, "KRAVSPAR_ESCALATION_EMAIL", "")
        if fallback:
            emails.add(fallback)
    return sorted(emails)


def mail_inkop_on_commit(*, contract: Contract, subject: str, body: str) -> list[str]:
    """E-mail Inköp about the contract once the transaction commits; returns the recipients."""
    recipients = inkop_recipients(contract)
    if not recipients:
        return []

    def send() -> None:
        try:
            send_mail(subject, body, None, recipients)
        except Exception:  # the report is recorded; the queue shows it even if the mail fails
            logger.exception("Deviation e-mail could not be sent to %s", recipients)

    transaction.on_commit(send)
    return recipients


def deviation_reported(deviation: Deviation) -> list[str]:
    """Tell Inköp that an orderer reported a deviation that waits for its assessment."""
    url = settings.KRAVSPAR_BASE_URL.rstrip("/") + reverse("findings:detail", args=[deviation.uuid])
    reporter = deviation.raised_by.get_full_name() or deviation.raised_by.username if deviation.raised_by else "–"
    lines = [
        _("%(person)s reported a deviation from a follow-up. Inköp decides its severity and the action plan.")
        % {"person": reporter},
        "",
        f"{deviation.contract.contract_number} {deviation.contract.title}",
        f"{deviation.title} ({_('proposed severity')}: {deviation.get_proposed_severity_display()})",
        url,
    ]
    return mail_inkop_on_commit(
        contract=deviation.contract,
        subject=_("Deviation reported, awaiting assessment: %(contract)s") % {"contract": deviation.contract},
        body="\n".join(lines),
    )
