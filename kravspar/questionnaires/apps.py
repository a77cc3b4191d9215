from django.apps import AppConfig


class QuestionnairesConfig(AppConfig):
    name = "kravspar.questionnaires"
    label = "questionnaires"
