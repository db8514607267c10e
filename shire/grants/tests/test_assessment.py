"""Assessment rules (assessment.py): triage, asking for more information, assessors, conflicts, scores, the panel.

The helpers at the top (`sent`, `in_assessment`, `score_all`) are shared by the other officer-side test modules.
"""
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from shire.core.models import AuditEvent, OutgoingEmail
from shire.core.testing import mail_server_down, run_background_work, with_worker
from shire.core.tests.factories import make_officer, make_team

from .. import assessment, awards, services
from ..models import Application, ApplicationEvent, AssessorAssignment, Score
from .factories import make_applicant, make_application, make_community_user, make_round, submit

pytestmark = pytest.mark.django_db

S = Application.Status


# --- shared helpers ----------------------------------------------------------------------------------


def sent(round_, email="member@example.org", name="Wigston Lunch Club", amount_pence=None):
    """A submitted application from a new organisation with one member; returns (application, member)."""
    member, organisation = make_applicant(email, organisation_name=name)
    application = submit(make_application(round_, organisation, member), member)
    if amount_pence is not None:
        Application.objects.filter(pk=application.pk).update(amount_requested_pence=amount_pence)
        application.refresh_from_db()
    return application, member


def in_assessment(round_, officer, email="member@example.org", name="Wigston Lunch Club", amount_pence=None):
    application, member = sent(round_, email, name, amount_pence)
    assessment.start_assessment(application, officer)
    return application, member


def score_all(application, assessor, values, comment="Clear evidence of need."):
    """Score every criterion of the round, in order, with `values`."""
    criteria = list(application.round.criteria.all())
    return assessment.save_scores(
        application, assessor, {c.pk: (v, comment) for c, v in zip(criteria, values, strict=True)}
    )


@pytest.fixture
def assessor(team):
    return make_officer("assessor", team=team)


@pytest.fixture
def round_(team):
    return make_round(team=team)


@pytest.fixture
def other_officer():
    """An officer of another team."""
    return make_officer("elsewhere", team=make_team("Highways Team"))


# --- triage ---------------------------------------------------------------------------------------


def test_triage_lists_sent_applications_waiting_ones_first_and_never_drafts(round_, officer):
    first, _ = in_assessment(round_, officer, "a@example.org", "Anstey Youth Club")
    waiting, _ = sent(round_, "b@example.org", "Blaby Carers")
    member, organisation = make_applicant("c@example.org", organisation_name="Coalville Choir")
    make_application(round_, organisation, member)  # a draft

    listed = list(assessment.triage_list(round_, officer))

    assert [a.pk for a in listed] == [waiting.pk, first.pk]
    assert listed[0].waiting == 0 and listed[1].waiting == 1
    assert assessment.status_counts(round_, officer) == {S.SUBMITTED: 1, S.IN_ASSESSMENT: 1}
    assert list(assessment.triage_list(round_, officer, status=S.IN_ASSESSMENT)) == [first]


def test_another_teams_officer_sees_nothing_and_cannot_act(round_, other_officer):
    application, _ = sent(round_)
    assert not assessment.visible_to(other_officer).exists()
    assert not assessment.may_see(other_officer, application)
    with pytest.raises(PermissionDenied):
        assessment.start_assessment(application, other_officer)
    with pytest.raises(PermissionDenied):
        assessment.return_for_information(application, other_officer, "Send your accounts.")
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


@with_worker
def test_asking_for_more_information_returns_it_and_emails_every_member(round_, officer):
    application, member = sent(round_)
    second = make_community_user("second@example.org")
    application.organisation.memberships.create(user=second)
    run_background_work()  # the acknowledgement of the application
    mail.outbox.clear()

    returned = assessment.return_for_information(application, officer, "Please send last year's accounts.", url="https://x/app")

    application.refresh_from_db()
    assert application.status == S.RETURNED
    event = application.events.get(kind=ApplicationEvent.Kind.STATUS, to_status=S.RETURNED)
    assert (event.actor, event.note, event.visible_to_applicant) == (officer, "Please send last year's accounts.", True)
    about = f"More-information e-mail for application {application.pk}"
    assert returned.members_emailed == 2 and OutgoingEmail.objects.filter(about=about, status="queued").count() == 2
    assert not mail.outbox
    run_background_work()
    assert sorted(m.to[0] for m in mail.outbox) == ["member@example.org", "second@example.org"]
    assert all(len(m.to) == 1 for m in mail.outbox)
    assert "Please send last year's accounts." in mail.outbox[0].body and application.reference in mail.outbox[0].subject
    audit_event = AuditEvent.objects.get(action="grants.application.returned")
    assert audit_event.actor == officer and audit_event.object_id == str(application.pk)
    # The applicant sees the message on their status page's timeline.
    assert event in services.applicant_timeline(application)


