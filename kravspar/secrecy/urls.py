from django.urls import path

from kravspar.secrecy import views

app_name = "secrecy"

urlpatterns = [
    path("", views.mark_list, name="list"),
    path("markera/<str:kind>/<str:key>/", views.mark_create, name="mark"),
    path("bestammelser/", views.provision_list, name="provisions"),
    path("bestammelser/ny/", views.provision_edit, name="provision_create"),
    path("bestammelser/<str:key>/", views.provision_edit, name="provision_edit"),
    path("nedladdningar/", views.download_log, name="downloads"),
    path("<str:key>/", views.mark_detail, name="detail"),
]
