from django.urls import URLPattern, URLResolver, path

from kravspar.records import views

app_name = "records"

urlpatterns: list[URLPattern | URLResolver] = [
    path("arkiv/gallringsplan/", views.schedule, name="schedule"),
    path("arkiv/gallringsplan/<str:key>/", views.rule_edit, name="rule_edit"),
    path("arkiv/behandlingar/", views.processing_register, name="register"),
    path("arkiv/personer/<str:key>/", views.person_data, name="person_data"),
    path("arkiv/personer/<str:key>/utdrag.json", views.person_extract, name="person_extract"),
    path("integritet/", views.privacy, name="privacy"),
    path("integritet/en/", views.privacy, {"lang": "en"}, name="privacy_en"),
]
