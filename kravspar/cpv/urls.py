from django.urls import path

from kravspar.cpv import views

app_name = "cpv"
urlpatterns = [
    path("", views.cpv_browse, name="browse"),
    path("sok/", views.cpv_options, name="search"),
]
