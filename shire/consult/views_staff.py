"""The officers' consultation pages: thin views over services.py, forms_staff.py and exports.py.

Every view is wrapped in `officer_required` (anonymous people are sent to sign in, anyone without
a staff role is refused) and every page about one consultation also checks
`services.can_manage`: only officers in the consultation's team see it or its responses;
everybody else, administrators included, is refused with 403.
"""
import os
import tempfile
from datetime import date, timedelta
from itertools import chain

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_safe, require_http_methods, require_POST

from shire.core import audit
from shire.core.permissions import officer_required

from . import exports, services, xlsform
from . import questionnaire as q
from .forms_staff import ConsultationForm, QuestionnaireUploadForm
from .models import Consultation, Response

RESPONSES_PER_PAGE = 50
LATEST_RESPONSES = 5


# -- helpers ----------------------------------------------------------------------------------


def _managed(request, slug):
    """The consultation `slug`, if the signed-in officer may manage it; 404 if none, 403 if not theirs."""
    consultation = get_object_or_404(Consultation.objects.select_related("team"), slug=slug)
    if not services.can_manage(request.user, consultation):
        raise PermissionDenied
    return consultation


def _questionnaire(consultation):
    try:
        return consultation.questionnaire
    except Consultation.questionnaire.RelatedObjectDoesNotExist:
        return None


def _public_url(name, slug, fallback):
    """A URL of the public pages, which another part of the app owns; its path is fixed by the design."""
    try:
        return reverse(name, args=[slug])
    except NoReverseMatch:
        return fallback


def _bound(request):
    """The form's data and files on a POST; nothing (an unbound form) on a GET."""
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _user_teams(user):
    return user.teams.order_by("name")


def _questionnaire_summary(questionnaire):
    if questionnaire is None:
        return None
    pages = []
    for page in questionnaire.definition.get("pages", []):
        count = sum(1 for item in page.get("items", []) if item.get("type") != "note")
        pages.append({"label": page.get("label") or page.get("name") or "", "questions": count})
    return {
        "questionnaire": questionnaire,
        "pages": pages,
        "page_count": len(pages),
        "question_count": sum(page["questions"] for page in pages),
    }


def format_problem(problem):
    """One XLSForm problem as an officer reads it: "survey sheet, row 7, column relevant: ..."."""
    where = []
    if problem.get("sheet"):
        where.append(f"{problem['sheet']} sheet")
    if problem.get("row") is not None:
        where.append(f"row {problem['row']}")
    if problem.get("column"):
        where.append(f"column {problem['column']}")
    message = problem.get("message", "")
    return f"{', '.join(where)}: {message}" if where else message


def answer_sections(definition, answers):
    """What a respondent answered, page by page, in words: each answered question's label and answer.

    Each answer is {"kind": "text"|"number"|"date"|"list"|"ranked", "value": ...}; templates escape
    every piece of it. Answers to names that are not in the questionnaire are listed last, as stored.
    """
    answers = dict(answers or {})
    sections = []
    for page in (definition or {}).get("pages", []):
        rows = []
        for item in page.get("items", []):
            name = item.get("name")
            if item.get("type") == "note" or name not in answers:
                continue
            rows.append({"name": name, "label": q.with_placeholders(item.get("label")) or name, "answer": _answer(item, answers.pop(name))})
        if rows:
            sections.append({"label": page.get("label") or "", "rows": rows})
    if answers:
        rows = [
            {"name": name, "label": name, "answer": _answer({"type": "unknown"}, value)}
            for name, value in answers.items()
        ]
        sections.append({"label": "Answers to questions not in the current questionnaire", "rows": rows})
    return sections


def _answer(item, value):
    qtype = item.get("type")
    labels = {choice.get("name"): choice.get("label") or choice.get("name") for choice in item.get("choices") or []}
    if qtype in ("select_multiple", "rank") and isinstance(value, list):
        names = [labels.get(v, str(v)) for v in value]
        return {"kind": "ranked" if qtype == "rank" else "list", "value": names}
    if qtype == "select_one":
        return {"kind": "text", "value": labels.get(value, str(value))}
    if qtype == "date" and isinstance(value, str):
        try:
            return {"kind": "date", "value": date.fromisoformat(value)}
        except ValueError:
            return {"kind": "text", "value": value}
    if isinstance(value, bool):
        return {"kind": "text", "value": "Yes" if value else "No"}
    if isinstance(value, (int, float)):
        return {"kind": "number", "value": value}
    if isinstance(value, list):
        return {"kind": "list", "value": [str(v) for v in value]}
    return {"kind": "text", "value": str(value)}


