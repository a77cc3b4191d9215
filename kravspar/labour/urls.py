from django.urls import path

from kravspar.labour import views

app_name = "labour"

urlpatterns = [
    path("", views.report, name="report"),
    path("poster/", views.records, name="records"),
    path("upphandling/<str:key>/", views.procurement_labour, name="procurement"),
    path("avtal/<str:key>/", views.contract_labour, name="contract"),
    path("uppfoljning/<str:key>/", views.followup_detail, name="followup"),
    path("dokument/<str:key>/", views.proof_file, name="proof_file"),
]
