from django.apps import AppConfig


class SuppliersConfig(AppConfig):
    name = "kravspar.suppliers"
    label = "suppliers"
