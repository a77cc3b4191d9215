from django.apps import AppConfig


class SpendConfig(AppConfig):
    name = "kravspar.spend"
    label = "spend"
