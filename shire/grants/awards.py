"""Decisions, the budget guard, decision letters, awards, payments, monitoring returns and the dashboards' figures.

Plain functions, called by the officers' pages (views_officer), the command line and the annual report.

The budget guard
----------------
A round's awards never add up to more than its budget. `decide` locks the round's row
(SELECT ... FOR UPDATE) inside a transaction, adds up the awards already made in the database
and refuses an award that would go over; the award is written before the lock is let go. Two
officers deciding at the same moment therefore take turns: the second one sees the first one's
award. (On SQLite, where there are no row locks, every transaction takes the database's write
lock when it begins, which serialises them the same way.)

Decisions are final
-------------------
A Decision is written once and cannot be changed or deleted (models.AppendOnlyModel). An
application has at most one. Its status, the award, the payment schedule and the monitoring
returns are created with it, in the same transaction. A mistake is corrected by `amend_decision`,
which adds a DecisionAmendment beside the decision and makes the award follow it, under the same
round lock.

Figures
-------
`awards_by_programme`, `awards_by_round`, `awards_by_theme`, `awards_by_district` and `summary`
are each one or two aggregate queries (GROUP BY in the database), whatever the number of
applications. Money is in pence.
"""
import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from shire.core import audit
from shire.core.mail import queue_email
from shire.core.models import District

from . import assessment, services
from .models import (
    Application,
    ApplicationEvent,
    Award,
    Decision,
    DecisionAmendment,
    MonitoringReturn,
    Outcome,
    PaymentInstalment,
    Programme,
    Round,
    Theme,
)

S = Application.Status
Kind = ApplicationEvent.Kind
OUTCOME_STATUS = {
    Decision.Outcome.AWARD: S.AWARDED,
    Decision.Outcome.PART: S.PART_AWARDED,
    Decision.Outcome.DECLINE: S.DECLINED,
}
MAX_INSTALMENTS = 12
MAX_RETURNS = 8


class DecisionError(services.GrantsError):
    """A decision the rules refuse; the message says why."""


class BudgetExceeded(DecisionError):
    """The award would take the round's awards over its budget."""


class BudgetBelowAwards(DecisionError):
    """A round's new budget would be less than what it has already awarded."""


# --- money left ------------------------------------------------------------------------------------


def awarded_pence(round_):
    """The total of the round's awards, from the database."""
    return Award.objects.filter(application__round=round_).aggregate(total=Coalesce(Sum("amount_pence"), 0))["total"]


def lock_round(round_id):
    """Lock the round's row (SELECT ... FOR UPDATE) until the transaction ends: every change to the
    round's awards (a decision, a correction) or its budget takes this lock first, so they take turns."""
    return Round.objects.select_for_update().get(pk=round_id)


def lock_round_for_budget(round_, budget_pence):
    """Lock the round's row, as `decide` does, and refuse `budget_pence` if it is less than what the
    round has already awarded (BudgetBelowAwards). Call it inside the transaction that saves the
    new budget: the lock is held until that commits, so no decision can award in between, and a
    decision that got the lock first is counted."""
    locked = lock_round(round_.pk)
    awarded = awarded_pence(locked)
    if budget_pence < awarded:
        raise BudgetBelowAwards(
            f"Budget cannot be less than the {services.pounds(awarded)} {locked.name} has already awarded"
        )
    return locked


def round_money(round_):
    awarded = awarded_pence(round_)
    return {"budget_pence": round_.budget_pence, "awarded_pence": awarded, "remaining_pence": round_.budget_pence - awarded}


# --- schedules -------------------------------------------------------------------------------------


