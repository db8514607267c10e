"""The results pages: the officers' report (tables, charts, groups, downloads), workshop results,
publishing the public page, and the public "we asked, you said" page. Thin views over reports.py
and documents.py (the report as files, prepared in the background and downloaded once ready).

Staff pages: anonymous people are sent to sign in; officers outside the consultation's team
(administrators included) are refused with 403, as on every other page about a consultation.
The public page exists only once an officer has published the results; it shows figures with
small numbers suppressed and no free text.
"""
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from shire.core import audit
from shire.core.permissions import officer_required

from . import documents, reports, services
from .models import Consultation, Workshop, WorkshopVote

ANSWERS_ON_PAGE = 100
MAX_VOTES = 1_000_000


def _managed(request, slug):
    """The consultation `slug` if the signed-in officer may manage it: 404 if none, 403 if not theirs."""
    consultation = get_object_or_404(Consultation.objects.select_related("team"), slug=slug)
    if not services.can_manage(request.user, consultation):
        raise PermissionDenied
    return consultation


def _definition(consultation):
    try:
        return reports.definition_of(consultation)
    except reports.ReportError:
        return None


def _group_options(definition):
    return [{"name": q["name"], "label": q.get("label") or q["name"]} for q in reports.group_questions(definition or {})]


# -- the officers' results page ----------------------------------------------------------------


@officer_required
@require_safe
def results(request, slug):
    consultation = _managed(request, slug)
    return _render_results(request, consultation, request.GET.get("group") or None)


def _render_results(request, consultation, group_by, errors=(), status=200):
    """The results page, grouped by `group_by` if it is a question to group by; `errors` are
    (message, anchor) pairs for the error summary."""
    definition = _definition(consultation)
    ctx = {"consultation": consultation, "definition": definition, "errors": list(errors)}
    if definition is None:
        return render(request, "consult/results/staff.html", ctx)
    options = _group_options(definition)
    if group_by and group_by not in {o["name"] for o in options}:
        ctx["group_error"] = "Choose a question from the list to group the respondents by."
        ctx["errors"].insert(0, (ctx["group_error"], "#group"))
        group_by, status = None, 400
    report = reports.build_report(consultation, group_by=group_by)
    ctx.update(reports.context(consultation, report, chart_format="css", answer_limit=ANSWERS_ON_PAGE))
    states = documents.states(consultation, group_by)
    ctx.update({
        "group_options": options,
        "documents": states,
        "documents_active": any(state["work"] and state["work"]["active"] for state in states),
        "page_url": _results_url(consultation, group_by),
        "workshops": consultation.workshops.count(),
    })
    return render(request, "consult/results/staff.html", ctx, status=status)


def _results_url(consultation, group_by):
    return reverse("consult_results:staff", args=[consultation.slug]) + (f"?{urlencode({'group': group_by})}" if group_by else "")


# -- the report as a file, prepared in the background (documents.py) ----------------------------


@officer_required
@require_POST
def prepare(request, slug):
    consultation = _managed(request, slug)
    fmt, group_by = request.POST.get("format", ""), request.POST.get("group") or None
    if group_by and group_by not in {o["name"] for o in _group_options(_definition(consultation))}:
        return _render_results(request, consultation, group_by, status=400)  # which says so
    try:
        document, queued = documents.start(consultation, fmt, request.user, group_by)
    except documents.DocumentError as error:
        if _definition(consultation) is None:
            raise Http404("This consultation has no questionnaire, so it has no results report.") from None
        anchor = f"#document-{fmt}" if fmt in documents.FORMAT_NAMES else "#documents"
        return _render_results(request, consultation, group_by, [(str(error), anchor)], status=400)
    name = documents.FORMAT_NAMES[fmt]
    messages.success(request, f"Shire will prepare the {name} report in the background: this page shows how it is "
                              "getting on." if queued else
                     f"The {name} report prepared before is up to date, so Shire did not prepare it again: download it below.")
    return redirect(_results_url(consultation, group_by))


@officer_required
@require_safe
def document_status(request, slug, fmt):
    """A format's document as JSON (background-work.js asks every few seconds while it is prepared)."""
    consultation = _managed(request, slug)
    if fmt not in documents.FORMAT_NAMES or _definition(consultation) is None:
        raise Http404("No such report.")
    state = documents.state(consultation, fmt, request.GET.get("group") or None)
    html = render_to_string("consult/results/_document_status.html", {"consultation": consultation, "document": state},
                            request)
    response = JsonResponse({"work": state["work"], "html": html})
    response["Cache-Control"] = "no-store"
    return response


@officer_required
@require_safe
def download(request, slug, fmt):
    """The format's prepared document, as it was prepared (up to date or not): 404 if there is none."""
    consultation = _managed(request, slug)
    if fmt not in documents.FORMAT_NAMES:
        raise Http404("No such report format.")
    group_by = request.GET.get("group") or None
    document = documents.ready_document(consultation, fmt, group_by)
    if document is None:
        raise Http404("This report has not been prepared: prepare it on the results page first.")
    try:
        handle = documents.open_for_download(document, request.user)
    except FileNotFoundError:  # deleted a moment ago: a newer one has just been prepared
        raise Http404("This report has just been prepared again: download the new one from the results page.") from None
    response = FileResponse(handle, as_attachment=True, filename=reports.filename(consultation, fmt, group_by),
                            content_type=reports.FORMATS[fmt][0])
    response["Cache-Control"] = "private, no-store"
    return response


