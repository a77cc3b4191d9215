"""Ask Inköp for every sanction decision still missing. Run daily from cron.

Domain § 4: the system "keeps asking until one is recorded, so no agreed sanction is
silently forgotten" — so, unlike reminders, this mails again on every run.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kravspar.audit.services import audit_record
from kravspar.contracts.models import Contract
from kravspar.findings.models import Deviation
from kravspar.findings.notifications import inkop_recipients
from kravspar.findings.policy import action_plan_days
from kravspar.findings.selectors import deviations_needing_decision


class Command(BaseCommand):
    help = "E-mail Inköp about every major or critical deviation whose deadline passed without a sanction decision."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None, help="YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        today: datetime.date = options["today"] or timezone.localdate()
        by_contract: dict[Contract, list[Deviation]] = defaultdict(list)
        for deviation in deviations_needing_decision(today):
            by_contract[deviation.contract].append(deviation)
        sent = 0
        for contract, deviations in by_contract.items():
            recipients = inkop_recipients(contract)
            if not recipients:
                self.stderr.write(f"No Inköp recipient for contract {contract.contract_number}")
                continue
            lines = [
                _("The deadline of these deviations has passed without a verified correction.")
                + " "
                + _("Record a sanction decision for each: apply, or waive with a reason."),
                "",
            ]
            base = settings.KRAVSPAR_BASE_URL.rstrip("/")
            for d in deviations:
                url = base + reverse("findings:detail", args=[d.uuid])
                if d.deadline is not None:
                    why = f"{_('deadline')} {d.deadline:%Y-%m-%d}"
                else:  # no action plan agreed within KRAVSPAR_ACTION_PLAN_DAYS
                    why = _("no action plan agreed within %(days)s days of being raised") % {"days": action_plan_days()}
                lines.append(f"- {d.get_severity_display()}: {d.title} ({why}) {url}")
            lines += ["", _("You will be asked again every day until a decision is recorded.")]
            send_mail(
                subject=_("Sanction decision needed: %(contract)s") % {"contract": contract},
                message="\n".join(lines),
                from_email=None,
                recipient_list=recipients,
            )
            # Each request is kept in the deviation's history: who was asked, and when.
            with transaction.atomic():
                for d in deviations:
                    audit_record(
                        actor=None,
                        action="deviation.decision_demanded",
                        obj=d,
                        after={"recipients": recipients, "deadline": d.deadline.isoformat() if d.deadline else None},
                    )
            sent += 1
        self.stdout.write(
            f"{sent} contract(s), {sum(len(v) for v in by_contract.values())} deviation(s) need a decision"
        )
