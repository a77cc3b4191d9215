"""The register of processing (GDPR art. 30) and the data subject's extract (art. 15), both
generated from the models: the declarations below say why each kind of personal data is held;
every reference to a person (a foreign key to the user model) is found by walking the models,
so a new one appears in the register and the extract without being declared."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kravspar.audit.models import AuditEvent
from kravspar.records.models import RecordType, RetentionRule
from kravspar.records.retention import DISPOSED_FIELDS

PUBLIC_TASK = _("Public task (GDPR art. 6.1 e): contract follow-up under LOU and the region's mandate")
LEGAL_OBLIGATION = _("Legal obligation (GDPR art. 6.1 c): public records and archives (TF 2 kap., arkivlagen)")


@dataclass(frozen=True)
class Declaration:
    model: str  # app_label.ModelName
    fields: tuple[str, ...]
    subjects: Any
    purpose: Any
    legal_basis: Any
    record_type: str | None = None
    retention: Any = ""


DECLARATIONS = [
    Declaration(
        "accounts.User",
        ("first_name", "last_name", "email", "title", "hsa_id", "username"),
        _("Staff of the regions and suppliers' contacts"),
        _("Log-in, roles, who is responsible for and who did what"),
        PUBLIC_TASK,
        retention=_("While the person works with Kravspår; then deactivated, erasable where nothing requires it"),
    ),
    Declaration(
        "followups.Evidence",
        DISPOSED_FIELDS[RecordType.EVIDENCE],
        _("People named in evidence files (e.g. staff on a protocol)"),
        _("Evidence that a requirement was followed up"),
        PUBLIC_TASK,
        RecordType.EVIDENCE,
    ),
    Declaration(
        "labour.ProofDocument",
        DISPOSED_FIELDS[RecordType.LABOUR_DOCUMENT],
        _("The supplier's and subcontractors' employees (names, wages, hours)"),
        _("Checking the labour-law conditions (LOU 17 kap. 2-5 §§)"),
        LEGAL_OBLIGATION,
        RecordType.LABOUR_DOCUMENT,
    ),
    Declaration(
        "labour.UnionConsultation",
        DISPOSED_FIELDS[RecordType.UNION_CONTACT],
        _("Trade union representatives"),
        _("Evidence of the consultation with the trade union"),
        PUBLIC_TASK,
        RecordType.UNION_CONTACT,
    ),
    Declaration(
        "questionnaires.AnswerFile",
        DISPOSED_FIELDS[RecordType.ANSWER_FILE],
        _("People named in files suppliers attach to their answers (e.g. staff lists, certificates)"),
        _("The supplier's answers to a follow-up questionnaire"),
        PUBLIC_TASK,
        RecordType.ANSWER_FILE,
    ),
    Declaration(
        "portal.SupplierDocument",
        DISPOSED_FIELDS[RecordType.SUPPLIER_DOCUMENT],
        _("People named in the supplier's library documents (e.g. auditors, signatories)"),
        _("Evidence the supplier offers for its contracts (certificates, its own policies)"),
        PUBLIC_TASK,
        RecordType.SUPPLIER_DOCUMENT,
    ),
    Declaration(
        "audit.AuditEvent",
        ("actor_label", "object_repr", "before", "after"),
        _("Everyone who changes something, and people named in the changes"),
        _("The append-only history every public record needs"),
        LEGAL_OBLIGATION,
        retention=_("Kept with the records it describes; personal data in it is disposed of with them"),
    ),
]


@dataclass
class RegisterRow:
    model: Any
    fields: list[Any]
    subjects: Any
    purpose: Any
    legal_basis: Any
    retention: list[str] = field(default_factory=list)


def _model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def person_references() -> list[models.ForeignKey[Any, Any]]:
    """Every foreign key to the user model, in every installed app."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    found = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.ForeignKey) and f.related_model is user_model:
                found.append(f)
    return sorted(found, key=lambda f: (f.model._meta.label, f.name))


def _rules_text(record_type: str | None, rules: list[RetentionRule]) -> list[str]:
    return [
        f"{r.organisation.name}: {r.period} {r.get_unit_display()} {r.get_anchor_display()} ({r.decision})"
        for r in rules
        if r.record_type == record_type
    ]


def register() -> list[RegisterRow]:
    rules = list(RetentionRule.objects.select_related("organisation"))
    rows = []
    for d in DECLARATIONS:
        model = _model(d.model)
        rows.append(
            RegisterRow(
                model._meta.verbose_name,
                [model._meta.get_field(name).verbose_name for name in d.fields],  # type: ignore[union-attr]
                d.subjects,
                d.purpose,
                d.legal_basis,
                _rules_text(d.record_type, rules) or ([str(d.retention)] if d.retention else []),
            )
        )
    declared = {d.model.lower() for d in DECLARATIONS}
    for f in person_references():
        if f.model._meta.label_lower in declared:
            continue
        rows.append(
            RegisterRow(
                f.model._meta.verbose_name,
                [f.verbose_name],
                _("Staff of the regions and suppliers' contacts"),
                _("Who did it or is responsible (a reference to the person)"),
                PUBLIC_TASK,
                [str(_("Kept with the record"))],
            )
        )
    return rows


def subject_extract(person: Any) -> dict[str, Any]:
    """Everything Kravspår holds about ``person``: their own details, every record that refers
    to them, and the history of what they did and of changes to them."""
    profile = {name: str(getattr(person, name) or "") for name in DECLARATIONS[0].fields}
    profile.update(uuid=str(person.uuid), active=person.is_active, date_joined=person.date_joined.isoformat())
    references = []
    for f in person_references():
        qs = f.model._default_manager.filter(**{f.name: person})
        count = qs.count()
        if count:
            references.append(
                {
                    "record": f.model._meta.label_lower,
                    "field": f.name,
                    "count": count,
                    "items": [str(o) for o in qs.order_by("pk")[:1000]],
                }
            )
    history = AuditEvent.objects.filter(models.Q(actor=person) | models.Q(object_id=str(person.uuid)))
    return {
        "person": profile,
        "referred_to_in": references,
        "history": [
            {
                "time": e.created_at.isoformat(),
                "action": e.action,
                "object": e.object_repr,
                "before": e.before,
                "after": e.after,
                "by": e.actor_label,
            }
            for e in history.order_by("created_at", "id")
        ],
    }