def add_months(day, months):
    """The same day `months` later, or the month's last day if it has fewer days (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def split_instalments(total_pence, count, first_due_on, months_between):
    """[(number, due_on, amount_pence)] adding up to `total_pence` exactly; odd pence go in the first."""
    if count < 1:
        raise DecisionError("There must be at least one payment.")
    if count > total_pence:
        raise DecisionError("There cannot be more payments than pence awarded.")
    share, odd = divmod(total_pence, count)
    return [
        (number, add_months(first_due_on, (number - 1) * months_between), share + (odd if number == 1 else 0))
        for number in range(1, count + 1)
    ]


def return_dates(count, first_due_on, months_between):
    return [add_months(first_due_on, index * months_between) for index in range(count)]


@dataclass
class AwardPlan:
    """How an award is paid and monitored: `instalments` payments from `first_payment_on`, every
    `months_between_payments` months; `returns` monitoring returns from `first_return_on`, every
    `months_between_returns` months. Dates left as None are filled in from the decision's date."""

    instalments: int = 1
    first_payment_on: date | None = None
    months_between_payments: int = 3
    returns: int = 1
    first_return_on: date | None = None
    months_between_returns: int = 6

    def resolved(self, today):
        return AwardPlan(
            instalments=self.instalments,
            first_payment_on=self.first_payment_on or today + timedelta(days=14),
            months_between_payments=self.months_between_payments,
            returns=self.returns,
            first_return_on=self.first_return_on or add_months(today, 12),
            months_between_returns=self.months_between_returns,
        )


# --- decisions -------------------------------------------------------------------------------------


def amount_for(outcome, requested, amount_pence=None):
    """The pence a decision of `outcome` gives when `requested` was asked for: all of it for an award
    in full, `amount_pence` (more than nothing, less than asked) in part, nothing for a decline."""
    if outcome == Decision.Outcome.AWARD:
        if requested <= 0:
            raise DecisionError("The application asks for no money: decline it or award an amount in part.")
        return requested
    if outcome == Decision.Outcome.PART:
        amount = amount_pence or 0
        if amount <= 0:
            raise DecisionError("Enter the amount to award, more than £0.")
        if amount >= requested:
            raise DecisionError(
                f"An award in part must be less than the {services.pounds(requested)} asked for; "
                "to give it all, award in full."
            )
        return amount
    return 0


def check_budget(locked_round, extra_pence, what):
    """Refuse (BudgetExceeded) `extra_pence` more of awards than `locked_round` has left; `what` ("Awarding
    £6,000") starts the message. Call it holding the round's lock (lock_round)."""
    if extra_pence <= 0:
        return
    remaining = locked_round.budget_pence - awarded_pence(locked_round)
    if extra_pence > remaining:
        raise BudgetExceeded(
            f"{what} would take {locked_round.name} over its budget: {services.pounds(max(remaining, 0))} is left."
        )


def make_award(application, amount, officer, plan, today):
    """The Award of `amount` to `application`, with its payments and monitoring returns as `plan` says."""
    award = Award.objects.create(application=application, amount_pence=amount, award_date=today, created_by=officer)
    PaymentInstalment.objects.bulk_create(
        PaymentInstalment(award=award, number=number, due_on=due_on, amount_pence=share)
        for number, due_on, share in split_instalments(
            amount, plan.instalments, plan.first_payment_on, plan.months_between_payments
        )
    )
    MonitoringReturn.objects.bulk_create(
        MonitoringReturn(award=award, due_on=due_on)
        for due_on in return_dates(plan.returns, plan.first_return_on, plan.months_between_returns)
    )
    return award


