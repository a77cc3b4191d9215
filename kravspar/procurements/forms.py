from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Role
from kravspar.core.forms import ServiceModelForm
from kravspar.core.pickers import PickerField, PickerInput
from kravspar.cpv import codes
from kravspar.cpv.models import CpvCode
from kravspar.cpv.selectors import cpv_search
from kravspar.organisations.models import Organisation, Unit
from kravspar.procurements import policy
from kravspar.procurements.models import (
    DATA_QUALITY_ANY,
    Aim,
    AimAssessment,
    DataQuality,
    EnvironmentalGoal,
    GoalAssessment,
    Procurement,
    ProcurementStatus,
    Responsible,
    Strategy,
    Tier,
    Timing,
    VerificationOutcome,
)
from kravspar.requirements.models import RequirementTemplate

LEVEL_CHOICES = [("", _("Not assessed")), (1, _("1 – low")), (2, _("2 – medium")), (3, _("3 – high"))]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]

# An eight-digit code, optionally with its check digit, optionally followed by its name
# (what the autocomplete or a copy from the CPV page leaves in the field).
_CODE_AT_START = re.compile(r"^\s*(\d{8})(?:-\d)?(?:\s.*)?$", re.DOTALL)


def parse_cpv_code(text: str) -> str | None:
    match = _CODE_AT_START.match(text)
    return match.group(1) if match else None


class CpvCodeField(forms.CharField):
    """One CPV code written as its eight digits; cleans to the CpvCode or None."""

    def clean(self, value: Any) -> CpvCode | None:
        text = super().clean(value)
        if not text:
            return None
        code = parse_cpv_code(text)
        if code is None:
            raise forms.ValidationError(
                _("Write the eight digits of a CPV code, e.g. 90910000, or pick one from the list."), code="format"
            )
        cpv = CpvCode.objects.filter(code=code).first()
        if cpv is None:
            raise forms.ValidationError(_("There is no CPV code %(code)s."), code="unknown", params={"code": code})
        return cpv


class CpvCodeListField(forms.CharField):
    """CPV codes separated by commas, semicolons or spaces; cleans to a list of CpvCode."""

    def clean(self, value: Any) -> list[CpvCode]:
        text = super().clean(value) or ""
        written = [w for w in re.split(r"[,;\s]+", text) if w]
        wanted: list[str] = []
        wrong: list[str] = []
        for word in written:
            prefix = codes.code_prefix(word)
            if prefix is None or len(prefix) != codes.CODE_LENGTH:
                wrong.append(word)
            elif prefix not in wanted:
                wanted.append(prefix)
        if wrong:
            raise forms.ValidationError(
                _("Not an eight-digit CPV code: %(codes)s."), code="format", params={"codes": ", ".join(wrong)}
            )
        found = {c.code: c for c in CpvCode.objects.filter(code__in=wanted)}
        unknown = [c for c in wanted if c not in found]
        if unknown:
            raise forms.ValidationError(
                _("There is no CPV code %(codes)s."), code="unknown", params={"codes": ", ".join(unknown)}
            )
        return [found[c] for c in wanted]


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.organisation.name})"


