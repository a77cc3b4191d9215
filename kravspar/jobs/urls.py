from django.urls import path

from kravspar.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("export/<slug:name>/", views.export_start, name="export"),
    path("arsrapport/", views.annual_report_start, name="annual_report"),
    path("oppna-data/", views.ocds_start, name="ocds"),
    path("<str:key>/", views.job_detail, name="detail"),
    path("<str:key>/resultat", views.job_result, name="result"),
]
