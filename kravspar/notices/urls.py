from django.urls import URLPattern, URLResolver, path

from kravspar.notices import views

app_name = "notices"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.notice_list, name="list"),
    path("ladda-upp/", views.upload, name="upload"),
    path("<str:key>/", views.notice_detail, name="detail"),
]
