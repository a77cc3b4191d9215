from django.contrib.auth import views as auth_views
from django.urls import path

from kravspar.accounts import views, views_identity, webauthn

app_name = "accounts"
urlpatterns = [
    path("logga-in/", views.LoginView.as_view(), name="login"),
    path("logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("losenord/aterstall/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "losenord/aterstall/skickat/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "losenord/aterstall/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "losenord/aterstall/klart/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("konto/", views.account, name="account"),
    path("konto/tvastegs/", views.twofactor_settings, name="twofactor"),
    path("konto/tvastegs/verifiera/", views.twofactor_verify, name="twofactor_verify"),
    path("konto/tvastegs/aktivera/", views.twofactor_enrol, name="twofactor_enrol"),
    path("konto/nycklar/<str:key>/aterkalla/", views.api_token_revoke, name="api_token_revoke"),
    path("konto/tvastegs/sakerhetsnycklar/", webauthn.security_keys, name="security_keys"),
    path("konto/tvastegs/sakerhetsnyckel/ny/start/", webauthn.register_begin, name="webauthn_register_begin"),
    path("konto/tvastegs/sakerhetsnyckel/ny/klar/", webauthn.register_complete, name="webauthn_register_complete"),
    path("konto/tvastegs/sakerhetsnyckel/start/", webauthn.authenticate_begin, name="webauthn_authenticate_begin"),
    path("konto/tvastegs/sakerhetsnyckel/klar/", webauthn.authenticate_complete, name="webauthn_authenticate_complete"),
    path("personer/", views.person_list, name="person_list"),
    path("personer/ny/", views.person_create, name="person_create"),
    path("personer/<str:key>/", views.person_detail, name="person_detail"),
    path("personer/<str:key>/andra/", views.person_edit, name="person_edit"),
    path("personer/<str:key>/aktivering/", views.person_set_active, name="person_set_active"),
    path("personer/<str:key>/tvastegs/", views.person_twofactor_reset, name="person_twofactor_reset"),
    path(
        "personer/<str:key>/inloggningar/<str:link_key>/ta-bort/",
        views_identity.person_identity_remove,
        name="person_identity_remove",
    ),
]
