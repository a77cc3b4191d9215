from django.urls import URLPattern, URLResolver, path

from kravspar.opendata import views

app_name = "opendata"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("schema/release-schema.json", views.release_schema, name="release_schema"),
]
