from django.urls import URLPattern, URLResolver

app_name = "questionnaires"

urlpatterns: list[URLPattern | URLResolver] = []
