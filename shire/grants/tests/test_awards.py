"""Decisions, the budget guard, decision letters, payments, monitoring returns and the dashboards' figures (awards.py)."""
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shire.core.models import AuditEvent, OutgoingEmail
from shire.core.testing import mail_server_down, run_background_work, with_worker
from shire.core.tests.factories import make_officer, make_team

from .. import awards
from ..models import (
    Application,
    ApplicationEvent,
    Award,
    Decision,
    ImmutableRecordError,
    MonitoringReturn,
    Outcome,
    PaymentInstalment,
    Theme,
)
from .factories import district, make_community_user, make_programme, make_round
from .test_assessment import in_assessment, sent

pytestmark = pytest.mark.django_db

S = Application.Status


@pytest.fixture
def round_(team):
    return make_round(team=team, budget_pence=1_000_000, max_request_pence=1_000_000)


@pytest.fixture
def application(round_, officer):
    application, _ = in_assessment(round_, officer, amount_pence=600_000)
    return application


# --- schedules --------------------------------------------------------------------------------------


def test_add_months_keeps_the_day_or_uses_the_months_last():
    assert awards.add_months(date(2020, 1, 31), 1) == date(2020, 2, 29)
    assert awards.add_months(date(2019, 11, 30), 3) == date(2020, 2, 29)
    assert awards.add_months(date(2020, 3, 30), 12) == date(2021, 3, 30)
    assert awards.add_months(date(2020, 12, 15), 1) == date(2021, 1, 15)


def test_instalments_add_up_to_the_award_exactly():
    rows = awards.split_instalments(1_000_001, 3, date(2020, 4, 14), 3)
    assert rows == [(1, date(2020, 4, 14), 333_335), (2, date(2020, 7, 14), 333_333), (3, date(2020, 10, 14), 333_333)]
    assert sum(amount for _, _, amount in rows) == 1_000_001
    with pytest.raises(awards.DecisionError):
        awards.split_instalments(100, 0, date(2020, 4, 14), 3)


# --- decisions ---------------------------------------------------------------------------------------


@with_worker
def test_an_award_in_full_makes_the_award_schedule_returns_trail_and_letters(application, officer):
    member = application.organisation.memberships.get().user
    second = make_community_user("second@example.org")
    application.organisation.memberships.create(user=second)
    run_background_work()
    mail.outbox.clear()
    today = timezone.localdate()
    plan = awards.AwardPlan(instalments=2, first_payment_on=today + timedelta(days=7), months_between_payments=6,
                            returns=2, first_return_on=today + timedelta(days=180), months_between_returns=6)

    decision = awards.decide(application, officer, "award", "Strong evidence of need.",
                             conditions="Send photos of the van.", plan=plan, site="https://shire.example")

    application.refresh_from_db()
    assert application.status == S.AWARDED
    assert (decision.outcome, decision.amount_awarded_pence, decision.decided_by) == ("award", 600_000, officer)
    award = Award.objects.get(application=application)
    assert (award.amount_pence, award.award_date) == (600_000, today)
    assert list(award.instalments.values_list("number", "amount_pence", "due_on")) == [
        (1, 300_000, today + timedelta(days=7)), (2, 300_000, awards.add_months(today + timedelta(days=7), 6)),
    ]
    assert list(award.monitoring_returns.values_list("due_on", flat=True)) == [
        today + timedelta(days=180), awards.add_months(today + timedelta(days=180), 6),
    ]
    kinds = list(application.events.filter(actor=officer).values_list("kind", "to_status"))
    assert ("status", S.AWARDED) in kinds and ("decided", "") in kinds and ("letter", "") in kinds
    assert Decision.objects.get(pk=decision.pk).conditions == "Send photos of the van."
    detail = AuditEvent.objects.get(action="grants.application.decided").detail
    assert detail["outcome"] == "award" and detail["amount_pence"] == 600_000
    assert AuditEvent.objects.get(action="grants.application.awarded").actor == officer
    # One letter to each member, plain text and HTML, with the amount, reasons, conditions and schedule,
    # queued with the decision and sent by the background worker.
    assert application.events.get(kind="letter").note == "Decision letter queued for e-mailing to 2 members of Wigston Lunch Club."
    assert AuditEvent.objects.get(action="grants.application.letter").detail == {"recipients": 2}
    assert OutgoingEmail.objects.filter(about=f"Decision letter for application {application.pk}", status="queued").count() == 2
    assert not mail.outbox
    run_background_work()
    assert sorted(m.to[0] for m in mail.outbox) == [member.email, "second@example.org"]
    letter = mail.outbox[0]
    assert "awarded" in letter.subject and application.reference in letter.subject
    for text in ("£6,000", "Strong evidence of need.", "Send photos of the van.", "Payment 1 of 2", "£3,000"):
        assert text in letter.body
    html, kind = letter.alternatives[0]
    assert kind == "text/html" and "£6,000" in html and "Send photos of the van." in html
    return_link = f"https://shire.example/grants/officer/monitoring/{award.monitoring_returns.first().pk}/send/"
    assert return_link in letter.body and return_link in html


