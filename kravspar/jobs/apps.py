from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "kravspar.jobs"
    label = "jobs"

    def ready(self) -> None:
        # The runners of the other apps register themselves by kind (see runners.py).
        from django.utils.translation import gettext_lazy

        from kravspar.audit.labels import ACTION_LABELS
        from kravspar.jobs import runners  # noqa: F401

        ACTION_LABELS.setdefault("job.started", gettext_lazy("Background job started"))
        ACTION_LABELS.setdefault("job.requeued", gettext_lazy("Background job queued again"))
        ACTION_LABELS.setdefault("job.abandoned", gettext_lazy("Background job given up"))
