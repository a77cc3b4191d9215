from django.apps import AppConfig


class SecrecyConfig(AppConfig):
    name = "kravspar.secrecy"
    label = "secrecy"
    verbose_name = "Secrecy marks and download log"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from kravspar.audit.labels import ACTION_LABELS

        for action, label in {
            "secrecy.marked": gettext_lazy("Secrecy mark set"),
            "secrecy.unmarked": gettext_lazy("Secrecy mark removed"),
            "secrecy.disclosure_decided": gettext_lazy("Decision on a request for public documents"),
            "secrecy.provision_saved": gettext_lazy("Secrecy provision saved"),
            "secrecy.diary_rule_set": gettext_lazy("Diary number rule set"),
        }.items():
            ACTION_LABELS.setdefault(action, label)
