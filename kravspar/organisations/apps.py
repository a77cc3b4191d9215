from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "kravspar.organisations"
    label = "organisations"
