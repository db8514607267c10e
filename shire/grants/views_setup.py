"""The officers' setup pages, under /grants/setup/: programmes, rounds and what a round asks and scores.

Every view is wrapped in `officer_required` (anonymous people are sent to sign in; community
members and anyone else without a staff role are refused) and every page about one programme or
round also checks `services.can_manage_programme`: only officers of the programme's team see or
change it; everybody else, administrators included, gets 403. Every change is audited.

What may change when
--------------------
* A round's form (eligibility questions, application questions, required documents) can be changed
  until the first application to it is started: after that, answers are keyed to those questions.
* Criteria can be changed until the first score is given.
* A theme can be removed while no application has chosen it.
"""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, ProtectedError, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from shire.core import audit
from shire.core.models import User
from shire.core.permissions import officer_required

from . import assessment, awards, services
from .forms import (
    ApplicationQuestionForm,
    AssessorForm,
    CriterionForm,
    EligibilityQuestionForm,
    ProgrammeForm,
    RequiredDocumentForm,
    RoundForm,
    ThemeForm,
)
from .models import (
    ApplicationQuestion,
    Award,
    Criterion,
    EligibilityQuestion,
    Programme,
    RequiredDocument,
    Round,
    Score,
    Theme,
)


def _bound(request):
    return (request.POST,) if request.method == "POST" else ()


def _programme(request, slug):
    programme = get_object_or_404(Programme.objects.select_related("team"), slug=slug)
    if not services.can_manage_programme(request.user, programme):
        raise PermissionDenied
    return programme


def _round(request, slug):
    round_ = get_object_or_404(Round.objects.select_related("programme__team"), slug=slug)
    if not services.can_manage_round(request.user, round_):
        raise PermissionDenied
    return round_


def form_is_locked(round_):
    """The round's form cannot change once an application has been started: answers are keyed to it."""
    return round_.applications.exists()


def criteria_are_locked(round_):
    return Score.objects.filter(criterion__round=round_).exists()


# --- programmes ---------------------------------------------------------------------------------


@officer_required
@require_safe
def programme_list(request):
    programmes = services.programmes_for(request.user).annotate(round_count=Count("rounds"))
    return render(
        request,
        "grants/setup/programme_list.html",
        {"programmes": programmes, "has_team": request.user.teams.exists()},
    )


@officer_required
@require_http_methods(["GET", "POST"])
def programme_create(request):
    teams = request.user.teams.order_by("name")
    if not teams.exists():
        return render(request, "grants/setup/no_team.html", status=403)
    form = ProgrammeForm(*_bound(request), teams=teams)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            programme = form.save(commit=False)
            programme.created_by = request.user
            programme.save()
            audit.record(request.user, "grants.programme.created", programme, slug=programme.slug)
        messages.success(request, f"{programme.name} was created. Add its themes and its first round.")
        return redirect("grants:setup-programme", slug=programme.slug)
    return render(request, "grants/setup/programme_form.html", {"form": form, "programme": None})


@officer_required
@require_http_methods(["GET", "POST"])
def programme_edit(request, slug):
    programme = _programme(request, slug)
    form = ProgrammeForm(*_bound(request), instance=programme, teams=request.user.teams.order_by("name"))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            programme = form.save()
            audit.record(request.user, "grants.programme.updated", programme, fields=sorted(form.changed_data))
        messages.success(request, "Your changes were saved.")
        return redirect("grants:setup-programme", slug=programme.slug)
    saved = Programme.objects.get(pk=programme.pk)
    return render(request, "grants/setup/programme_form.html", {"form": form, "programme": saved})


@officer_required
@require_safe
def programme_detail(request, slug):
    programme = _programme(request, slug)
    rounds = programme.rounds.annotate(application_count=Count("applications")).order_by("-opens_on", "name")
    return render(
        request,
        "grants/setup/programme_detail.html",
        {
            "programme": programme,
            "rounds": rounds,
            "themes": programme.themes.filter(round__isnull=True),
            "assessors": programme.assessors.order_by("first_name", "last_name", "username"),
            "today": timezone.localdate(),
        },
    )


