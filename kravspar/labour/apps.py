from django.apps import AppConfig


class LabourConfig(AppConfig):
    name = "kravspar.labour"
    verbose_name = "Labour-law conditions"
    default_auto_field = "django.db.models.BigAutoField"
