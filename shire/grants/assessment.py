"""Assessing grant applications: triage, asking for more information, assessors, conflicts, scores, the panel.

Plain functions, called by the officers' pages (views_officer) and usable from the command line.
Every status change goes through services.transition(); every other step (assigned, conflict,
scored) is written to the application's trail (ApplicationEvent) and to the audit log, with who
and when.

Who may do what
---------------
* Grants officers, the officers of the programme's team (services.can_manage_application), see
  every application of its rounds; they triage, ask for more information, assign assessors, run
  the panel, decide, pay and follow the monitoring returns.
* An assessor is someone assigned to an application: a grants officer, or one of the programme's
  assessors from outside the team (Programme.assessors: panel members, officers of other teams
  asked to score). Only an assessor scores it, and only while it is being assessed. An assessor
  who is not a grants officer sees, opens, downloads the documents of and scores only the
  applications assigned to them (`may_see`, `my_assignments`), and nothing else of the programme.
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

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, Exists, F, FloatField, OuterRef, Q, Sum, When, Window
from django.db.models.functions import Cast, Coalesce
from django.template.loader import render_to_string
from django.utils import timezone

from shire.core import audit
from shire.core.mail import queue_email
from shire.core.models import User

from . import services
from .models import Application, ApplicationEvent, AssessorAssignment, Criterion, Round, Score

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


def is_outside_assessor(user, programme):
    """`user` is one of the programme's assessors from outside its team (and staff, and active)."""
    return bool(getattr(user, "is_officer", False)) and programme.assessors.filter(pk=user.pk).exists()


def is_assigned(user, application):
    """Assigned to assess `application`, with no conflict of interest declared."""
    return AssessorAssignment.objects.filter(application=application, assessor=user, conflict_declared=False).exists()


def may_see(user, application):
    """A grants officer of the programme, or an assessor assigned to it; never with a conflict of interest."""
    if has_conflict(user, application):
        return False
    if services.can_manage_application(user, application):
        return True
    return is_outside_assessor(user, application.round.programme) and is_assigned(user, application)


def require_officer(user, application):
    """Raise PermissionDenied unless `user` is a grants officer of the programme without a conflict on it."""
    if not services.can_manage_application(user, application):
        raise PermissionDenied("Only a grants officer of the programme's team can do this.")
    if has_conflict(user, application):
        raise PermissionDenied("You have declared a conflict of interest on this application.")