@officer_required
@require_http_methods(["GET", "POST"])
def programme_assessors(request, slug):
    """The programme's assessors from outside the team: the list, and adding one by e-mail address."""
    programme = _programme(request, slug)
    form = AssessorForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            assessor = assessment.add_programme_assessor(programme, request.user, form.cleaned_data["email"])
        except services.GrantsError as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, f"{assessor.display_name} can now be assigned {programme.name} applications to score.")
            return redirect("grants:setup-programme-assessors", slug=slug)
    return render(
        request,
        "grants/setup/programme_assessors.html",
        {"programme": programme, "form": form,
         "assessors": programme.assessors.order_by("first_name", "last_name", "username")},
    )


@officer_required
@require_POST
def programme_assessor_remove(request, slug, pk):
    programme = _programme(request, slug)
    assessor = get_object_or_404(User, pk=pk, grant_programmes_assessed=programme)
    assessment.remove_programme_assessor(programme, request.user, assessor)
    messages.success(request, f"{assessor.display_name} is no longer an assessor of {programme.name}.")
    return redirect("grants:setup-programme-assessors", slug=slug)


# --- rounds -------------------------------------------------------------------------------------


@officer_required
@require_http_methods(["GET", "POST"])
def round_create(request, slug):
    programme = _programme(request, slug)
    form = RoundForm(*_bound(request), programme=programme)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            round_ = form.save(commit=False)
            round_.programme = programme
            round_.created_by = request.user
            round_.save()
            audit.record(request.user, "grants.round.created", round_, slug=round_.slug, budget_pence=round_.budget_pence)
        messages.success(request, f"{round_.name} was created as a draft. Add its questions, documents and criteria, then publish it.")
        return redirect("grants:setup-round", slug=round_.slug)
    return render(request, "grants/setup/round_form.html", {"form": form, "programme": programme, "round": None})


@officer_required
@require_http_methods(["GET", "POST"])
def round_edit(request, slug):
    round_ = _round(request, slug)
    old_budget = round_.budget_pence
    form = RoundForm(*_bound(request), instance=round_, programme=round_.programme)
    if round_.status != Round.Status.DRAFT:
        # Published: people have the link.
        form.fields["slug"].disabled = True
        form.fields["slug"].help_text = "The round is published, so its web address cannot change."
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                # Under the round's lock, so a budget change and a decision cannot cross.
                awards.lock_round_for_budget(round_, form.cleaned_data["budget_pence"])
                round_ = form.save()
                audit.record(
                    request.user, "grants.round.updated", round_, fields=sorted(form.changed_data),
                    budget_pence_before=old_budget, budget_pence=round_.budget_pence,
                )
        except awards.BudgetBelowAwards as error:
            form.add_error("budget_pence", str(error))
        else:
            messages.success(request, "Your changes were saved.")
            return redirect("grants:setup-round", slug=round_.slug)
    saved = Round.objects.select_related("programme").get(pk=round_.pk)
    return render(request, "grants/setup/round_form.html", {"form": form, "programme": saved.programme, "round": saved})


def _publish_problems(round_):
    problems = []
    if not round_.questions.exists():
        problems.append("Add at least one question to the application form.")
    if not round_.criteria.exists():
        problems.append("Add at least one scoring criterion.")
    if round_.max_request_pence > round_.budget_pence:
        problems.append("The largest grant is more than the budget.")
    return problems


@officer_required
@require_safe
def round_detail(request, slug):
    round_ = _round(request, slug)
    awarded = Award.objects.filter(application__round=round_).aggregate(total=Sum("amount_pence"))["total"] or 0
    counts = dict(round_.applications.values_list("status").annotate(n=Count("id")))
    return render(
        request,
        "grants/setup/round_detail.html",
        {
            "round": round_,
            "programme": round_.programme,
            "phase": round_.phase(),
            "themes": round_.themes().select_related("round"),
            "eligibility_questions": round_.eligibility_questions.all(),
            "questions": round_.questions.all(),
            "documents": round_.required_documents.all(),
            "criteria": round_.criteria.all(),
            "form_locked": form_is_locked(round_),
            "criteria_locked": criteria_are_locked(round_),
            "awarded_pence": awarded,
            "remaining_pence": round_.budget_pence - awarded,
            "application_count": sum(counts.values()),
            "submitted_count": sum(n for status, n in counts.items() if status != "draft"),
            "publish_problems": _publish_problems(round_),
            "public_url": request.build_absolute_uri(reverse("grants:round", args=[round_.slug])),
        },
    )


