from django.apps import AppConfig


class FindingsConfig(AppConfig):
    name = "kravspar.findings"
    label = "findings"
