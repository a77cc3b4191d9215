from django.urls import URLPattern, URLResolver, path, re_path

from kravspar.notices import views

app_name = "notices"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.notice_list, name="list"),
    path("ladda-upp/", views.upload, name="upload"),
    re_path(
        r"^bilaga/(?P<key>[0-9a-f-]+)/(?P<language>sv|en)\.(?P<extension>pdf|docx)$",
        views.follow_up_annex,
        name="annex",
    ),
    path("<str:key>/", views.notice_detail, name="detail"),
]
