from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "kravspar.reports"
    label = "reports"