def decide(application, officer, outcome, reasons, amount_pence=None, conditions="", plan=None, site=""):
    """Record the decision on `application` and queue the decision letters with it. Returns the Decision.

    outcome: Decision.Outcome. 'award' gives the amount requested; 'part' gives `amount_pence`,
    more than nothing and less than requested; 'decline' gives nothing. Reasons are required.
    Raises BudgetExceeded if the round's awards would go over its budget (checked under a lock on
    the round, see the module's notes), DecisionError for any other refusal and PermissionDenied
    for anyone but an officer of the programme's team without a conflict on it.
    `conditions` are the award's special conditions ("spend by 31 March"), kept on the Decision (as
    final as it) and shown to the applicant as the note of the 'decided' step; a decline has none.
    `site` (like "https://shire.example.gov.uk") makes the links in the letters absolute.
    """
    outcome = Decision.Outcome(outcome)
    reasons = (reasons or "").strip()
    conditions = (conditions or "").strip()
    if not reasons:
        raise DecisionError("Enter the reasons for the decision.")
    if conditions and outcome == Decision.Outcome.DECLINE:
        raise DecisionError("A declined application has no conditions: leave the conditions empty.")
    assessment.require_officer(officer, application)
    today = timezone.localdate()
    plan = (plan or AwardPlan()).resolved(today)
    with transaction.atomic():
        # The lock that keeps two decisions from spending the same money: always the round first.
        round_ = lock_round(application.round_id)
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if Decision.objects.filter(application=locked).exists():
            raise DecisionError(f"Application {locked.reference} has already been decided: correct the decision instead.")
        requested = locked.amount_requested_pence or 0
        amount = amount_for(outcome, requested, amount_pence)
        check_budget(round_, amount, f"Awarding {services.pounds(amount)}")
        to_status = OUTCOME_STATUS[outcome]
        if to_status not in services.allowed_transitions(locked):
            raise DecisionError(
                f"Application {locked.reference} is {S(locked.status).label.lower()}: "
                f"it cannot be {'declined' if amount == 0 else 'awarded'} now."
            )
        now = timezone.now()
        decision = Decision.objects.create(
            application=locked, outcome=outcome, amount_awarded_pence=amount, reasons=reasons, conditions=conditions,
            decided_by=officer, decided_at=now,
        )
        services.transition(locked, to_status, officer, note=reasons)
        assessment.record_step(
            locked, Kind.DECIDED, officer, note=conditions, visible_to_applicant=True,
            outcome=outcome.value, amount_pence=amount, requested_pence=requested, decision=decision.pk,
        )
        if amount:
            make_award(locked, amount, officer, plan, today)
        queue_decision_letters(locked, officer, site=site)
    for name in ("status", "updated_at"):
        setattr(application, name, getattr(locked, name))
    return decision


OUTCOME_WORDS = {
    Decision.Outcome.AWARD: "awarded in full",
    Decision.Outcome.PART: "awarded in part",
    Decision.Outcome.DECLINE: "not funded",
}


def describe(outcome, amount_pence):
    """'awarded in part: £4,500', 'not funded': a decision in words, for the trail and the pages."""
    words = OUTCOME_WORDS[Decision.Outcome(outcome)]
    return f"{words}: {services.pounds(amount_pence)}" if amount_pence else words


