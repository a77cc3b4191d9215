from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "kravspar.notices"
    label = "notices"

    def ready(self) -> None:
        # The history names the events this app writes, in the user's language.
        from django.utils.translation import gettext_lazy

        from kravspar.audit.labels import ACTION_LABELS

        ACTION_LABELS.setdefault("notice.imported", gettext_lazy("eForms notice imported"))
        ACTION_LABELS.setdefault("contract.modified", gettext_lazy("Contract modified (modification notice)"))
