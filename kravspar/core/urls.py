from django.urls import path

from kravspar.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    # Fixed addresses, linked from every page's footer (lag 2018:1937, DIGG's model).
    path("tillganglighet/", views.accessibility_statement, name="accessibility"),
    path("tillganglighet/en/", views.accessibility_statement_en, name="accessibility_en"),
]
