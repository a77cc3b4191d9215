from django.urls import path

from kravspar.labour import table_views, views

app_name = "labour"

urlpatterns = [
    path("", views.report, name="report"),
    path("poster/", views.records, name="records"),
    path("upphandling/<str:key>/", views.procurement_labour, name="procurement"),
    path("avtal/<str:key>/", views.contract_labour, name="contract"),
    path("uppfoljning/<str:key>/", views.followup_detail, name="followup"),
    path("dokument/<str:key>/", views.proof_file, name="proof_file"),
    path("kollektivavtal/", table_views.agreement_list, name="agreements"),
    path("kollektivavtal/nytt/", table_views.agreement_create, name="agreement_create"),
    path("kollektivavtal/<str:key>/", table_views.agreement_detail, name="agreement"),
    path("troskelvarden/", table_views.threshold_list, name="thresholds"),
    path("troskelvarden/ny/", table_views.threshold_edit, name="threshold_create"),
    path("troskelvarden/<str:key>/", table_views.threshold_edit, name="threshold"),
]
