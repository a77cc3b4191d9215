"""djangosaml2's endpoints under /saml2/, answering 404 until an IdP is configured. The
names are djangosaml2's own (it reverses them without a namespace)."""

from django.urls import path
from djangosaml2 import views as saml2_views

from kravspar.accounts.sso import SamlLogoutView, saml_enabled

urlpatterns = [
    path("login/", saml_enabled(saml2_views.LoginView.as_view()), name="saml2_login"),
    path("acs/", saml_enabled(saml2_views.AssertionConsumerServiceView.as_view()), name="saml2_acs"),
    path("logout/", saml_enabled(saml2_views.LogoutInitView.as_view()), name="saml2_logout"),
    path("ls/", saml_enabled(SamlLogoutView.as_view()), name="saml2_ls"),
    path("ls/post/", saml_enabled(SamlLogoutView.as_view()), name="saml2_ls_post"),
    path("metadata/", saml_enabled(saml2_views.MetadataView.as_view()), name="saml2_metadata"),
]
