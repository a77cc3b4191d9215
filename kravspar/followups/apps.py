from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "kravspar.followups"
    label = "followups"
