from django.apps import AppConfig


class LabourConfig(AppConfig):
    name = "kravspar.labour"
    label = "labour"
    verbose_name = "Labour-law conditions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from kravspar.audit.display import VALUE_LABELS
        from kravspar.audit.labels import ACTION_LABELS
        from kravspar.labour.policy import checklist_labels
        from kravspar.labour.report import dashboard_extension
        from kravspar.labour.services import declaration_from_submission
        from kravspar.questionnaires.signals import request_submitted
        from kravspar.reports.figures import EXTENSIONS

        request_submitted.connect(declaration_from_submission, dispatch_uid="labour.declaration_from_submission")

        VALUE_LABELS.setdefault("checklist", checklist_labels)  # the history names what was checked
        if dashboard_extension not in EXTENSIONS:
            EXTENSIONS.append(dashboard_extension)
        for action, label in {
            "labour.assessment_recorded": gettext_lazy("Labour-law needs assessment recorded"),
            "labour.conditions_set": gettext_lazy("Labour-law conditions set"),
            "labour.followup_opened": gettext_lazy("Labour-conditions follow-up opened"),
            "labour.declaration_answered": gettext_lazy("Labour-conditions self-declaration answered"),
            "labour.step1_sent": gettext_lazy("Labour-conditions self-declarations sent to the supplier"),
            "labour.documents_requested": gettext_lazy("Labour-conditions documents requested"),
            "labour.document_uploaded": gettext_lazy("Labour-conditions document uploaded"),
            "labour.condition_reviewed": gettext_lazy("Labour-law condition reviewed"),
            "labour.union_consulted": gettext_lazy("Trade union consulted"),
            "labour.followup_closed": gettext_lazy("Labour-conditions follow-up closed"),
            "labour.document_deleted": gettext_lazy("Labour-conditions document deleted"),
            "labour.threshold_set": gettext_lazy("EU threshold set"),
            "labour.agreement_created": gettext_lazy("Central collective agreement added"),
            "labour.agreement_updated": gettext_lazy("Central collective agreement changed"),
        }.items():
            ACTION_LABELS.setdefault(action, label)
