"""Assessing grant applications: triage, asking for more information, assessors, conflicts, scores, the panel.

Plain functions, called by the officers' pages (views_officer) and usable from the command line.
Every status change goes through services.transition(); every other step (assigned, conflict,
scored) is written to the application's trail (ApplicationEvent) and to the audit log, with who
and when.

Who may do what
---------------
* Officers of the programme's team (services.can_manage_application) triage, ask for more
  information, assign assessors, see the panel and decide.
* An assessor is an officer of the programme's team assigned to an application; only an
  assessor scores it, and only while it is being assessed.
* Anyone who has declared a conflict of interest on an application can no longer see it, score
  it or decide it: `may_see` is False for them and `visible_to` leaves it out of every list.
  A conflict cannot be withdrawn; another assessor is assigned instead.

Scores
------
Each assessor scores every criterion of the round from 0 to its maximum, with a comment. An
assessor's weighted total is Σ(score × weight) / Σ(maximum × weight), as a percentage (0-100).
An application's score is the same ratio over every assessor who has scored every criterion and
has not declared a conflict: because each such assessor's maximum is the same, it equals the mean
of their weighted totals. It is computed in the database (`with_scores`), so lists can be ranked
by it, and never stored.
"""
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, Exists, F, FloatField, OuterRef, Q, Sum, When
from django.db.models.functions import Cast
from django.template.loader import render_to_string
from django.utils import timezone

from shire.core import audit
from shire.core.models import User

from . import services
from .models import Application, ApplicationEvent, AssessorAssignment, Criterion, Round, Score

log = logging.getLogger(__name__)
S = Application.Status
Kind = ApplicationEvent.Kind

# Statuses an officer works on before a decision.
AWAITING_TRIAGE = (S.SUBMITTED, S.RESUBMITTED)
UNDECIDED = (S.SUBMITTED, S.RESUBMITTED, S.RETURNED, S.IN_ASSESSMENT)


class AssessmentError(services.GrantsError):
    """A step the assessment rules refuse; the message says why."""


# --- the trail ---------------------------------------------------------------------------------


def record_step(application, kind, actor, note="", visible_to_applicant=False, **detail):
    """Write a step that is not a status change to the application's trail and to the audit log.

    Like services.log_event, with `detail` (no personal data) kept in the audit event.
    """
    event = ApplicationEvent.objects.create(
        application=application,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
        visible_to_applicant=visible_to_applicant,
    )
    audit.record(actor, f"grants.application.{kind}", application, **detail)
    return event


# --- who may see what ----------------------------------------------------------------------------


def has_conflict(user, application):
    return AssessorAssignment.objects.filter(application=application, assessor=user, conflict_declared=True).exists()


def may_see(user, application):
    """An officer of the programme's team who has not declared a conflict of interest on it."""
    return services.can_manage_application(user, application) and not has_conflict(user, application)


def require_officer(user, application):
    """Raise PermissionDenied unless `user` may work on `application` (see may_see)."""
    if not services.can_manage_application(user, application):
        raise PermissionDenied("Only an officer of the programme's team can do this.")
    if has_conflict(user, application):
        raise PermissionDenied("You have declared a conflict of interest on this application.")


def conflicted_q(user):
    """Q for applications on which `user` has declared a conflict of interest."""
    return Q(
        Exists(AssessorAssignment.objects.filter(application=OuterRef("pk"), assessor=user, conflict_declared=True))
    )


def rounds_for(user):
    """The rounds of the programmes of the officer's teams."""
    if not getattr(user, "is_officer", False):
        return Round.objects.none()
    return Round.objects.filter(programme__team__in=user.teams.all()).select_related("programme__team")


def visible_to(user, queryset=None):
    """Applications `user` may work on: sent ones (never drafts) of their teams' programmes, less conflicts."""
    queryset = Application.objects.all() if queryset is None else queryset
    if not getattr(user, "is_officer", False):
        return queryset.none()
    return (
        queryset.filter(round__programme__team__in=user.teams.all())
        .filter(services.visible_statuses_q())
        .exclude(conflicted_q(user))
    )


