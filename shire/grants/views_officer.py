"""The officers' grants pages, under /grants/officer/: triage, assessment, the panel, decisions, letters,
payments, monitoring and the dashboard; and the page where an organisation's member sends a monitoring return.

Views only route: the rules are in assessment.py and awards.py.

Who may use them
----------------
* Every officer page is wrapped in `officer_required` (anonymous people are sent to sign in,
  community members are refused) and shows only the programmes of the officer's teams, whose
  officers are the programmes' grants officers: an application, round or return of another
  team's programme answers 403.
* An assessor from outside the team (Programme.assessors) opens only the applications assigned
  to them: the application, its documents, the scoring page and declaring a conflict. Everything
  else (other applications, triage, the panel, decisions, payments, monitoring) answers 403 or
  lists nothing (assessment.may_see).
* An application on which the officer has declared a conflict of interest answers 403 on every
  page and is left out of every list (assessment.visible_to).
* Only an assessor assigned to an application scores it; other officers of the team get 403.
* Deciding and correcting a decision are for the programme's grants officers without a conflict on
  the application; assessors from outside the team get 403.
* The monitoring return form and the printable decision letter also open to members of the
  funded organisation (anonymous people are sent to the grants sign-in; anyone else gets 404).
"""
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from shire.core import audit
from shire.core.permissions import officer_required

from . import assessment, awards, services
from .forms_officer import (
    AssignForm,
    ConflictForm,
    CorrectionForm,
    DecisionForm,
    MarkPaidForm,
    MonitoringReturnForm,
    ReturnForm,
    ScoreForm,
)
from .models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    Award,
    Decision,
    MonitoringReturn,
    PaymentInstalment,
    Round,
)

S = Application.Status
PAGE_SIZE = 50  # rows on a page of the triage list, the panel and the monitoring returns, whatever their size


def _page(request, queryset):
    """{"page": one page of `queryset`} (?page=N; a wrong number gives the nearest page)."""
    return {"page": Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))}


def _bound(request):
    return (request.POST,) if request.method == "POST" else ()


def _site(request):
    return request.build_absolute_uri("/").rstrip("/")


def _round(request, slug):
    round_ = get_object_or_404(Round.objects.select_related("programme__team"), slug=slug)
    if not services.can_manage_round(request.user, round_):
        raise PermissionDenied
    return round_


def _application(request, reference, assessors=False):
    """An application the grants officer (or, with `assessors`, its assessor) may work on: 404 if
    unknown or a draft; 403 for another team's, one not assigned to an assessor, or a conflict."""
    application = get_object_or_404(
        Application.objects.select_related(
            "round__programme__team", "organisation", "theme", "beneficiary_district"
        ).exclude(status=S.DRAFT),
        reference=reference,
    )
    if assessors:
        assessment.require_viewer(request.user, application)
    else:
        assessment.require_officer(request.user, application)
    return application


def _refused(request, error, target):
    messages.error(request, str(error))
    return redirect(target)


# --- start page, triage and the application ------------------------------------------------------


@officer_required
@require_safe
def index(request):
    user = request.user
    rounds = list(assessment.rounds_for(user).order_by("programme__name", "-opens_on", "name"))
    counts = {}
    for round_id, status, n in (
        assessment.visible_to(user).values_list("round", "status").annotate(n=Count("id")).order_by()
    ):
        counts.setdefault(round_id, {})[status] = n
    for round_ in rounds:
        by_status = counts.get(round_.pk, {})
        round_.waiting = sum(by_status.get(s, 0) for s in assessment.AWAITING_TRIAGE)
        round_.returned = by_status.get(S.RETURNED, 0)
        round_.assessing = by_status.get(S.IN_ASSESSMENT, 0)
        round_.decided = sum(by_status.get(s, 0) for s in Application.DECIDED_STATUSES)
    return render(
        request,
        "grants/officer/index.html",
        {
            "rounds": rounds,
            "to_score": assessment.my_assignments(request.user).filter(
                completed_at__isnull=True, application__status=S.IN_ASSESSMENT
            ).count(),
            "late_count": awards.late_returns(user).count(),
            "has_team": user.teams.exists(),
        },
    )