def require_viewer(user, application):
    """Raise PermissionDenied unless `user` may see `application` (see may_see): grants officers and its assessors."""
    if has_conflict(user, application):
        raise PermissionDenied("You have declared a conflict of interest on this application.")
    if not may_see(user, application):
        raise PermissionDenied("Only the programme's grants officers and this application's assessors can see it.")


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
    """Applications `user` works on as a grants officer: sent ones (never drafts) of their teams'
    programmes, less conflicts. Assessors from outside the team see theirs through `my_assignments`."""
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
    """The applications assigned to `user` to assess (never those they have a conflict on), undecided first.

    Only while they may still assess the programme: as one of its grants officers or its assessors.
    """
    if not getattr(user, "is_officer", False):
        return AssessorAssignment.objects.none()
    return (
        AssessorAssignment.objects.filter(assessor=user, conflict_declared=False)
        .filter(
            Q(application__round__programme__team__in=user.teams.all())
            | Q(application__round__programme__assessors=user)
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
    The e-mails are queued with the step; `event.members_emailed` says to how many members.
    """
    message = (message or "").strip()
    if not message:
        raise AssessmentError("Enter what the applicant needs to tell you or send.")
    require_officer(officer, application)
    with transaction.atomic():
        event = services.transition(application, S.RETURNED, officer, note=message)
        event.members_emailed = queue_returned_email(application, message, url)
    return event


def queue_returned_email(application, message, url=None):
    """Queue the "more information needed" e-mail for every member; returns how many."""
    recipients = services.member_emails(application)
    context = {
        "application": application,
        "round": application.round,
        "message": message,
        "url": url,
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
    }
    subject = f"More information needed for application {application.reference}"
    body = render_to_string("grants/officer/emails/returned.txt", context)
    for email in recipients:  # one e-mail each: members' addresses are not shown to each other
        queue_email(email, subject, body, about=f"More-information e-mail for application {application.pk}")
    return len(recipients)


def start_assessment(application, officer, note=""):
    """Accept a submitted or resubmitted application for assessment."""
    require_officer(officer, application)
    return services.transition(application, S.IN_ASSESSMENT, officer, note=note)


# --- assessors and conflicts -----------------------------------------------------------------------


def eligible_assessors(application):
    """The programme's grants officers and its assessors from outside the team, not yet assigned and
    with no conflict on it."""
    programme = application.round.programme
    taken = AssessorAssignment.objects.filter(application=application).values("assessor")
    return (
        User.objects.filter(Q(teams=programme.team_id) | Q(grant_programmes_assessed=programme))
        .filter(is_active=True, role__in=[User.Role.OFFICER, User.Role.ADMINISTRATOR])
        .exclude(pk__in=taken)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def may_assess(user, programme):
    """A grants officer of the programme or one of its assessors from outside the team."""
    return services.can_manage_programme(user, programme) or is_outside_assessor(user, programme)


def assign_assessor(application, assessor, officer):
    """Assign `assessor` (a grants officer of the programme or one of its assessors) to score `application`.

    A submitted or resubmitted application moves to 'being assessed'. Refused for someone who has
    declared a conflict of interest on it, someone already assigned, and anyone else.
    """
    require_officer(officer, application)
    if not may_assess(assessor, application.round.programme):
        raise AssessmentError(
            "Assessors must be grants officers of the programme's team or on the programme's list of assessors."
        )
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
                    f"{assessor.display_name} has declared a conflict of interest on this application: assign someone else."
                )
            raise AssessmentError(f"{assessor.display_name} is already assessing this application.")
        try:
            with transaction.atomic():
                assignment = AssessorAssignment.objects.create(application=application, assessor=assessor, assigned_by=officer)
        except IntegrityError:
            raise AssessmentError(f"{assessor.display_name} is already assessing this application.") from None
        record_step(application, Kind.ASSIGNED, officer, note=f"Assessor: {assessor.display_name}", assessor=assessor.pk)
        application.refresh_from_db(fields=["status"])
        if application.status in AWAITING_TRIAGE:
            services.transition(application, S.IN_ASSESSMENT, officer)
    return assignment


def declare_conflict(application, officer, reason):
    """`officer` declares a conflict of interest: from now on they cannot see, score or decide it.

    Any grants officer may declare one, assigned or not, and so may an assessor assigned to it; an
    assessor's scores stop counting.
    """
    reason = (reason or "").strip()
    if not reason:
        raise AssessmentError("Enter the reason for the conflict of interest.")
    require_viewer(officer, application)
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
            application, Kind.CONFLICT, officer, note=f"{officer.display_name} declared a conflict of interest.",
            assessor=officer.pk, was_assigned=not created,
        )
    return assignment


# --- the programme's assessors from outside the team ------------------------------------------------


def add_programme_assessor(programme, officer, email):
    """A grants officer adds the staff account with `email` to the programme's assessors from outside
    the team; returns the user. They may then be assigned applications to score, and see only those."""
    if not services.can_manage_programme(officer, programme):
        raise PermissionDenied("Only a grants officer of the programme's team can do this.")
    email = (email or "").strip()
    user = User.objects.filter(
        email__iexact=email, is_active=True, role__in=[User.Role.OFFICER, User.Role.ADMINISTRATOR]
    ).first()
    if user is None:
        raise AssessmentError(f"There is no staff account with the e-mail address {email}. Ask an administrator to make one.")
    if programme.team.has_member(user):
        raise AssessmentError(
            f"{user.display_name} is an officer of {programme.team.name}: as a grants officer they can already be assigned."
        )
    if programme.assessors.filter(pk=user.pk).exists():
        raise AssessmentError(f"{user.display_name} is already one of this programme's assessors.")
    programme.assessors.add(user)
    audit.record(officer, "grants.programme.assessor_added", programme, assessor=user.pk)
    return user


def remove_programme_assessor(programme, officer, assessor):
    """Take `assessor` off the programme's assessors: from then on they see none of its applications,
    those assigned to them included (scores they have given still count).

    Their assignments to undecided applications that they have not scored are withdrawn, with a step
    in each application's trail, so triage shows those applications as needing an assessor again.
    Declared conflicts stay: they are the record that keeps the application from them.
    """
    if not services.can_manage_programme(officer, programme):
        raise PermissionDenied("Only a grants officer of the programme's team can do this.")
    with transaction.atomic():
        programme.assessors.remove(assessor)
        unstarted = AssessorAssignment.objects.filter(
            assessor=assessor, conflict_declared=False, scores__isnull=True,
            application__round__programme=programme, application__status__in=UNDECIDED,
        ).select_related("application")
        for assignment in unstarted:
            record_step(assignment.application, Kind.NOTE, officer,
                        note=f"Assessor {assessor.display_name} taken off the programme's assessors: no longer assigned",
                        assessor=assessor.pk)
            assignment.delete()
        audit.record(officer, "grants.programme.assessor_removed", programme, assessor=assessor.pk)


# --- scores ----------------------------------------------------------------------------------------


def assignment_for(user, application):
    """`user`'s assignment to assess `application`; PermissionDenied if they are not an assessor of it."""
    require_viewer(user, application)
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
            note=f"{assessor.display_name} {'scored' if first else 'changed their scores'}: {total:.1f}%",
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

# Best score first, unscored last; ties by who sent first. `id` last makes the order total, so the
# running total's window (which adds up every row up to the current one in this order) has no ties.
RANKING = (F("score").desc(nulls_last=True), F("last_submitted_at").asc(), F("id").asc())


def panel(round_, user):
    """The round's panel: undecided applications ranked by score, with running totals against the budget.

    Returns {"ranking", "decided", "budget_pence", "awarded_pence", "remaining_pence"}. `ranking` is
    a queryset of the undecided applications in rank order, each annotated with score, assessed_by
    and running_pence: what it and every application ranked above it ask for, added up in the
    database over the whole ranking, so any page of it has the right running totals. `decided` is a
    queryset of the decided ones, best score first, each with awarded_pence (what its award is now). Applications `user` has a conflict on are left
    out; the budget figures are the whole round's and count every award.
    """
    from .awards import round_money

    applications = with_scores(visible_to(user, round_.applications.all())).select_related("organisation", "theme")
    ranking = (
        applications.filter(status__in=UNDECIDED)
        .annotate(
            running_pence=Window(Sum(Coalesce("amount_requested_pence", 0)), order_by=list(RANKING)),
        )
        .order_by(*RANKING)
    )
    decided = (
        applications.filter(status__in=Application.DECIDED_STATUSES)
        .annotate(awarded_pence=Coalesce("award__amount_pence", 0))  # after any correction
        .order_by(F("score").desc(nulls_last=True), "id")
    )
    return {"ranking": ranking, "decided": decided, **round_money(round_)}


def panel_rows(applications, remaining_pence):
    """Rows for the panel's table from (a page of) `panel()["ranking"]`: each application with what it
    asks for, the running total and whether that total fits in what is left of the budget."""
    return [
        {
            "application": application,
            "requested_pence": application.amount_requested_pence or 0,
            "running_pence": application.running_pence,
            "fits": application.running_pence <= remaining_pence,
        }
        for application in applications
    ]
