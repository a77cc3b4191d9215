from django.urls import path

from kravspar.followups import views

app_name = "followups"
urlpatterns = [
    path("", views.work_list, name="work_list"),
    path("kalender/", views.month_calendar, name="calendar"),
    path("kalender/prenumerationer/", views.feeds, name="feeds"),
    path("kalender/prenumerationer/<str:feed_key>/stang/", views.feed_revoke, name="feed_revoke"),
    path("ical/<str:token>.ics", views.ical_feed, name="ical"),
    path("avtal/<str:key>/", views.contract_plan, name="contract_plan"),
    path("avtal/<str:key>/planera/", views.contract_replan, name="contract_replan"),
    path("<str:key>/", views.activity_detail, name="detail"),
    path("<str:key>/anteckningar/", views.activity_notes, name="notes"),
    path("<str:key>/ansvarig/", views.activity_assign, name="assign"),
    path("<str:key>/underlag/", views.evidence_upload, name="evidence_upload"),
    path("<str:key>/underlag/<str:evidence_key>/", views.evidence_download, name="evidence_download"),
    path("<str:key>/underlag/<str:evidence_key>/ta-bort/", views.evidence_remove, name="evidence_remove"),
    path("<str:key>/<str:action>/", views.activity_transition, name="transition"),
]
