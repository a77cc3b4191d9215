"""Pages of the economic follow-up: price lists, the work queue, the figures and the
invoice lines behind them."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm
from kravspar.audit.selectors import audit_events_for
from kravspar.contracts.models import Contract
from kravspar.core.errors import DomainError
from kravspar.core.formviews import created, form_page, render_form, saved, without_version
from kravspar.core.ids import is_uuid
from kravspar.core.pagination import paginate, querystring_without_page
from kravspar.jobs.models import JobKind
from kravspar.jobs.services import job_start
from kravspar.spend import figures, policy, pricelists, services
from kravspar.spend.forms import (
    ArticleForm,
    AssignArticleForm,
    AssignContractForm,
    FigureFilterForm,
    PriceListFilterForm,
    PriceListImportForm,
    QueueFilterForm,
    ReviewForm,
)
from kravspar.spend.models import (
    InvoiceMatch,
    LineMatch,
    LineStatus,
    MatchStatus,
    OffContractPurchase,
    PriceListArticle,
)

IMPORT_SALT = "kravspar.spend.pricelist-import"
IMPORT_MAX_AGE = 60 * 60


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _list_template(request: HttpRequest, full: str, partial: str) -> str:
    return partial if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted") else full


# --- access ------------------------------------------------------------------------------


def article_for(user: access.AnyUser, key: Any, *, change: bool = False) -> PriceListArticle:
    """An article of a contract the person sees (else 404); ``change`` needs the right to
    manage contracts (else 403)."""
    if not is_uuid(str(key)):
        raise Http404
    article = (
        PriceListArticle.objects.filter(uuid=key, contract__in=access.contracts_visible_to(user))
        .select_related("contract")
        .first()
    )
    if article is None:
        raise Http404
    if change and not access.can_change_contract(user, article.contract):
        raise PermissionDenied
    return article


def matches_visible_to(user: access.AnyUser) -> QuerySet[InvoiceMatch]:
    if not access.has_perm(user, Perm.VIEW_CONTRACTS):
        return InvoiceMatch.objects.none()
    ids = access.visible_organisation_ids(user)
    if ids is None:
        return InvoiceMatch.objects.all()
    return InvoiceMatch.objects.filter(organisation_id__in=ids)


def match_for(user: access.AnyUser, key: Any, *, change: bool = False) -> InvoiceMatch:
    if not is_uuid(str(key)):
        raise Http404
    match = (
        matches_visible_to(user)
        .filter(document__uuid=key)
        .select_related("document", "organisation", "unit", "supplier", "contract", "credited_document", "matched_by")
        .defer("document__original")
        .first()
    )
    if match is None:
        raise Http404
    if change and not access.has_perm(user, Perm.MANAGE_CONTRACTS):
        raise PermissionDenied
    return match


# --- price lists ---------------------------------------------------------------------------


@login_required
@require_safe
def pricelist(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    contract = access.contract_for(user, key)
    form = PriceListFilterForm(request.GET or None)
    qs = PriceListArticle.objects.filter(contract=contract)
    if form.is_valid() and (q := form.cleaned_data["q"].strip()):
        qs = qs.filter(Q(seller_item_id__icontains=q) | Q(gtin__icontains=q) | Q(name__icontains=q))
    context = {
        "contract": contract,
        "form": form,
        "page": paginate(request, qs.order_by("seller_item_id", "gtin", "valid_from")),
        "querystring": querystring_without_page(request),
        "can_manage": access.can_change_contract(user, contract),
    }
    return render(request, _list_template(request, "spend/pricelist.html", "spend/_pricelist_results.html"), context)


@login_required
@require_http_methods(["GET", "POST"])
def article_create(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    contract = access.contract_for(user, key, change=True)
    return form_page(
        request,
        ArticleForm(request.POST or None),
        template="spend/article_form.html",
        save=lambda data: pricelists.article_create(actor=user, contract=contract, **without_version(data)),
        done=created(request, _("The article was added to the price list."), "spend:article"),
        context={"contract": contract, "article": None},
    )


@login_required
@require_safe
def article_detail(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    article = article_for(user, key)
    context = {
        "article": article,
        "contract": article.contract,
        "can_manage": access.can_change_contract(user, article.contract),
        "used": LineMatch.objects.filter(article=article).count(),
        "history": paginate(request, audit_events_for(article), per_page=20),
    }
    return render(request, "spend/article_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    article = article_for(user, key, change=True)
    initial = {f: getattr(article, f) for f in ArticleForm.Meta.fields} | {"version": article.version}
    return form_page(
        request,
        ArticleForm(request.POST or None, initial=initial),
        template="spend/article_form.html",
        save=lambda data: pricelists.article_update(
            actor=user, article=article, expected_version=data["version"], **without_version(data)
        ),
        done=saved(request, _("Your changes were saved."), "spend:article", key=article.uuid),
        context={"contract": article.contract, "article": article},
    )


@login_required
@require_http_methods(["GET", "POST"])
def article_delete(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    article = article_for(user, key, change=True)
    error = None
    if request.method == "POST":
        try:
            pricelists.article_delete(actor=user, article=article)
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("The article was deleted from the price list."))
            return redirect("spend:pricelist", key=article.contract.uuid)
    return render(
        request,
        "spend/article_delete.html",
        {"article": article, "contract": article.contract, "error": error},
        status=409 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def pricelist_import(request: HttpRequest, key: str) -> HttpResponse:
    """Check a file first (nothing changes), then import what was checked."""
    user = _user(request)
    contract = access.contract_for(user, key, change=True)
    form = PriceListImportForm(request.POST, request.FILES) if request.method == "POST" else PriceListImportForm()
    context: dict[str, Any] = {"form": form, "contract": contract, "columns": pricelists.IMPORT_COLUMNS}
    template = "spend/pricelist_import.html"
    if request.method != "POST":
        return render(request, template, context)
    if "token" in request.POST:
        try:
            payload = signing.loads(request.POST["token"], salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
            if payload["contract"] != str(contract.uuid):
                raise signing.BadSignature
            data = base64.b64decode(payload["data"])
            file_name = str(payload["name"])
        except (signing.BadSignature, binascii.Error, TypeError, KeyError):
            message = _("The checked file is too old or was changed. Choose the file and check it again.")
            return render_form(request, template, context | {"form": PriceListImportForm(), "row_errors": [message]})
        dry_run = False
    elif form.is_valid():
        upload = form.cleaned_data["file"]
        data, file_name = upload.read(), upload.name
        dry_run = True
    else:
        return render_form(request, template, context)
    if not dry_run and len(data) > settings.KRAVSPAR_IMPORT_JOB_BYTES:
        # A large checked file is imported by a background job while its page shows progress.
        job = job_start(
            owner=user,
            kind=JobKind.PRICELIST_IMPORT,
            title=_("Price-list import: %(contract)s") % {"contract": contract.contract_number},
            params={"contract": str(contract.uuid)},
            inputs=[(file_name, data)],
            total=1,
        )
        return redirect("jobs:detail", job.uuid)
    try:
        result = pricelists.pricelist_import(
            actor=user, contract=contract, data=data, file_name=file_name, dry_run=dry_run
        )
    except ValidationError as exc:
        return render_form(request, template, context | {"form": PriceListImportForm(), "row_errors": exc.messages})
    if dry_run:
        token = signing.dumps(
            {"contract": str(contract.uuid), "name": file_name, "data": base64.b64encode(data).decode("ascii")},
            salt=IMPORT_SALT,
            compress=True,
        )
        return render(request, template, context | {"checked": result, "token": token, "file_name": file_name})
    messages.success(
        request,
        _("The price list was updated: %(created)d new, %(updated)d changed, %(unchanged)d unchanged.")
        % {"created": result["created"], "updated": result["updated"], "unchanged": result["unchanged"]},
    )
    return redirect("spend:pricelist", key=contract.uuid)


# --- the work queue -------------------------------------------------------------------------


@login_required
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access.require_perm(user, Perm.VIEW_CONTRACTS)
    form = QueueFilterForm(request.GET or None, organisations=access.organisations_visible_to(user).order_by("name"))
    qs = matches_visible_to(user).filter(needs_attention=True)
    if form.is_valid():
        if q := form.cleaned_data["q"].strip():
            qs = qs.filter(Q(document__number__icontains=q) | Q(document__seller_name__icontains=q))
        if status := form.cleaned_data["status"]:
            qs = qs.filter(unmatched_lines__gt=0) if status == "lines" else qs.filter(status=status)
        if org := form.cleaned_data["organisation"]:
            qs = qs.filter(organisation=org)
    qs = (
        qs.select_related("document", "organisation", "supplier", "contract")
        .only(
            "id",
            "status",
            "detail",
            "issue_date",
            "net_amount",
            "currency",
            "unmatched_lines",
            "document__uuid",
            "document__number",
            "document__seller_name",
            "document__kind",
            "organisation__name",
            "supplier__name",
            "contract__contract_number",
        )
        .order_by("-issue_date", "-id")
    )
    context = {
        "form": form,
        "page": paginate(request, qs),
        "querystring": querystring_without_page(request),
    }
    return render(request, _list_template(request, "spend/queue.html", "spend/_queue_results.html"), context)


def _candidate_contracts(user: User, match: InvoiceMatch) -> QuerySet[Contract]:
    qs = access.contracts_visible_to(user)
    if match.organisation_id is not None:
        qs = qs.filter(buyers=match.organisation_id)
    if match.supplier_id is not None:
        qs = qs.filter(suppliers=match.supplier_id)
    return qs.order_by("contract_number")


@login_required
@require_safe
def invoice_match(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    match = match_for(user, key)
    can_manage = access.has_perm(user, Perm.MANAGE_CONTRACTS)
    lines = (
        LineMatch.objects.filter(invoice_match=match)
        .select_related("line", "article", "matched_by")
        .order_by("line__position")
    )
    context: dict[str, Any] = {
        "match": match,
        "document": match.document,
        "page": paginate(request, lines, per_page=50),
        "can_manage": can_manage,
        "candidates": list(match.candidates.order_by("contract_number")),
        "history": paginate(request, audit_events_for(match.document), per_page=20),
    }
    if can_manage:
        context["contract_form"] = AssignContractForm(
            initial={"version": match.version}, contracts=_candidate_contracts(user, match)
        )
        context["review_form"] = ReviewForm(initial={"version": match.version})
        if match.contract_id:
            context["articles"] = list(
                PriceListArticle.objects.filter(contract_id=match.contract_id).order_by("seller_item_id", "gtin")
            )
    return render(request, "spend/invoice_match.html", context)


@login_required
@require_POST
def assign_contract(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    match = match_for(user, key, change=True)
    return form_page(
        request,
        AssignContractForm(request.POST, contracts=_candidate_contracts(user, match)),
        template="spend/assign_form.html",
        save=lambda data: services.match_assign_contract(
            actor=user, match=match, contract=data["contract"], expected_version=data["version"], note=data["note"]
        ),
        done=saved(
            request,
            _("The contract was assigned and the invoice matched again."),
            "spend:invoice",
            key=match.document.uuid,
        ),
        context={"match": match, "title": _("Assign a contract")},
    )


@login_required
@require_POST
def assign_article(request: HttpRequest, key: str, position: int) -> HttpResponse:
    user = _user(request)
    match = match_for(user, key, change=True)
    line_match = LineMatch.objects.filter(invoice_match=match, line__position=position).select_related("line").first()
    if line_match is None:
        raise Http404
    articles = (
        PriceListArticle.objects.filter(contract_id=match.contract_id)
        if match.contract_id
        else PriceListArticle.objects.none()
    )
    return form_page(
        request,
        AssignArticleForm(request.POST, articles=articles),
        template="spend/assign_form.html",
        save=lambda data: services.line_assign_article(
            actor=user, line_match=line_match, article=data["article"], expected_version=data["version"]
        ),
        done=saved(
            request,
            _("The article was assigned and the line checked again."),
            "spend:invoice",
            key=match.document.uuid,
        ),
        context={"match": match, "title": _("Assign an article")},
    )


@login_required
@require_POST
def review(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    match = match_for(user, key, change=True)
    return form_page(
        request,
        ReviewForm(request.POST),
        template="spend/assign_form.html",
        save=lambda data: services.match_mark_reviewed(
            actor=user, match=match, expected_version=data["version"], note=data["note"]
        ),
        done=saved(request, _("The invoice was taken out of the work queue."), "spend:queue"),
        context={"match": match, "title": _("No contract needed")},
    )


@login_required
@require_safe
def off_contract(request: HttpRequest) -> HttpResponse:
    """Purchases from known suppliers without a valid contract with the buyer."""
    user = _user(request)
    access.require_perm(user, Perm.VIEW_CONTRACTS)
    form = FigureFilterForm(request.GET or None, organisations=access.organisations_visible_to(user).order_by("name"))
    qs = OffContractPurchase.objects.filter(cleared_at__isnull=True)
    ids = access.visible_organisation_ids(user)
    if ids is not None:
        qs = qs.filter(organisation_id__in=ids)
    if form.is_valid():
        if form.cleaned_data["date_from"]:
            qs = qs.filter(issue_date__gte=form.cleaned_data["date_from"])
        if form.cleaned_data["date_to"]:
            qs = qs.filter(issue_date__lte=form.cleaned_data["date_to"])
        if form.cleaned_data["organisation"]:
            qs = qs.filter(organisation=form.cleaned_data["organisation"])
    qs = qs.select_related("document", "organisation", "supplier", "nearest_contract").defer("document__original")
    context = {
        "form": form,
        "page": paginate(request, qs.order_by("-issue_date", "-id")),
        "querystring": querystring_without_page(request),
        # Kronor only: a purchase in another currency is listed but never added to kronor.
        "total": qs.filter(currency=policy.KRONOR).aggregate(total=Sum("net_amount"))["total"],
        "foreign": qs.exclude(currency=policy.KRONOR).count(),
    }
    return render(request, "spend/off_contract.html", context)


# --- figures ----------------------------------------------------------------------------------


def _figure_filters(request: HttpRequest, user: User) -> tuple[FigureFilterForm, dict[str, Any], str]:
    form = FigureFilterForm(request.GET or None, organisations=access.organisations_visible_to(user).order_by("name"))
    filters: dict[str, Any] = {}
    group = "organisation"
    if form.is_valid():
        filters = {
            "date_from": form.cleaned_data["date_from"],
            "date_to": form.cleaned_data["date_to"],
            "organisation": form.cleaned_data["organisation"],
        }
        group = form.cleaned_data["group"] or group
    elif form.is_bound:
        filters = {"date_from": None, "date_to": None, "organisation": None}
    return form, filters, group


def _period_query(request: HttpRequest) -> str:
    """The page's period and organisation filters as a query string, without the rest."""
    params = request.GET.copy()
    for name in ("sida", "group", "per", "nyckel", "urval", "avtal"):
        params.pop(name, None)
    return params.urlencode()


