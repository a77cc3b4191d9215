from django.urls import path

from kravspar.findings import views

app_name = "findings"
urlpatterns = [
    path("", views.deviation_list, name="list"),
    path("ny/<str:activity_key>/", views.deviation_raise, name="raise"),
    path("avtal/<str:contract_key>/utvardering/", views.evaluation_edit, name="evaluation"),
    path("<str:key>/", views.deviation_detail, name="detail"),
    path("<str:key>/andra/", views.deviation_edit, name="edit"),
    path("<str:key>/bedomning/", views.deviation_assess, name="assess"),
    path("<str:key>/atgardsplan/", views.action_plan_agree, name="plan"),
    path("<str:key>/atgard/<int:item_id>/klar/", views.action_item_done, name="item_done"),
    path("<str:key>/svar/", views.action_plan_response, name="response"),
    path("<str:key>/verifiering/", views.action_plan_verify, name="verify"),
    path("<str:key>/stang/", views.deviation_close, name="close"),
    path("<str:key>/ateroppna/", views.deviation_reopen, name="reopen"),
    path("<str:key>/sanktion/", views.sanction_decide, name="sanction"),
]
