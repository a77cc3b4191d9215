from django.urls import URLPattern, URLResolver, path

from kravspar.portal import views

app_name = "portal"

urlpatterns: list[URLPattern | URLResolver] = [
    # The supplier contact's own pages.
    path("", views.home, name="home"),
    path("avtal/", views.contract_list, name="contracts"),
    path("avtal/<str:key>/", views.contract_detail, name="contract_detail"),
    path("avtal/<str:key>/underleverantorer/ny/", views.declaration_create, name="declaration_create"),
    path("underleverantorer/", views.declaration_list, name="declarations"),
    path("avvikelser/", views.deviation_list, name="deviations"),
    path("avvikelser/<str:key>/", views.deviation_detail, name="deviation_detail"),
    path("avvikelser/<str:key>/svar/", views.deviation_respond, name="deviation_respond"),
    path("dokument/", views.document_list, name="documents"),
    path("dokument/ny/", views.document_upload, name="document_upload"),
    path("dokument/<str:key>/fil/", views.document_file, name="document_file"),
    path("dokument/<str:key>/ta-bort/", views.document_withdraw, name="document_withdraw"),
    # Inköp's pages about a supplier or a contract.
    path("leverantorer/<str:key>/kontaktpersoner/", views.invitation_list, name="invitation_list"),
    path("leverantorer/<str:key>/dokument/", views.supplier_documents, name="supplier_documents"),
    path("inbjudningar/<str:key>/aterkalla/", views.invitation_revoke, name="invitation_revoke"),
    path("granskning/avtal/<str:key>/", views.contract_declarations, name="contract_declarations"),
    path("granskning/underleverantorer/<str:key>/", views.declaration_review, name="declaration_review"),
    # The invited person's link.
    path("inbjudan/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("inbjudan/<str:token>/ny-lank/", views.invitation_renew, name="invitation_renew"),
]