@login_required
@require_safe
def figures_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access.require_perm(user, Perm.VIEW_CONTRACTS)
    form, filters, group = _figure_filters(request, user)
    qs = figures.filtered(user, **filters)
    foreign = figures.foreign_documents(figures.scoped(user, **filters))
    spend_page = paginate(request, figures.contract_spend(qs), per_page=20)
    params = request.GET.copy()
    params.pop("sida", None)
    params.pop("group", None)
    context = {
        "form": form,
        "group": group,
        "group_label": figures.GROUPS[group][1],
        "total": figures.totals(qs),
        "rows": figures.figure_rows(qs, group),
        "spend_page": spend_page,
        "contract_rows": figures.with_contracts(list(spend_page.object_list)),
        "querystring": querystring_without_page(request),
        "filter_query": params.urlencode(),
        "foreign": foreign,
        "not_checked": figures.not_price_checked(qs),
        "can_import_ledger": access.has_perm(user, Perm.MANAGE_CONTRACTS),
    }
    return render(request, "spend/figures.html", context)


@login_required
@require_safe
def lines(request: HttpRequest) -> HttpResponse:
    """The invoice lines behind a figure: the same filters, plus a group key and a selection."""
    user = _user(request)
    access.require_perm(user, Perm.VIEW_CONTRACTS)
    form, filters, _group = _figure_filters(request, user)
    selection = request.GET.get("urval", "")
    everything = figures.scoped(user, **filters)
    # The figures' lines are in kronor; "foreign_currency" shows the ones they leave out.
    qs = figures.not_in_kronor(everything) if selection == figures.FOREIGN else figures.in_kronor(everything)
    foreign = 0 if selection == figures.FOREIGN else figures.foreign_documents(everything)
    group = request.GET.get("per", "")
    qs = figures.apply_group_filter(qs, group, request.GET.get("nyckel", ""))
    if selection in figures.SELECTIONS:
        qs = qs.filter(figures.SELECTIONS[selection])
    contract_key = request.GET.get("avtal", "")
    if contract_key:
        qs = qs.filter(contract__uuid=contract_key) if is_uuid(contract_key) else qs.none()
    qs = (
        qs.select_related("line__document", "article", "contract", "supplier", "organisation")
        .defer("line__document__original")
        .order_by("-issue_date", "-line_id")
    )
    context = {
        "form": form,
        "page": paginate(request, qs),
        "querystring": querystring_without_page(request),
        "selection": selection,
        "selections": {
            "contracted": _("with a contracted supplier"),
            "not_contracted": _("not with a contracted supplier"),
            "on_terms": _("on the contract's terms"),
            "not_on_terms": _("not on the contract's terms"),
            "over_price": _("priced above the agreed price"),
            figures.FOREIGN: _("in another currency than SEK (not in the figures)"),
        },
        "foreign": foreign,
        "FOREIGN": figures.FOREIGN,
        "filter_query": _period_query(request),
        "LineStatus": LineStatus,
        "MatchStatus": MatchStatus,
        "figures_url": reverse("spend:figures"),
    }
    return render(request, "spend/lines.html", context)
