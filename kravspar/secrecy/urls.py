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
    path("diarienummer/", views.diary_rules, name="diary_rules"),
    path("diarienummer/<str:key>/", views.diary_rule_edit, name="diary_rule_edit"),
    path("registrering/sanktion/<str:key>/", views.sanction_registration, name="sanction_registration"),
    path("registrering/forfragan/<str:key>/", views.request_registration, name="request_registration"),
    path("<str:key>/", views.mark_detail, name="detail"),
]
