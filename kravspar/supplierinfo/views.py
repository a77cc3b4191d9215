"""The public page for suppliers, its feed and document downloads; the administrators'
pages for policy documents and region contact details; the supplier contacts' page for
confirming they have read the documents, and Inköp's view of who has."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kravspar.audit.selectors import audit_events_for
from kravspar.core.errors import DomainError
from kravspar.core.formviews import form_page, saved
from kravspar.core.pagination import paginate, querystring_without_page
from kravspar.organisations.models import Organisation, OrganisationKind
from kravspar.procurements.forms import AIM_TEXT
from kravspar.procurements.models import Aim, Responsible
from kravspar.procurements.policy import RESPONSIBLE_BY_TYPE
from kravspar.requirements.models import RequirementType
from kravspar.supplierinfo import selectors, services
from kravspar.supplierinfo.forms import (
    AcknowledgementFilterForm,
    DocumentFilterForm,
    DocumentForm,
    RegionContactForm,
    VersionForm,
    WithdrawForm,
)
from kravspar.supplierinfo.models import PolicyDocument, PolicyDocumentVersion


def _uuid_or_404(qs: Any, key: str) -> Any:
    try:
        return get_object_or_404(qs, uuid=key)
    except ValidationError:
        raise Http404 from None


# --- The public page ---------------------------------------------------------------------


def _public_context(request: HttpRequest, lang: str = "sv") -> dict[str, Any]:
    documents = list(selectors.published_documents())
    for document in documents:
        # The English page gives a document's English title and summary where it has them.
        document.shown_title = document.title_in(lang)  # type: ignore[attr-defined]
        document.shown_description = document.description_in(lang)  # type: ignore[attr-defined]
        versions = list(document.versions.all())
        document.current = versions[0]  # type: ignore[attr-defined]
        document.earlier = versions[1:]  # type: ignore[attr-defined]
    responsibility = [
        (label, RESPONSIBLE_BY_TYPE[value] == Responsible.PURCHASING) for value, label in RequirementType.choices
    ]
    return {
        "aims": [(aim.label, AIM_TEXT[aim]) for aim in Aim],
        "documents": documents,
        "regions": list(selectors.regions()),
        "responsibility": responsibility,
        "can_manage": selectors.can_manage_documents(request.user),
        "can_acknowledge": services.can_acknowledge(request.user),
    }


def _public_page(request: HttpRequest, lang: str) -> HttpResponse:
    with translation.override(lang):
        response = render(request, "supplierinfo/public.html", _public_context(request, lang) | {"page_lang": lang})
    # The same alternates as the page's <link> elements, for clients that read only headers.
    response["Link"] = ", ".join(
        [
            f'<{reverse("supplierinfo:feed")}>; rel="alternate"; type="application/atom+xml"',
            f'<{reverse("supplierinfo:public")}>; rel="alternate"; hreflang="sv"',
            f'<{reverse("supplierinfo:public_en")}>; rel="alternate"; hreflang="en"',
        ]
    )
    response["Content-Language"] = lang
    return response


@require_GET
def public(request: HttpRequest) -> HttpResponse:
    """Leverantörsinformation: what every supplier must know, without logging in. Always
    Swedish here; the English version has its own address so both can be linked."""
    return _public_page(request, "sv")


@require_GET
def public_en(request: HttpRequest) -> HttpResponse:
    """The same page in English, whatever language the visitor has chosen."""
    return _public_page(request, "en")


@require_GET
def version_download(request: HttpRequest, key: str, version_key: str) -> HttpResponseBase:
    """Public: policy documents are published to every supplier. Files are stored outside
    the web root and served only here, with the type found when they were uploaded."""
    document = _uuid_or_404(PolicyDocument.objects.all(), key)
    version = _uuid_or_404(PolicyDocumentVersion.objects.filter(document=document), version_key)
    if version.is_link:
        return redirect(version.url)
    content_type = version.content_type
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    response = FileResponse(
        version.file.open("rb"), as_attachment=True, filename=version.original_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


# --- Administrators: documents -------------------------------------------------------------


def _require_follow(request: HttpRequest) -> None:
    if not selectors.can_follow_acknowledgements(request.user):
        raise PermissionDenied


def _require_manage(request: HttpRequest) -> None:
    if not selectors.can_manage_documents(request.user):
        raise PermissionDenied


@login_required
@require_GET
def document_list(request: HttpRequest) -> HttpResponse:
    _require_follow(request)
    form = DocumentFilterForm(request.GET or None)
    filters = {"text": "", "kind": "", "state": ""}
    if form.is_valid():
        filters = {
            "text": form.cleaned_data["q"].strip(),
            "kind": form.cleaned_data["kind"],
            "state": form.cleaned_data["state"],
        }
    page = paginate(request, selectors.document_list(**filters))
    template = (
        "supplierinfo/_document_results.html"
        if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted")
        else "supplierinfo/document_list.html"
    )
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "querystring": querystring_without_page(request),
            "can_manage": selectors.can_manage_documents(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_create(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    form = DocumentForm(request.POST or None)
    return form_page(
        request,
        form,
        template="supplierinfo/document_form.html",
        save=lambda data: services.document_create(
            actor=request.user,  # type: ignore[arg-type]
            title=data["title"],
            kind=data["kind"],
            description=data["description"],
        ),
        done=lambda document: _created(request, document),
        context={"document": None},
    )


def _created(request: HttpRequest, document: PolicyDocument) -> HttpResponse:
    messages.success(request, _("The document was created. Now publish its first version."))
    return redirect("supplierinfo:version_create", key=document.uuid)


@login_required
@require_GET
def document_detail(request: HttpRequest, key: str) -> HttpResponse:
    _require_follow(request)
    document = _uuid_or_404(PolicyDocument.objects.all(), key)
    versions = list(document.versions.select_related("published_by").order_by("-published_at", "-id"))
    current = versions[0] if versions else None
    return render(
        request,
        "supplierinfo/document_detail.html",
        {
            "document": document,
            "versions": versions,
            "current": current,
            "counts": selectors.acknowledgement_counts(current) if current else None,
            "history": paginate(request, audit_events_for(document), per_page=20),
            "can_manage": selectors.can_manage_documents(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_edit(request: HttpRequest, key: str) -> HttpResponse:
    _require_manage(request)
    document = _uuid_or_404(PolicyDocument.objects.all(), key)
    form = DocumentForm(request.POST or None, instance=document, initial={"version": document.version})
    return form_page(
        request,
        form,
        template="supplierinfo/document_form.html",
        save=lambda data: services.document_update(
            actor=request.user,  # type: ignore[arg-type]
            document=document,
            version=data.get("version"),
            title=data["title"],
            kind=data["kind"],
            description=data["description"],
        ),
        done=saved(request, _("The document was saved."), "supplierinfo:document_detail", key=document.uuid),
        context={"document": document},
    )


@login_required
@require_http_methods(["GET", "POST"])
def version_create(request: HttpRequest, key: str) -> HttpResponse:
    _require_manage(request)
    document = _uuid_or_404(PolicyDocument.objects.all(), key)
    return form_page(
        request,
        VersionForm(request.POST or None, request.FILES or None),
        template="supplierinfo/version_form.html",
        save=lambda data: services.version_publish(
            actor=request.user,  # type: ignore[arg-type]
            document=document,
            label=data["label"],
            valid_from=data["valid_from"],
            upload=data["file"],
            url=data["url"],
            change_note=data["change_note"],
        ),
        done=saved(
            request,
            _("The new version is published and is now the current version."),
            "supplierinfo:document_detail",
            key=document.uuid,
        ),
        context={"document": document},
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_withdraw(request: HttpRequest, key: str) -> HttpResponse:
    """Withdrawing asks for confirmation and a reason on its own page."""
    _require_manage(request)
    document = _uuid_or_404(PolicyDocument.objects.all(), key)
    if document.is_withdrawn:
        messages.info(request, _("The document is already withdrawn."))
        return redirect("supplierinfo:document_detail", key=document.uuid)
    return form_page(
        request,
        WithdrawForm(request.POST or None, initial={"version": document.version}),
        template="supplierinfo/document_withdraw.html",
        save=lambda data: services.document_withdraw(
            actor=request.user,  # type: ignore[arg-type]
            document=document,
            reason=data["reason"],
            version=data.get("version"),
        ),
        done=saved(
            request,
            _("The document was withdrawn. Suppliers no longer see it."),
            "supplierinfo:document_detail",
            key=document.uuid,
        ),
        context={"document": document},
    )


@login_required
@require_POST
def document_restore(request: HttpRequest, key: str) -> HttpResponse:
    _require_manage(request)
    document = _uuid_or_404(PolicyDocument.objects.all(), key)
    try:
        services.document_restore(actor=request.user, document=document)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The document is published again."))
    return redirect("supplierinfo:document_detail", key=document.uuid)


# --- Administrators: region contact details -----------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def region_contact_edit(request: HttpRequest, key: str) -> HttpResponse:
    _require_manage(request)
    organisation = _uuid_or_404(Organisation.objects.filter(kind=OrganisationKind.REGION), key)
    contact = getattr(organisation, "supplier_contact", None)
    return form_page(
        request,
        RegionContactForm(
            request.POST or None, instance=contact, initial={"version": contact.version if contact else None}
        ),
        template="supplierinfo/region_contact_form.html",
        save=lambda data: services.region_contact_save(
            actor=request.user,  # type: ignore[arg-type]
            organisation=organisation,
            version=data.get("version"),
            **{k: data[k] for k in services.CONTACT_FIELDS},
        ),
        done=saved(request, _("The contact details were saved."), "supplierinfo:public"),
        context={"organisation": organisation},
    )


# --- Acknowledgements ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def acknowledge(request: HttpRequest) -> HttpResponse:
    """A supplier contact confirms, document by document, having read the current version."""
    if not services.can_acknowledge(request.user):
        raise PermissionDenied
    if request.method == "POST":
        key = _valid_uuid(request.POST.get("version", ""))
        version = selectors.current_versions().filter(uuid=key).first() if key else None
        if version is None:
            messages.error(
                request,
                _("This version is no longer current. Confirm the current version below instead."),
            )
        else:
            try:
                _ack, created = services.acknowledge(actor=request.user, version=version)  # type: ignore[arg-type]
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                if created:
                    messages.success(
                        request,
                        _("You confirmed having read %(document)s, version %(label)s.")
                        % {"document": version.document.title, "label": version.label},
                    )
                else:
                    messages.info(request, _("You had already confirmed this version."))
        return redirect("supplierinfo:acknowledge")
    versions = list(selectors.versions_for_supplier_contact(request.user))  # type: ignore[arg-type]
    return render(
        request,
        "supplierinfo/acknowledge.html",
        {"versions": versions, "remaining": sum(1 for v in versions if getattr(v, "acknowledged_at", None) is None)},
    )


def _valid_uuid(value: str) -> str | None:
    import uuid

    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


@login_required
@require_GET
def version_acknowledgements(request: HttpRequest, key: str, version_key: str) -> HttpResponse:
    """Who among the supplier contacts has and has not confirmed a version, by supplier."""
    _require_follow(request)
    document = _uuid_or_404(PolicyDocument.objects.all(), key)
    version = _uuid_or_404(PolicyDocumentVersion.objects.filter(document=document), version_key)
    form = AcknowledgementFilterForm(request.GET or None)
    status = text = ""
    if form.is_valid():
        status, text = form.cleaned_data["status"], form.cleaned_data["q"].strip()
    page = paginate(request, selectors.acknowledgement_rows(version, status=status, text=text))
    template = (
        "supplierinfo/_acknowledgement_results.html"
        if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted")
        else "supplierinfo/version_acknowledgements.html"
    )
    return render(
        request,
        template,
        {
            "document": document,
            "version": version,
            "form": form,
            "page": page,
            "counts": selectors.acknowledgement_counts(version),
            "querystring": querystring_without_page(request),
        },
    )
