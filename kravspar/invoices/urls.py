from django.urls import URLPattern, URLResolver

app_name = "invoices"

urlpatterns: list[URLPattern | URLResolver] = []
