from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "kravspar.ledger"
    label = "ledger"