def triage_list(round_, user, status=None):
    """The round's sent applications for `user`, those waiting for an officer first, then oldest first.

    Resubmitted ones (back from the applicant) and newly submitted ones wait for triage.
    """
    queryset = visible_to(user, round_.applications.all())
    if status:
        queryset = queryset.filter(status=status)
    active = Q(assignments__conflict_declared=False)
    return (
        queryset.select_related("organisation", "theme", "beneficiary_district")
        .annotate(
            waiting=Case(When(status__in=AWAITING_TRIAGE, then=0), default=1),
            assessor_count=Count("assignments", filter=active, distinct=True),
            conflict_count=Count("assignments", filter=Q(assignments__conflict_declared=True), distinct=True),
        )
        .order_by("waiting", "last_submitted_at", "id")
    )


def status_counts(round_, user):
    """{status: number} of the round's applications `user` may see."""
    rows = visible_to(user, round_.applications.all()).values_list("status").annotate(n=Count("id")).order_by()
    return dict(rows)


def my_assignments(user):
    """The applications assigned to `user` to assess (never those they have a conflict on), undecided first."""
    if not getattr(user, "is_officer", False):
        return AssessorAssignment.objects.none()
    return (
        AssessorAssignment.objects.filter(
            assessor=user, conflict_declared=False, application__round__programme__team__in=user.teams.all()
        )
        .exclude(application__status=S.DRAFT)
        .select_related("application__round__programme", "application__organisation")
        .annotate(
            decided=Case(When(application__status__in=Application.DECIDED_STATUSES, then=1), default=0),
        )
        .order_by("decided", "completed_at", "application__last_submitted_at", "id")
    )


# --- triage --------------------------------------------------------------------------------------


def return_for_information(application, officer, message, url=None):
    """Send the application back to its organisation, asking for `message`; e-mail its members.

    The message is the note of the 'returned' step, so the applicant sees it on their page. When
    they send the application again it becomes 'resubmitted' and waits for an officer again.
    """
    message = (message or "").strip()
    if not message:
        raise AssessmentError("Enter what the applicant needs to tell you or send.")
    require_officer(officer, application)
    event = services.transition(application, S.RETURNED, officer, note=message)
    try:
        send_returned_email(application, message, url)
    except OSError:  # the mail server refused or was unreachable: the applicant still sees it on their page
        log.exception("More-information e-mail for application %s not sent", application.pk)
    return event


def send_returned_email(application, message, url=None):
    recipients = member_emails(application)
    context = {
        "application": application,
        "round": application.round,
        "message": message,
        "url": url,
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
    }
    sent = 0
    for email in recipients:  # one e-mail each: members' addresses are not shown to each other
        sent += send_mail(
            subject=f"More information needed for application {application.reference}",
            message=render_to_string("grants/officer/emails/returned.txt", context),
            from_email=None,
            recipient_list=[email],
        )
    return sent


def member_emails(application):
    return list(
        application.organisation.memberships.filter(user__is_active=True)
        .exclude(user__email="")
        .order_by("joined_at", "id")
        .values_list("user__email", flat=True)
    )


def start_assessment(application, officer, note=""):
    """Accept a submitted or resubmitted application for assessment."""
    require_officer(officer, application)
    return services.transition(application, S.IN_ASSESSMENT, officer, note=note)


# --- assessors and conflicts -----------------------------------------------------------------------


def eligible_assessors(application):
    """Officers of the programme's team who are not yet assigned and have no conflict on it."""
    taken = AssessorAssignment.objects.filter(application=application).values("assessor")
    return (
        User.objects.filter(
            teams=application.round.programme.team_id,
            is_active=True,
            role__in=[User.Role.OFFICER, User.Role.ADMINISTRATOR],
        )
        .exclude(pk__in=taken)
        .order_by("first_name", "last_name", "username")
    )