@with_worker
def test_returning_stands_when_the_mail_server_is_down_and_the_log_names_no_one(round_, officer, settings, caplog):
    application, member = sent(round_)
    mail_server_down(settings)
    assessment.return_for_information(application, officer, "Please send last year's accounts.")
    run_background_work()
    application.refresh_from_db()
    assert application.status == S.RETURNED
    email = OutgoingEmail.objects.get(about=f"More-information e-mail for application {application.pk}")
    assert (email.status, email.attempts, email.error_type) == ("queued", 1, "SMTPServerDisconnected")
    assert f"More-information e-mail for application {application.pk}) not sent" in caplog.text
    assert member.email not in caplog.text


def test_a_returned_application_comes_back_to_the_officer_when_resubmitted(round_, officer):
    older, _ = sent(round_, "a@example.org", "Anstey Youth Club")
    application, member = in_assessment(round_, officer, "b@example.org", "Blaby Carers")
    assessment.return_for_information(application, officer, "Tell us how many volunteers you have.")

    event, errors = services.submit_application(application, member)

    assert errors == {} and application.status == S.RESUBMITTED
    listed = list(assessment.triage_list(round_, officer))
    assert {a.pk for a in listed if a.waiting == 0} == {older.pk, application.pk}
    assert AuditEvent.objects.filter(action="grants.application.resubmitted", actor=member).exists()
    assessment.start_assessment(application, officer)
    application.refresh_from_db()
    assert application.status == S.IN_ASSESSMENT


def test_asking_for_more_information_needs_a_message(round_, officer):
    application, _ = sent(round_)
    with pytest.raises(assessment.AssessmentError):
        assessment.return_for_information(application, officer, "   ")
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


# --- assessors -------------------------------------------------------------------------------------


def test_assigning_an_assessor_starts_the_assessment_and_is_recorded(round_, officer, assessor):
    application, _ = sent(round_)

    assignment = assessment.assign_assessor(application, assessor, officer)

    application.refresh_from_db()
    assert application.status == S.IN_ASSESSMENT
    assert (assignment.assessor, assignment.assigned_by) == (assessor, officer)
    event = application.events.get(kind=ApplicationEvent.Kind.ASSIGNED)
    assert event.actor == officer and not event.visible_to_applicant
    assert AuditEvent.objects.get(action="grants.application.assigned").detail == {"assessor": assessor.pk}
    assert list(assessment.my_assignments(assessor)) == [assignment]
    assert assessor not in assessment.eligible_assessors(application)


def test_only_officers_of_the_team_can_be_assessors(round_, officer, other_officer):
    application, member = sent(round_)
    for person in (other_officer, member):
        with pytest.raises(assessment.AssessmentError):
            assessment.assign_assessor(application, person, officer)
    assert not AssessorAssignment.objects.exists()


def test_the_same_assessor_cannot_be_assigned_twice(round_, officer, assessor):
    application, _ = sent(round_)
    assessment.assign_assessor(application, assessor, officer)
    with pytest.raises(assessment.AssessmentError, match="already assessing"):
        assessment.assign_assessor(application, assessor, officer)


def test_no_assessor_is_assigned_to_a_returned_or_decided_application(round_, officer, assessor):
    application, _ = in_assessment(round_, officer)
    assessment.return_for_information(application, officer, "More please.")
    with pytest.raises(assessment.AssessmentError):
        assessment.assign_assessor(application, assessor, officer)


# --- conflicts of interest -------------------------------------------------------------------------


def test_a_conflicted_assessor_can_no_longer_see_or_score_the_application(round_, officer, assessor):
    application, _ = in_assessment(round_, officer)
    other, _ = in_assessment(round_, officer, "b@example.org", "Blaby Carers")
    assessment.assign_assessor(application, assessor, officer)
    assessment.assign_assessor(other, assessor, officer)

    assessment.declare_conflict(application, assessor, "My sister is the club's treasurer.")

    assert not assessment.may_see(assessor, application)
    assert list(assessment.visible_to(assessor)) == [other]
    assert [a.application for a in assessment.my_assignments(assessor)] == [other]
    assert [a.pk for a in assessment.triage_list(round_, assessor)] == [other.pk]
    assert [a.pk for a in assessment.panel(round_, assessor)["ranking"]] == [other.pk]
    with pytest.raises(PermissionDenied):
        score_all(application, assessor, [3, 3])
    with pytest.raises(PermissionDenied):
        assessment.return_for_information(application, assessor, "Anything")
    with pytest.raises(PermissionDenied):
        awards.decide(application, assessor, "decline", "Not eligible")
    assert not Score.objects.exists()
    # The reason stays on the assignment only; the trail and the log say who, not why.
    event = application.events.get(kind=ApplicationEvent.Kind.CONFLICT)
    assert event.actor == assessor and not event.visible_to_applicant and "sister" not in event.note
    audit_event = AuditEvent.objects.get(action="grants.application.conflict")
    assert audit_event.actor == assessor and "sister" not in str(audit_event.detail)
    # Another officer still sees it, and must assign someone else.
    assert assessment.may_see(officer, application)
    assert assessor not in assessment.eligible_assessors(application)
    with pytest.raises(assessment.AssessmentError, match="conflict of interest"):
        assessment.assign_assessor(application, assessor, officer)


