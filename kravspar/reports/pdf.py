"""Reports to file as PDF (A4, printable): a follow-up report per contract and an annual
follow-up report per organisation. Built with reportlab's platypus; the built-in Helvetica
covers Swedish letters, so nothing is embedded or downloaded."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from django.db.models import Count, Max, Prefetch
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from kravspar.contracts.models import Contract
from kravspar.contracts.selectors import effective_end
from kravspar.core.formatting import kronor
from kravspar.findings import selectors as finding_selectors
from kravspar.findings.models import ActionPlan, Deviation
from kravspar.organisations.models import Organisation
from kravspar.reports.figures import Dashboard

_STYLES = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_STYLES["BodyText"], fontName="Helvetica", fontSize=9.5, leading=12)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10)
H1 = ParagraphStyle("h1", parent=_STYLES["Heading1"], fontName="Helvetica-Bold", fontSize=16)
H2 = ParagraphStyle("h2", parent=_STYLES["Heading2"], fontName="Helvetica-Bold", fontSize=12, spaceBefore=10)


def _p(text: Any, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape("" if text is None else str(text)), style)


def _d(value: datetime.date | None) -> str:
    return date_format(value, "Y-m-d") if value else "–"


def _sek(value: Any) -> str:
    return kronor(value)


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[float] | None = None) -> Table:
    data = [[_p(h, SMALL) for h in headers], *[[_p(c, SMALL) for c in row] for row in rows]]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#9aa5b1")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _facts(pairs: Sequence[tuple[str, Any]]) -> Table:
    table = Table([[_p(k, SMALL), _p(v)] for k, v in pairs], colWidths=[45 * mm, 125 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold")]))
    return table


def organisation_block(org: Organisation) -> list[Flowable]:
    address = ", ".join(part for part in (org.street_address, f"{org.postal_code} {org.city}".strip()) if part)
    return [
        _p(org.name, H2),
        _p(_("Organisation number %(number)s") % {"number": org.org_number_display}),
        *([_p(address)] if address else []),
    ]


def _build(story: list[Flowable], title: str, *, compress: bool) -> bytes:
    buffer = io.BytesIO()

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(18 * mm, 10 * mm, f"Kravspår – {title}")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, _("Page %(page)d") % {"page": doc.page})
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="Kravspår",
        pageCompression=1 if compress else 0,
        invariant=0 if compress else 1,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def contract_report_inputs(contract: Contract, *, today: datetime.date) -> dict[str, Any]:
    """What the contract's report is made from, by count and last change, and its day: two
    reports with the same inputs are the same report, so a finished job's PDF is reused.
    ``size`` (follow-ups and deviations) decides whether the report is made by a job."""

    def summary(rows: Any) -> tuple[int, str]:
        found = rows.aggregate(n=Count("id"), last=Max("updated_at"))
        return found["n"], f"{found['n']}@{found['last'].isoformat() if found['last'] else '-'}"

    activities, deviations = summary(contract.activities.all()), summary(contract.deviations.all())
    others = [
        summary(rows)[1]
        for rows in (
            ActionPlan.objects.filter(deviation__contract=contract),
            contract.sanctions.all(),
            contract.requirements.all(),
        )
    ]
    parts = [today.isoformat(), contract.updated_at.isoformat(), activities[1], deviations[1], *others]
    return {"size": activities[0] + deviations[0], "version": "|".join([*parts, str(contract.extensions.count())])}


def contract_report(contract: Contract, *, today: datetime.date, compress: bool = True) -> bytes:
    """The follow-up report of one contract: facts, requirements, follow-ups with outcomes,
    deviations with action plans, sanction decisions and the suppliers' status."""
    contract = (
        Contract.objects.filter(pk=contract.pk)
        .select_related("procurement")
        .prefetch_related(
            "suppliers",
            "buyers",
            "extensions",
            "requirements",
            "activities__requirement",
            "activities__responsible_unit",
            "sanctions",
            Prefetch(
                "deviations",
                queryset=Deviation.objects.order_by("raised_on", "id").prefetch_related(
                    Prefetch("action_plans", queryset=ActionPlan.objects.order_by("id"))
                ),
            ),
        )
        .get()
    )
    title = _("Follow-up report %(number)s") % {"number": contract.contract_number}
    story: list[Flowable] = [_p(title, H1), _p(contract.title), Spacer(1, 4 * mm)]
    for org in contract.buyers.all():
        story += organisation_block(org)
    story += [
        _p(_("Contract"), H2),
        _facts(
            [
                (_("Contract number"), contract.contract_number),
                (_("Diary number"), contract.diary_number or "–"),
                (_("Procurement"), contract.procurement or _("Registered directly")),
                (_("Suppliers"), ", ".join(s.name for s in contract.suppliers.all())),
                (_("Signed"), _d(contract.signed_on)),
                (_("Period"), f"{_d(contract.starts_on)} – {_d(contract.ends_on)}"),
                (_("Ends with extensions used"), _d(effective_end(contract))),
                (_("Value (SEK)"), _sek(contract.value)),
                (_("Status"), contract.get_status_display()),
                (_("Strategy missing"), _("Yes") if contract.strategy_missing else _("No")),
                (_("Report date"), _d(today)),
            ]
        ),
        _p(_("Requirements"), H2),
    ]
    requirements = list(contract.requirements.all())
    if requirements:
        story.append(
            _table(
                [_("Requirement"), _("Type"), _("Responsible"), _("Binds subcontractors")],
                [
                    (
                        r.title,
                        r.get_type_display(),
                        r.get_responsible_display(),
                        _("Yes") if r.binds_subcontractors else "",
                    )
                    for r in requirements
                ],
                [80 * mm, 35 * mm, 35 * mm, 24 * mm],
            )
        )
    else:
        story.append(_p(_("The contract has no requirements recorded.")))
    story.append(_p(_("Follow-ups"), H2))
    activities = sorted(contract.activities.all(), key=lambda a: (a.due_on, a.pk))
    if activities:
        story.append(
            _table(
                [_("Due"), _("Requirement"), _("Method"), _("Responsible unit"), _("Status"), _("Outcome"), _("Done")],
                [
                    (
                        _d(a.due_on),
                        a.requirement.title,
                        a.get_method_display(),
                        a.responsible_unit.name if a.responsible_unit else "–",
                        a.get_status_display(),
                        a.get_outcome_display() or "–",
                        _d(a.completed_on),
                    )
                    for a in activities
                ],
                [18 * mm, 42 * mm, 26 * mm, 28 * mm, 20 * mm, 22 * mm, 18 * mm],
            )
        )
    else:
        story.append(_p(_("No follow-ups are planned.")))
    story.append(_p(_("Deviations and action plans"), H2))
    deviations = list(contract.deviations.all())
    if deviations:
        rows = []
        for d in deviations:
            plans = "; ".join(
                _("%(status)s, deadline %(deadline)s") % {"status": p.get_status_display(), "deadline": _d(p.deadline)}
                for p in d.action_plans.all()
            )
            rows.append(
                (
                    _d(d.raised_on),
                    d.title,
                    d.get_severity_display(),
                    d.get_status_display(),
                    plans or "–",
                    _d(d.fixed_on),
                )
            )
        story.append(
            _table(
                [_("Raised"), _("Deviation"), _("Severity"), _("Status"), _("Action plans"), _("Fixed")],
                rows,
                [18 * mm, 50 * mm, 20 * mm, 24 * mm, 44 * mm, 18 * mm],
            )
        )
    else:
        story.append(_p(_("No deviations have been raised.")))
    story.append(_p(_("Sanction decisions"), H2))
    sanctions = sorted(contract.sanctions.all(), key=lambda s: (s.decided_on, s.pk))
    if sanctions:
        story.append(
            _table(
                [_("Decided"), _("Decision"), _("Sanction"), _("Amount"), _("Reasoning")],
                [
                    (_d(s.decided_on), s.get_decision_display(), s.get_kind_display() or "–", _sek(s.amount), s.reason)
                    for s in sanctions
                ],
                [20 * mm, 20 * mm, 30 * mm, 24 * mm, 80 * mm],
            )
        )
    else:
        story.append(_p(_("No sanctions have been decided.")))
    story.append(_p(_("Supplier status"), H2))
    status_rows = []
    for supplier in contract.suppliers.all():
        status = finding_selectors.contract_status(contract, today, supplier=supplier)
        status_rows.append((supplier.name, status.label, " ".join(str(r) for r in status.reasons)))
    story.append(_table([_("Supplier"), _("Status"), _("Why")], status_rows, [50 * mm, 20 * mm, 104 * mm]))
    return _build(story, title, compress=compress)