def test_an_award_in_part_gives_less_than_asked(application, officer):
    decision = awards.decide(application, officer, "part", "Funds the van, not the fuel.", amount_pence=450_000)
    application.refresh_from_db()
    assert application.status == S.PART_AWARDED
    assert decision.amount_awarded_pence == application.award.amount_pence == 450_000
    assert sum(PaymentInstalment.objects.values_list("amount_pence", flat=True)) == 450_000
    letter = OutgoingEmail.objects.get(about=f"Decision letter for application {application.pk}")
    assert "You asked for £6,000" in letter.body and "£4,500" in letter.body


@pytest.mark.parametrize("amount", [None, 0, 600_000, 700_000])
def test_an_award_in_part_must_be_more_than_nothing_and_less_than_asked(application, officer, amount):
    with pytest.raises(awards.DecisionError):
        awards.decide(application, officer, "part", "Some.", amount_pence=amount)
    application.refresh_from_db()
    assert application.status == S.IN_ASSESSMENT and not Decision.objects.exists()


@with_worker
def test_a_decline_gives_reasons_and_no_award(round_, officer):
    application, member = sent(round_)  # declined at triage, straight from submitted
    run_background_work()
    mail.outbox.clear()
    decision = awards.decide(application, officer, "decline", "The project is outside Leicestershire.")
    application.refresh_from_db()
    assert application.status == S.DECLINED and decision.amount_awarded_pence == 0
    assert not Award.objects.exists()
    run_background_work()
    assert mail.outbox[0].to == [member.email] and "not funded" in mail.outbox[0].subject
    assert "The project is outside Leicestershire." in mail.outbox[0].body
    assert "How we will pay" not in mail.outbox[0].body


def test_only_an_application_in_assessment_can_be_awarded(round_, officer):
    application, _ = sent(round_)
    with pytest.raises(awards.DecisionError, match="cannot be awarded"):
        awards.decide(application, officer, "award", "Good.")
    assert not Decision.objects.exists() and not Award.objects.exists()


def test_a_decision_needs_reasons(application, officer):
    with pytest.raises(awards.DecisionError, match="reasons"):
        awards.decide(application, officer, "award", " ")


def test_a_decision_is_made_once_and_cannot_be_edited(application, officer):
    decision = awards.decide(application, officer, "award", "Good.")
    with pytest.raises(awards.DecisionError, match="already been decided"):
        awards.decide(application, officer, "decline", "Changed my mind.")
    decision.reasons = "Quietly rewritten"
    with pytest.raises(ImmutableRecordError):
        decision.save()
    with pytest.raises(ImmutableRecordError):
        Decision.objects.filter(pk=decision.pk).update(amount_awarded_pence=1)
    with pytest.raises(ImmutableRecordError):
        decision.delete()
    assert Decision.objects.get().reasons == "Good."


def test_an_officer_of_another_team_cannot_decide(application):
    stranger = make_officer("stranger", team=make_team("Highways Team"))
    with pytest.raises(PermissionDenied):
        awards.decide(application, stranger, "award", "Good.")
    application.refresh_from_db()
    assert application.status == S.IN_ASSESSMENT


def test_the_budget_cannot_be_exceeded(round_, officer, application):
    other, _ = in_assessment(round_, officer, "b@example.org", "Blaby Carers", amount_pence=500_000)
    awards.decide(application, officer, "award", "Good.")  # £6,000 of £10,000

    with pytest.raises(awards.BudgetExceeded, match="£4,000 is left"):
        awards.decide(other, officer, "award", "Also good.")

    other.refresh_from_db()
    assert other.status == S.IN_ASSESSMENT and not hasattr(other, "decision")
    assert not OutgoingEmail.objects.filter(about=f"Decision letter for application {other.pk}").exists()
    assert awards.round_money(round_) == {"budget_pence": 1_000_000, "awarded_pence": 600_000, "remaining_pence": 400_000}
    # Exactly what is left can still be awarded; a decline never needs money.
    awards.decide(other, officer, "part", "What is left.", amount_pence=400_000)
    assert awards.round_money(round_)["remaining_pence"] == 0
    third, _ = in_assessment(round_, officer, "c@example.org", "Coalville Choir", amount_pence=100_000)
    awards.decide(third, officer, "decline", "No money left.")


