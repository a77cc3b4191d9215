from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kravspar.audit"
    label = "audit"