def amend_decision(application, officer, outcome, reason, amount_pence=None, plan=None, site=""):
    """Correct the decision recorded on `application`; returns the DecisionAmendment.

    The Decision stays as it was recorded; the correction is a DecisionAmendment (who, when, why, the
    outcome and amount before and after), a 'decision amended' step in the trail that the applicant
    sees, and an audit entry. The award follows it, under the round's lock (as `decide`): its amount
    changes and the payments not yet made are split again to add up to it; an award is made (with
    `plan`'s payments and returns) when a declined application is now funded, and withdrawn when a
    funded one is now declined. Refused (DecisionError) without a reason, when nothing would change,
    when the award would be less than what has been paid, when a withdrawn award has a monitoring return
    sent, and (BudgetExceeded) when a larger award would take the round over its budget; refused
    (PermissionDenied) for anyone `decide` refuses. The corrected decision letter is queued for every
    member of the organisation with the correction.
    """
    outcome = Decision.Outcome(outcome)
    reason = (reason or "").strip()
    if not reason:
        raise DecisionError("Enter why the decision is being corrected.")
    assessment.require_officer(officer, application)
    today = timezone.localdate()
    with transaction.atomic():
        round_ = lock_round(application.round_id)
        locked = Application.objects.select_for_update().get(pk=application.pk)
        decision = Decision.objects.filter(application=locked).first()
        if decision is None:
            raise DecisionError(f"Application {locked.reference} has not been decided yet: record the decision first.")
        before_outcome, before_amount = decision.current()
        amount = amount_for(outcome, locked.amount_requested_pence or 0, amount_pence)
        if (outcome, amount) == (before_outcome, before_amount):
            raise DecisionError(
                f"The decision is already {describe(outcome, amount)}: choose a different outcome or amount."
            )
        award = Award.objects.select_for_update().filter(application=locked).first()
        paid = paid_pence(award) if award else 0
        if amount < paid:
            raise DecisionError(
                f"{services.pounds(paid)} of this grant has already been paid, so the award cannot be "
                + ("less than that." if amount else "withdrawn and the application declined.")
            )
        if not amount and award and award.monitoring_returns.filter(submitted_on__isnull=False).exists():
            raise DecisionError("The organisation has sent a monitoring return for this award, so it cannot be withdrawn.")
        current = award.amount_pence if award else 0
        check_budget(
            round_, amount - current,
            f"Awarding {services.pounds(amount)}" + (f" ({services.pounds(amount - current)} more)" if current else ""),
        )
        now = timezone.now()
        amendment = DecisionAmendment.objects.create(
            decision=decision, previous_outcome=before_outcome, previous_amount_pence=before_amount,
            new_outcome=outcome, new_amount_pence=amount, reason=reason, amended_by=officer, at=now,
        )
        if award and amount:
            award.amount_pence = amount
            award.save(update_fields=["amount_pence", "updated_at"])
            reschedule_payments(award, amount - paid, today)
        elif award:
            award.delete()  # nothing paid and no return sent: its payments and returns go with it
        elif amount:
            make_award(locked, amount, officer, (plan or AwardPlan()).resolved(today), today)
        from_status, to_status = locked.status, OUTCOME_STATUS[outcome]
        # The status follows the correction here, and only here, from one decided status to another.
        locked.status = to_status
        locked.save(update_fields=["status", "updated_at"])
        ApplicationEvent.objects.create(
            application=locked, kind=Kind.DECISION_AMENDED, from_status=from_status, to_status=to_status,
            actor=officer, at=now, visible_to_applicant=True,
            note=f"Decision corrected: {describe(before_outcome, before_amount)} is now {describe(outcome, amount)}. "
            f"Why: {reason}",
        )
        audit.record(
            officer, f"grants.application.{Kind.DECISION_AMENDED.value}", locked, decision=decision.pk, amendment=amendment.pk,
            previous_outcome=before_outcome, previous_amount_pence=before_amount, outcome=outcome.value,
            amount_pence=amount, paid_pence=paid, from_status=from_status, to_status=to_status,
        )
        queue_decision_letters(locked, officer, site=site)
    for name in ("status", "updated_at"):
        setattr(application, name, getattr(locked, name))
    return amendment


def reschedule_payments(award, unpaid_pence, today):
    """Split `unpaid_pence` over the award's payments not yet made, keeping their dates (odd pence in
    the first); with none left to make, one more payment due in 14 days; with nothing to pay, none."""
    unpaid = list(award.instalments.filter(paid_on__isnull=True).order_by("number"))
    if not unpaid_pence:
        PaymentInstalment.objects.filter(pk__in=[item.pk for item in unpaid]).delete()
        return
    if not unpaid:
        number = (award.instalments.aggregate(last=Max("number"))["last"] or 0) + 1
        PaymentInstalment.objects.create(award=award, number=number, due_on=today + timedelta(days=14), amount_pence=unpaid_pence)
        return
    keep, drop = unpaid[:unpaid_pence], unpaid[unpaid_pence:]  # never a payment of nothing
    PaymentInstalment.objects.filter(pk__in=[item.pk for item in drop]).delete()
    share, odd = divmod(unpaid_pence, len(keep))
    for index, item in enumerate(keep):
        item.amount_pence = share + (odd if index == 0 else 0)
        item.save(update_fields=["amount_pence"])


# --- letters ---------------------------------------------------------------------------------------


def letter_context(application, site=""):
    decision = application.decision
    award = getattr(application, "award", None)
    outcome, amount = decision.current()
    context = {
        "application": application,
        "organisation": application.organisation,
        "round": application.round,
        "programme": application.round.programme,
        "decision": decision,
        "outcome": outcome,
        "amount": services.pounds(amount),
        # The latest correction, if any: the letter says the decision was corrected, when and why.
        "correction": decision.amendments.order_by("-at", "-id").first(),
        "requested": services.pounds(application.amount_requested_pence),
        "reasons": decision.reasons,
        "conditions": decision.conditions,
        "award": award,
        "instalments": list(award.instalments.order_by("number")) if award else [],
        "returns": list(award.monitoring_returns.order_by("due_on", "id")) if award else [],
        "status_url": site + reverse("grants:application", args=[application.reference]) if site else "",
        "letter_url": site + reverse("grants:grants_officer:letter", args=[application.reference]) if site else "",
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        "from_email": settings.DEFAULT_FROM_EMAIL,
    }
    if award and site:
        context["return_urls"] = {
            r.pk: site + reverse("grants:grants_officer:monitoring-submit", args=[r.pk]) for r in context["returns"]
        }
    return context


