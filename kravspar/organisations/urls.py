from django.urls import path

from kravspar.organisations import views

app_name = "organisations"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("ny/", views.organisation_create, name="create"),
    path("sok/", views.organisation_options, name="options"),
    path("enheter/<str:key>/", views.unit_detail, name="unit_detail"),
    path("enheter/<str:key>/andra/", views.unit_edit, name="unit_edit"),
    path("enheter/<str:key>/aktivering/", views.unit_set_active, name="unit_set_active"),
    path("<str:key>/", views.organisation_detail, name="detail"),
    path("<str:key>/andra/", views.organisation_edit, name="edit"),
    path("<str:key>/aktivering/", views.organisation_set_active, name="set_active"),
    path("<str:key>/enheter/ny/", views.unit_create, name="unit_create"),
]
