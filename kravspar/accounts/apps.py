from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kravspar.accounts"
    label = "accounts"
