from django.urls import path

from kravspar.procurements import views
from kravspar.requirements import views as requirement_views

app_name = "procurements"
urlpatterns = [
    path("", views.procurement_list, name="list"),
    path("ny/", views.procurement_create, name="create"),
    path("mina/", views.my_work, name="my_work"),
    path("<str:key>/", views.procurement_detail, name="detail"),
    path("<str:key>/andra/", views.procurement_edit, name="edit"),
    path("<str:key>/status/", views.procurement_transition, name="transition"),
    path("<str:key>/avbryt/", views.procurement_cancel, name="cancel"),
    path("<str:key>/syften/", views.aims_assess, name="aims"),
    path("<str:key>/miljomal/", views.goals_assess, name="goals"),
    path("<str:key>/krav/ny/", requirement_views.requirement_add, name="requirement_add"),
    path(
        "<str:key>/krav/fran-biblioteket/", requirement_views.requirement_add_from_library, name="requirement_library"
    ),
    path("<str:key>/krav/<str:requirement_key>/andra/", requirement_views.requirement_edit, name="requirement_edit"),
    path(
        "<str:key>/krav/<str:requirement_key>/ta-bort/", requirement_views.requirement_remove, name="requirement_remove"
    ),
    path("<str:key>/strategi/", views.strategy_edit, name="strategy_edit"),
    path("<str:key>/strategi/krav/<str:requirement_key>/", views.strategy_entry_edit, name="strategy_entry"),
    path("<str:key>/strategi/skicka/", views.strategy_submit, name="strategy_submit"),
    path("<str:key>/strategi/ta-tillbaka/", views.strategy_withdraw, name="strategy_withdraw"),
    path("<str:key>/strategi/godkann/", views.strategy_approve, name="strategy_approve"),
    path("<str:key>/strategi/skicka-tillbaka/", views.strategy_return, name="strategy_return"),
    path("<str:key>/strategi/<int:number>/", views.strategy_version, name="strategy_version"),
    path("<str:key>/strategi/<int:number>/utskrift/", views.strategy_print, name="strategy_print"),
    path("<str:key>/verifiering/<str:verification_key>/", views.verification_record, name="verification"),
]