def test_an_unassigned_officer_may_declare_a_conflict_too(round_, officer, team):
    application, _ = sent(round_)
    colleague = make_officer("colleague", team=team)
    assessment.declare_conflict(application, colleague, "I am a trustee.")
    assert not assessment.visible_to(colleague).exists()
    with pytest.raises(assessment.AssessmentError):
        assessment.assign_assessor(application, colleague, officer)


def test_scores_given_before_a_conflict_stop_counting(round_, officer, assessor, team):
    application, _ = in_assessment(round_, officer)
    second = make_officer("second", team=team)
    assessment.assign_assessor(application, assessor, officer)
    assessment.assign_assessor(application, second, officer)
    score_all(application, assessor, [5, 5])
    score_all(application, second, [1, 1])

    assessment.declare_conflict(application, assessor, "Later found a link.")

    scored = assessment.with_scores(Application.objects.filter(pk=application.pk)).get()
    assert scored.assessed_by == 1 and scored.score == pytest.approx(20.0)


def test_a_conflict_needs_a_reason(round_, officer, assessor):
    application, _ = sent(round_)
    with pytest.raises(assessment.AssessmentError):
        assessment.declare_conflict(application, assessor, "")
    assert assessment.may_see(assessor, application)


# --- scores ----------------------------------------------------------------------------------------


def test_weighted_total_is_normalised_to_a_percentage():
    # Need: 4 of 5, weight 2; value for money: 3 of 5, weight 1 -> (8 + 3) / (10 + 5)
    assert assessment.weighted_total([(4, 2, 5), (3, 1, 5)]) == pytest.approx(100 * 11 / 15)
    assert assessment.weighted_total([(5, 3, 5), (10, 1, 10)]) == 100
    assert assessment.weighted_total([(0, 2, 5)]) == 0
    assert assessment.weighted_total([]) is None


def test_an_assessor_scores_every_criterion_with_comments(round_, officer, assessor):
    application, _ = in_assessment(round_, officer)
    assessment.assign_assessor(application, assessor, officer)

    assignment = score_all(application, assessor, [4, 3])

    assert assignment.completed_at is not None
    assert sorted(Score.objects.values_list("criterion__name", "score")) == [("Need", 4), ("Value for money", 3)]
    event = application.events.get(kind=ApplicationEvent.Kind.SCORED)
    assert event.actor == assessor and not event.visible_to_applicant and "73.3%" in event.note
    detail = AuditEvent.objects.get(action="grants.application.scored").detail
    assert detail["weighted_total"] == 73.3 and detail["assessor"] == assessor.pk
    scored = assessment.with_scores(Application.objects.filter(pk=application.pk)).get()
    assert scored.score == pytest.approx(100 * 11 / 15) and scored.assessed_by == 1


def test_scores_can_be_changed_until_the_decision_and_each_change_is_recorded(round_, officer, assessor):
    application, _ = in_assessment(round_, officer)
    assessment.assign_assessor(application, assessor, officer)
    score_all(application, assessor, [1, 1])
    score_all(application, assessor, [5, 5])
    assert list(Score.objects.values_list("score", flat=True)) == [5, 5]
    assert application.events.filter(kind=ApplicationEvent.Kind.SCORED).count() == 2
    awards.decide(application, officer, "decline", "Other projects scored higher.")
    with pytest.raises(assessment.AssessmentError, match="only while it is being assessed"):
        score_all(application, assessor, [2, 2])


@pytest.mark.parametrize(
    "values, comment, message",
    [
        ([6, 3], "Fine", "from 0 to 5"),
        ([3, 3], "  ", "Comment on"),
    ],
)
def test_bad_scores_are_refused_and_nothing_is_saved(round_, officer, assessor, values, comment, message):
    application, _ = in_assessment(round_, officer)
    assessment.assign_assessor(application, assessor, officer)
    with pytest.raises(assessment.AssessmentError, match=message):
        score_all(application, assessor, values, comment=comment)
    assert not Score.objects.exists()