@officer_required
@require_POST
def round_publish(request, slug):
    round_ = _round(request, slug)
    problems = _publish_problems(round_)
    if problems:
        messages.error(request, "The round cannot be published yet. " + " ".join(problems))
        return redirect("grants:setup-round", slug=slug)
    round_.status = Round.Status.PUBLISHED
    round_.published_at = round_.published_at or timezone.now()
    round_.save(update_fields=["status", "published_at", "updated_at"])
    audit.record(request.user, "grants.round.published", round_)
    messages.success(request, f"{round_.name} is published. Applicants can apply from {round_.opens_on:%-d %B %Y}.")
    return redirect("grants:setup-round", slug=slug)


@officer_required
@require_POST
def round_close(request, slug):
    round_ = _round(request, slug)
    if round_.status != Round.Status.PUBLISHED:
        messages.error(request, "Only a published round can be closed.")
        return redirect("grants:setup-round", slug=slug)
    round_.status = Round.Status.CLOSED
    round_.save(update_fields=["status", "updated_at"])
    audit.record(request.user, "grants.round.closed", round_)
    messages.success(request, f"{round_.name} is closed: no more applications can be started or sent.")
    return redirect("grants:setup-round", slug=slug)


@officer_required
@require_POST
def round_unpublish(request, slug):
    round_ = _round(request, slug)
    if round_.applications.exists():
        messages.error(request, "Applications have been started, so the round cannot go back to being a draft. Close it instead.")
        return redirect("grants:setup-round", slug=slug)
    round_.status = Round.Status.DRAFT
    round_.save(update_fields=["status", "updated_at"])
    audit.record(request.user, "grants.round.unpublished", round_)
    messages.success(request, f"{round_.name} is a draft again: the public cannot see it.")
    return redirect("grants:setup-round", slug=slug)


# --- what a round asks and scores: one set of views for each kind of item ---------------------

ITEMS = {
    "themes": {
        "model": Theme,
        "form": ThemeForm,
        "noun": "theme",
        "title_add": "Add a theme",
        "title_change": "Change a theme",
        "describe": lambda item: item.name,
    },
    "eligibility-questions": {
        "model": EligibilityQuestion,
        "form": EligibilityQuestionForm,
        "noun": "eligibility question",
        "title_add": "Add an eligibility question",
        "title_change": "Change an eligibility question",
        "describe": lambda item: item.question,
        "lock": "form",
    },
    "questions": {
        "model": ApplicationQuestion,
        "form": ApplicationQuestionForm,
        "noun": "question",
        "title_add": "Add a question to the application form",
        "title_change": "Change a question",
        "describe": lambda item: item.label,
        "lock": "form",
    },
    "documents": {
        "model": RequiredDocument,
        "form": RequiredDocumentForm,
        "noun": "document",
        "title_add": "Add a required document",
        "title_change": "Change a required document",
        "describe": lambda item: item.name,
        "lock": "form",
    },
    "criteria": {
        "model": Criterion,
        "form": CriterionForm,
        "noun": "criterion",
        "title_add": "Add a scoring criterion",
        "title_change": "Change a scoring criterion",
        "describe": lambda item: item.name,
        "lock": "criteria",
    },
}


def _kind(kind):
    try:
        return ITEMS[kind]
    except KeyError:
        raise Http404 from None


def _locked_reason(round_, config):
    lock = config.get("lock")
    if lock == "form" and form_is_locked(round_):
        return "Applications to this round have been started, so its eligibility check, questions and documents cannot change."
    if lock == "criteria" and criteria_are_locked(round_):
        return "Assessors have started scoring this round, so its criteria cannot change."
    return ""


def _item_form(config, round_, *args, **kwargs):
    if config["model"] is Theme:
        return config["form"](*args, programme=round_.programme, **kwargs)
    return config["form"](*args, **kwargs)


@officer_required
@require_http_methods(["GET", "POST"])
def item_create(request, slug, kind):
    round_ = _round(request, slug)
    config = _kind(kind)
    locked = _locked_reason(round_, config)
    if locked:
        messages.error(request, locked)
        return redirect("grants:setup-round", slug=slug)
    form = _item_form(config, round_, *_bound(request))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            item = form.save(commit=False)
            item.round = round_
            if config["model"] is Theme:
                item.programme = round_.programme
            form.save()
            audit.record(request.user, f"grants.{config['model']._meta.model_name}.created", item, round=round_.slug)
        messages.success(request, f"The {config['noun']} was added.")
        return redirect(reverse("grants:setup-round", args=[slug]) + f"#{kind}")
    return render(
        request,
        "grants/setup/item_form.html",
        {"form": form, "round": round_, "programme": round_.programme, "config": config, "kind": kind, "item": None},
    )


