from django.apps import AppConfig


class ProcurementsConfig(AppConfig):
    name = "kravspar.procurements"
    label = "procurements"