def letter_subject(application):
    outcome = application.decision.current()[0]
    verb = {"award": "awarded", "part": "awarded in part", "decline": "not funded"}[outcome]
    corrected = "corrected decision, " if application.decision.amendments.exists() else ""
    return f"Your application {application.reference} to {application.round.programme.name}: {corrected}{verb}"


def queue_decision_letters(application, actor, site=""):
    """Queue the decision letter (plain text and HTML) for every active member of the organisation, and
    record the step; returns how many. In the caller's transaction, when there is one (a decision)."""
    application = Application.objects.select_related(
        "round__programme__team", "organisation", "decision", "award"
    ).get(pk=application.pk)
    context = letter_context(application, site)
    text = render_to_string("grants/letters/decision.txt", context)
    html = render_to_string("grants/letters/decision_email.html", context)
    subject = letter_subject(application)
    recipients = services.member_emails(application)
    with transaction.atomic():
        for email in recipients:  # one each: members' addresses are not shown to each other
            queue_email(email, subject, text, html=html, about=f"Decision letter for application {application.pk}")
        queued = len(recipients)
        assessment.record_step(
            application, Kind.LETTER, actor,
            note=f"Decision letter queued for e-mailing to {queued} member{'s' if queued != 1 else ''} "
            f"of {application.organisation.name}.",
            visible_to_applicant=True, recipients=queued,
        )
    return queued


# --- payments --------------------------------------------------------------------------------------


def mark_paid(instalment, officer, paid_on=None, reference=""):
    """Record that `instalment` was paid. Refused if it already is, or dated in the future."""
    application = instalment.award.application
    assessment.require_officer(officer, application)
    today = timezone.localdate()
    paid_on = paid_on or today
    if paid_on > today:
        raise DecisionError("The payment date must be today or in the past.")
    with transaction.atomic():
        locked = PaymentInstalment.objects.select_for_update().select_related("award").get(pk=instalment.pk)
        if locked.paid_on is not None:
            raise DecisionError(f"Payment {locked.number} was already marked paid on {locked.paid_on:%-d %B %Y}.")
        locked.paid_on = paid_on
        locked.paid_by = officer
        locked.payment_reference = (reference or "").strip()[:60]
        locked.save(update_fields=["paid_on", "paid_by", "payment_reference"])
        count = locked.award.instalments.count()
        assessment.record_step(
            application, Kind.PAID, officer,
            note=f"Payment {locked.number} of {count} made: {services.pounds(locked.amount_pence)} on {paid_on:%-d %B %Y}.",
            visible_to_applicant=True, instalment=locked.pk, amount_pence=locked.amount_pence, paid_on=paid_on.isoformat(),
        )
    instalment.paid_on, instalment.paid_by, instalment.payment_reference = locked.paid_on, officer, locked.payment_reference
    return locked


def paid_pence(award):
    return award.instalments.filter(paid_on__isnull=False).aggregate(total=Coalesce(Sum("amount_pence"), 0))["total"]


# --- monitoring --------------------------------------------------------------------------------------


def can_submit_return(user, monitoring_return):
    return services.is_member(user, monitoring_return.award.application.organisation)


