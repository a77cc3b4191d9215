from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "kravspar.notices"
    label = "notices"