def _item(round_, config, pk):
    return get_object_or_404(config["model"], pk=pk, round=round_)


@officer_required
@require_http_methods(["GET", "POST"])
def item_edit(request, slug, kind, pk):
    round_ = _round(request, slug)
    config = _kind(kind)
    item = _item(round_, config, pk)
    locked = _locked_reason(round_, config)
    if locked:
        messages.error(request, locked)
        return redirect("grants:setup-round", slug=slug)
    form = _item_form(config, round_, *_bound(request), instance=item)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            item = form.save()
            audit.record(request.user, f"grants.{config['model']._meta.model_name}.updated", item, fields=sorted(form.changed_data))
        messages.success(request, "Your changes were saved.")
        return redirect(reverse("grants:setup-round", args=[slug]) + f"#{kind}")
    return render(
        request,
        "grants/setup/item_form.html",
        {"form": form, "round": round_, "programme": round_.programme, "config": config, "kind": kind, "item": item},
    )


@officer_required
@require_http_methods(["GET", "POST"])
def item_delete(request, slug, kind, pk):
    round_ = _round(request, slug)
    config = _kind(kind)
    item = _item(round_, config, pk)
    locked = _locked_reason(round_, config)
    if locked:
        messages.error(request, locked)
        return redirect("grants:setup-round", slug=slug)
    if request.method == "POST":
        description = config["describe"](item)
        try:
            with transaction.atomic():
                item_pk = item.pk
                item.delete()
                audit.record(request.user, f"grants.{config['model']._meta.model_name}.deleted", round_, item=item_pk)
        except ProtectedError:
            messages.error(request, f"Applications use the {config['noun']} “{description}”, so it cannot be removed.")
            return redirect("grants:setup-round", slug=slug)
        messages.success(request, f"The {config['noun']} “{description}” was removed.")
        return redirect(reverse("grants:setup-round", args=[slug]) + f"#{kind}")
    return render(
        request,
        "grants/setup/item_delete.html",
        {"round": round_, "programme": round_.programme, "config": config, "kind": kind, "item": item,
         "description": config["describe"](item)},
    )


# --- programme-wide themes ----------------------------------------------------------------------


@officer_required
@require_http_methods(["GET", "POST"])
def programme_theme_create(request, slug):
    programme = _programme(request, slug)
    form = ThemeForm(*_bound(request), programme=programme)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            theme = form.save()
            audit.record(request.user, "grants.theme.created", theme, programme=programme.slug)
        messages.success(request, f"The theme “{theme.name}” was added to every round of {programme.name}.")
        return redirect(reverse("grants:setup-programme", args=[slug]) + "#themes")
    return render(request, "grants/setup/programme_theme_form.html", {"form": form, "programme": programme, "theme": None})


@officer_required
@require_http_methods(["GET", "POST"])
def programme_theme_edit(request, slug, pk):
    programme = _programme(request, slug)
    theme = get_object_or_404(Theme, pk=pk, programme=programme, round__isnull=True)
    form = ThemeForm(*_bound(request), instance=theme, programme=programme)
    if request.method == "POST":
        if "delete" in request.POST:
            name = theme.name
            try:
                with transaction.atomic():
                    theme.delete()
                    audit.record(request.user, "grants.theme.deleted", programme, theme=pk)
            except ProtectedError:
                messages.error(request, f"Applications use the theme “{name}”, so it cannot be removed.")
                return redirect("grants:setup-programme", slug=slug)
            messages.success(request, f"The theme “{name}” was removed.")
            return redirect(reverse("grants:setup-programme", args=[slug]) + "#themes")
        if form.is_valid():
            with transaction.atomic():
                theme = form.save()
                audit.record(request.user, "grants.theme.updated", theme, fields=sorted(form.changed_data))
            messages.success(request, "Your changes were saved.")
            return redirect(reverse("grants:setup-programme", args=[slug]) + "#themes")
    return render(request, "grants/setup/programme_theme_form.html", {"form": form, "programme": programme, "theme": theme})