def test_every_criterion_must_be_scored(round_, officer, assessor):
    application, _ = in_assessment(round_, officer)
    assessment.assign_assessor(application, assessor, officer)
    first = application.round.criteria.first()
    with pytest.raises(assessment.AssessmentError, match="Score ‘Value for money’"):
        assessment.save_scores(application, assessor, {first.pk: (3, "ok")})


def test_an_unassigned_officer_of_the_team_cannot_score(round_, officer):
    application, _ = in_assessment(round_, officer)
    with pytest.raises(PermissionDenied, match="not assigned"):
        score_all(application, officer, [3, 3])


def test_a_returned_application_cannot_be_scored(round_, officer, assessor):
    application, _ = in_assessment(round_, officer)
    assessment.assign_assessor(application, assessor, officer)
    assessment.return_for_information(application, officer, "More please.")
    with pytest.raises(assessment.AssessmentError):
        score_all(application, assessor, [3, 3])


def test_an_applications_score_is_the_mean_of_its_complete_assessments(round_, officer, assessor, team):
    application, _ = in_assessment(round_, officer)
    second = make_officer("second", team=team)
    third = make_officer("third", team=team)
    for person in (assessor, second, third):
        assessment.assign_assessor(application, person, officer)
    score_all(application, assessor, [5, 5])  # 100%
    score_all(application, second, [2, 4])  # (4 + 4) / 15 = 53.3%
    # The third has not scored: not counted.

    scored = assessment.with_scores(Application.objects.filter(pk=application.pk)).get()

    assert scored.assessed_by == 2
    assert scored.score == pytest.approx((100 + 100 * 8 / 15) / 2)
    totals = [row["total"] for row in assessment.assessor_totals(application)]
    assert totals[0] == 100 and totals[1] == pytest.approx(100 * 8 / 15) and totals[2] is None


# --- the panel -------------------------------------------------------------------------------------


def test_the_panel_ranks_by_score_with_running_totals_against_what_is_left(team, officer, assessor):
    round_ = make_round(team=team, budget_pence=1_000_000, max_request_pence=1_000_000)
    low, _ = in_assessment(round_, officer, "a@example.org", "Anstey Youth Club", amount_pence=300_000)
    high, _ = in_assessment(round_, officer, "b@example.org", "Blaby Carers", amount_pence=400_000)
    unscored, _ = in_assessment(round_, officer, "c@example.org", "Coalville Choir", amount_pence=100_000)
    funded, _ = in_assessment(round_, officer, "d@example.org", "Desford Shed", amount_pence=200_000)
    for application in (low, high, funded):
        assessment.assign_assessor(application, assessor, officer)
    score_all(low, assessor, [2, 2])
    score_all(high, assessor, [5, 4])
    score_all(funded, assessor, [5, 5])
    awards.decide(funded, officer, "award", "Top score.")

    result = assessment.panel(round_, officer)
    rows = assessment.panel_rows(result["ranking"], result["remaining_pence"])

    assert (result["budget_pence"], result["awarded_pence"], result["remaining_pence"]) == (1_000_000, 200_000, 800_000)
    assert [row["application"].pk for row in rows] == [high.pk, low.pk, unscored.pk]
    assert [row["running_pence"] for row in rows] == [400_000, 700_000, 800_000]
    assert [row["fits"] for row in rows] == [True, True, True]
    assert rows[0]["application"].score == pytest.approx(100 * 14 / 15)
    assert rows[2]["application"].score is None
    assert [a.pk for a in result["decided"]] == [funded.pk]
    # A page further down the ranking keeps the running total of everything above it.
    assert [row["running_pence"] for row in assessment.panel_rows(result["ranking"][1:], 800_000)] == [700_000, 800_000]
    # Once less is left, the running total shows where the money runs out.
    awards.decide(high, officer, "part", "Most of it.", amount_pence=350_000)
    result = assessment.panel(round_, officer)
    assert result["remaining_pence"] == 450_000
    rows = assessment.panel_rows(result["ranking"], result["remaining_pence"])
    assert [(row["running_pence"], row["fits"]) for row in rows] == [(300_000, True), (400_000, True)]
    awards.decide(low, officer, "part", "Some of it.", amount_pence=100_000)
    result = assessment.panel(round_, officer)
    rows = assessment.panel_rows(result["ranking"], result["remaining_pence"])
    assert [(row["running_pence"], row["fits"]) for row in rows] == [(100_000, True)]
    assert result["remaining_pence"] == 350_000
