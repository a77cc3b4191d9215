from django.urls import URLPattern, URLResolver, path

from kravspar.spend import views

app_name = "spend"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.figures_page, name="figures"),
    path("rader/", views.lines, name="lines"),
    path("ko/", views.queue, name="queue"),
    path("utanfor-avtal/", views.off_contract, name="off_contract"),
    path("fakturor/<str:key>/", views.invoice_match, name="invoice"),
    path("fakturor/<str:key>/avtal/", views.assign_contract, name="assign_contract"),
    path("fakturor/<str:key>/rader/<int:position>/artikel/", views.assign_article, name="assign_article"),
    path("fakturor/<str:key>/granskad/", views.review, name="review"),
    path("avtal/<str:key>/prislista/", views.pricelist, name="pricelist"),
    path("avtal/<str:key>/prislista/ny/", views.article_create, name="article_create"),
    path("avtal/<str:key>/prislista/import/", views.pricelist_import, name="pricelist_import"),
    path("artiklar/<str:key>/", views.article_detail, name="article"),
    path("artiklar/<str:key>/andra/", views.article_edit, name="article_edit"),
    path("artiklar/<str:key>/ta-bort/", views.article_delete, name="article_delete"),
]