# -- workshop results --------------------------------------------------------------------------


class WorkshopVotesForm(forms.Form):
    """A workshop's name and its dot votes for each option of one question."""

    workshop = forms.CharField(label="Workshop name", max_length=120,
                               error_messages={"required": "Enter the workshop's name",
                                               "max_length": "The workshop's name must be 120 characters or fewer"})

    def __init__(self, *args, question, consultation, editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        self.consultation = consultation
        self.editing = editing
        self.options = []
        for index, choice in enumerate(question.get("choices") or []):
            field = f"option_{index}"
            label = choice.get("label") or choice["name"]
            self.fields[field] = forms.IntegerField(
                label=label, required=False, min_value=0, max_value=MAX_VOTES,
                error_messages={
                    "invalid": f"Votes for {label} must be a whole number, like 12",
                    "min_value": f"Votes for {label} cannot be less than 0",
                    "max_value": f"Votes for {label} must be {MAX_VOTES:,} or fewer",
                },
            )
            self.options.append((field, choice["name"], label))

    def clean_workshop(self):
        name = " ".join(self.cleaned_data["workshop"].split())
        if not name:
            raise forms.ValidationError("Enter the workshop's name")
        if name.lower() == "total":
            raise forms.ValidationError("Call the workshop something other than 'total', which the report uses for the totals")
        clash = self.consultation.workshops.filter(name=name)
        if self.editing is not None:
            clash = clash.exclude(pk=self.editing.pk)
        if self.editing is not None and clash.exists():
            raise forms.ValidationError(f"There is already a workshop called {name}: choose another name, or edit that workshop")
        return name

    def clean(self):
        cleaned = super().clean()
        if not self.errors and all(cleaned.get(field) in (None, 0) for field, _, _ in self.options):
            raise forms.ValidationError("Enter the votes for at least one option")
        return cleaned

    def votes(self):
        return {option: self.cleaned_data.get(field) or 0 for field, option, _ in self.options}

    def field_rows(self):
        return [{"field": self[field], "option": option, "label": label} for field, option, label in self.options]

    def error_list(self):
        items = [(str(e), "#workshop-votes") for e in self.non_field_errors()]
        for name in ["workshop"] + [field for field, _, _ in self.options]:
            items += [(str(e), f"#id_{name}") for e in self.errors.get(name, [])]
        return items


def _workshop_tables(consultation, definition):
    """The workshop votes entered so far: for each question, a row for each workshop."""
    questions = {q["name"]: q for q in reports.choice_questions(definition)}
    by_question = {}
    rows = (WorkshopVote.objects.filter(workshop__consultation=consultation)
            .select_related("workshop").order_by("workshop_id", "id"))
    for vote in rows:
        by_question.setdefault(vote.question, {}).setdefault(vote.workshop, {})[vote.option] = vote.votes
    tables = []
    for name, workshops in by_question.items():
        question = questions.get(name)
        choices = [(c["name"], c.get("label") or c["name"]) for c in (question or {}).get("choices") or []]
        known = {c for c, _ in choices}
        choices += sorted({(o, o) for votes in workshops.values() for o in votes if o not in known})
        tables.append({
            "name": name,
            "label": (question or {}).get("label") or name,
            "choices": choices,
            "rows": [{"workshop": w, "votes": [votes.get(c, 0) for c, _ in choices], "total": sum(votes.values())}
                     for w, votes in workshops.items()],
        })
    order = list(questions)
    tables.sort(key=lambda t: order.index(t["name"]) if t["name"] in order else len(order))
    return tables


@officer_required
@require_http_methods(["GET", "HEAD", "POST"])
def workshops(request, slug):
    consultation = _managed(request, slug)
    definition = _definition(consultation)
    if definition is None:
        raise Http404("This consultation has no questionnaire, so it has no questions to record workshop votes for.")
    questions = reports.choice_questions(definition)
    by_name = {q["name"]: q for q in questions}
    source = request.POST if request.method == "POST" else request.GET
    question = by_name.get(source.get("question") or "")
    editing = None
    if source.get("workshop_id"):
        editing = get_object_or_404(Workshop, pk=source.get("workshop_id") if source.get("workshop_id").isdigit() else 0,
                                    consultation=consultation)

    if request.method == "POST" and source.get("action") == "remove":
        if editing is None or question is None:
            raise Http404("No such workshop result.")
        with transaction.atomic():
            removed, _ = WorkshopVote.objects.filter(workshop=editing, question=question["name"]).delete()
            audit.record(request.user, "workshop.votes_removed", editing, question=question["name"], rows=removed)
            if not editing.votes.exists():
                audit.record(request.user, "workshop.removed", editing, name=editing.name)
                editing.delete()
        messages.success(request, f"Removed the votes from {editing.name} for {question['name']}.")
        return redirect("consult_results:workshops", slug=consultation.slug)

    form = None
    status = 200
    if question is not None:
        initial = None
        if editing is not None and request.method != "POST":
            saved = dict(editing.votes.filter(question=question["name"]).values_list("option", "votes"))
            initial = {"workshop": editing.name}
            for index, choice in enumerate(question.get("choices") or []):
                if choice["name"] in saved:
                    initial[f"option_{index}"] = saved[choice["name"]]
        form = WorkshopVotesForm(request.POST if request.method == "POST" else None, initial=initial,
                                 question=question, consultation=consultation, editing=editing)
        if request.method == "POST":
            if form.is_valid():
                workshop = _save_workshop_votes(request.user, consultation, form, editing)
                messages.success(request, f"Saved the votes from {workshop.name} for {question['name']}.")
                return redirect("consult_results:workshops", slug=consultation.slug)
            status = 400
    elif request.method == "POST" or source.get("question"):
        status = 400 if request.method == "POST" else 200
    return render(request, "consult/results/workshops.html", {
        "consultation": consultation,
        "questions": questions,
        "question": question,
        "question_error": "Choose a question with options" if (source.get("question") and question is None) or
                          (request.method == "POST" and question is None) else None,
        "form": form,
        "editing": editing,
        "tables": _workshop_tables(consultation, definition),
    }, status=status)


def _save_workshop_votes(user, consultation, form, editing):
    name, votes, question = form.cleaned_data["workshop"], form.votes(), form.question["name"]
    with transaction.atomic():
        if editing is not None:
            workshop = editing
            if workshop.name != name:
                audit.record(user, "workshop.renamed", workshop, old=workshop.name, new=name)
                workshop.name = name
                workshop.save(update_fields=["name"])
        else:
            try:
                workshop, created = Workshop.objects.get_or_create(consultation=consultation, name=name)
            except IntegrityError:  # created by someone else between our check and our insert
                workshop, created = Workshop.objects.get(consultation=consultation, name=name), False
            if created:
                audit.record(user, "workshop.created", workshop, name=name)
        for option, count in votes.items():
            WorkshopVote.objects.update_or_create(workshop=workshop, question=question, option=option,
                                                  defaults={"votes": count})
        audit.record(user, "workshop.votes_saved", workshop, question=question, total=sum(votes.values()))
    return workshop


# -- publishing the public results page --------------------------------------------------------


class PublishForm(forms.Form):
    results_summary = forms.CharField(
        label="What we did with your views",
        help_text="Say what the council decided or changed because of what people said. It is shown on the public results page.",
        max_length=10_000, widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter what the council did with people's views before publishing the results",
                        "max_length": "What we did must be 10,000 characters or fewer"},
    )


