from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kravspar.core"
    label = "core"
