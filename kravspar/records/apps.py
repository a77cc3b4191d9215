from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "kravspar.records"
    label = "records"

    def ready(self) -> None:
        # The history names the events this app writes, in the user's language.
        from django.utils.translation import gettext_lazy

        from kravspar.audit.labels import ACTION_LABELS

        ACTION_LABELS.setdefault("retention_rule.created", gettext_lazy("Retention rule added"))
        ACTION_LABELS.setdefault("retention_rule.updated", gettext_lazy("Retention rule changed"))
        ACTION_LABELS.setdefault("records.disposed", gettext_lazy("Disposed of under the retention schedule"))
        ACTION_LABELS.setdefault("records.archive_exported", gettext_lazy("Exported to the e-archive"))
        ACTION_LABELS.setdefault("person.extract_downloaded", gettext_lazy("Personal-data extract downloaded"))
        ACTION_LABELS.setdefault("person.erased", gettext_lazy("Personal data erased"))