def assign_assessor(application, assessor, officer):
    """Assign `assessor` (an officer of the programme's team) to score `application`.

    A submitted or resubmitted application moves to 'being assessed'. Refused for someone who has
    declared a conflict of interest on it, someone already assigned, and anyone outside the team.
    """
    require_officer(officer, application)
    if not (getattr(assessor, "is_officer", False) and application.round.programme.team.has_member(assessor)):
        raise AssessmentError("Assessors must be officers of the programme's team.")
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.is_decided or locked.status in (S.DRAFT, S.RETURNED):
            raise AssessmentError(
                f"Application {locked.reference} is {S(locked.status).label.lower()}: assessors cannot be assigned now."
            )
        existing = AssessorAssignment.objects.filter(application=application, assessor=assessor).first()
        if existing is not None:
            if existing.conflict_declared:
                raise AssessmentError(
                    f"{display_name(assessor)} has declared a conflict of interest on this application: assign someone else."
                )
            raise AssessmentError(f"{display_name(assessor)} is already assessing this application.")
        try:
            with transaction.atomic():
                assignment = AssessorAssignment.objects.create(application=application, assessor=assessor, assigned_by=officer)
        except IntegrityError:
            raise AssessmentError(f"{display_name(assessor)} is already assessing this application.") from None
        record_step(application, Kind.ASSIGNED, officer, note=f"Assessor: {display_name(assessor)}", assessor=assessor.pk)
        application.refresh_from_db(fields=["status"])
        if application.status in AWAITING_TRIAGE:
            services.transition(application, S.IN_ASSESSMENT, officer)
    return assignment


def declare_conflict(application, officer, reason):
    """`officer` declares a conflict of interest: from now on they cannot see, score or decide it.

    Any officer of the team may declare one, assigned or not; an assessor's scores stop counting.
    """
    reason = (reason or "").strip()
    if not reason:
        raise AssessmentError("Enter the reason for the conflict of interest.")
    require_officer(officer, application)
    now = timezone.now()
    with transaction.atomic():
        assignment, created = AssessorAssignment.objects.select_for_update().get_or_create(
            application=application,
            assessor=officer,
            defaults={"assigned_by": officer, "conflict_declared": True, "conflict_reason": reason, "conflict_declared_at": now},
        )
        if not created:
            assignment.conflict_declared = True
            assignment.conflict_reason = reason
            assignment.conflict_declared_at = now
            assignment.save(update_fields=["conflict_declared", "conflict_reason", "conflict_declared_at"])
        # The reason may name people: it stays on the assignment, not in the trail or the log.
        record_step(
            application, Kind.CONFLICT, officer, note=f"{display_name(officer)} declared a conflict of interest.",
            assessor=officer.pk, was_assigned=not created,
        )
    return assignment


def display_name(user):
    return user.get_full_name() or user.get_username()


# --- scores ----------------------------------------------------------------------------------------


def assignment_for(user, application):
    """`user`'s assignment to assess `application`; PermissionDenied if they are not an assessor of it."""
    require_officer(user, application)
    assignment = AssessorAssignment.objects.filter(application=application, assessor=user, conflict_declared=False).first()
    if assignment is None:
        raise PermissionDenied("You are not assigned to assess this application.")
    return assignment


