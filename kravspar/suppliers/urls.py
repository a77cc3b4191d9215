from django.urls import path

from kravspar.suppliers import views

app_name = "suppliers"
urlpatterns = [
    path("", views.supplier_list, name="list"),
    path("ny/", views.supplier_create, name="create"),
    path("sok/", views.supplier_options, name="options"),
    path("<str:key>/", views.supplier_detail, name="detail"),
    path("<str:key>/andra/", views.supplier_edit, name="edit"),
]