# --- payments ---------------------------------------------------------------------------------------


def test_marking_a_payment_paid_is_recorded_with_who_and_when(application, officer):
    awards.decide(application, officer, "award", "Good.", plan=awards.AwardPlan(instalments=2))
    first = PaymentInstalment.objects.get(number=1)
    paid_on = timezone.localdate() - timedelta(days=1)

    awards.mark_paid(first, officer, paid_on, "BACS 123")

    first.refresh_from_db()
    assert (first.paid_on, first.paid_by, first.payment_reference) == (paid_on, officer, "BACS 123")
    event = application.events.get(kind=ApplicationEvent.Kind.PAID)
    assert event.actor == officer and event.visible_to_applicant and "Payment 1 of 2 made: £3,000" in event.note
    audit_event = AuditEvent.objects.get(action="grants.application.paid")
    assert audit_event.actor == officer and audit_event.detail["amount_pence"] == 300_000
    assert awards.paid_pence(application.award) == 300_000
    with pytest.raises(awards.DecisionError, match="already marked paid"):
        awards.mark_paid(first, officer)
    with pytest.raises(awards.DecisionError, match="today or in the past"):
        awards.mark_paid(PaymentInstalment.objects.get(number=2), officer, timezone.localdate() + timedelta(days=1))
    stranger = make_officer("stranger", team=make_team("Highways Team"))
    with pytest.raises(PermissionDenied):
        awards.mark_paid(PaymentInstalment.objects.get(number=2), stranger)
    assert PaymentInstalment.objects.filter(paid_on__isnull=True).count() == 1


# --- monitoring ---------------------------------------------------------------------------------------


def _awarded(application, officer, **plan):
    awards.decide(application, officer, "award", "Good.", plan=awards.AwardPlan(**plan) if plan else None)
    return application.award


def test_a_member_sends_a_monitoring_return_once(application, officer):
    award = _awarded(application, officer)
    member = application.organisation.memberships.get().user
    monitoring_return = award.monitoring_returns.get()

    awards.submit_return(monitoring_return, member, 130, [Outcome.HEALTH_WELLBEING, Outcome.PARTICIPATION, "made-up"],
                         550_000, "The food bank fed 130 people over the winter.", True)

    monitoring_return.refresh_from_db()
    assert monitoring_return.submitted_on == timezone.localdate() and monitoring_return.submitted_by == member
    assert monitoring_return.outcomes == ["health_wellbeing", "participation"]
    assert (monitoring_return.people_helped, monitoring_return.money_spent_pence) == (130, 550_000)
    assert monitoring_return.outcome_labels()[0] == "Improving health, wellbeing and quality of life"
    event = application.events.get(kind=ApplicationEvent.Kind.MONITORING)
    assert event.actor == member and event.visible_to_applicant
    assert AuditEvent.objects.filter(action="grants.application.monitoring", actor=member).exists()
    with pytest.raises(awards.DecisionError, match="was sent on"):
        awards.submit_return(monitoring_return, member, 1, [Outcome.PARTICIPATION], 0, "Again")


def test_only_the_organisations_members_send_its_returns(application, officer):
    award = _awarded(application, officer)
    monitoring_return = award.monitoring_returns.get()
    outsider = make_community_user("outsider@example.org")
    for person in (outsider, officer):
        with pytest.raises(PermissionDenied):
            awards.submit_return(monitoring_return, person, 1, [Outcome.PARTICIPATION], 0, "Not mine")
    monitoring_return.refresh_from_db()
    assert monitoring_return.submitted_on is None


def test_a_return_needs_an_outcome_from_the_list(application, officer):
    award = _awarded(application, officer)
    member = application.organisation.memberships.get().user
    with pytest.raises(awards.DecisionError, match="at least one outcome"):
        awards.submit_return(award.monitoring_returns.get(), member, 1, ["invented"], 0, "Story")


def test_returns_past_due_and_not_sent_are_late(round_, officer, application):
    today = timezone.localdate()
    award = _awarded(application, officer, returns=3, first_return_on=today + timedelta(days=30), months_between_returns=1)
    overdue, sent_late, due = award.monitoring_returns.order_by("due_on")
    MonitoringReturn.objects.filter(pk=overdue.pk).update(due_on=today - timedelta(days=10))
    MonitoringReturn.objects.filter(pk=sent_late.pk).update(due_on=today - timedelta(days=5))
    member = application.organisation.memberships.get().user
    sent_late.refresh_from_db()
    awards.submit_return(sent_late, member, 12, [Outcome.CONFIDENCE_INDEPENDENCE], 1_000, "Late but here.")

    assert list(awards.late_returns(officer)) == [MonitoringReturn.objects.get(pk=overdue.pk)]
    sent_late.refresh_from_db()
    assert sent_late.is_late() and "sent late" in application.events.get(kind="monitoring").note
    stranger = make_officer("stranger", team=make_team("Highways Team"))
    assert not awards.late_returns(stranger).exists()
    assert awards.dashboard([round_.programme])["monitoring"] == {"due": 2, "late": 1, "received": 1, "people_helped": 12}


