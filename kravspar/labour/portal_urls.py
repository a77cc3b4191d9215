from django.urls import path

from kravspar.labour import views

app_name = "labour_portal"

urlpatterns = [
    path("", views.portal_home, name="home"),
    path("sjalvdeklaration/<str:key>/", views.portal_declaration, name="declaration"),
    path("dokument/<str:key>/", views.portal_request, name="request"),
]
