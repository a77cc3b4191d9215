from django.urls import URLPattern, URLResolver, path

from kravspar.reports import views

app_name = "reports"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="dashboard"),
    path("poster/<slug:kind>/", views.record_list, name="records"),
    path("export/<slug:name>.<slug:fmt>", views.export, name="export"),
    path("export/<slug:name>/lankar/", views.export_links, name="export_links"),
    path("avtal/<str:key>/rapport.pdf", views.contract_report, name="contract_pdf"),
    path("arsrapport.pdf", views.annual_report, name="annual_pdf"),
    path("import/", views.import_upload, name="import"),
    path("import/mall.csv", views.import_template, name="import_template"),
    path("import/<str:token>/", views.import_map, name="import_map"),
]