def save_scores(application, assessor, scores):
    """Record `assessor`'s scores: `scores` maps each criterion's pk to (score, comment).

    Every criterion of the round must be scored, from 0 to its maximum, with a comment. Scores can
    be changed until the decision; each save is a 'scored' step in the trail.
    """
    assignment = assignment_for(assessor, application)
    criteria = list(Criterion.objects.filter(round=application.round_id))
    problems = []
    for criterion in criteria:
        score, comment = scores.get(criterion.pk, (None, ""))
        if score is None:
            problems.append(f"Score ‘{criterion.name}’")
        elif not 0 <= int(score) <= criterion.max_score:
            problems.append(f"‘{criterion.name}’ must be scored from 0 to {criterion.max_score}")
        if not (comment or "").strip():
            problems.append(f"Comment on ‘{criterion.name}’")
    unknown = set(scores) - {c.pk for c in criteria}
    if unknown:
        problems.append("Score only this round's criteria")
    if problems:
        raise AssessmentError(". ".join(problems) + ".")
    now = timezone.now()
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != S.IN_ASSESSMENT:
            raise AssessmentError(
                f"Application {locked.reference} is {S(locked.status).label.lower()}: it can be scored only while it is being assessed."
            )
        for criterion in criteria:
            score, comment = scores[criterion.pk]
            Score.objects.update_or_create(
                assignment=assignment,
                criterion=criterion,
                defaults={"score": int(score), "comment": comment.strip(), "scored_at": now},
            )
        first = assignment.completed_at is None
        assignment.completed_at = now
        assignment.save(update_fields=["completed_at"])
        total = weighted_total([(int(scores[c.pk][0]), c.weight, c.max_score) for c in criteria])
        record_step(
            application, Kind.SCORED, assessor,
            note=f"{display_name(assessor)} {'scored' if first else 'changed their scores'}: {total:.1f}%",
            assessor=assessor.pk, weighted_total=round(total, 1), scores={str(c.pk): int(scores[c.pk][0]) for c in criteria},
        )
    return assignment


def weighted_total(scores):
    """Σ(score × weight) / Σ(maximum × weight) as a percentage, for (score, weight, maximum) triples; None if nothing to weigh."""
    possible = sum(maximum * weight for _, weight, maximum in scores)
    if not possible:
        return None
    return 100 * sum(score * weight for score, weight, _ in scores) / possible


def assessor_totals(application):
    """Each assessor's scores and weighted total, for the application page: [{assignment, scores, total}]."""
    rows = []
    assignments = application.assignments.select_related("assessor").prefetch_related("scores__criterion")
    for assignment in assignments:
        scores = list(assignment.scores.all())
        total = weighted_total([(s.score, s.criterion.weight, s.criterion.max_score) for s in scores]) if assignment.completed_at else None
        rows.append({"assignment": assignment, "scores": scores, "total": total})
    return rows


def with_scores(queryset):
    """Annotate applications with `score` (0-100, None if unscored) and `assessed_by` (assessors counted)."""
    counted = Q(assignments__conflict_declared=False, assignments__completed_at__isnull=False)
    weight = F("assignments__scores__criterion__weight")
    return queryset.annotate(
        points=Sum(F("assignments__scores__score") * weight, filter=counted),
        possible=Sum(F("assignments__scores__criterion__max_score") * weight, filter=counted),
        assessed_by=Count("assignments", filter=counted, distinct=True),
    ).annotate(
        score=Case(
            When(possible__gt=0, then=Cast("points", FloatField()) * 100.0 / Cast("possible", FloatField())),
            default=None,
            output_field=FloatField(),
        )
    )


# --- the panel -------------------------------------------------------------------------------------


def panel(round_, user):
    """The round's panel: undecided applications ranked by score, with running totals against the budget.

    Returns {"rows": [...], "decided": [...], "budget_pence", "awarded_pence", "remaining_pence"}.
    Each row: application (annotated with score, assessed_by), requested_pence, running_pence (the
    requests of this row and every row above it) and fits (running_pence <= remaining budget).
    Applications `user` has a conflict on are left out; the budget figures count every award.
    """
    from .awards import round_money

    money = round_money(round_)
    queryset = with_scores(visible_to(user, round_.applications.all())).select_related("organisation", "theme")
    undecided = queryset.filter(status__in=UNDECIDED).order_by(F("score").desc(nulls_last=True), "last_submitted_at", "id")
    rows, running = [], 0
    for application in undecided:
        requested = application.amount_requested_pence or 0
        running += requested
        rows.append(
            {
                "application": application,
                "requested_pence": requested,
                "running_pence": running,
                "fits": running <= money["remaining_pence"],
            }
        )
    decided = (
        queryset.filter(status__in=Application.DECIDED_STATUSES)
        .select_related("decision", "award")
        .order_by(F("score").desc(nulls_last=True), "id")
    )
    return {"rows": rows, "decided": list(decided), **money}
