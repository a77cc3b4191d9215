from django.urls import URLPattern, URLResolver, path

from kravspar.supplierinfo import views
from kravspar.supplierinfo.feeds import DocumentFeed

app_name = "supplierinfo"

urlpatterns: list[URLPattern | URLResolver] = [
    # The public page (no login): link it from the footer and the supplier portal.
    path("", views.public, name="public"),
    path("en/", views.public_en, name="public_en"),
    path("dokument.atom", DocumentFeed(), name="feed"),
    path("bekrafta/", views.acknowledge, name="acknowledge"),
    path("dokument/", views.document_list, name="document_list"),
    path("dokument/ny/", views.document_create, name="document_create"),
    path("dokument/<str:key>/", views.document_detail, name="document_detail"),
    path("dokument/<str:key>/andra/", views.document_edit, name="document_edit"),
    path("dokument/<str:key>/ny-version/", views.version_create, name="version_create"),
    path("dokument/<str:key>/dra-tillbaka/", views.document_withdraw, name="document_withdraw"),
    path("dokument/<str:key>/aterinfor/", views.document_restore, name="document_restore"),
    path("dokument/<str:key>/version/<str:version_key>/fil", views.version_download, name="download"),
    path(
        "dokument/<str:key>/version/<str:version_key>/bekraftelser/",
        views.version_acknowledgements,
        name="version_acknowledgements",
    ),
    path("regioner/<str:key>/kontakt/", views.region_contact_edit, name="region_contact_edit"),
]
