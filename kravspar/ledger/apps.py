from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "kravspar.ledger"
    label = "ledger"

    def ready(self) -> None:
        # The history names the events this app writes, in the user's language.
        from django.utils.translation import gettext_lazy

        from kravspar.audit.labels import ACTION_LABELS

        ACTION_LABELS.setdefault("ledger.imported", gettext_lazy("Financial-system export imported"))
        ACTION_LABELS.setdefault("ledger_mapping.saved", gettext_lazy("Column mapping for the financial system saved"))