@officer_required
@require_safe
def triage(request, slug):
    round_ = _round(request, slug)
    status = request.GET.get("status", "")
    if status and status not in S.values:
        status = ""
    applications = assessment.triage_list(round_, request.user, status=status or None)
    return render(
        request,
        "grants/officer/triage.html",
        {
            "round": round_,
            "programme": round_.programme,
            **_page(request, applications),
            "counts": assessment.status_counts(round_, request.user),
            "status": status,
            "statuses": [(value, label) for value, label in S.choices if value != S.DRAFT],
            **awards.round_money(round_),
        },
    )


@officer_required
@require_safe
def application_detail(request, reference):
    application = _application(request, reference, assessors=True)
    user = request.user
    my_assignment = application.assignments.filter(assessor=user, conflict_declared=False).first()
    grants_officer = services.can_manage_application(user, application)
    allowed = services.allowed_transitions(application) if grants_officer else {}
    context = {
        "application": application,
        "round": application.round,
        "answers": application.answer_list(),
        "documents": application.documents.select_related("required_document"),
        "grants_officer": grants_officer,
        "my_assignment": my_assignment,
        "can_return": S.RETURNED in allowed,
        "can_start": S.IN_ASSESSMENT in allowed,
        "can_assign": grants_officer and application.status in (S.SUBMITTED, S.RESUBMITTED, S.IN_ASSESSMENT),
        "can_score": my_assignment is not None and application.status == S.IN_ASSESSMENT,
        "can_decide": not application.is_decided and S.DECLINED in allowed,
    }
    if grants_officer:
        decision = Decision.objects.filter(application=application).first()
        # Other assessors' scores, the trail and the decision are the grants officers' to see: an
        # assessor from outside the team scores on the application alone.
        context.update({
            "events": application.events.select_related("actor").order_by("at", "id"),
            "assessors": assessment.assessor_totals(application),
            "score": assessment.with_scores(Application.objects.filter(pk=application.pk)).get().score,
            "decision": decision,
            "current": awards.describe(*decision.current()) if decision else "",
            "amendments": decision.amendments.select_related("amended_by") if decision else [],
            "award": getattr(application, "award", None) if application.status in Application.FUNDED_STATUSES else None,
        })
    return render(request, "grants/officer/application.html", context)


@officer_required
@require_safe
def application_document(request, reference, pk):
    application = _application(request, reference, assessors=True)
    document = get_object_or_404(ApplicationDocument, pk=pk, application=application)
    audit.record(request.user, "grants.document.downloaded", application, document=document.pk)
    return FileResponse(
        document.file.open("rb"), as_attachment=True, filename=document.name, content_type=document.content_type
    )


@officer_required
@require_http_methods(["GET", "POST"])
def return_for_information(request, reference):
    application = _application(request, reference)
    target = reverse("grants:grants_officer:application", args=[reference])
    if S.RETURNED not in services.allowed_transitions(application):
        return _refused(request, f"Application {reference} cannot be sent back to the applicant now.", target)
    form = ReturnForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            event = assessment.return_for_information(
                application, request.user, form.cleaned_data["message"],
                url=request.build_absolute_uri(reverse("grants:application", args=[reference])),
            )
        except services.GrantsError as error:
            return _refused(request, error, target)
        if event.members_emailed:
            messages.success(request, f"Application {reference} was sent back to {application.organisation.name}. "
                                      "Its members will be e-mailed your message in the next few minutes.")
        else:
            messages.warning(
                request,
                f"Application {reference} was sent back to {application.organisation.name}, but none of its members "
                "has an e-mail address we can use: they will see your message on their application's page.",
            )
        return redirect(target)
    return render(request, "grants/officer/return_form.html", {"form": form, "application": application, "round": application.round})


@officer_required
@require_POST
def start_assessment(request, reference):
    application = _application(request, reference)
    target = reverse("grants:grants_officer:application", args=[reference])
    try:
        assessment.start_assessment(application, request.user)
    except services.GrantsError as error:
        return _refused(request, error, target)
    messages.success(request, f"Application {reference} is being assessed.")
    return redirect(target)