def submit_return(monitoring_return, user, people_helped, outcomes, money_spent_pence, case_study,
                  case_study_may_be_published=False):
    """An organisation's member sends a monitoring return. Sent once; refused for anyone else."""
    application = monitoring_return.award.application
    if not can_submit_return(user, monitoring_return):
        raise PermissionDenied("Only a member of the funded organisation can send its monitoring returns.")
    valid = {value for value, _ in Outcome.choices}
    outcomes = [value for value in outcomes if value in valid]
    if not outcomes:
        raise DecisionError("Select at least one outcome your project achieved.")
    with transaction.atomic():
        locked = MonitoringReturn.objects.select_for_update().get(pk=monitoring_return.pk)
        if locked.submitted_on is not None:
            raise DecisionError(f"This monitoring return was sent on {locked.submitted_on:%-d %B %Y}.")
        locked.submitted_on = timezone.localdate()
        locked.submitted_by = user
        locked.people_helped = people_helped
        locked.outcomes = outcomes
        locked.money_spent_pence = money_spent_pence
        locked.case_study = (case_study or "").strip()
        locked.case_study_may_be_published = bool(case_study_may_be_published)
        locked.save()
        assessment.record_step(
            application, Kind.MONITORING, user,
            note=f"Monitoring return due {locked.due_on:%-d %B %Y} sent{' late' if locked.is_late() else ''}.",
            visible_to_applicant=True, monitoring_return=locked.pk, late=locked.is_late(),
        )
    for name in ("submitted_on", "submitted_by", "people_helped", "outcomes", "money_spent_pence", "case_study",
                 "case_study_may_be_published"):
        setattr(monitoring_return, name, getattr(locked, name))
    return locked


def returns_for(user):
    """Monitoring returns of the officer's teams' programmes, less applications they have a conflict on."""
    if not getattr(user, "is_officer", False):
        return MonitoringReturn.objects.none()
    applications = assessment.visible_to(user).values("pk")
    return MonitoringReturn.objects.filter(award__application__in=applications).select_related(
        "award__application__round__programme", "award__application__organisation"
    )


def late_q(today=None):
    """Q for returns past their due date and not sent."""
    today = today or timezone.localdate()
    return Q(submitted_on__isnull=True, due_on__lt=today)


def late_returns(user, today=None):
    return returns_for(user).filter(late_q(today)).order_by("due_on", "id")


def applicant_grant(application, today=None):
    """What the organisation sees of the decision on its application: {"decision", "outcome" (after any
    correction), "amendments" (the corrections, oldest first), "award", "instalments", "returns"} (each
    return marked `late`); empty if it is not decided. The page that shows it checks
    that the visitor is a member of the organisation."""
    if not application.is_decided:
        return {}
    today = today or timezone.localdate()
    award = Award.objects.filter(application=application).first()
    returns = list(award.monitoring_returns.order_by("due_on", "id")) if award else []
    for item in returns:
        item.late = item.is_late(today)
    decision = Decision.objects.get(application=application)
    outcome, amount = decision.current()
    return {
        "decision": decision,
        "outcome": outcome,
        "amendments": list(decision.amendments.order_by("at", "id")),
        "award": award,
        "instalments": list(award.instalments.order_by("number")) if award else [],
        "returns": returns,
    }


def returns_for_organisation_member(user):
    """The monitoring returns of every award to the user's organisations (for applicants)."""
    if not services.is_applicant(user):
        return MonitoringReturn.objects.none()
    return MonitoringReturn.objects.filter(award__application__organisation__memberships__user=user).select_related(
        "award__application__round__programme", "award__application__organisation"
    )


# --- figures for the dashboards, `shire grants summary` and the annual report ---------------------------
#
# Every figure comes from one GROUP BY query over the awards, by round, theme and district
# (`_cells`): at most rounds × themes × districts rows, however many applications there are.
# Totals by programme, round, theme and district are sums of those few rows; the names come from
# the small tables of programmes, rounds, themes and districts.


def _programme_ids(programmes):
    """`programmes` (a queryset, or Programme objects or pks) as something `__in` accepts."""
    if isinstance(programmes, QuerySet):
        return programmes.values("pk")
    return [getattr(programme, "pk", programme) for programme in programmes]


def _awards(programmes=None):
    queryset = Award.objects.all()
    if programmes is not None:
        queryset = queryset.filter(application__round__programme__in=_programme_ids(programmes))
    return queryset