class UnitField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.organisation.name})"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class ProcurementForm(ServiceModelForm):
    cpv_main = CpvCodeField(
        label=_("Main CPV code"),
        required=False,
        max_length=300,
        help_text=_("Eight digits, e.g. 90910000. Type digits or words to get suggestions."),
        # The same picker as the filters' (static/kravspar/js/picker.js); the chosen code's
        # words are shown in the element named by data-picker-chosen.
        widget=PickerInput("cpv:search", attrs={"inputmode": "search", "data-picker-chosen": "cpv-main-chosen"}),
    )
    cpv_additional = CpvCodeListField(
        label=_("Additional CPV codes"),
        required=False,
        max_length=2000,
        help_text=_("Eight-digit codes separated by commas, e.g. 90911200, 90919200."),
    )
    criticality = forms.TypedChoiceField(
        label=_("Business criticality"),
        choices=LEVEL_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=Procurement._meta.get_field("criticality").help_text,
    )
    supply_risk = forms.TypedChoiceField(
        label=_("Supply risk"),
        choices=LEVEL_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=Procurement._meta.get_field("supply_risk").help_text,
    )
    tier_override = forms.ChoiceField(
        label=_("Follow-up tier set by hand"),
        choices=[("", _("No – use the computed tier")), *Tier.choices],
        required=False,
        help_text=_("Only when the computed tier is wrong for this contract; say why below."),
    )

    class Meta:
        model = Procurement
        fields = [
            "registry_number",
            "title",
            "description",
            "buyers",
            "officer",
            "ordering_units",
            "cpv_main",
            "cpv_additional",
            "kind",
            "procedure",
            "agreement_type",
            "estimated_value",
            "duration_months",
            "criticality",
            "supply_risk",
            "tier_override",
            "tier_override_reason",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "buyers": forms.CheckboxSelectMultiple,
            "ordering_units": forms.CheckboxSelectMultiple,
            "kind": forms.RadioSelect,
            "agreement_type": forms.RadioSelect,
            "tier_override_reason": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {"officer": PersonChoiceField, "ordering_units": UnitChoiceField}

    def __init__(self, *args: Any, user: User, procurement: Procurement | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        buyers = access.organisations_visible_to(user).filter(is_active=True)
        units = access.units_visible_to(user).filter(is_active=True)
        officers = access.people_visible_to(user).filter(is_active=True, groups__name=Role.PROCUREMENT_OFFICER)
        if procurement is not None:
            # Keep what is already chosen selectable, even if deactivated since.
            buyers = buyers | access.organisations_visible_to(user).filter(procurements=procurement)
            units = units | access.units_visible_to(user).filter(procurements=procurement)
            if procurement.officer_id:
                officers = officers | User.objects.filter(pk=procurement.officer_id)
        self._set_queryset("buyers", buyers.distinct().order_by("name"))
        self._set_queryset(
            "ordering_units", units.distinct().select_related("organisation").order_by("organisation__name", "name")
        )
        self._set_queryset("officer", officers.distinct().order_by("first_name", "last_name"))
        for name in ("kind", "agreement_type"):
            # Radio buttons need no empty choice: the service says when none is picked.
            field = self.fields[name]
            field.choices = [c for c in field.choices if c[0] != ""]  # type: ignore[attr-defined]
        self.fields["procedure"].choices = [  # type: ignore[attr-defined]
            ("", _("Not decided yet")),
            *[c for c in self.fields["procedure"].choices if c[0] != ""],  # type: ignore[attr-defined]
        ]
        self.fields["registry_number"].widget.attrs["autocomplete"] = "off"

    SECTIONS = [
        (_("The case"), ["registry_number", "title", "description"]),
        (_("Who buys"), ["buyers", "officer", "ordering_units"]),
        (_("What is bought"), ["cpv_main", "cpv_additional", "kind", "procedure", "agreement_type"]),
        (_("Value and duration"), ["estimated_value", "duration_months"]),
        (
            _("Classification and follow-up tier"),
            ["criticality", "supply_risk", "tier_override", "tier_override_reason"],
        ),
    ]

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(str(heading), [self[name] for name in names]) for heading, names in self.SECTIONS]

    def _set_queryset(self, name: str, qs: QuerySet[Any]) -> None:
        self.fields[name].queryset = qs  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(procurement: Procurement) -> dict[str, Any]:
        data: dict[str, Any] = {
            f: getattr(procurement, f)
            for f in ProcurementForm.Meta.fields
            if f not in {"buyers", "ordering_units", "cpv_main", "cpv_additional", "officer"}
        }
        data.update(
            buyers=[b.pk for b in procurement.buyers.all()],
            ordering_units=[u.pk for u in procurement.ordering_units.all()],
            officer=procurement.officer_id,
            cpv_main=procurement.cpv_main_id or "",
            cpv_additional=", ".join(c.code for c in procurement.cpv_additional.all()),
            version=procurement.version,
        )
        return data


class ProcurementFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        help_text=_("Registry number or title"),
        widget=forms.SearchInput,
    )
    organisation = PickerField(
        label=_("Buying organisation"),
        required=False,
        queryset=Organisation.objects.none(),
        url="organisations:options",
        to_field_name="pk",
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *ProcurementStatus.choices])
    cpv = forms.CharField(
        label=_("CPV"),
        required=False,
        max_length=12,
        help_text=_("First digits, e.g. 909, or a word, e.g. städ, to choose a code"),
        widget=PickerInput("cpv:search", attrs={"size": 10}),
    )
    officer = PersonChoiceField(
        label=_("Procurement officer"), required=False, queryset=User.objects.none(), empty_label=_("All")
    )
    tier = forms.ChoiceField(
        label=_("Follow-up tier"), required=False, choices=[("", _("All")), *[(t.value, t.value) for t in Tier]]
    )
    strategy_missing = forms.BooleanField(label=_("Only those still waiting for an approved strategy"), required=False)
    data_quality = forms.ChoiceField(
        label=_("Data quality"),
        required=False,
        choices=[("", _("All")), (DATA_QUALITY_ANY, _("Any data-quality problem")), *DataQuality.choices],
        help_text=_("Imported procurements whose source row had a problem"),
    )

    def __init__(self, *args: Any, user: User, officers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = access.organisations_visible_to(user).order_by("name")  # type: ignore[attr-defined]
        self.fields["officer"].queryset = officers  # type: ignore[attr-defined]

    def clean_cpv(self) -> str:
        value: str = self.cleaned_data["cpv"].strip()
        if value and codes.code_prefix(value) is None:
            # Words, typed without the picker's help: the code the picker would list first.
            found = cpv_search(value, limit=1)
            if not found:
                raise forms.ValidationError(_("Write the first digits of a CPV code, e.g. 909."))
            return found[0].code
        return value


# --- Aims and goals -------------------------------------------------------------------


class AssessmentsForm(forms.Form):
    """One yes/no and one text per row (an aim or a goal). Rows left empty are skipped."""

    how_label = _("How, or why not")
    help_texts: dict[str, Any] = {}

    def __init__(self, *args: Any, rows: list[tuple[str, str, bool | None, str]], **kwargs: Any) -> None:
        """rows: (key, legend, current yes/no, current text)."""
        super().__init__(*args, **kwargs)
        self.rows = rows
        for key, legend, current, how in rows:
            self.fields[f"{key}_yes"] = forms.ChoiceField(
                label=legend,
                choices=YES_NO,
                required=False,
                widget=forms.RadioSelect,
                initial=None if current is None else ("yes" if current else "no"),
            )
            self.fields[f"{key}_how"] = forms.CharField(
                label=self.how_label,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=how,
                help_text=self.help_texts.get(key, ""),
            )

    def grouped(self) -> list[tuple[str, str, forms.BoundField, forms.BoundField]]:
        return [(key, legend, self[f"{key}_yes"], self[f"{key}_how"]) for key, legend, _c, _h in self.rows]

    def answers(self) -> list[tuple[str, bool, str]]:
        """(key, yes, how) for each row with an answer."""
        found = []
        for key, _legend, _current, _how in self.rows:
            yes = self.cleaned_data.get(f"{key}_yes")
            how = self.cleaned_data.get(f"{key}_how", "")
            if yes:
                found.append((key, yes == "yes", how))
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for key, _legend, _current, _how in self.rows:
            if not data.get(f"{key}_yes") and (data.get(f"{key}_how") or "").strip():
                self.add_error(f"{key}_yes", _("Choose yes or no."))
        return data


# The policy's own words for each aim ("Varje inköp och upphandling ska syfta till att ...").
AIM_TEXT = {
    Aim.ECONOMY: _("Contribute to good economic management."),
    Aim.BUSINESS_CLIMATE: _("Promote a good business climate in the regions and globally."),
    Aim.SUSTAINABILITY: _(
        "Promote sustainable development, contribute to environmental goals and to good living conditions for "
        "current and future generations."
    ),
    Aim.WORKING_CONDITIONS: _(
        "Ensure collective agreements or similar conditions and good working conditions at suppliers and their "
        "subcontractors."
    ),
    Aim.ANIMAL_WELFARE: _(
        "Where possible, animal products are raised and handled according to Swedish animal protection law, or better."
    ),
    Aim.LOCAL_BUSINESS: _("Contribute to a developed local business community and more jobs in the counties."),
}


class AimsForm(AssessmentsForm):
    how_label = _("How the procurement serves the aim, or why the aim is not relevant")

    def __init__(self, *args: Any, assessments: list[AimAssessment], **kwargs: Any) -> None:
        by_aim = {a.aim: a for a in assessments}
        self.help_texts = {f"aim{aim.value}": AIM_TEXT[aim] for aim in Aim}
        rows = []
        for aim in Aim:
            found = by_aim.get(aim.value)
            legend = _("Is aim %(number)d relevant: %(aim)s?") % {"number": aim.value, "aim": aim.label}
            rows.append((f"aim{aim.value}", str(legend), found.relevant if found else None, found.how if found else ""))
        super().__init__(*args, rows=rows, **kwargs)


class GoalsForm(AssessmentsForm):
    how_label = _("How the goal is addressed, or why not")

    def __init__(
        self, *args: Any, goals: list[EnvironmentalGoal], assessments: list[GoalAssessment], **kwargs: Any
    ) -> None:
        by_goal = {a.goal_id: a for a in assessments}
        self.help_texts = {f"goal{g.pk}": g.description for g in goals}
        rows = []
        for goal in goals:
            found = by_goal.get(goal.pk)
            legend = _("Does the procurement address “%(goal)s” (%(region)s)?") % {
                "goal": goal,
                "region": goal.organisation.name,
            }
            rows.append((f"goal{goal.pk}", str(legend), found.addressed if found else None, found.how if found else ""))
        super().__init__(*args, rows=rows, **kwargs)


# --- Requirements from the library -----------------------------------------------------


class TemplateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_type_display()}: {obj.title}"


