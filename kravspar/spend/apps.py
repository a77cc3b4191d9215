from django.apps import AppConfig


class SpendConfig(AppConfig):
    name = "kravspar.spend"
    label = "spend"

    def ready(self) -> None:
        from kravspar.invoices.signals import invoice_stored, invoices_stored
        from kravspar.spend import matching

        invoice_stored.connect(matching.on_invoice_stored, dispatch_uid="spend.match_invoice")
        invoices_stored.connect(matching.on_invoices_stored, dispatch_uid="spend.match_invoices")

        from kravspar.reports.figures import EXTENSIONS
        from kravspar.spend.figures import dashboard_extension

        if dashboard_extension not in EXTENSIONS:
            EXTENSIONS.append(dashboard_extension)

        # The history names the event this app writes on a contract (``spend.requirements``).
        from django.utils.translation import gettext_lazy

        from kravspar.audit.labels import ACTION_LABELS
        from kravspar.spend.requirements import ACTION

        ACTION_LABELS.setdefault(ACTION, gettext_lazy("Economy requirement added for the invoice checks"))