# --- figures ---------------------------------------------------------------------------------------


def _figures_setup(team, officer):
    """Two programmes, three rounds, awards across two themes and two districts."""
    programme = make_programme(team=team)
    round_a = make_round(programme=programme, slug="a", name="2019-20", budget_pence=1_000_000, max_request_pence=1_000_000)
    round_b = make_round(programme=programme, slug="b", name="2020-21", budget_pence=500_000, max_request_pence=500_000)
    fund = make_programme(team=team, name="Communities Fund", slug="communities-fund", code="CF")
    round_c = make_round(programme=fund, slug="c", name="Round 1", budget_pence=300_000, max_request_pence=300_000,
                         themes=False)
    young, older = Theme.objects.filter(programme=programme).order_by("order")[:2]
    blaby, melton = district(), district("Melton", "E07000133")
    made = []
    for n, (round_, theme, place, amount, outcome) in enumerate([
        (round_a, young, blaby, 200_000, "award"),
        (round_a, young, melton, 100_000, "award"),
        (round_a, older, blaby, 300_000, "part"),
        (round_a, older, blaby, 50_000, "decline"),
        (round_b, young, melton, 150_000, "award"),
        (round_c, None, None, 250_000, "award"),
    ]):
        application, _ = in_assessment(round_, officer, f"m{n}@example.org", f"Organisation {n}", amount_pence=amount + 1_000)
        Application.objects.filter(pk=application.pk).update(theme=theme, beneficiary_district=place)
        awards.decide(application, officer, outcome, "Reasons.", amount_pence=amount if outcome == "part" else None)
        made.append(application)
    return programme, fund, round_a, round_b, round_c


def test_figures_by_programme_round_theme_and_district(team, officer):
    programme, fund, round_a, round_b, round_c = _figures_setup(team, officer)

    assert awards.totals() == {"awards": 5, "amount_pence": 201_000 + 101_000 + 300_000 + 151_000 + 251_000}
    assert [(r["name"], r["awards"], r["amount_pence"]) for r in awards.awards_by_programme()] == [
        ("Communities Fund", 1, 251_000), ("SHIRE Community Grants", 4, 753_000),
    ]
    by_round = {r["slug"]: r for r in awards.awards_by_round()}
    assert (by_round["a"]["awards"], by_round["a"]["amount_pence"], by_round["a"]["remaining_pence"]) == (3, 602_000, 398_000)
    assert (by_round["b"]["awards"], by_round["b"]["remaining_pence"]) == (1, 349_000)
    assert (by_round["c"]["budget_pence"], by_round["c"]["remaining_pence"]) == (300_000, 49_000)
    by_theme = {(r["programme_name"], r["name"]): (r["awards"], r["amount_pence"]) for r in awards.awards_by_theme()}
    assert by_theme == {
        ("SHIRE Community Grants", "Disadvantaged young people"): (3, 453_000),
        ("SHIRE Community Grants", "Older people, adults and people with mental health issues"): (1, 300_000),
        ("Communities Fund", "No theme"): (1, 251_000),
    }
    by_district = {r["name"]: (r["awards"], r["amount_pence"]) for r in awards.awards_by_district()}
    assert by_district == {"Blaby": (2, 501_000), "Melton": (2, 252_000), "Not recorded": (1, 251_000)}
    # Limited to some programmes, as the dashboard does for an officer's teams.
    assert awards.totals([fund])["amount_pence"] == 251_000
    assert [(r["name"], r["awards"], r["amount_pence"]) for r in awards.awards_by_theme(round_=round_b)] == [
        ("Disadvantaged young people", 1, 151_000)]
    assert [r["name"] for r in awards.awards_by_theme()] == [
        "No theme", "Disadvantaged young people", "Older people, adults and people with mental health issues"]
    assert [r["slug"] for r in awards.awards_by_round([fund])] == ["c"]


