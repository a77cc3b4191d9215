from django.apps import AppConfig


class CpvConfig(AppConfig):
    name = "kravspar.cpv"
    label = "cpv"