def _cells(programmes=None, round_=None):
    """[{round, theme, district, awards, amount_pence}]: the awards counted and summed in the database."""
    queryset = _awards(programmes)
    if round_ is not None:
        queryset = queryset.filter(application__round=round_)
    rows = (
        queryset.values(round=F("application__round"), theme=F("application__theme"),
                        district=F("application__beneficiary_district"))
        .annotate(awards=Count("id"), amount_pence=Coalesce(Sum("amount_pence"), 0))
        .order_by()
    )
    return list(rows)


def _add_up(cells, key):
    """{key(cell): (awards, amount_pence)} over the cells."""
    sums = {}
    for cell in cells:
        awards, amount = sums.get(key(cell), (0, 0))
        sums[key(cell)] = (awards + cell["awards"], amount + cell["amount_pence"])
    return sums


def _rounds(programmes):
    queryset = Round.objects.all() if programmes is None else Round.objects.filter(programme__in=_programme_ids(programmes))
    return list(
        queryset.order_by("programme__name", "-opens_on", "name").values(
            "pk", "slug", "name", "programme", "programme__name", "programme__slug", "budget_pence"
        )
    )


def _programmes(programmes):
    queryset = Programme.objects.all() if programmes is None else Programme.objects.filter(pk__in=_programme_ids(programmes))
    return list(queryset.order_by("name").values("pk", "slug", "name"))


def _totals(cells):
    return {"awards": sum(c["awards"] for c in cells), "amount_pence": sum(c["amount_pence"] for c in cells)}


def _by_programme(cells, programme_rows, round_rows):
    programme_of = {r["pk"]: r["programme"] for r in round_rows}
    sums = _add_up(cells, lambda c: programme_of.get(c["round"]))
    result = []
    for row in programme_rows:
        awards, amount = sums.get(row["pk"], (0, 0))
        result.append({"programme": row["pk"], "slug": row["slug"], "name": row["name"], "awards": awards,
                       "amount_pence": amount})
    return result


def _by_round(cells, round_rows):
    sums = _add_up(cells, lambda c: c["round"])
    result = []
    for row in round_rows:
        awards, amount = sums.get(row["pk"], (0, 0))
        result.append(
            {
                "round": row["pk"], "slug": row["slug"], "name": row["name"], "programme": row["programme"],
                "programme_name": row["programme__name"], "programme_slug": row["programme__slug"],
                "budget_pence": row["budget_pence"], "awards": awards, "amount_pence": amount,
                "remaining_pence": row["budget_pence"] - amount,
            }
        )
    return result


def _theme_rows(cells):
    ids = {c["theme"] for c in cells if c["theme"] is not None}
    return {t["pk"]: t for t in Theme.objects.filter(pk__in=ids).values("pk", "slug", "name", "order")}


def _by_theme(cells, round_rows, themes):
    """By programme, then theme in the programme's order, "No theme" last."""
    programme_of = {r["pk"]: (r["programme__name"], r["programme"]) for r in round_rows}
    sums = _add_up(cells, lambda c: (programme_of[c["round"]], c["theme"]))
    ranked = []
    for ((programme_name, _), theme), (awards, amount) in sums.items():
        row = themes.get(theme)
        order = (programme_name, row is None, row["order"] if row else 0, row["name"] if row else "")
        ranked.append((order, {
            "programme_name": programme_name,
            "theme": theme,
            "name": row["name"] if row else "No theme",
            "awards": awards,
            "amount_pence": amount,
        }))
    return [row for _, row in sorted(ranked, key=lambda pair: pair[0])]


def _by_district(cells):
    sums = _add_up(cells, lambda c: c["district"])
    result = []
    for district in District.objects.order_by("name").values("pk", "name", "gss_code"):
        awards, amount = sums.get(district["pk"], (0, 0))
        result.append({"district": district["pk"], "name": district["name"], "gss_code": district["gss_code"],
                       "awards": awards, "amount_pence": amount})
    if None in sums:
        awards, amount = sums[None]
        result.append({"district": None, "name": "Not recorded", "gss_code": "", "awards": awards, "amount_pence": amount})
    return result


def totals(programmes=None):
    """{"awards": n, "amount_pence": total} over every award (of `programmes`, if given)."""
    return _awards(programmes).aggregate(awards=Count("id"), amount_pence=Coalesce(Sum("amount_pence"), 0))


