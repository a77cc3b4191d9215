from django.urls import URLPattern, URLResolver, path

from kravspar.ledger import views

app_name = "ledger"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.upload, name="upload"),
    path("<str:key>/kolumner/", views.mapping, name="mapping"),
]