@officer_required
@require_http_methods(["GET", "POST"])
def assign(request, reference):
    application = _application(request, reference)
    target = reverse("grants:grants_officer:application", args=[reference])
    form = AssignForm(*_bound(request), application=application)
    if request.method == "POST" and form.is_valid():
        assessor = form.cleaned_data["assessor"]
        try:
            assessment.assign_assessor(application, assessor, request.user)
        except services.GrantsError as error:
            form.add_error("assessor", str(error))
        else:
            messages.success(request, f"{assessor.display_name} will assess application {reference}.")
            return redirect(target)
    return render(
        request,
        "grants/officer/assign.html",
        {
            "form": form,
            "application": application,
            "round": application.round,
            "assignments": application.assignments.select_related("assessor"),
        },
        status=400 if form.errors else 200,
    )


@officer_required
@require_http_methods(["GET", "POST"])
def conflict(request, reference):
    application = _application(request, reference, assessors=True)
    form = ConflictForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        assessment.declare_conflict(application, request.user, form.cleaned_data["reason"])
        messages.success(
            request,
            f"Your conflict of interest on application {reference} is recorded. You will no longer see it; "
            "if you were assessing it, another officer will be assigned.",
        )
        if services.can_manage_application(request.user, application):
            return redirect("grants:grants_officer:triage", slug=application.round.slug)
        return redirect("grants:grants_officer:my-assessments")
    return render(
        request, "grants/officer/conflict.html", {"form": form, "application": application, "round": application.round},
        status=400 if form.errors else 200,
    )


# --- assessing --------------------------------------------------------------------------------------


@officer_required
@require_safe
def my_assessments(request):
    return render(request, "grants/officer/my_assessments.html", {"assignments": assessment.my_assignments(request.user)})


@officer_required
@require_http_methods(["GET", "POST"])
def score(request, reference):
    application = _application(request, reference, assessors=True)
    assignment = assessment.assignment_for(request.user, application)
    target = reverse("grants:grants_officer:application", args=[reference])
    if application.status != S.IN_ASSESSMENT:
        return _refused(request, f"Application {reference} can be scored only while it is being assessed.", target)
    criteria = application.round.criteria.all()
    form = ScoreForm(*_bound(request), criteria=criteria, scores={s.criterion_id: s for s in assignment.scores.all()})
    if request.method == "POST" and form.is_valid():
        try:
            assessment.save_scores(application, request.user, form.scores())
        except services.GrantsError as error:
            return _refused(request, error, target)
        messages.success(request, f"Your scores for application {reference} were saved.")
        return redirect("grants:grants_officer:my-assessments")
    return render(
        request,
        "grants/officer/score.html",
        {"form": form, "application": application, "round": application.round, "answers": application.answer_list(),
         "documents": application.documents.select_related("required_document")},
        status=400 if form.errors else 200,
    )


# --- the panel and decisions -----------------------------------------------------------------------


@officer_required
@require_safe
def panel(request, slug):
    round_ = _round(request, slug)
    show = "decided" if request.GET.get("show") == "decided" else ""
    figures = assessment.panel(round_, request.user)
    paged = _page(request, figures["decided"] if show else figures["ranking"])
    return render(
        request,
        "grants/officer/panel.html",
        {
            "round": round_, "programme": round_.programme, "show": show, **paged,
            "rows": [] if show else assessment.panel_rows(paged["page"], figures["remaining_pence"]),
            "waiting_count": figures["ranking"].count() if show else paged["page"].paginator.count,
            "decided_count": paged["page"].paginator.count if show else figures["decided"].count(),
            **{key: figures[key] for key in ("budget_pence", "awarded_pence", "remaining_pence")},
        },
    )


@officer_required
@require_http_methods(["GET", "POST"])
def decide(request, reference):
    application = _application(request, reference)
    target = reverse("grants:grants_officer:application", args=[reference])
    if application.is_decided or S.DECLINED not in services.allowed_transitions(application):
        return _refused(request, f"Application {reference} cannot be decided now.", target)
    form = DecisionForm(*_bound(request), application=application)
    money = awards.round_money(application.round)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            awards.decide(
                application, request.user, data["outcome"], data["reasons"], amount_pence=data.get("amount"),
                conditions=data.get("conditions", ""), plan=form.plan(), site=_site(request),
            )
        except awards.BudgetExceeded as error:
            form.add_error("amount" if data["outcome"] == Decision.Outcome.PART else "outcome", str(error))
        except services.GrantsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"The decision on application {reference} was recorded. The letter will be "
                                      "e-mailed to the organisation's members in the next few minutes.")
            return redirect(target)
    return render(
        request,
        "grants/officer/decide.html",
        {"form": form, "application": application, "round": application.round, **money},
        status=400 if form.errors else 200,
    )


