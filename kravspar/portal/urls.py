from django.urls import URLPattern, URLResolver, path

from kravspar.portal import views

app_name = "portal"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    # Invitations: the officer's pages, then the invited person's link.
    path("leverantorer/<str:key>/kontaktpersoner/", views.invitation_list, name="invitation_list"),
    path("inbjudningar/<str:key>/aterkalla/", views.invitation_revoke, name="invitation_revoke"),
    path("inbjudan/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("inbjudan/<str:token>/ny-lank/", views.invitation_renew, name="invitation_renew"),
]
