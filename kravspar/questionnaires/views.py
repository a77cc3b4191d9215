from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kravspar.accounts import access
from kravspar.accounts.models import User
from kravspar.accounts.roles import Perm
from kravspar.audit.selectors import audit_events_for
from kravspar.core.errors import DomainError
from kravspar.core.forms import add_service_errors
from kravspar.core.formviews import created, form_page, form_post, saved
from kravspar.core.pagination import paginate, querystring_without_page
from kravspar.followups import uploads
from kravspar.questionnaires import answers as answer_rules
from kravspar.questionnaires import selectors, services
from kravspar.questionnaires.forms import (
    AnswerForm,
    CancelForm,
    QuestionForm,
    QuestionnaireForm,
    RequestCreateForm,
    RequestEditForm,
    RequestFilterForm,
    ReviewForm,
    SendForm,
    TemplateFilterForm,
)
from kravspar.questionnaires.models import (
    ANSWERABLE_STATUSES,
    AnswerFile,
    Question,
    Questionnaire,
    RequestKind,
    RequestStatus,
    SupplierRequest,
)
from kravspar.secrecy import access as secrecy_access
from kravspar.secrecy import services as secrecy
from kravspar.secrecy.models import DownloadKind, MarkKind
from kravspar.suppliers.models import Supplier

R = RequestStatus


def _is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-Boosted")


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


# --- lists ------------------------------------------------------------------------------------


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    """Requests to suppliers: the officer's list, or the supplier contact's own."""
    today = timezone.localdate()
    if selectors.is_supplier_contact(request.user):
        qs = selectors.requests_visible_to(request.user).select_related("contract").order_by("-created_at", "-id")
        return render(
            request,
            "questionnaires/supplier_request_list.html",
            {"page": paginate(request, qs), "querystring": "", "today": today, "answerable": ANSWERABLE_STATUSES},
        )
    access.require_perm(request.user, Perm.VIEW_CONTRACTS)
    suppliers = Supplier.objects.filter(
        pk__in=selectors.requests_visible_to(request.user).values("supplier_id")
    ).order_by("name")
    form = RequestFilterForm(request.GET or None, suppliers=suppliers)
    data = form.cleaned_data if form.is_valid() else {}
    contract_id = None
    if data.get("contract"):
        contract = access.contracts_visible_to(request.user).filter(contract_number=data["contract"].strip()).first()
        contract_id = contract.pk if contract else -1
    qs = selectors.request_list(
        request.user,
        today=today,
        status=data.get("status", ""),
        overdue=bool(data.get("overdue")),
        supplier=data.get("supplier"),
        contract_id=contract_id,
        q=data.get("q", ""),
    )
    template = "questionnaires/_request_results.html" if _is_htmx(request) else "questionnaires/request_list.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": paginate(request, qs),
            "querystring": querystring_without_page(request),
            "today": today,
            "open_statuses": (R.SENT, R.NEEDS_COMPLETION),
            "can_manage_templates": access.has_perm(request.user, Perm.MANAGE_CONTRACTS),
        },
    )


# --- creating and handling a request (buyer side) ------------------------------------------------


