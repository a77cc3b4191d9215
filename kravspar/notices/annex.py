"""The follow-up annex for the tender documents: "Uppföljning av avtalet".

For a procurement with an approved follow-up strategy, one document the supplier reads
before tendering: each requirement with how, when and by whom it will be followed up,
what the supplier must provide, the sanctions the contract ties to it, and the address
of the supplier information page. As PDF (reportlab, with the reports' page setup) and
as an editable Word file (python-docx), in Swedish or English.

Domain § 3: "all procurement work is preceded by a strategy for how follow-up and
supplier audit will be done ... after the contract is signed"; this annex is that
strategy as a promise to the supplier.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kravspar.core.errors import DomainError
from kravspar.procurements import policy
from kravspar.procurements.models import Method, Procurement, Responsible, StrategyStatus, Timing
from kravspar.requirements.models import RequirementType

LANGUAGES = ("sv", "en")


class NoApprovedStrategyError(DomainError):
    code = "no_approved_strategy"
    status = 409


def _supplier_duty(method: str) -> str:
    """What the supplier must do for each follow-up method."""
    duties = {
        Method.SELF_ASSESSMENT: _(
            "Answer the self-assessment questionnaire in the supplier portal within the time given."
        ),
        Method.DOCUMENT_REVIEW: _("Send the documents asked for, such as policies, certificates and reports."),
        Method.DESK_AUDIT: _(
            "Provide governing documents revised within the last two years and make the staff responsible for due "
            "diligence, and union or safety representatives, available for interviews."
        ),
        Method.ON_SITE_AUDIT: _("Give access to premises and production sites, subcontractors' included."),
        Method.SPOT_CHECK: _("Accept spot checks of deliveries, services and invoices."),
        Method.SUPPLIER_MEETING: _("Take part in follow-up meetings with a person who can decide for the supplier."),
        Method.SURVEY: _("Take part in surveys and accept that the buyer asks users and third parties."),
        Method.INVOICE_CHECK: _(
            "Invoice through Peppol with the contract number and the price list's article numbers."
        ),
        Method.CERTIFICATE_CHECK: _("Show valid certificates on request."),
        Method.LAB_TEST: _("Provide samples for tests at an accredited laboratory."),
    }
    return str(duties.get(Method(method), "")) if method in Method.values else ""


@dataclass
class AnnexItem:
    title: str
    kind: str
    text: str
    how: list[str]
    when: str
    who: str
    supplier_provides: list[str]
    sanctions: str
    binds_subcontractors: bool


@dataclass
class Annex:
    language: str
    title: str
    procurement: str
    registry_number: str
    buyers: str
    strategy: str
    intro: str
    items: list[AnnexItem] = field(default_factory=list)
    contract_terms: list[tuple[str, str]] = field(default_factory=list)
    escalation: list[str] = field(default_factory=list)
    supplier_page: str = ""
    closing: str = ""

    def text(self) -> str:
        """Everything the annex says, in reading order (for tests and search)."""
        parts = [self.title, self.procurement, self.registry_number, self.buyers, self.strategy, self.intro]
        for item in self.items:
            parts += [item.title, item.kind, item.text, *item.how, item.when, item.who, *item.supplier_provides]
            parts.append(item.sanctions)
        for title, text in self.contract_terms:
            parts += [title, text]
        return "\n".join([*parts, *self.escalation, self.supplier_page, self.closing])


def _when(timing: str, interval: int | None, at_months: list[int]) -> str:
    if timing == Timing.RECURRING and interval:
        return ngettext(
            "Every month during the contract period.", "Every %(n)d months during the contract period.", interval
        ) % {"n": interval}
    if timing == Timing.AT_MONTHS and at_months:
        return _("%(months)s months after the contract is signed.") % {
            "months": ", ".join(str(m) for m in sorted(at_months))
        }
    if timing == Timing.AT_START:
        return _("Within the contract's first month.")
    if timing == Timing.AT_EVALUATION:
        return _("When tenders are evaluated, before the award decision.")
    return _("As the contract's follow-up plan says.")


def build(procurement: Procurement, *, language: str = "sv") -> Annex:
    """The annex's content for ``procurement``, which must have an approved strategy."""
    if language not in LANGUAGES:
        language = "sv"
    with translation.override(language):
        strategy = policy.current_strategy(procurement)
        if strategy is None or strategy.status != StrategyStatus.APPROVED:
            raise NoApprovedStrategyError(
                _("The follow-up annex is made from an approved follow-up strategy; %(number)s has none yet.")
                % {"number": procurement.registry_number}
            )
        buyers = ", ".join(f"{b.name} ({b.org_number_display})" for b in procurement.buyers.order_by("name"))
        annex = Annex(
            language=language,
            title=_("Contract follow-up"),
            procurement=procurement.title,
            registry_number=_("Registry number %(number)s") % {"number": procurement.registry_number},
            buyers=buyers,
            strategy=_("Follow-up strategy version %(version)d, approved %(date)s.")
            % {
                "version": strategy.number,
                "date": strategy.approved_at.date().isoformat() if strategy.approved_at else "–",
            },
            intro=_(
                "This annex belongs to the procurement documents. It says how the buyer will follow up each "
                "requirement after the contract is signed: how, when and by whom, what the supplier must provide, "
                "and what happens when a requirement is not met. The supplier accepts this follow-up by tendering."
            ),
        )
        if strategy.kickoff_meeting:
            annex.intro += " " + _("The contract starts with a start-up meeting in which the supplier takes part.")
        entries = strategy.entries.select_related("requirement", "responsible_unit").order_by(
            "requirement__position", "requirement__id"
        )
        for entry in entries:
            requirement = entry.requirement
            if requirement.removed:
                continue
            if entry.responsible == Responsible.ORDERING_UNIT:
                who = (
                    _("The ordering unit %(unit)s.") % {"unit": entry.responsible_unit.name}
                    if entry.responsible_unit
                    else _("The ordering unit that uses the contract.")
                )
            else:
                who = _("Inköp, the regions' joint purchasing function.")
            if entry.environment_specialist:
                who += " " + _("An environment specialist of the region takes part.")
            provides = [d for d in (_supplier_duty(m) for m in entry.methods) if d]
            if requirement.evidence:
                provides.append(_("Evidence: %(evidence)s") % {"evidence": requirement.evidence})
            sanctions = _(
                "A deviation must be corrected under an action plan with a deadline. A supplier who does not report, "
                "take part or follow the action plan may be given a remark, a fine per started week, a price "
                "reduction or set-off, and for a grave breach the contract may be terminated."
            )
            if requirement.binds_subcontractors:
                sanctions += " " + _("The requirement binds subcontractors in every link of the chain.")
            annex.items.append(
                AnnexItem(
                    title=requirement.title,
                    kind=str(RequirementType(requirement.type).label)
                    if requirement.type in RequirementType.values
                    else "",
                    text=requirement.text,
                    how=[str(Method(m).label) for m in entry.methods if m in Method.values],
                    when=_when(entry.timing, entry.interval_months, list(entry.at_months or [])),
                    who=who,
                    supplier_provides=provides,
                    sanctions=sanctions,
                    binds_subcontractors=requirement.binds_subcontractors,
                )
            )
        annex.contract_terms = [
            (r.title, r.text)
            for r in procurement.requirements.filter(removed=False, type=RequirementType.CONTRACT_LAW).order_by(
                "position", "id"
            )
        ]
        annex.escalation = [
            _("1. Remark: a written remark with a deadline to correct the deviation."),
            _("2. Fine (vite): an amount per started week, up to the contract's cap, while the deviation remains."),
            _("3. Price reduction or set-off against payment."),
            _("4. Termination (hävning) for a grave breach."),
        ]
        page = reverse("supplierinfo:public" if language == "sv" else "supplierinfo:public_en")
        annex.supplier_page = _("The regions' information for suppliers: %(url)s") % {
            "url": settings.KRAVSPAR_BASE_URL.rstrip("/") + page
        }
        annex.closing = _(
            "Results of follow-up are recorded per supplier as green, yellow or red. Names of subcontractors stay "
            "confidential."
        )
    return annex