@officer_required
@require_http_methods(["GET", "HEAD", "POST"])
def publish(request, slug):
    consultation = _managed(request, slug)
    if _definition(consultation) is None:
        raise Http404("This consultation has no questionnaire, so it has no results to publish.")
    status = 200
    if request.method == "POST" and request.POST.get("action") == "unpublish":
        if consultation.results_published_at is not None:
            consultation.results_published_at = None
            consultation.save(update_fields=["results_published_at", "updated_at"])
            audit.record(request.user, "consultation.results_unpublished", consultation)
        messages.success(request, "The results page is no longer public.")
        return redirect("consult_results:publish", slug=consultation.slug)
    if request.method == "POST":
        form = PublishForm(request.POST)
        if form.is_valid():
            first = consultation.results_published_at is None
            consultation.results_summary = form.cleaned_data["results_summary"].strip()
            if first:
                consultation.results_published_at = timezone.now()
            consultation.save(update_fields=["results_summary", "results_published_at", "updated_at"])
            audit.record(request.user, "consultation.results_published" if first else "consultation.results_summary_updated",
                         consultation)
            messages.success(request, "The results page is published." if first else "The results page is updated.")
            return redirect("consult_results:publish", slug=consultation.slug)
        status = 400
    else:
        form = PublishForm(initial={"results_summary": consultation.results_summary})
    errors = [(str(e), "#id_results_summary") for e in form.errors.get("results_summary", [])]
    return render(request, "consult/results/publish.html",
                  {"consultation": consultation, "form": form, "errors": errors}, status=status)


# -- the public page ---------------------------------------------------------------------------


@require_safe
def public_results(request, slug):
    """ "We asked, you said": public once published; before then only the team sees it, as a preview."""
    consultation = get_object_or_404(Consultation, slug=slug)
    preview = consultation.results_published_at is None
    if preview and not services.can_manage(request.user, consultation):
        raise Http404("No results have been published for this consultation.")
    if _definition(consultation) is None:
        raise Http404("No results have been published for this consultation.")
    report = reports.build_report(consultation, public=True)
    ctx = reports.context(consultation, report, chart_format="css")
    ctx.update({"public": True, "preview": preview})
    response = render(request, "consult/results/public.html", ctx)
    if preview:
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
    return response
