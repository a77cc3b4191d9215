from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "kravspar.opendata"
    label = "opendata"
