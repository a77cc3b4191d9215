from django.urls import URLPattern, URLResolver, path

from kravspar.questionnaires import views

app_name = "questionnaires"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.request_list, name="list"),
    path("formular/", views.template_list, name="template_list"),
    path("formular/ny/", views.template_create, name="template_create"),
    path("formular/<str:key>/", views.builder, name="builder"),
    path("formular/<str:key>/forhandsvisning/", views.preview, name="preview"),
    path("formular/<str:key>/fragor/", views.question_add, name="question_add"),
    path("formular/<str:key>/fragor/<str:question_key>/", views.question_edit, name="question_edit"),
    path("formular/<str:key>/fragor/<str:question_key>/ta-bort/", views.question_delete, name="question_delete"),
    path("formular/<str:key>/fragor/<str:question_key>/flytta/", views.question_move, name="question_move"),
    path("ny/<str:activity_key>/", views.request_create, name="create"),
    path("<str:key>/", views.request_detail, name="detail"),
    path("<str:key>/svara/", views.request_answer, name="answer"),
    path("<str:key>/skicka/", views.request_send, name="send"),
    path("<str:key>/andra/", views.request_edit, name="edit"),
    path("<str:key>/granska/", views.request_review, name="review"),
    path("<str:key>/avbryt/", views.request_cancel, name="cancel"),
    path("<str:key>/filer/<str:file_key>/", views.file_download, name="file"),
]
