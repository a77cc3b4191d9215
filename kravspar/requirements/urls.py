from django.urls import path

from kravspar.requirements import views

app_name = "requirements"
urlpatterns = [
    path("", views.library_list, name="library"),
    path("ny/", views.template_create, name="create"),
    path("import/", views.library_import, name="import"),
    path("<str:key>/", views.template_detail, name="detail"),
    path("<str:key>/andra/", views.template_edit, name="edit"),
]