def _create_form(request: HttpRequest, activity: Any, data: Any = None) -> RequestCreateForm:
    templates = selectors.templates_for(active_only=True)
    initial_template = templates.filter(requirement_type=activity.requirement.type).first()
    return RequestCreateForm(
        data,
        templates=templates,
        suppliers=activity.contract.suppliers.order_by("name"),
        initial={
            "kind": RequestKind.SELF_ASSESSMENT,
            "title": initial_template.title if initial_template else activity.requirement.title,
            "template": initial_template,
            "supplier": activity.contract.suppliers.first() if activity.contract.suppliers.count() == 1 else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest, activity_key: str) -> HttpResponse:
    activity = access.activity_for(request.user, activity_key, change=True)
    if selectors.is_supplier_contact(request.user):
        raise Http404
    return form_page(
        request,
        _create_form(request, activity, request.POST if request.method == "POST" else None),
        template="questionnaires/request_create.html",
        save=lambda data: services.request_create(
            actor=_user(request),
            activity=activity,
            kind=data["kind"],
            title=data["title"],
            deadline=data["deadline"],
            supplier=data["supplier"],
            template=data["template"],
            message=data["message"],
        ),
        done=created(
            request,
            _("The request is saved as a draft. Check the questions, then send it to the supplier."),
            "questionnaires:detail",
        ),
        context={"activity": activity},
    )


def _submissions(supplier_request: SupplierRequest) -> list[Any]:
    return list(supplier_request.submissions.select_related("submitted_by", "reviewed_by").order_by("number"))


def _rows(questions: list[Question], versions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Side by side: each question with its answer in every version, and whether it changed."""
    rows = []
    for question in questions:
        values = [v.get(question.key) for v in versions]
        rows.append(
            {
                "question": question,
                "values": values,
                "changed": [i > 0 and values[i] != values[i - 1] for i in range(len(values))],
            }
        )
    return rows


def _questions(supplier_request: SupplierRequest) -> list[Question]:
    return list(supplier_request.questionnaire.questions.select_related("show_if_question").order_by("position", "id"))


# The events that carry what the supplier answered (file names, values): left out of the page
# when the answers are secrecy-marked for this person.
ANSWER_EVENTS = ("request.file_uploaded", "request.draft_saved")


def _history(supplier_request: SupplierRequest, answers_hidden: bool) -> Any:
    events = audit_events_for(supplier_request)
    return events.exclude(action__in=ANSWER_EVENTS) if answers_hidden else events


def _detail(request: HttpRequest, supplier_request: SupplierRequest, status: int = 200, **forms: Any) -> HttpResponse:
    can_handle = selectors.can_handle_request(request.user, supplier_request)
    version = {"version": supplier_request.version}
    questions = _questions(supplier_request)
    submissions = _submissions(supplier_request)
    mark = secrecy_access.mark_of(MarkKind.ANSWERS, supplier_request)
    answers_hidden = mark is not None and not secrecy_access.may_see(request.user, mark)
    if answers_hidden:
        # Secrecy-marked answers (issue 14): their existence shows, their content does not.
        submissions = []
    context = {
        "r": supplier_request,
        "secrecy_mark": mark,
        "answers_hidden": answers_hidden,
        "can_mark": secrecy_access.can_mark(request.user),
        "activity": supplier_request.activity,
        "can_handle": can_handle,
        "questions": questions,
        "submissions": submissions,
        "rows": _rows(questions, [s.answers for s in submissions]),
        "contacts": services.supplier_contacts(supplier_request.supplier),
        "send_form": SendForm(initial=version),
        "edit_form": forms.get("edit_form")
        or RequestEditForm(
            initial=version
            | {
                "title": supplier_request.title,
                "deadline": supplier_request.deadline,
                "message": supplier_request.message,
            }
        ),
        "review_form": forms.get("review_form") or ReviewForm(initial=version | {"complete_activity": True}),
        "cancel_form": forms.get("cancel_form") or CancelForm(initial=version),
        "send_errors": forms.get("send_errors", []),
        "history": paginate(request, _history(supplier_request, answers_hidden), per_page=20),
        "statuses": R,
        "open_statuses": (R.SENT, R.NEEDS_COMPLETION),
        "today": timezone.localdate(),
    }
    return render(request, "questionnaires/request_detail.html", context, status=status)


@login_required
@require_GET
def request_detail(request: HttpRequest, key: str) -> HttpResponse:
    if selectors.is_supplier_contact(request.user):
        return redirect("questionnaires:answer", key=selectors.request_for_supplier(request.user, key).uuid)
    return _detail(request, selectors.request_for_buyer(request.user, key))


@login_required
@require_POST
def request_send(request: HttpRequest, key: str) -> HttpResponse:
    supplier_request = selectors.request_for_buyer(request.user, key, change=True)
    form = SendForm(request.POST)
    if form.is_valid():
        try:
            _sent, mailed = services.request_send(
                actor=_user(request), supplier_request=supplier_request, expected_version=form.cleaned_data["version"]
            )
        except (ValidationError, DomainError) as exc:
            errors = exc.messages if isinstance(exc, ValidationError) else [str(exc.message)]
            return _detail(request, supplier_request, 400, send_errors=errors)
        if mailed:
            messages.success(
                request,
                ngettext(
                    "The request was sent. %(count)s contact person at the supplier got an e-mail.",
                    "The request was sent. %(count)s contact people at the supplier got an e-mail.",
                    mailed,
                )
                % {"count": mailed},
            )
        else:
            messages.warning(
                request,
                _(
                    "The request was sent, but nobody at the supplier has an account with an e-mail address yet. "
                    "Invite a contact person on the supplier's page."
                ),
            )
    return redirect("questionnaires:detail", key=supplier_request.uuid)


@login_required
@require_POST
def request_edit(request: HttpRequest, key: str) -> HttpResponse:
    supplier_request = selectors.request_for_buyer(request.user, key, change=True)
    form = RequestEditForm(request.POST)
    return form_post(
        form,
        save=lambda data: services.request_update(
            actor=_user(request),
            supplier_request=supplier_request,
            expected_version=data["version"],
            title=data["title"],
            deadline=data["deadline"],
            message=data["message"],
        ),
        done=saved(request, _("Your changes were saved."), "questionnaires:detail", key=supplier_request.uuid),
        failed=lambda: _detail(request, supplier_request, 400, edit_form=form),
    )


@login_required
@require_POST
def request_review(request: HttpRequest, key: str) -> HttpResponse:
    supplier_request = selectors.request_for_buyer(request.user, key, change=True)
    form = ReviewForm(request.POST)

    def save(data: dict[str, Any]) -> str:
        """The decision, and what to say when it is recorded."""
        if data["decision"] == "accept":
            services.request_accept(
                actor=_user(request),
                supplier_request=supplier_request,
                comment=data["comment"],
                complete_activity=data["complete_activity"],
                expected_version=data["version"],
            )
            return _("The answers were accepted and recorded on the follow-up.")
        services.request_ask_completion(
            actor=_user(request),
            supplier_request=supplier_request,
            comment=data["comment"],
            deadline=data["deadline"],
            expected_version=data["version"],
        )
        return _("The supplier was asked to complete the answers.")

    def done(message: str) -> HttpResponse:
        messages.success(request, message)
        return redirect("questionnaires:detail", key=supplier_request.uuid)

    return form_post(
        form, save=save, done=done, failed=lambda: _detail(request, supplier_request, 400, review_form=form)
    )


@login_required
@require_POST
def request_cancel(request: HttpRequest, key: str) -> HttpResponse:
    supplier_request = selectors.request_for_buyer(request.user, key, change=True)
    form = CancelForm(request.POST)
    return form_post(
        form,
        save=lambda data: services.request_cancel(
            actor=_user(request),
            supplier_request=supplier_request,
            reason=data["reason"],
            expected_version=data["version"],
        ),
        done=saved(request, _("The request was cancelled."), "questionnaires:detail", key=supplier_request.uuid),
        failed=lambda: _detail(request, supplier_request, 400, cancel_form=form),
    )


# --- the supplier's side ----------------------------------------------------------------------


def _answer_page(
    request: HttpRequest, supplier_request: SupplierRequest, form: AnswerForm | None = None, status: int = 200
) -> HttpResponse:
    response = supplier_request.response
    questions = _questions(supplier_request)
    if form is None:
        form = AnswerForm(questions=questions, saved=response.answers, initial={"version": response.version})
    hidden = {q.field_name for q in questions} - {
        q.field_name for q in answer_rules.visible_questions(questions, response.answers)
    }
    submissions = _submissions(supplier_request)
    return render(
        request,
        "questionnaires/answer.html",
        {
            "r": supplier_request,
            "form": form,
            "questions": questions,
            "fields": [(q, form[q.field_name]) for q in questions],
            "saved": response.answers,
            "initially_hidden": hidden,
            "can_answer": supplier_request.status in ANSWERABLE_STATUSES,
            "submissions": submissions,
            "rows": _rows(questions, [s.answers for s in submissions]),
            "last_review": next((s for s in reversed(submissions) if s.decision), None),
            "max_bytes": uploads.max_bytes(),
            "statuses": R,
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def request_answer(request: HttpRequest, key: str) -> HttpResponse:
    supplier_request = selectors.request_for_supplier(request.user, key)
    if request.method == "GET":
        return _answer_page(request, supplier_request)
    questions = _questions(supplier_request)
    form = AnswerForm(request.POST, request.FILES, questions=questions, saved=supplier_request.response.answers)
    submit = "submit" in request.POST
    if form.is_valid():
        try:
            response = services.response_save(
                actor=_user(request),
                supplier_request=supplier_request,
                answers=form.answers(),
                files=form.uploads(),
                expected_version=form.cleaned_data["version"],
            )
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
            if isinstance(exc, ValidationError) and form.uploads():
                form.add_error(None, _("Nothing was saved. Choose your files again before saving."))
        else:
            if not submit:
                messages.success(request, _("Your answers were saved as a draft. Submit them when you are done."))
                return redirect("questionnaires:answer", key=supplier_request.uuid)
            try:
                services.request_submit(
                    actor=_user(request), supplier_request=supplier_request, expected_version=response.version
                )
            except (ValidationError, DomainError) as exc:
                # The draft is saved; show the form as typed, with the saved draft's version.
                data = request.POST.copy()
                data["version"] = str(response.version)
                form.data = data
                add_service_errors(form, exc)
                form.add_error(None, _("Your answers were saved as a draft but not submitted."))
            else:
                messages.success(request, _("Thank you. Your answers were submitted to the buyer."))
                return redirect("questionnaires:answer", key=supplier_request.uuid)
    supplier_request.response.refresh_from_db()
    return _answer_page(request, supplier_request, form, status=400)


@login_required
@require_GET
def file_download(request: HttpRequest, key: str, file_key: str) -> FileResponse:
    """An answer's file, for the supplier who sent it and the buyers who see the request."""
    if selectors.is_supplier_contact(request.user):
        supplier_request = selectors.request_for_supplier(request.user, key)
    else:
        supplier_request = selectors.request_for_buyer(request.user, key)
    stored = AnswerFile.objects.filter(request=supplier_request, uuid=selectors.parse_uuid(file_key)).first()
    if stored is None:
        raise Http404
    secrecy.require_visible(request.user, MarkKind.ANSWERS, supplier_request)
    secrecy.download_logged(
        user=request.user,
        kind=DownloadKind.ANSWER_FILE,
        item=stored,
        file_name=stored.original_name,
        contract=supplier_request.contract,
    )
    response = FileResponse(
        stored.file.open("rb"), as_attachment=True, filename=stored.original_name, content_type=stored.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the questionnaire builder ----------------------------------------------------------------


def _questionnaire_for(request: HttpRequest, key: str, *, change: bool = False) -> Questionnaire:
    """A template for those who keep templates (Inköp); a request's copy for the buyers who
    see the request. 404 for everyone else, 403 when they see it but may not change it."""
    if selectors.is_supplier_contact(request.user):
        raise Http404
    questionnaire = Questionnaire.objects.filter(uuid=selectors.parse_uuid(key)).first()
    if questionnaire is None:
        raise Http404
    if questionnaire.is_template:
        if not access.has_perm(request.user, Perm.VIEW_CONTRACTS):
            raise Http404
        if change and not access.has_perm(request.user, Perm.MANAGE_CONTRACTS):
            raise PermissionDenied
    else:
        if not selectors.requests_visible_to(request.user).filter(questionnaire=questionnaire).exists():
            raise Http404
        if change and not services.can_edit_questionnaire(request.user, questionnaire):
            raise PermissionDenied
    return questionnaire


@login_required
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    access.require_perm(request.user, Perm.VIEW_CONTRACTS)
    if selectors.is_supplier_contact(request.user):
        raise PermissionDenied
    form = TemplateFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.templates_for(q=data.get("q", ""), requirement_type=data.get("requirement_type", ""))
    template = "questionnaires/_template_results.html" if _is_htmx(request) else "questionnaires/template_list.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": paginate(request, qs),
            "querystring": querystring_without_page(request),
            "can_manage": access.has_perm(request.user, Perm.MANAGE_CONTRACTS),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_create(request: HttpRequest) -> HttpResponse:
    access.require_perm(request.user, Perm.MANAGE_CONTRACTS)
    return form_page(
        request,
        QuestionnaireForm(request.POST or None, initial={"active": True}),
        template="questionnaires/template_create.html",
        save=lambda data: services.questionnaire_create(
            actor=_user(request),
            title=data["title"],
            requirement_type=data["requirement_type"],
            description=data["description"],
            active=data["active"],
        ),
        done=created(request, _("The template was created. Add its questions."), "questionnaires:builder"),
    )


def _builder(
    request: HttpRequest,
    questionnaire: Questionnaire,
    status: int = 200,
    question_form: QuestionForm | None = None,
    questionnaire_form: QuestionnaireForm | None = None,
) -> HttpResponse:
    questions = list(questionnaire.questions.select_related("show_if_question").order_by("position", "id"))
    supplier_request = SupplierRequest.objects.filter(questionnaire=questionnaire).first()
    can_edit = services.can_edit_questionnaire(request.user, questionnaire)
    return render(
        request,
        "questionnaires/builder.html",
        {
            "questionnaire": questionnaire,
            "questions": questions,
            "supplier_request": supplier_request,
            "can_edit": can_edit,
            "question_form": question_form or QuestionForm(earlier=questions, initial={"type": "yes_no"}),
            "questionnaire_form": questionnaire_form
            or QuestionnaireForm(instance=questionnaire, initial={"version": questionnaire.version}),
            "history": paginate(request, audit_events_for(questionnaire), per_page=20),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def builder(request: HttpRequest, key: str) -> HttpResponse:
    questionnaire = _questionnaire_for(request, key, change=request.method == "POST")
    if request.method == "GET":
        return _builder(request, questionnaire)
    form = QuestionnaireForm(request.POST, instance=questionnaire)
    return form_post(
        form,
        save=lambda data: services.questionnaire_update(
            actor=_user(request),
            questionnaire=questionnaire,
            expected_version=data["version"],
            title=data["title"],
            requirement_type=data["requirement_type"],
            description=data["description"],
            active=data["active"] if questionnaire.is_template else True,
        ),
        done=saved(request, _("Your changes were saved."), "questionnaires:builder", key=questionnaire.uuid),
        failed=lambda: _builder(request, questionnaire, 400, questionnaire_form=form),
    )


@login_required
@require_POST
def question_add(request: HttpRequest, key: str) -> HttpResponse:
    questionnaire = _questionnaire_for(request, key, change=True)
    earlier = list(questionnaire.questions.order_by("position", "id"))
    form = QuestionForm(request.POST, earlier=earlier)
    return form_post(
        form,
        save=lambda data: services.question_add(
            actor=_user(request), questionnaire=questionnaire, **form.service_data()
        ),
        done=saved(request, _("The question was added."), "questionnaires:builder", key=questionnaire.uuid),
        failed=lambda: _builder(request, questionnaire, 400, question_form=form),
    )


def _question_for(request: HttpRequest, key: str, question_key: str, *, change: bool) -> Question:
    questionnaire = _questionnaire_for(request, key, change=change)
    question = (
        questionnaire.questions.select_related("show_if_question", "questionnaire")
        .filter(uuid=selectors.parse_uuid(question_key))
        .first()
    )
    if question is None:
        raise Http404
    return question


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, key: str, question_key: str) -> HttpResponse:
    question = _question_for(request, key, question_key, change=True)
    earlier = list(question.questionnaire.questions.filter(position__lt=question.position).order_by("position", "id"))
    form = QuestionForm(
        request.POST if request.method == "POST" else None,
        earlier=earlier,
        initial=QuestionForm.initial_for(question),
    )
    return form_page(
        request,
        form,
        template="questionnaires/question_edit.html",
        save=lambda data: services.question_update(
            actor=_user(request), question=question, expected_version=data["version"], **form.service_data()
        ),
        done=saved(request, _("The question was saved."), "questionnaires:builder", key=question.questionnaire.uuid),
        context={"question": question, "questionnaire": question.questionnaire},
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_delete(request: HttpRequest, key: str, question_key: str) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    question = _question_for(request, key, question_key, change=True)
    error = ""
    if request.method == "POST":
        try:
            services.question_delete(actor=_user(request), question=question)
        except DomainError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("The question was deleted."))
            return redirect("questionnaires:builder", key=question.questionnaire.uuid)
    return render(
        request,
        "questionnaires/question_delete.html",
        {
            "question": question,
            "questionnaire": question.questionnaire,
            "follow_ups": list(question.follow_ups.all()),
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def question_move(request: HttpRequest, key: str, question_key: str) -> HttpResponse:
    question = _question_for(request, key, question_key, change=True)
    direction = "up" if request.POST.get("direction") == "up" else "down"
    try:
        services.question_move(actor=_user(request), question=question, direction=direction)
    except (ValidationError, DomainError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc.message))
    questionnaire = question.questionnaire
    if _is_htmx(request):
        return render(
            request,
            "questionnaires/_question_list.html",
            {
                "questionnaire": questionnaire,
                "questions": list(
                    questionnaire.questions.select_related("show_if_question").order_by("position", "id")
                ),
                "can_edit": True,
            },
        )
    return redirect("questionnaires:builder", key=questionnaire.uuid)


@login_required
@require_GET
def preview(request: HttpRequest, key: str) -> HttpResponse:
    """The questionnaire as the supplier will see it; nothing can be saved here."""
    questionnaire = _questionnaire_for(request, key)
    questions = list(questionnaire.questions.select_related("show_if_question").order_by("position", "id"))
    form = AnswerForm(questions=questions)
    hidden = {q.field_name for q in questions} - {q.field_name for q in answer_rules.visible_questions(questions, {})}
    return render(
        request,
        "questionnaires/preview.html",
        {
            "questionnaire": questionnaire,
            "form": form,
            "fields": [(q, form[q.field_name]) for q in questions],
            "initially_hidden": hidden,
        },
    )
