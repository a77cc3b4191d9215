from django.apps import AppConfig


class SupplierinfoConfig(AppConfig):
    name = "kravspar.supplierinfo"
    label = "supplierinfo"