# -- consultations ----------------------------------------------------------------------------


@officer_required
@require_safe
def consultation_list(request):
    consultations = (
        Consultation.objects.filter(team__in=request.user.teams.all())
        .select_related("team")
        .annotate(response_count=Count("responses"))
        .order_by("-opens_on", "title")
    )
    return render(request, "consult/staff/list.html", {"consultations": consultations})


@officer_required
@require_http_methods(["GET", "POST"])
def consultation_create(request):
    teams = _user_teams(request.user)
    if not teams.exists():
        return render(request, "consult/staff/no_team.html")
    form = ConsultationForm(*_bound(request), teams=teams)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            consultation = form.save(commit=False)
            consultation.created_by = request.user
            consultation.save()
            audit.record(request.user, "consultation.created", consultation, slug=consultation.slug)
        messages.success(request, f"{consultation.title} was created as a draft.")
        return redirect("consult_staff:overview", slug=consultation.slug)
    return render(
        request,
        "consult/staff/form.html",
        {"form": form, "consultation": None, "lost_file": _lost_file(request, form)},
    )


@officer_required
@require_http_methods(["GET", "POST"])
def consultation_edit(request, slug):
    consultation = _managed(request, slug)
    old_document = consultation.document.name
    form = ConsultationForm(*_bound(request), instance=consultation, teams=_user_teams(request.user))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            consultation = form.save()
            audit.record(request.user, "consultation.updated", consultation, fields=sorted(form.changed_data))
        if old_document and old_document != consultation.document.name:
            consultation.document.storage.delete(old_document)
        messages.success(request, "Your changes were saved.")
        return redirect("consult_staff:overview", slug=consultation.slug)
    saved = Consultation.objects.select_related("team").get(pk=consultation.pk)
    return render(
        request,
        "consult/staff/form.html",
        {
            # The form has written what was typed onto `consultation`: show the saved record instead.
            "consultation": saved,
            "document_name": _document_name(saved),
            "form": form,
            "lost_file": _lost_file(request, form),
        },
    )


def _document_name(consultation):
    return os.path.basename(consultation.document.name) if consultation.document else ""


def _lost_file(request, form):
    """The name of a PDF that was chosen but not kept because the form had problems, to ask for it again."""
    upload = request.FILES.get("document")
    if upload is not None and form.is_bound and form.errors and "document" not in form.errors:
        return upload.name
    return None


@officer_required
@require_safe
def consultation_overview(request, slug):
    consultation = _managed(request, slug)
    questionnaire = _questionnaire(consultation)
    responses = consultation.responses.all()
    week_ago = timezone.now() - timedelta(days=7)
    return render(
        request,
        "consult/staff/overview.html",
        {
            "consultation": consultation,
            "phase": consultation.phase(),
            "document_name": _document_name(consultation),
            "summary": _questionnaire_summary(questionnaire),
            "response_count": responses.count(),
            "responses_this_week": responses.filter(submitted_at__gte=week_ago).count(),
            "latest_responses": responses.order_by("-submitted_at", "-id")[:LATEST_RESPONSES],
            "preview_url": _public_url("consult:preview", slug, f"/consultations/{slug}/preview/"),
            "public_url": request.build_absolute_uri(
                _public_url("consult:consultation", slug, f"/consultations/{slug}/")
            ),
        },
    )


@officer_required
@require_safe
def consultation_document(request, slug):
    consultation = _managed(request, slug)
    if not consultation.document:
        raise Http404("This consultation has no document.")
    try:
        handle = consultation.document.open("rb")
    except FileNotFoundError:
        raise Http404("The document file is missing.") from None
    return FileResponse(handle, content_type="application/pdf", filename=_document_name(consultation))


# -- questionnaire ----------------------------------------------------------------------------