# --- PDF ------------------------------------------------------------------------------------


def as_pdf(annex: Annex, *, compress: bool = True) -> bytes:
    # The reports' page setup (A4, margins, fonts, footer with page numbers).
    from reportlab.platypus import Flowable, KeepTogether, Spacer

    from kravspar.reports import pdf as report

    with translation.override(annex.language):
        story: list[Flowable] = [
            report._p(annex.title, report.H1),
            report._p(annex.procurement, report.H2),
            report._facts(
                [
                    (_("Procurement"), annex.registry_number),
                    (_("Buyers"), annex.buyers),
                    (_("Strategy"), annex.strategy),
                ]
            ),
            Spacer(1, 4),
            report._p(annex.intro),
        ]
        for number, item in enumerate(annex.items, start=1):
            rows = [
                (_("Requirement"), item.text),
                (_("How"), ", ".join(item.how) or "–"),
                (_("When"), item.when),
                (_("By whom"), item.who),
                (_("The supplier provides"), " ".join(item.supplier_provides) or "–"),
                (_("Sanctions"), item.sanctions),
            ]
            story.append(
                KeepTogether([report._p(f"{number}. {item.title} ({item.kind})", report.H2), report._facts(rows)])
            )
        if annex.contract_terms:
            story.append(report._p(_("Contract terms on follow-up and sanctions"), report.H2))
            for title, text in annex.contract_terms:
                story += [report._p(title, report.SMALL), report._p(text)]
        story.append(report._p(_("How sanctions escalate"), report.H2))
        story += [report._p(line) for line in annex.escalation]
        story += [Spacer(1, 6), report._p(annex.closing), report._p(annex.supplier_page)]
        return report._build(story, f"{annex.title} – {annex.registry_number}", compress=compress)


