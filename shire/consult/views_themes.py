"""Officers' pages for themes in free-text answers, under /staff/consultations/<slug>/results/themes/.

Thin views over coding.py: the list of free-text questions with their progress; for each question
its codebook (propose, add, change, merge, split, delete, import, download), coding the answers,
the review queue (least confident first) and workshop notes. Proposing themes and coding the
answers run in the background (tasks.py): the views queue them and show their state; the
question's page gives that state as JSON when asked for JSON (the pages' progress script). Only officers of the consultation's
team may use them: anonymous people are sent to sign in, other officers (administrators
included) are refused with 403. Every change is audited by coding.py.

Officers see answers as people wrote them (escaped); redaction is for published quotes.
"""
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from shire.core.permissions import officer_required

from . import coding, services, tasks
from .models import AnswerCoding, Consultation, Theme, ThemeWork, WorkshopNote

REVIEW_PAGE_SIZE = 20
SPLIT_LIST = 200
MAX_UPLOAD = 1_000_000  # bytes: a codebook of a few dozen themes is a few kilobytes


def _managed(request, slug):
    """The consultation `slug` if the signed-in officer may manage it: 404 if none, 403 if not theirs."""
    consultation = get_object_or_404(Consultation.objects.select_related("team"), slug=slug)
    if not services.can_manage(request.user, consultation):
        raise PermissionDenied
    return consultation


def _bound(request, files=False):
    """A form's data: the POST (even an empty one) on a POST, nothing on a GET."""
    if request.method != "POST":
        return (None, None) if files else (None,)
    return (request.POST, request.FILES) if files else (request.POST,)


def _question(request, slug, question):
    consultation = _managed(request, slug)
    item = coding.text_question(consultation, question)
    if item is None:
        raise Http404("No such free-text question.")
    return consultation, item


def _theme(consultation, question, pk):
    return get_object_or_404(Theme, pk=pk, consultation=consultation, question=question["name"])


def _question_url(consultation, question, name="themes-question"):
    return reverse(f"consult_results:{name}", args=[consultation.slug, question["name"]])


def _form_errors(form, order):
    """(message, anchor) pairs for the shared error summary, in the order of the fields."""
    items = [(str(e), "#" + (order[0] if order else "main-content")) for e in form.non_field_errors()]
    for name in order:
        items += [(str(e), f"#id_{name}") for e in form.errors.get(name, [])]
    return items


# -- forms ---------------------------------------------------------------------------------------


class ThemeForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=coding.NAME_LENGTH,
        error_messages={"required": "Enter the theme's name",
                        "max_length": f"The theme's name must be {coding.NAME_LENGTH} characters or fewer"})
    description = forms.CharField(
        label="Description (optional)", required=False, max_length=coding.DESCRIPTION_LENGTH,
        help_text="One line saying what answers in this theme are about, in the words people use: Shire codes "
                  "answers much better when each theme has one.", widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": f"The description must be {coding.DESCRIPTION_LENGTH} characters or fewer"})
    key_phrases = forms.CharField(
        label="Key phrases (optional)", required=False, max_length=1000,
        help_text="Words people use for this theme, separated by commas. They help Shire find its answers.",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "The key phrases must be 1,000 characters or fewer"})
    error_order = ["name", "description", "key_phrases"]


class AddThemeForm(ThemeForm):
    key = forms.CharField(
        label="Key (optional)", required=False, max_length=coding.KEY_LENGTH,
        help_text="A short name for files and the JSON report, in snake_case, for example rural_transport. "
                  "Leave it empty to make one from the name.",
        error_messages={"max_length": f"The key must be {coding.KEY_LENGTH} characters or fewer"})
    error_order = ["name", "key", "description", "key_phrases"]

    def clean_key(self):
        key = self.cleaned_data["key"].strip()
        if key and not coding.SNAKE_CASE.match(key):
            raise forms.ValidationError("The key must be snake_case: lower-case letters, digits and underscores, "
                                        "starting with a letter (for example rural_transport)")
        return key


class SplitForm(ThemeForm):
    error_order = ["name", "description", "key_phrases", "answers"]

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answers"] = forms.MultipleChoiceField(
            label="Answers to move to the new theme", choices=choices,
            error_messages={"required": "Choose at least one answer to move to the new theme",
                            "invalid_choice": "Choose answers from the list"})


