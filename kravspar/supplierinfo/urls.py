from django.urls import URLPattern, URLResolver

app_name = "supplierinfo"

urlpatterns: list[URLPattern | URLResolver] = []
