"""The officers' grants pages end to end: triage, asking for more information, assessors, scores, conflicts,
the panel, decisions and letters, payments, monitoring returns (and the applicants' form) and the dashboard."""
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from shire.core.models import AuditEvent, OutgoingEmail, User
from shire.core.testing import run_background_work, with_worker
from shire.core.tests.factories import make_officer, make_team

from .. import assessment, awards
from ..models import Application, AssessorAssignment, MonitoringReturn, PaymentInstalment, Score
from .factories import make_programme, make_round, signed_in
from .test_assessment import in_assessment, score_all, sent

pytestmark = pytest.mark.django_db

S = Application.Status


def url(name, *args):
    return reverse(f"grants:grants_officer:{name}", args=args)


@pytest.fixture
def assessor(team):
    user = make_officer("assessor", team=team)
    user.first_name, user.last_name = "Asha", "Patel"
    user.save()
    return user


@pytest.fixture
def round_(team):
    return make_round(team=team, budget_pence=1_000_000, max_request_pence=1_000_000)


@pytest.fixture
def client(officer):
    return signed_in(officer)


def date_data(name, day):
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


# --- start page and triage ---------------------------------------------------------------------------


def test_the_start_page_lists_the_teams_rounds_with_counts(client, round_, officer):
    sent(round_, "a@example.org", "Anstey Youth Club")
    in_assessment(round_, officer, "b@example.org", "Blaby Carers")
    other = make_programme(team=make_team("Highways Team"), name="Pothole Fund", slug="pothole-fund", code="PF")
    make_round(programme=other, slug="potholes", name="Potholes 2020")
    response = client.get(url("index"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "SHIRE Community Grants: 2019-20" in content and url("triage", round_.slug) in content
    assert "Pothole Fund" not in content


def test_the_triage_page_lists_sent_applications_and_filters_by_status(client, round_, officer):
    waiting, _ = sent(round_, "a@example.org", "Anstey Youth Club")
    assessing, _ = in_assessment(round_, officer, "b@example.org", "Blaby Carers")

    response = client.get(url("triage", round_.slug))
    content = response.content.decode()
    assert response.status_code == 200
    assert content.index(waiting.reference) < content.index(assessing.reference)
    assert "Needs an assessor" in content

    filtered = client.get(url("triage", round_.slug), {"status": "in_assessment"}).content.decode()
    assert assessing.reference in filtered and waiting.reference not in filtered


def test_the_application_page_shows_the_answers_documents_and_history(client, round_):
    application, _ = sent(round_)
    response = client.get(url("application", application.reference))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Older people living alone" in content and "constitution.pdf" in content
    assert "Ask for more information" in content and "Start assessment" in content

    document = application.documents.get()
    download = client.get(url("application-document", application.reference, document.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="grants.document.downloaded").exists()


def test_a_draft_is_not_found(client, round_):
    from .factories import make_applicant, make_application

    member, organisation = make_applicant()
    draft = make_application(round_, organisation, member)
    assert client.get(url("application", draft.reference)).status_code == 404


# --- asking for more information ---------------------------------------------------------------------


@with_worker
def test_asking_for_more_information_from_the_page(client, round_):
    application, member = sent(round_)
    empty = client.post(url("return", application.reference), {"message": ""})
    assert empty.status_code == 200 and "Enter what the applicant needs to tell you or send" in empty.content.decode()
    assert 'class="govuk-error-summary"' in empty.content.decode()

    response = client.post(url("return", application.reference), {"message": "Send your latest accounts."}, follow=True)

    assert response.redirect_chain == [(url("application", application.reference), 302)]
    assert ("sent back to Wigston Lunch Club. Its members will be e-mailed your message in the next few minutes."
            in response.content.decode())
    application.refresh_from_db()
    assert application.status == S.RETURNED
    run_background_work()
    assert mail.outbox[-1].to == [member.email] and "Send your latest accounts." in mail.outbox[-1].body
    assert reverse("grants:application", args=[application.reference]) in mail.outbox[-1].body
    # The applicant's own page shows the request.
    applicant_page = signed_in(member).get(reverse("grants:application", args=[application.reference]))
    assert "Send your latest accounts." in applicant_page.content.decode()


def test_the_page_says_when_no_member_can_be_e_mailed(client, round_):
    application, member = sent(round_)
    User.objects.filter(pk=member.pk).update(is_active=False)
    response = client.post(url("return", application.reference), {"message": "Send your latest accounts."}, follow=True)
    html = response.content.decode()
    assert "but none of its members has an e-mail address we can use: they will see your message" in html
    assert "will be e-mailed your message" not in html
    application.refresh_from_db()
    assert application.status == S.RETURNED
    assert not OutgoingEmail.objects.filter(about__startswith="More-information").exists()


# --- assessors, scores and conflicts ------------------------------------------------------------------


def test_assigning_an_assessor_from_the_page(client, round_, assessor):
    application, _ = sent(round_)
    page = client.get(url("assign", application.reference))
    assert "Asha Patel" in page.content.decode()

    nothing = client.post(url("assign", application.reference), {})
    assert nothing.status_code == 400 and "Select who will assess this application" in nothing.content.decode()

    response = client.post(url("assign", application.reference), {"assessor": assessor.pk})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.IN_ASSESSMENT
    assert AssessorAssignment.objects.get().assessor == assessor


def test_an_assessor_scores_from_the_page_and_mistakes_keep_what_was_typed(round_, officer, assessor):
    application, _ = in_assessment(round_, officer)
    assessment.assign_assessor(application, assessor, officer)
    need, value = application.round.criteria.all()
    client = signed_in(assessor)
    listed = client.get(url("my-assessments")).content.decode()
    assert application.reference in listed and url("score", application.reference) in listed

    bad = client.post(url("score", application.reference), {
        f"score_{need.pk}": "4", f"comment_{need.pk}": "Strong need shown.",
        f"score_{value.pk}": "9", f"comment_{value.pk}": "",
    })
    content = bad.content.decode()
    assert bad.status_code == 400
    assert "Select a score for ‘Value for money’ from 0 to 5" in content and "Enter a comment on ‘Value for money’" in content
    assert "Strong need shown." in content and 'value="4" checked' in content
    assert not Score.objects.exists()

    good = client.post(url("score", application.reference), {
        f"score_{need.pk}": "4", f"comment_{need.pk}": "Strong need shown.",
        f"score_{value.pk}": "3", f"comment_{value.pk}": "Fair costs.",
    })
    assert good.status_code == 302
    assert sorted(Score.objects.values_list("score", flat=True)) == [3, 4]
    page = signed_in(officer).get(url("application", application.reference)).content.decode()
    assert "73.3%" in page and "Fair costs." in page


def test_declaring_a_conflict_hides_the_application_from_the_assessor(round_, officer, assessor):
    application, _ = in_assessment(round_, officer)
    assessment.assign_assessor(application, assessor, officer)
    client = signed_in(assessor)

    missing = client.post(url("conflict", application.reference), {"reason": ""})
    assert missing.status_code == 400 and "Enter why you have a conflict of interest" in missing.content.decode()

    response = client.post(url("conflict", application.reference), {"reason": "I chair its committee."})

    assert response.status_code == 302 and response["Location"] == url("triage", round_.slug)
    assert "no longer see it" in client.get(response["Location"]).content.decode()  # the message, shown once
    assert AssessorAssignment.objects.get().conflict_declared
    for name in ("application", "score", "decide", "assign", "return"):
        assert client.get(url(name, application.reference)).status_code == 403, name
    for page in (url("triage", round_.slug), url("panel", round_.slug), url("my-assessments"), url("index")):
        assert application.reference not in client.get(page).content.decode(), page
    # Other officers see the conflict and assign someone else.
    officer_page = signed_in(officer).get(url("application", application.reference)).content.decode()
    assert "Conflict of interest" in officer_page and "I chair its committee." not in officer_page
    assign_page = signed_in(officer).get(url("assign", application.reference)).content.decode()
    assert f'value="{assessor.pk}"' not in assign_page


# --- the panel and decisions ------------------------------------------------------------------------------


def test_the_panel_ranks_applications_beside_the_remaining_budget(client, round_, officer, assessor):
    low, _ = in_assessment(round_, officer, "a@example.org", "Anstey Youth Club", amount_pence=300_000)
    high, _ = in_assessment(round_, officer, "b@example.org", "Blaby Carers", amount_pence=800_000)
    for application, values in ((low, [1, 1]), (high, [5, 5])):
        assessment.assign_assessor(application, assessor, officer)
        score_all(application, assessor, values)

    content = client.get(url("panel", round_.slug)).content.decode()

    assert content.index(high.reference) < content.index(low.reference)
    assert "£10,000" in content and "£8,000" in content and "£11,000" in content  # budget, request, running total
    assert "100.0%" in content and "20.0%" in content


@with_worker
def test_recording_an_award_in_part_sends_the_letter(client, round_, officer):
    application, member = in_assessment(round_, officer, amount_pence=600_000)
    today = timezone.localdate()
    data = {
        "outcome": "part", "amount": "4,500", "reasons": "Funds the van but not the fuel.",
        "conditions": "Display our logo on the van.", "instalments": "2", "months_between_payments": "3",
        "returns": "1", "months_between_returns": "6",
        **date_data("first_payment_on", today + timedelta(days=14)),
        **date_data("first_return_on", today + timedelta(days=365)),
    }
    too_much = client.post(url("decide", application.reference), {**data, "amount": "6,000"})
    assert too_much.status_code == 400
    assert "Amount to award must be less than the £6,000 asked for" in too_much.content.decode()
    assert "Funds the van but not the fuel." in too_much.content.decode()
    assert not OutgoingEmail.objects.filter(about__startswith="Decision letter").exists()
    run_background_work()  # the acknowledgement of the application
    mail.outbox.clear()

    response = client.post(url("decide", application.reference), data, follow=True)

    assert response.redirect_chain == [(url("application", application.reference), 302)]
    assert (f"The decision on application {application.reference} was recorded. The letter will be e-mailed to the "
            "organisation&#x27;s members in the next few minutes.") in response.content.decode()
    application.refresh_from_db()
    assert application.status == S.PART_AWARDED and application.award.amount_pence == 450_000
    assert list(PaymentInstalment.objects.values_list("amount_pence", flat=True)) == [225_000, 225_000]
    assert "Decision letter queued for e-mailing to 1 member of Wigston Lunch Club." in response.content.decode()
    run_background_work()
    assert [m.to for m in mail.outbox] == [[member.email]]
    assert "http://testserver" + url("letter", application.reference) in mail.outbox[0].body
    # The decision cannot be recorded again.
    again = client.get(url("decide", application.reference))
    assert again.status_code == 302
    page = client.get(url("application", application.reference)).content.decode()
    assert "Awarded in part" in page and "Record the decision" not in page


def test_a_decision_over_budget_is_refused_on_the_page(client, team, officer):
    round_ = make_round(team=team, budget_pence=500_000, max_request_pence=500_000)
    application, _ = in_assessment(round_, officer, amount_pence=400_000)
    other, _ = in_assessment(round_, officer, "b@example.org", "Blaby Carers", amount_pence=300_000)
    awards.decide(application, officer, "award", "Good.")
    today = timezone.localdate()

    response = client.post(url("decide", other.reference), {
        "outcome": "award", "amount": "", "reasons": "Also good.", "conditions": "", "instalments": "1",
        "months_between_payments": "3", "returns": "1", "months_between_returns": "6",
        **date_data("first_payment_on", today), **date_data("first_return_on", today + timedelta(days=90)),
    })

    assert response.status_code == 400
    assert "over its budget: £1,000 is left" in response.content.decode()
    other.refresh_from_db()
    assert other.status == S.IN_ASSESSMENT


def test_declining_needs_no_payment_details(client, round_):
    application, _ = sent(round_)
    response = client.post(url("decide", application.reference), {"outcome": "decline", "reasons": "Not eligible."})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.DECLINED


@with_worker
def test_the_printable_letter_for_officers_and_members(client, round_, officer):
    application, member = in_assessment(round_, officer)
    awards.decide(application, officer, "award", "A well-evidenced project.")
    run_background_work()
    officer_view = client.get(url("letter", application.reference))
    assert officer_view.status_code == 200
    assert "A well-evidenced project." in officer_view.content.decode() and "LE18 1AA" in officer_view.content.decode()
    member_view = signed_in(member).get(url("letter", application.reference))
    assert member_view.status_code == 200 and "£2,500" in member_view.content.decode()
    assert f"issued on {timezone.localdate():%-d %B %Y}" in officer_view.content.decode()
    mail.outbox.clear()
    resend = client.post(url("send-letter", application.reference), follow=True)
    assert "The decision letter will be e-mailed again to 1 member in the next few minutes." in resend.content.decode()
    assert not mail.outbox
    run_background_work()
    assert [m.to for m in mail.outbox] == [[member.email]]


# --- payments and monitoring -------------------------------------------------------------------------


def test_marking_a_payment_paid_from_the_page(client, round_, officer):
    application, _ = in_assessment(round_, officer)
    awards.decide(application, officer, "award", "Good.")
    instalment = PaymentInstalment.objects.get()
    assert "Mark paid" in client.get(url("award", application.reference)).content.decode()
    future = timezone.localdate() + timedelta(days=3)

    bad = client.post(url("mark-paid", instalment.pk), {**date_data("paid_on", future), "reference": ""})
    assert bad.status_code == 400 and "Payment date must be today or in the past" in bad.content.decode()

    response = client.post(url("mark-paid", instalment.pk), {**date_data("paid_on", timezone.localdate()), "reference": "BACS-1"})
    assert response.status_code == 302
    instalment.refresh_from_db()
    assert instalment.paid_by == officer and instalment.payment_reference == "BACS-1"
    assert client.get(url("mark-paid", instalment.pk)).status_code == 302  # already paid: back to the award


def test_a_member_sends_a_monitoring_return_and_officers_read_it(client, round_, officer):
    application, member = in_assessment(round_, officer)
    awards.decide(application, officer, "award", "Good.")
    monitoring_return = MonitoringReturn.objects.get()
    member_client = signed_in(member)
    listed = member_client.get(url("your-returns")).content.decode()
    assert url("monitoring-submit", monitoring_return.pk) in listed

    bad = member_client.post(url("monitoring-submit", monitoring_return.pk), {
        "people_helped": "many", "money_spent": "99,999", "case_study": "Ada came every week.",
    })
    content = bad.content.decode()
    assert bad.status_code == 400
    assert "Select at least one thing the project has achieved" in content
    assert "Money spent cannot be more than the £2,500 awarded" in content
    assert "Number of people helped must be a whole number" in content
    assert "Ada came every week." in content

    response = member_client.post(url("monitoring-submit", monitoring_return.pk), {
        "people_helped": "130", "outcomes": ["health_wellbeing", "participation"], "money_spent": "2,000",
        "case_study": "Ada came every week.", "case_study_may_be_published": "yes",
    })
    assert response.status_code == 302
    monitoring_return.refresh_from_db()
    assert monitoring_return.people_helped == 130 and monitoring_return.money_spent_pence == 200_000
    assert "Monitoring return sent" in member_client.get(url("monitoring-submit", monitoring_return.pk)).content.decode()
    officer_view = client.get(url("monitoring-return", monitoring_return.pk)).content.decode()
    assert "Improving health, wellbeing and quality of life" in officer_view and "Ada came every week." in officer_view


def test_late_returns_are_flagged_with_a_badge(client, round_, officer):
    application, _ = in_assessment(round_, officer)
    awards.decide(application, officer, "award", "Good.")
    MonitoringReturn.objects.update(due_on=timezone.localdate() - timedelta(days=1))

    start = client.get(url("index")).content.decode()
    assert "1 late" in start
    late_list = client.get(url("monitoring"), {"show": "late"}).content.decode()
    assert application.reference in late_list and "govuk-tag--red\">Late" in late_list
    assert "1 late" in client.get(url("monitoring")).content.decode()


# --- dashboard -----------------------------------------------------------------------------------------


def test_the_dashboard_shows_awards_and_money_left(client, round_, officer):
    application, _ = in_assessment(round_, officer, amount_pence=600_000)
    awards.decide(application, officer, "award", "Good.")
    response = client.get(url("dashboard"))
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="total-awards">1<' in content and 'id="total-amount">£6,000<' in content
    assert "£4,000" in content  # left in the round
    assert "Blaby" in content and "Disadvantaged young people" in content