@officer_required
@require_http_methods(["GET", "POST"])
def correct_decision(request, reference):
    application = _application(request, reference)
    target = reverse("grants:grants_officer:application", args=[reference])
    decision = Decision.objects.filter(application=application).first()
    if decision is None:
        return _refused(request, f"Application {reference} has not been decided yet: record the decision first.", target)
    award = Award.objects.filter(application=application).first()
    form = CorrectionForm(*_bound(request), application=application, makes_award=award is None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            awards.amend_decision(
                application, request.user, data["outcome"], data["reasons"], amount_pence=data.get("amount"),
                plan=form.plan(), site=_site(request),
            )
        except awards.BudgetExceeded as error:
            form.add_error("amount" if data["outcome"] == Decision.Outcome.PART else "outcome", str(error))
        except services.GrantsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"The decision on application {reference} was corrected. The corrected letter "
                                      "will be e-mailed to the organisation's members in the next few minutes.")
            return redirect(target)
    outcome, amount = decision.current()
    return render(
        request,
        "grants/officer/correct_decision.html",
        {
            "form": form, "application": application, "round": application.round, "decision": decision,
            "current": awards.describe(outcome, amount), "award": award,
            "paid_pence": awards.paid_pence(award) if award else 0, **awards.round_money(application.round),
        },
        status=400 if form.errors else 200,
    )


def _letter_application(request, reference):
    """For the letter page: the team's officers (no conflict) or the organisation's members."""
    application = get_object_or_404(
        Application.objects.select_related("round__programme__team", "organisation", "decision").filter(
            status__in=Application.DECIDED_STATUSES
        ),
        reference=reference,
    )
    user = request.user
    if getattr(user, "is_officer", False):
        assessment.require_officer(user, application)
        return application, True
    if not services.can_view_application(user, application):
        raise Http404
    return application, False


@require_safe
def letter(request, reference):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), login_url=reverse("grants:sign-in"))
    application, is_officer = _letter_application(request, reference)
    context = awards.letter_context(application, _site(request))
    context["is_officer"] = is_officer
    context["letter_sent"] = application.events.filter(kind=ApplicationEvent.Kind.LETTER).order_by("-at").first()
    return render(request, "grants/letters/letter_page.html", context)


@officer_required
@require_POST
def send_letter(request, reference):
    application = _application(request, reference)
    if not application.is_decided:
        raise Http404
    queued = awards.queue_decision_letters(application, request.user, site=_site(request))
    messages.success(request, f"The decision letter will be e-mailed again to {queued} member{'s' if queued != 1 else ''} "
                              "in the next few minutes.")
    return redirect("grants:grants_officer:application", reference=reference)


# --- awards, payments and monitoring ------------------------------------------------------------------


@officer_required
@require_safe
def award(request, reference):
    application = _application(request, reference)
    award_ = getattr(application, "award", None) if application.status in Application.FUNDED_STATUSES else None
    if award_ is None:
        raise Http404
    today = timezone.localdate()
    returns = list(award_.monitoring_returns.order_by("due_on", "id"))
    for item in returns:
        item.late = item.is_late(today)
    return render(
        request,
        "grants/officer/award.html",
        {
            "application": application,
            "round": application.round,
            "award": award_,
            "bank_details": getattr(application.organisation, "bank_details", None),
            "instalments": award_.instalments.select_related("paid_by").order_by("number"),
            "paid_pence": awards.paid_pence(award_),
            "returns": returns,
            "today": today,
        },
    )


