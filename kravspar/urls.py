from django.contrib import admin
from django.urls import include, path

from kravspar.api import api
from kravspar.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("saml2/", include("kravspar.accounts.sso_urls")),
    path("oidc/", include("kravspar.accounts.oidc_urls")),
    path("", include("kravspar.accounts.urls")),
    path("organisationer/", include("kravspar.organisations.urls")),
    path("historik/", include("kravspar.audit.urls")),
    path("miljomal/", include("kravspar.procurements.goal_views")),
    path("cpv/", include("kravspar.cpv.urls")),
    path("upphandlingar/", include("kravspar.procurements.urls")),
    path("krav/", include("kravspar.requirements.urls")),
    path("kategorier/", include("kravspar.procurements.category_views")),
    path("avtal/", include("kravspar.contracts.urls")),
    path("leverantorer/", include("kravspar.suppliers.urls")),
    path("avvikelser/", include("kravspar.findings.urls")),
    path("uppfoljning/", include("kravspar.followups.urls")),
    path("leverantorsinformation/", include("kravspar.supplierinfo.urls")),
    path("leverantor/arbetsvillkor/", include("kravspar.labour.portal_urls")),
    path("leverantor/", include("kravspar.portal.urls")),
    path("forfragningar/", include("kravspar.questionnaires.urls")),
    path("rapporter/", include("kravspar.reports.urls")),
    path("oppna-data/", include("kravspar.opendata.urls")),
    path("fakturor/", include("kravspar.invoices.urls")),
    path("ekonomi/", include("kravspar.spend.urls")),
    path("kungorelser/", include("kravspar.notices.urls")),
    path("ekonomisystem/", include("kravspar.ledger.urls")),
    path("arbetsrattsliga-villkor/", include("kravspar.labour.urls")),
    path("sekretess/", include("kravspar.secrecy.urls")),
    path("jobb/", include("kravspar.jobs.urls")),
    path("", include("kravspar.records.urls")),
    path("", include("kravspar.core.urls")),
]
