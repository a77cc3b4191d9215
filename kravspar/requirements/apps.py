from django.apps import AppConfig


class RequirementsConfig(AppConfig):
    name = "kravspar.requirements"
    label = "requirements"
