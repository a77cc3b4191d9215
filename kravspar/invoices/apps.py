from django.apps import AppConfig


class InvoicesConfig(AppConfig):
    name = "kravspar.invoices"
    label = "invoices"