class MergeForm(forms.Form):
    def __init__(self, *args, themes=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Choose a theme")] + [(str(t.pk), t.name) for t in themes]
        self.fields["source"] = forms.ChoiceField(
            label="Merge this theme", choices=choices,
            error_messages={"required": "Choose the theme to merge", "invalid_choice": "Choose a theme from the list"})
        self.fields["target"] = forms.ChoiceField(
            label="into this theme, which keeps its name", choices=choices,
            error_messages={"required": "Choose the theme to merge it into", "invalid_choice": "Choose a theme from the list"})

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("source") and cleaned.get("source") == cleaned.get("target"):
            self.add_error("target", "Choose two different themes to merge")
        return cleaned


class ImportForm(forms.Form):
    codebook = forms.FileField(
        label="Codebook file (CSV)", error_messages={"required": "Choose a CSV file to import",
                                                     "empty": "The chosen file is empty"})

    def clean_codebook(self):
        upload = self.cleaned_data["codebook"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("The file must be smaller than 1 MB")
        return upload


class NotesForm(forms.Form):
    workshop = forms.CharField(
        label="Workshop name", max_length=120,
        help_text="For example LECG, Staff or Parish Councils: the same name as its votes, if any.",
        error_messages={"required": "Enter the workshop's name",
                        "max_length": "The workshop's name must be 120 characters or fewer"})
    notes = forms.CharField(
        label="Notes", help_text="One point a line, as it was noted at the workshop.",
        widget=forms.Textarea(attrs={"rows": 8}), max_length=100_000,
        error_messages={"required": "Enter at least one note, one a line",
                        "max_length": "Enter fewer notes at a time (at most 100,000 characters)"})


# -- the list of free-text questions ------------------------------------------------------------


@officer_required
@require_safe
def index(request, slug):
    consultation = _managed(request, slug)
    questionnaire = getattr(consultation, "questionnaire", None)
    rows = []
    for question in coding.text_questions(questionnaire.definition if questionnaire else {}):
        rows.append({"question": question, **coding.progress(consultation, question["name"]),
                     "work": tasks.current_work(consultation, question["name"])})
    return render(request, "consult/themes/index.html", {"consultation": consultation, "rows": rows,
                                                          "has_questionnaire": questionnaire is not None})


# -- one question: its codebook ------------------------------------------------------------------


def _render_question(request, consultation, question, errors=(), status=200):
    themes = (Theme.objects.filter(consultation=consultation, question=question["name"])
              .annotate(coded=Count("codings", distinct=True),
                        reviewed_count=Count("codings", filter=Q(codings__reviewed=True), distinct=True)))
    return render(request, "consult/themes/question.html", {
        "consultation": consultation,
        "question": question,
        "themes": themes,
        "progress": coding.progress(consultation, question["name"]),
        "work": tasks.describe(tasks.current_work(consultation, question["name"])),
        "page_url": _question_url(consultation, question),
        "errors": list(errors),
        "max_themes": request.POST.get("max_themes", "12") if request.method == "POST" else "12",
    }, status=status)


@officer_required
@require_safe
def question_page(request, slug, question):
    """The question's codebook page; asked for JSON (background-work.js), the state of its background work."""
    consultation, item = _question(request, slug, question)
    if request.get_preferred_type(["text/html", "application/json"]) == "application/json":
        return _work_json(request, consultation, item)
    response = _render_question(request, consultation, item)
    patch_vary_headers(response, ["Accept"])
    return response


def _queued_message(work):
    return (f"Shire will {'propose themes' if work.kind == ThemeWork.Kind.PROPOSE else 'code the answers'} in the "
            "background. This page shows how it is getting on: use Check progress to see the latest.")


@officer_required
@require_POST
def propose(request, slug, question):
    consultation, item = _question(request, slug, question)
    raw = request.POST.get("max_themes", "").strip() or "12"
    if not raw.isdigit() or not 2 <= int(raw) <= coding.MAX_THEMES:
        return _render_question(request, consultation, item, [(f"Enter a number of themes from 2 to {coding.MAX_THEMES}",
                                                               "#max_themes")], status=400)
    try:
        work = tasks.start(consultation, item["name"], request.user, ThemeWork.Kind.PROPOSE, max_themes=int(raw),
                           replace=request.POST.get("replace") == "yes")
    except coding.ThemeError as error:
        anchor = "#work" if isinstance(error, tasks.WorkUnderWay) else (
            "#replace" if "replace" in str(error).lower() else "#propose")
        return _render_question(request, consultation, item, [(m, anchor) for m in error.errors], status=400)
    messages.success(request, _queued_message(work))
    return redirect(_question_url(consultation, item))


def _work_json(request, consultation, question):
    work = tasks.describe(tasks.current_work(consultation, question["name"]))
    html = render_to_string("consult/themes/_work_status.html", {"work": work}, request) if work else ""
    response = JsonResponse({"work": work, "html": html})
    response["Cache-Control"] = "no-store"
    patch_vary_headers(response, ["Accept"])
    return response


@officer_required
@require_http_methods(["GET", "HEAD", "POST"])
def add(request, slug, question):
    consultation, item = _question(request, slug, question)
    form = AddThemeForm(*_bound(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                theme = coding.add_theme(consultation, item["name"], request.user, data["name"], data["description"],
                                         data["key_phrases"], key=data["key"] or None)
            except coding.ThemeError as error:
                form.add_error("key" if "key" in str(error) else None, str(error))
            else:
                messages.success(request, f"Added the theme {theme.name}.")
                return redirect(_question_url(consultation, item))
        status = 400
    return render(request, "consult/themes/theme_form.html", {
        "consultation": consultation, "question": item, "form": form, "theme": None,
        "errors": _form_errors(form, AddThemeForm.error_order),
    }, status=status)


@officer_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request, slug, question, pk):
    consultation, item = _question(request, slug, question)
    theme = _theme(consultation, item, pk)
    initial = {"name": theme.name, "description": theme.description, "key_phrases": ", ".join(theme.key_phrases or [])}
    form = ThemeForm(*_bound(request), initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                coding.update_theme(theme, request.user, data["name"], data["description"], data["key_phrases"])
            except coding.ThemeError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Saved the theme {theme.name}.")
                return redirect(_question_url(consultation, item))
        status = 400
    return render(request, "consult/themes/theme_form.html", {
        "consultation": consultation, "question": item, "form": form, "theme": theme,
        "errors": _form_errors(form, ThemeForm.error_order),
    }, status=status)


@officer_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete(request, slug, question, pk):
    consultation, item = _question(request, slug, question)
    theme = _theme(consultation, item, pk)
    if request.method == "POST":
        name = theme.name
        uncoded = coding.delete_theme(theme, request.user)
        messages.success(request, f"Deleted the theme {name}. {uncoded} answer{'s' if uncoded != 1 else ''} "
                                  f"went back to uncoded: code the answers again to give them a theme.")
        return redirect(_question_url(consultation, item))
    return render(request, "consult/themes/delete.html", {
        "consultation": consultation, "question": item, "theme": theme,
        "coded": theme.codings.count(), "reviewed": theme.codings.filter(reviewed=True).count(),
    })


@officer_required
@require_http_methods(["GET", "HEAD", "POST"])
def merge(request, slug, question):
    consultation, item = _question(request, slug, question)
    themes = coding.codebook(consultation, item["name"])
    form = MergeForm(*_bound(request), themes=themes)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            by_pk = {str(t.pk): t for t in themes}
            source, target = by_pk[form.cleaned_data["source"]], by_pk[form.cleaned_data["target"]]
            moved = coding.merge_themes(source, target, request.user)
            messages.success(request, f"Merged {source.name} into {target.name}: {moved} answer"
                                      f"{'s' if moved != 1 else ''} moved.")
            return redirect(_question_url(consultation, item))
        status = 400
    return render(request, "consult/themes/merge.html", {
        "consultation": consultation, "question": item, "form": form, "themes": themes,
        "errors": _form_errors(form, ["source", "target"]),
    }, status=status)


@officer_required
@require_http_methods(["GET", "HEAD", "POST"])
def split(request, slug, question, pk):
    consultation, item = _question(request, slug, question)
    theme = _theme(consultation, item, pk)
    codings = list(theme.codings.select_related("response", "note__workshop").order_by("-reviewed", "-confidence", "id"))
    answers = [{"coding": c, "text": coding.answer_text(c)} for c in codings]
    form = SplitForm(*_bound(request), choices=[(str(c.pk), str(c.pk)) for c in codings])
    # A big theme: narrow the list by words the answers contain; at most SPLIT_LIST answers shown.
    search = " ".join((request.GET.get("q") or "").split())[:200]
    words = search.lower().split()
    listed = [a for a in answers if all(w in a["text"].lower() for w in words)]
    matching = len(listed)
    listed = listed[:SPLIT_LIST]
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                new = coding.split_theme(theme, request.user, data["name"], data["description"], data["answers"],
                                         data["key_phrases"])
            except coding.ThemeError as error:
                form.add_error(None, str(error))
            else:
                moved = len(data["answers"])
                messages.success(request, f"Made the theme {new.name} with {moved} answer{'s' if moved != 1 else ''} "
                                          f"from {theme.name}.")
                return redirect(_question_url(consultation, item))
        status = 400
    chosen = set(form["answers"].value() or []) if form.is_bound else set()
    if chosen:  # answers ticked before a refused post stay listed and ticked
        listed += [a for a in answers if str(a["coding"].pk) in chosen and a not in listed]
    return render(request, "consult/themes/split.html", {
        "consultation": consultation, "question": item, "theme": theme, "form": form, "answers": listed,
        "total": len(answers), "matching": matching, "search": search,
        "chosen": chosen, "errors": _form_errors(form, SplitForm.error_order),
    }, status=status)


@officer_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_codebook(request, slug, question):
    consultation, item = _question(request, slug, question)
    form = ImportForm(*_bound(request, files=True))
    status = 200
    errors = []
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["codebook"]
            try:
                added, updated = coding.import_codebook(consultation, item["name"], request.user, upload.read(), upload.name)
            except coding.ThemeError as error:
                errors = [(message, "#id_codebook") for message in error.errors]
            else:
                messages.success(request, f"Imported the codebook: {added} theme{'s' if added != 1 else ''} added, "
                                          f"{updated} updated.")
                return redirect(_question_url(consultation, item))
        status = 400
    return render(request, "consult/themes/import.html", {
        "consultation": consultation, "question": item, "form": form,
        "errors": _form_errors(form, ["codebook"]) + errors, "file_errors": [m for m, _ in errors],
    }, status=status)


@officer_required
@require_safe
def codebook_csv(request, slug, question):
    consultation, item = _question(request, slug, question)
    response = HttpResponse(coding.codebook_csv(consultation, item["name"]), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{consultation.slug}-{item["name"]}-codebook.csv"'
    return response


# -- coding and review ---------------------------------------------------------------------------


def _review_url(consultation, question, params=None):
    url = _question_url(consultation, question, "themes-review")
    params = {k: v for k, v in (params or {}).items() if v}
    return url + ("?" + urlencode(params) if params else "")


@officer_required
@require_POST
def code(request, slug, question):
    consultation, item = _question(request, slug, question)
    back_to_review = request.POST.get("next") == "review"
    try:
        work = tasks.start(consultation, item["name"], request.user, ThemeWork.Kind.CODE)
    except coding.ThemeError as error:
        if back_to_review:
            messages.error(request, str(error))
            return redirect(_review_url(consultation, item))
        anchor = "#work" if isinstance(error, tasks.WorkUnderWay) else "#code"
        return _render_question(request, consultation, item, [(m, anchor) for m in error.errors], status=400)
    messages.success(request, _queued_message(work))
    return redirect(_review_url(consultation, item) if back_to_review else _question_url(consultation, item))


@officer_required
@require_http_methods(["GET", "HEAD", "POST"])
def review(request, slug, question):
    consultation, item = _question(request, slug, question)
    themes = coding.codebook(consultation, item["name"])
    by_pk = {str(t.pk): t for t in themes}
    source = request.POST if request.method == "POST" else request.GET
    show = "reviewed" if source.get("show") == "reviewed" else "to_review"
    filter_theme = by_pk.get(source.get("filter_theme") or "")
    params = {"show": show if show == "reviewed" else "", "filter_theme": filter_theme.pk if filter_theme else "",
              "page": source.get("page") if (source.get("page") or "").isdigit() else ""}

    errors = []
    status = 200
    if request.method == "POST":
        answer = get_object_or_404(AnswerCoding, pk=source.get("coding") if (source.get("coding") or "").isdigit() else 0,
                                   consultation=consultation, question=item["name"])
        choice = source.get("theme") or ""
        if choice == "other":
            choice = source.get(f"other_{answer.pk}") or ""
        theme = by_pk.get(choice)
        second_choice = source.get(f"second_{answer.pk}") or ""
        second = by_pk.get(second_choice)
        sentiment = source.get(f"sentiment_{answer.pk}") or None
        if theme is None:
            errors.append(("Choose a theme for the answer", f"#other_{answer.pk}"))
        if second_choice and second is None:
            errors.append(("Choose a second theme from the list, or none", f"#second_{answer.pk}"))
        if sentiment is not None and sentiment not in coding.SENTIMENTS:
            errors.append(("Choose agree, disagree, mixed or unclear", f"#sentiment_{answer.pk}"))
        if not errors:
            try:
                changed = coding.review_coding(answer, request.user, theme, second, sentiment)
            except coding.ThemeError as error:
                messages.error(request, str(error))
                return redirect(_review_url(consultation, item, params))
            also = f", also {second.name}" if second and second.pk != theme.pk else ""
            messages.success(request, f"{'Corrected' if changed else 'Confirmed'}: {theme.name}{also}.")
            return redirect(_review_url(consultation, item, params))
        status = 400

    queue = coding.review_queue(consultation, item["name"], reviewed=show == "reviewed", theme=filter_theme)
    page = Paginator(queue, REVIEW_PAGE_SIZE).get_page(params["page"] or 1)
    entries = [{"coding": c, "text": coding.answer_text(c)} for c in page.object_list]
    return render(request, "consult/themes/review.html", {
        "consultation": consultation, "question": item, "themes": themes, "page": page, "entries": entries,
        "show": show, "filter_theme": filter_theme, "params": params, "errors": errors,
        "progress": coding.progress(consultation, item["name"]),
        "work": tasks.describe(tasks.current_work(consultation, item["name"])),
        "page_url": _review_url(consultation, item, params),
        "sentiments": AnswerCoding.Sentiment.choices,
        "page_query": urlencode({k: v for k, v in params.items() if v and k != "page"}),
    }, status=status)


# -- workshop notes ------------------------------------------------------------------------------


@officer_required
@require_http_methods(["GET", "HEAD", "POST"])
def notes(request, slug, question):
    consultation, item = _question(request, slug, question)
    form = NotesForm(*_bound(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                added = coding.add_workshop_notes(consultation, item["name"], request.user, form.cleaned_data["workshop"],
                                                  form.cleaned_data["notes"])
            except coding.ThemeError as error:
                for message in error.errors:
                    form.add_error("workshop" if "workshop" in message else "notes", message)
            else:
                messages.success(request, f"Added {len(added)} note{'s' if len(added) != 1 else ''}. "
                                          "Code the answers to give them themes.")
                return redirect(_question_url(consultation, item, "themes-notes"))
        status = 400
    rows = (WorkshopNote.objects.filter(consultation=consultation, question=item["name"])
            .select_related("workshop").prefetch_related("codings__theme").order_by("workshop_id", "id"))
    groups = {}
    for note in rows:
        groups.setdefault(note.workshop, []).append({"note": note, "coding": next(iter(note.codings.all()), None)})
    return render(request, "consult/themes/notes.html", {
        "consultation": consultation, "question": item, "form": form, "groups": list(groups.items()),
        "workshops": consultation.workshops.all(), "errors": _form_errors(form, ["workshop", "notes"]),
    }, status=status)


@officer_required
@require_POST
def remove_note(request, slug, question, pk):
    consultation, item = _question(request, slug, question)
    note = get_object_or_404(WorkshopNote.objects.select_related("workshop"), pk=pk, consultation=consultation,
                             question=item["name"])
    coding.remove_workshop_note(note, request.user)
    messages.success(request, f"Removed a note from {note.workshop.name}.")
    return redirect(_question_url(consultation, item, "themes-notes"))