@officer_required
@require_http_methods(["GET", "POST"])
def questionnaire_upload(request, slug):
    consultation = _managed(request, slug)
    form = QuestionnaireUploadForm(*_bound(request))
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["form_file"]
        filename = os.path.basename(upload.name)
        try:
            questionnaire = services.attach_questionnaire(consultation, upload.read(), filename, user=request.user)
        except xlsform.XLSFormError as error:
            problems = [format_problem(problem) for problem in error.problems] or [str(error)]
        except services.ConsultationError as error:
            problems = [str(error)]
        else:
            summary = _questionnaire_summary(questionnaire)
            messages.success(
                request,
                f"The questionnaire was uploaded: {summary['page_count']} pages, {summary['question_count']} questions.",
            )
            return redirect("consult_staff:overview", slug=consultation.slug)
    return render(
        request,
        "consult/staff/questionnaire.html",
        {
            "consultation": consultation,
            "form": form,
            "problems": problems,
            "summary": _questionnaire_summary(_questionnaire(consultation)),
            "has_responses": consultation.responses.exists(),
        },
    )


@officer_required
@require_safe
def questionnaire_source(request, slug):
    consultation = _managed(request, slug)
    questionnaire = _questionnaire(consultation)
    if questionnaire is None or not questionnaire.source_file:
        raise Http404("This consultation has no questionnaire file.")
    try:
        handle = questionnaire.source_file.open("rb")
    except FileNotFoundError:
        raise Http404("The questionnaire file is missing.") from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=questionnaire.source_name or os.path.basename(questionnaire.source_file.name),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# -- publishing -------------------------------------------------------------------------------


@officer_required
@require_POST
def consultation_publish(request, slug):
    consultation = _managed(request, slug)
    try:
        services.publish(consultation, request.user)
    except services.ConsultationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{consultation.title} is published.")
    return redirect("consult_staff:overview", slug=consultation.slug)


@officer_required
@require_POST
def consultation_unpublish(request, slug):
    consultation = _managed(request, slug)
    services.unpublish(consultation, request.user)
    messages.success(request, f"{consultation.title} is no longer published: the public cannot see it.")
    return redirect("consult_staff:overview", slug=consultation.slug)


# -- responses --------------------------------------------------------------------------------


@officer_required
@require_safe
def response_list(request, slug):
    consultation = _managed(request, slug)
    responses = consultation.responses.order_by("-submitted_at", "-id").only(
        "response_id", "submitted_at", "channel", "consultation_id"
    )
    page = Paginator(responses, RESPONSES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "consult/staff/responses.html",
        {"consultation": consultation, "page": page, "page_links": _page_links(page)},
    )


def _page_links(page):
    """GOV.UK pagination: first, last, current and its neighbours, with ellipses between."""
    if page.paginator.num_pages <= 1:
        return []
    wanted = {1, page.paginator.num_pages, page.number - 1, page.number, page.number + 1}
    links, previous = [], 0
    for number in sorted(n for n in wanted if 1 <= n <= page.paginator.num_pages):
        if number - previous > 1:
            links.append(None)
        links.append(number)
        previous = number
    return links


@officer_required
@require_safe
def response_detail(request, slug, reference):
    consultation = _managed(request, slug)
    response = get_object_or_404(Response, consultation=consultation, response_id=reference)
    questionnaire = _questionnaire(consultation)
    audit.record(request.user, "response.viewed", response, consultation=consultation.slug)
    return render(
        request,
        "consult/staff/response.html",
        {
            "consultation": consultation,
            "response": response,
            "sections": answer_sections(questionnaire.definition if questionnaire else None, response.answers),
        },
    )


@officer_required
@require_safe
def responses_csv(request, slug):
    consultation = _managed(request, slug)
    audit.record(request.user, "responses.downloaded", consultation, format="csv", responses=consultation.responses.count())
    # A byte order mark first, so that Excel reads the file as UTF-8.
    response = StreamingHttpResponse(chain(["\ufeff"], exports.csv_chunks(consultation)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{consultation.slug}-responses.csv"'
    return response


@officer_required
@require_safe
def responses_xlsx(request, slug):
    consultation = _managed(request, slug)
    audit.record(request.user, "responses.downloaded", consultation, format="xlsx", responses=consultation.responses.count())
    handle = tempfile.TemporaryFile()
    exports.responses_xlsx(consultation, handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{consultation.slug}-responses.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