def awards_by_programme(programmes=None):
    """[{programme, slug, name, awards, amount_pence}] for every programme (those with no awards too)."""
    return _by_programme(_cells(programmes), _programmes(programmes), _rounds(programmes))


def awards_by_round(programmes=None):
    """[{round, slug, name, programme, programme_name, budget_pence, awards, amount_pence, remaining_pence}]
    for every round (those with no awards too): the money left in each round."""
    return _by_round(_cells(programmes), _rounds(programmes))


def awards_by_theme(programmes=None, round_=None):
    """[{programme_name, theme, name, awards, amount_pence}]; theme None ("No theme") for awards with none."""
    cells = _cells(programmes, round_)
    return _by_theme(cells, _rounds(programmes), _theme_rows(cells))


def awards_by_district(programmes=None):
    """[{district, name, gss_code, awards, amount_pence}] by the district the project helps, every district
    listed (those with no awards too), and "Not recorded" last if any award has none."""
    return _by_district(_cells(programmes))


def summary(programmes=None):
    """Per programme and round: awards, total in pence and the same by theme. Plain data, for JSON.

    [{"programme": slug, "name", "awards", "amount_pence",
      "rounds": [{"round": slug, "name", "budget_pence", "awards", "amount_pence", "remaining_pence",
                  "themes": [{"theme": slug or None, "name", "awards", "amount_pence"}]}]}]
    """
    cells = _cells(programmes)
    round_rows = _rounds(programmes)
    themes = _theme_rows(cells)
    by_round_theme = _add_up(cells, lambda c: (c["round"], c["theme"]))
    result = {}
    for programme in _by_programme(cells, _programmes(programmes), round_rows):
        result[programme["programme"]] = {
            "programme": programme["slug"], "name": programme["name"], "awards": programme["awards"],
            "amount_pence": programme["amount_pence"], "rounds": [],
        }
    for row in _by_round(cells, round_rows):
        round_themes = []
        for (round_id, theme), (awards, amount) in by_round_theme.items():
            if round_id == row["round"]:
                theme_row = themes.get(theme)
                round_themes.append({
                    "theme": theme_row["slug"] if theme_row else None,
                    "name": theme_row["name"] if theme_row else "No theme",
                    "awards": awards,
                    "amount_pence": amount,
                })
        result[row["programme"]]["rounds"].append(
            {
                "round": row["slug"], "name": row["name"], "budget_pence": row["budget_pence"], "awards": row["awards"],
                "amount_pence": row["amount_pence"], "remaining_pence": row["remaining_pence"],
                "themes": sorted(round_themes, key=lambda t: t["name"]),
            }
        )
    return list(result.values())


def dashboard(programmes=None, today=None):
    """Everything the officers' dashboard shows: one GROUP BY over the awards, one over the monitoring returns."""
    today = today or timezone.localdate()
    returns = MonitoringReturn.objects.all()
    if programmes is not None:
        returns = returns.filter(award__application__round__programme__in=_programme_ids(programmes))
    monitoring = returns.aggregate(
        due=Count("id", filter=Q(submitted_on__isnull=True)),
        late=Count("id", filter=late_q(today)),
        received=Count("id", filter=Q(submitted_on__isnull=False)),
        people_helped=Coalesce(Sum("people_helped"), 0),
    )
    cells = _cells(programmes)
    round_rows = _rounds(programmes)
    return {
        "totals": _totals(cells),
        "by_programme": _by_programme(cells, _programmes(programmes), round_rows),
        "by_round": _by_round(cells, round_rows),
        "by_theme": _by_theme(cells, round_rows, _theme_rows(cells)),
        "by_district": _by_district(cells),
        "monitoring": monitoring,
        "today": today,
    }


__all__ = [
    "AwardPlan", "BudgetBelowAwards", "BudgetExceeded", "DecisionError", "add_months", "awarded_pence", "awards_by_district",
    "awards_by_programme", "awards_by_round", "awards_by_theme", "dashboard", "decide", "late_returns", "lock_round_for_budget", "mark_paid",
    "round_money", "queue_decision_letters", "split_instalments", "submit_return", "summary", "totals",
]