def _share(share: Any) -> str:
    if share.percent is None:
        return f"{share.part} / {share.whole}"
    return f"{share.part} / {share.whole} ({share.percent} %)"


def annual_report(organisation: Organisation, dashboard: Dashboard, *, year: int, compress: bool = True) -> bytes:
    """The dashboard's figures for one organisation and year."""
    title = _("Annual follow-up report %(year)d") % {"year": year}
    d = dashboard
    states = [pgettext("count", "Due"), _("On time"), _("Late"), _("Overdue"), _("Not yet due")]

    def state_row(label: str, counts: dict[str, int]) -> tuple[Any, ...]:
        return (label, counts["due"], counts["on_time"], counts["late"], counts["overdue"], counts["upcoming"])

    story: list[Flowable] = [_p(title, H1), *organisation_block(organisation)]
    story += [
        _p(_("Period %(from)s – %(to)s") % {"from": _d(d.scope.date_from), "to": _d(d.scope.date_to)}),
        _p(_("Planning and plans"), H2),
        _facts(
            [
                (
                    _("Procurements advertised in the period with a strategy approved by that day"),
                    _share(d.strategy_gate),
                ),
                (_("Of these, strategy retrofitted (approved only afterwards)"), str(d.strategy_gate.retrofitted)),
                (_("Advertising day not known (in no period)"), str(d.strategy_gate.unknown)),
                (_("Live contracts with a current follow-up plan"), _share(d.current_plan)),
            ]
        ),
        _p(_("Follow-ups"), H2),
        _table([_("Follow-ups"), *states], [state_row(_("All"), d.activities_total)]),
        KeepTogether(
            [
                _p(_("Per method"), H2),
                _table([_("Method"), *states], [state_row(r.label, r.counts) for r in d.by_method]),
            ]
        ),
        KeepTogether(
            [
                _p(_("Per responsible unit"), H2),
                _table([_("Unit"), *states], [state_row(r.label, r.counts) for r in d.by_unit]),
            ]
        ),
        KeepTogether(
            [
                _p(_("Per requirement type"), H2),
                _table([_("Type"), *states], [state_row(r.label, r.counts) for r in d.by_type]),
            ]
        ),
        _p(_("Deviations"), H2),
        _table(
            [_("Severity"), pgettext("count", "Number")],
            [(r.label, r.counts["n"]) for r in d.deviations_by_severity],
            [60 * mm, 30 * mm],
        ),
        _table(
            [_("Type"), pgettext("count", "Number")],
            [(r.label, r.counts["n"]) for r in d.deviations_by_kind],
            [60 * mm, 30 * mm],
        ),
        _table(
            [_("Status"), pgettext("count", "Number")],
            [(r.label, r.counts["n"]) for r in d.deviations_by_status],
            [60 * mm, 30 * mm],
        ),
        _facts([(_("Action plans past their deadline"), d.plans_overdue)]),
        _p(_("Sanction decisions"), H2),
        _table(
            [_("Decision"), pgettext("count", "Number"), _("Amount")],
            [(r.label, r.counts["n"], _sek(r.extra["amount"])) for r in d.sanctions],
            [60 * mm, 30 * mm, 40 * mm],
        ),
        _p(_("Suppliers by status"), H2),
        _table(
            [_("Status"), _("Suppliers")], [(r.label, r.counts["n"]) for r in d.suppliers_by_light], [60 * mm, 30 * mm]
        ),
        _p(_("Policy aims"), H2),
        _table(
            [
                _("Aim"),
                _("Procurements"),
                _("Requirements"),
                _("Follow-ups done on time"),
                _("Late"),
                _("Overdue"),
                _("Deviations"),
                _("Sanction decisions"),
            ],
            [
                (
                    r.label,
                    r.counts["procurements"],
                    r.counts["requirements"],
                    r.counts["on_time"],
                    r.counts["late"],
                    r.counts["overdue"],
                    r.counts["deviations"],
                    r.counts["sanctions"],
                )
                for r in d.aims
            ],
        ),
        _p(_("Environmental goals addressed"), H2),
        _table(
            [_("Region"), _("Goal"), _("Procurements")],
            [(r.extra["region"], r.label, r.counts["n"]) for r in d.goals] or [("–", _("No goal addressed"), 0)],
            [45 * mm, 100 * mm, 25 * mm],
        ),
        _p(_("Local business (aim 6)"), H2),
        _facts(
            [
                (_("Contracts with a supplier in Södermanland or Västmanland county"), _share(d.local["local"])),
                (_("Contracts with a small or medium-sized supplier"), _share(d.local["sme"])),
                (_("Value with local suppliers"), f"{_sek(d.local['local_value'])} / {_sek(d.local['value'])}"),
                (
                    _("Value with small or medium-sized suppliers"),
                    f"{_sek(d.local['sme_value'])} / {_sek(d.local['value'])}",
                ),
            ]
        ),
        _p(_("Working conditions (aim 4)"), H2),
        _facts(
            [
                (_("Live contracts with labour-conditions or code-of-conduct requirements"), _share(d.labour["with"])),
                (_("Of these, followed up"), _share(d.labour["followed"])),
                (_("Of these, with subcontractors"), _share(d.labour["subcontractors"])),
                (_("Requirements binding subcontractors followed up"), _share(d.labour["subcontractors_followed"])),
            ]
        ),
    ]
    return _build(story, f"{title} – {organisation.name}", compress=compress)
