from django.urls import path

from kravspar.contracts import views

app_name = "contracts"
urlpatterns = [
    path("", views.contract_list, name="list"),
    path("ny/", views.contract_create, name="create"),
    path("underleverantorer/<str:key>/andra/", views.subcontractor_edit, name="subcontractor_edit"),
    path("underleverantorer/<str:key>/aktivering/", views.subcontractor_set_active, name="subcontractor_set_active"),
    path("<str:key>/", views.contract_detail, name="detail"),
    path("<str:key>/andra/", views.contract_edit, name="edit"),
    path("<str:key>/forlangning/", views.contract_extend, name="extend"),
    path("<str:key>/status/", views.contract_status, name="status"),
    path("<str:key>/strategi/", views.contract_adopt_strategy, name="adopt_strategy"),
    path("<str:key>/upphandling/", views.contract_link_procurement, name="link_procurement"),
    path("<str:key>/underleverantorer/ny/", views.subcontractor_create, name="subcontractor_create"),
]