# --- Word -----------------------------------------------------------------------------------


def as_docx(annex: Annex) -> bytes:
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    with translation.override(annex.language):
        document = Document()
        document.core_properties.title = f"{annex.title} – {annex.procurement}"
        document.core_properties.language = "sv-SE" if annex.language == "sv" else "en-GB"
        document.core_properties.author = "Kravspår"
        # The proofing language of the text, for spelling and for screen readers.
        normal = document.styles["Normal"]
        rpr = normal.element.get_or_add_rPr()
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), "sv-SE" if annex.language == "sv" else "en-GB")
        document.add_heading(annex.title, level=0)
        document.add_heading(annex.procurement, level=1)
        for line in (annex.registry_number, annex.buyers, annex.strategy):
            document.add_paragraph(line)
        document.add_paragraph(annex.intro)
        for number, item in enumerate(annex.items, start=1):
            document.add_heading(f"{number}. {item.title} ({item.kind})", level=2)
            table = document.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            for label, value in (
                (_("Requirement"), item.text),
                (_("How"), ", ".join(item.how) or "–"),
                (_("When"), item.when),
                (_("By whom"), item.who),
                (_("The supplier provides"), " ".join(item.supplier_provides) or "–"),
                (_("Sanctions"), item.sanctions),
            ):
                cells = table.add_row().cells
                cells[0].text = label
                cells[1].text = value
        if annex.contract_terms:
            document.add_heading(_("Contract terms on follow-up and sanctions"), level=2)
            for title, text in annex.contract_terms:
                document.add_paragraph(title, style="Heading 3")
                document.add_paragraph(text)
        document.add_heading(_("How sanctions escalate"), level=2)
        for line in annex.escalation:
            document.add_paragraph(line)
        document.add_paragraph(annex.closing)
        document.add_paragraph(annex.supplier_page)
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()


def file_name(procurement: Procurement, language: str, extension: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in procurement.registry_number)
    stem = "uppfoljning-av-avtalet" if language == "sv" else "contract-follow-up"
    return f"{stem}-{safe}.{extension}"
