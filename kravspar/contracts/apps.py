from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "kravspar.contracts"
    label = "contracts"