class LibraryAddForm(forms.Form):
    template = TemplateChoiceField(
        label=_("Requirement from the library"),
        queryset=RequirementTemplate.objects.filter(is_active=True).order_by("type", "title"),
        empty_label=_("Choose a requirement"),
    )


# --- Strategy ---------------------------------------------------------------------------


class StrategyForm(ServiceModelForm):
    class Meta:
        model = Strategy
        fields = ["kickoff_meeting", "supplier_must_participate", "during_procurement", "notes"]
        widgets = {
            "during_procurement": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class StrategyEntryForm(forms.Form):
    methods = forms.MultipleChoiceField(
        label=_("Methods"), choices=policy.method_choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    timing = forms.ChoiceField(label=_("When"), choices=Timing.choices, widget=forms.RadioSelect, required=False)
    interval_months = forms.IntegerField(
        label=_("Every N months"),
        required=False,
        min_value=1,
        max_value=120,
        help_text=_("For recurring follow-up, e.g. 6."),
    )
    at_months = forms.CharField(
        label=_("Months after signing"),
        required=False,
        max_length=200,
        help_text=_("For follow-up at given months, separated by commas, e.g. 3, 12, 24."),
    )
    responsible = forms.ChoiceField(label=_("Responsible"), choices=Responsible.choices, widget=forms.RadioSelect)
    responsible_unit = UnitField(
        label=_("Responsible unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("The unit the policy points at"),
    )
    override_reason = forms.CharField(
        label=_("Reason for another responsible than the policy's"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Needed only when you choose another responsible than the purchasing policy; it goes into the history."
        ),
    )
    change_reason = forms.CharField(
        label=_("Reason for other methods or frequency than the proposal"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed only when you depart from what the risk tier proposes; it is kept with the strategy."),
    )
    environment_specialist = forms.BooleanField(
        label=_("An environment specialist takes part"),
        required=False,
        help_text=_("Required in environment-priority areas."),
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = units  # type: ignore[attr-defined]

    def clean_at_months(self) -> list[int]:
        text = self.cleaned_data["at_months"]
        words = [w for w in re.split(r"[,;\s]+", text) if w]
        if not all(w.isdigit() for w in words):
            raise forms.ValidationError(_("Write whole months separated by commas, e.g. 3, 12."))
        return [int(w) for w in words]


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("What needs to change"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("The officer sees this in the history."),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("It is kept in the procurement's history."),
    )


class VerificationForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (VerificationOutcome.VERIFIED.value, VerificationOutcome.VERIFIED.label),
            (VerificationOutcome.NOT_VERIFIED.value, VerificationOutcome.NOT_VERIFIED.label),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    evidence = forms.CharField(
        label=_("Evidence examined"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What in the tender was examined, e.g. the certificate's number and issuer."),
    )
    reason = forms.CharField(
        label=_("Reason it is not verified"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the requirement is not verified."),
    )