@officer_required
@require_http_methods(["GET", "POST"])
def mark_paid(request, pk):
    instalment = get_object_or_404(PaymentInstalment.objects.select_related("award__application"), pk=pk)
    application = _application(request, instalment.award.application.reference)
    target = reverse("grants:grants_officer:award", args=[application.reference])
    if instalment.is_paid:
        return _refused(request, f"Payment {instalment.number} is already marked paid.", target)
    form = MarkPaidForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            awards.mark_paid(instalment, request.user, form.cleaned_data["paid_on"], form.cleaned_data["reference"])
        except services.GrantsError as error:
            return _refused(request, error, target)
        messages.success(request, f"Payment {instalment.number} of {services.pounds(instalment.amount_pence)} is marked paid.")
        return redirect(target)
    return render(
        request,
        "grants/officer/mark_paid.html",
        {"form": form, "instalment": instalment, "application": application, "round": application.round},
        status=400 if form.errors else 200,
    )


@officer_required
@require_safe
def monitoring(request):
    today = timezone.localdate()
    show = request.GET.get("show", "")
    returns = awards.returns_for(request.user)
    late_count = returns.filter(awards.late_q(today)).count()
    if show == "late":
        returns = returns.filter(awards.late_q(today))
    elif show == "received":
        returns = returns.filter(submitted_on__isnull=False)
    elif show == "due":
        returns = returns.filter(submitted_on__isnull=True)
    else:
        show = ""
    # Not sent first (oldest due date first), then the most recently received.
    paged = _page(request, returns.order_by(F("submitted_on").desc(nulls_first=True), "due_on", "id"))
    for item in paged["page"]:
        item.late = item.is_late(today)
    return render(
        request, "grants/officer/monitoring_list.html", {**paged, "late_count": late_count, "show": show, "today": today},
    )


def _officer_return(request, pk):
    monitoring_return = get_object_or_404(
        MonitoringReturn.objects.select_related("award__application__round__programme__team", "submitted_by"), pk=pk
    )
    assessment.require_officer(request.user, monitoring_return.award.application)
    return monitoring_return


@officer_required
@require_safe
def monitoring_return(request, pk):
    monitoring_return = _officer_return(request, pk)
    application = monitoring_return.award.application
    return render(
        request,
        "grants/officer/monitoring_return.html",
        {"item": monitoring_return, "application": application, "round": application.round,
         "late": monitoring_return.is_late()},
    )


@require_http_methods(["GET", "POST"])
def monitoring_submit(request, pk):
    """The funded organisation's members send a monitoring return. Anyone else: sign in, or 404."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), login_url=reverse("grants:sign-in"))
    monitoring_return = get_object_or_404(
        MonitoringReturn.objects.select_related("award__application__round__programme", "award__application__organisation"),
        pk=pk,
    )
    if not awards.can_submit_return(request.user, monitoring_return):
        raise Http404
    award_ = monitoring_return.award
    application = award_.application
    context = {"item": monitoring_return, "award": award_, "application": application, "round": application.round,
               "late": monitoring_return.is_late()}
    if monitoring_return.submitted_on is not None:
        return render(request, "grants/officer/monitoring_sent.html", context)
    form = MonitoringReturnForm(*_bound(request), award=award_)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            awards.submit_return(
                monitoring_return, request.user, data["people_helped"], data["outcomes"], data["money_spent"],
                data["case_study"], data["case_study_may_be_published"],
            )
        except services.GrantsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Thank you: your monitoring return was sent.")
            return redirect("grants:grants_officer:monitoring-submit", pk=pk)
    context["form"] = form
    return render(request, "grants/officer/monitoring_form.html", context, status=400 if form.errors else 200)


@require_safe
def your_returns(request):
    """A member's list of their organisations' monitoring returns, with links to send those due."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), login_url=reverse("grants:sign-in"))
    if not services.is_applicant(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    returns = list(awards.returns_for_organisation_member(request.user).order_by("submitted_on", "due_on", "id"))
    for item in returns:
        item.late = item.is_late(today)
    return render(request, "grants/officer/your_returns.html", {"returns": returns})


# --- dashboard --------------------------------------------------------------------------------------------


@officer_required
@require_safe
def dashboard(request):
    programmes = services.programmes_for(request.user)
    return render(
        request,
        "grants/officer/dashboard.html",
        {"figures": awards.dashboard(programmes=programmes), "has_team": request.user.teams.exists()},
    )

