from django.urls import URLPattern, URLResolver

app_name = "spend"

urlpatterns: list[URLPattern | URLResolver] = []
