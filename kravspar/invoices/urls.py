from django.urls import URLPattern, URLResolver, path

from kravspar.invoices import views

app_name = "invoices"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.invoice_list, name="list"),
    path("ladda-upp/", views.upload, name="upload"),
    path("importer/", views.batch_list, name="batches"),
    path("importer/<str:key>/", views.batch_detail, name="batch"),
    path("<str:key>/", views.invoice_detail, name="detail"),
    path("<str:key>/original.xml", views.invoice_original, name="original"),
]