def test_summary_gives_each_programme_and_round_with_themes(team, officer):
    _figures_setup(team, officer)
    summary = awards.summary()
    assert [p["programme"] for p in summary] == ["communities-fund", "shire-community-grants"]
    shire = summary[1]
    assert (shire["awards"], shire["amount_pence"]) == (4, 753_000)
    round_a = next(r for r in shire["rounds"] if r["round"] == "a")
    assert (round_a["awards"], round_a["amount_pence"], round_a["budget_pence"]) == (3, 602_000, 1_000_000)
    assert [(t["theme"], t["awards"], t["amount_pence"]) for t in round_a["themes"]] == [
        ("theme-0", 2, 302_000), ("theme-1", 1, 300_000),
    ]


def test_the_dashboard_figures_take_a_fixed_number_of_queries(team, officer):
    programme, *_ = _figures_setup(team, officer)
    with CaptureQueriesContext(connection) as few:
        awards.dashboard()
    extra = make_round(programme=programme, slug="more", name="Extra", budget_pence=500_000, max_request_pence=500_000)
    more_application, _ = in_assessment(extra, officer, "more@example.org", "More", amount_pence=100_000)
    awards.decide(more_application, officer, "award", "Good.")
    with CaptureQueriesContext(connection) as more:
        awards.dashboard()
    assert len(few) == len(more) <= 10


def test_the_dashboard_adds_up_10000_applications(team):
    """10,000 applications, 4,000 awarded, in three rounds of two programmes: each figure by aggregate queries."""
    from ..models import ApplicantOrganisation

    programme = make_programme(team=team)
    fund = make_programme(team=team, name="Communities Fund", slug="communities-fund", code="CF")
    rounds = [
        make_round(programme=programme, slug="r1", name="2019-20", budget_pence=10**12, max_request_pence=10**9),
        make_round(programme=fund, slug="r2", name="Round 1", budget_pence=10**12, max_request_pence=10**9, themes=False),
        make_round(programme=fund, slug="r3", name="Round 2", budget_pence=10**12, max_request_pence=10**9, themes=False),
    ]
    themes = list(Theme.objects.all())
    places = [district(), district("Melton", "E07000133"), district("Charnwood", "E07000130")]
    organisation = ApplicantOrganisation.objects.create(name="Bulk", org_type="charity")
    applications = Application.objects.bulk_create(
        Application(
            round=rounds[n % 3], organisation=organisation, title=f"Project {n}", amount_requested_pence=100_000 + n,
            status=S.AWARDED if n % 5 < 2 else S.IN_ASSESSMENT, theme=themes[n % len(themes)] if n % 3 == 0 else None,
            beneficiary_district=places[n % 3], reference=f"BULK-{n:06d}",
        )
        for n in range(10_000)
    )
    if applications[0].pk is None:  # a database that does not return new keys
        applications = list(Application.objects.order_by("id"))
    today = timezone.localdate()
    Award.objects.bulk_create(
        Award(application=a, amount_pence=a.amount_requested_pence, award_date=today)
        for a in applications if a.status == S.AWARDED
    )

    # Speed is measured by bench/bench_grants.py (docs/performance.md), not asserted here: a shared
    # machine makes timed tests fail for reasons that are not the code's.
    figures = awards.dashboard([programme, fund])
    summary = awards.summary()

    assert figures["totals"]["awards"] == 4_000
    assert sum(r["awards"] for r in figures["by_round"]) == sum(p["awards"] for p in summary) == 4_000
    assert sum(r["amount_pence"] for r in figures["by_district"]) == figures["totals"]["amount_pence"]


@with_worker
def test_a_letter_the_mail_server_cannot_take_leaves_the_decision_standing_and_is_tried_again(application, officer, settings, caplog):
    run_background_work()  # the acknowledgement of the application
    mail.outbox.clear()
    mail_server_down(settings)
    awards.decide(application, officer, "award", "Good.")
    run_background_work()
    application.refresh_from_db()
    assert application.status == S.AWARDED and Award.objects.filter(application=application).exists()
    letter = OutgoingEmail.objects.get(about=f"Decision letter for application {application.pk}")
    assert (letter.status, letter.attempts, letter.error_type) == ("queued", 1, "SMTPServerDisconnected")
    assert DBTaskResult.objects.filter(status="READY", args_kwargs__args=[letter.pk]).exists()  # the next attempt
    # The log says which application, never to whom.
    assert f"Decision letter for application {application.pk}) not sent" in caplog.text
    emails = application.organisation.memberships.values_list("user__email", flat=True)
    assert emails and not any(email in caplog.text for email in emails)
    # An officer can have it e-mailed again: a new e-mail, sent when the server is back.
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert awards.queue_decision_letters(application, officer) == 1
    run_background_work()
    assert len(mail.outbox) == 1 and "awarded" in mail.outbox[0].subject
