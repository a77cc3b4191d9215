from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "kravspar.portal"
    label = "portal"
