"""Correcting a recorded decision (awards.amend_decision and the officers' "Correct the decision" page).

The original Decision stays as it was; each correction is a DecisionAmendment, a step in the trail the
applicant sees, an audit entry and a corrected letter. The award follows it under the round's lock:
its amount, the payments not yet made, an award made or withdrawn; never below what has been paid,
never over the round's budget. Only the programme's grants officers without a conflict may correct.
"""
import json
import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shire.core.models import AuditEvent, OutgoingEmail
from shire.core.testing import mail_server_down, run_background_work, with_worker
from shire.core.tests.factories import make_officer, make_team

from .. import assessment, awards, open_data
from ..models import Application, ApplicationEvent, Award, Decision, DecisionAmendment, PaymentInstalment
from .factories import make_community_user, make_round, signed_in
from .test_assessment import in_assessment
from .test_open_data import needs_standard

pytestmark = pytest.mark.django_db

S = Application.Status


def url(name, *args):
    return reverse(f"grants:grants_officer:{name}", args=args)


@pytest.fixture
def round_(team):
    return make_round(team=team, budget_pence=1_000_000, max_request_pence=1_000_000)


@pytest.fixture
def awarded(round_, officer):
    """£6,000 asked for and awarded in full, in two payments of £3,000."""
    application, member = in_assessment(round_, officer, amount_pence=600_000)
    awards.decide(application, officer, "award", "Strong evidence of need.", plan=awards.AwardPlan(instalments=2))
    application.refresh_from_db()
    return application


def snapshot(application):
    application = Application.objects.get(pk=application.pk)
    award = Award.objects.filter(application=application).first()
    return (
        application.status, DecisionAmendment.objects.count(), application.events.count(),
        award.amount_pence if award else None,
        list(PaymentInstalment.objects.order_by("pk").values_list("amount_pence", "paid_on")),
        OutgoingEmail.objects.count(),
    )


def corrected_letters(application):
    """The decision letters queued for `application` after its first one."""
    return OutgoingEmail.objects.filter(about=f"Decision letter for application {application.pk}").order_by("id")[1:]


# --- the rules ---------------------------------------------------------------------------------------


@with_worker
def test_an_award_corrected_to_less_keeps_the_decision_and_splits_the_payments_again(awarded, officer):
    decision = awarded.decision
    member_email = awarded.organisation.memberships.get().user.email
    run_background_work()  # the acknowledgement and the first letter
    mail.outbox.clear()

    amendment = awards.amend_decision(awarded, officer, "part", "The fuel costs were counted twice.", amount_pence=450_000)

    awarded.refresh_from_db()
    assert awarded.status == S.PART_AWARDED
    original = Decision.objects.get(pk=decision.pk)
    assert (original.outcome, original.amount_awarded_pence, original.reasons) == ("award", 600_000, "Strong evidence of need.")
    assert original.current() == ("part", 450_000)
    assert (amendment.previous_outcome, amendment.previous_amount_pence, amendment.new_outcome,
            amendment.new_amount_pence, amendment.amended_by) == ("award", 600_000, "part", 450_000, officer)
    assert amendment.reason == "The fuel costs were counted twice."
    assert awarded.award.amount_pence == 450_000
    assert list(awarded.award.instalments.order_by("number").values_list("amount_pence", flat=True)) == [225_000, 225_000]
    # The trail (shown to the applicant) and the audit log say what changed, who and when.
    event = awarded.events.get(kind=ApplicationEvent.Kind.DECISION_AMENDED)
    assert (event.from_status, event.to_status, event.actor, event.visible_to_applicant) == (S.AWARDED, S.PART_AWARDED, officer, True)
    assert "awarded in full: £6,000 is now awarded in part: £4,500" in event.note
    audit = AuditEvent.objects.get(action="grants.application.decision_amended")
    assert audit.actor == officer and audit.object_id == str(awarded.pk)
    assert audit.detail == {
        "decision": decision.pk, "amendment": amendment.pk, "previous_outcome": "award", "previous_amount_pence": 600_000,
        "outcome": "part", "amount_pence": 450_000, "paid_pence": 0, "from_status": "awarded", "to_status": "part_awarded",
    }
    # The corrected letter is queued for the members with the correction, and the worker e-mails it.
    assert [(e.to, e.status) for e in corrected_letters(awarded)] == [(member_email, "queued")]
    assert not mail.outbox
    run_background_work()
    assert [m.to for m in mail.outbox] == [[member_email]]
    letter = mail.outbox[0]
    assert "corrected decision" in letter.subject
    assert "This letter corrects our decision of" in letter.body and "The fuel costs were counted twice." in letter.body
    assert "£4,500" in letter.body and "Payment 2 of 2: £2,250" in letter.body


def test_a_paid_instalment_stays_and_the_rest_is_what_is_left(awarded, officer):
    first = awarded.award.instalments.get(number=1)
    awards.mark_paid(first, officer)

    awards.amend_decision(awarded, officer, "part", "Smaller project.", amount_pence=400_000)

    rows = list(awarded.award.instalments.order_by("number").values_list("amount_pence", "paid_on"))
    assert rows == [(300_000, timezone.localdate()), (100_000, None)]


def test_a_larger_award_after_every_payment_adds_one_more_payment(round_, officer):
    application, _ = in_assessment(round_, officer, amount_pence=600_000)
    awards.decide(application, officer, "part", "Part.", amount_pence=400_000)
    awards.mark_paid(application.award.instalments.get(), officer)

    awards.amend_decision(application, officer, "award", "The panel meant to fund it all.")

    application.refresh_from_db()
    assert application.status == S.AWARDED and application.award.amount_pence == 600_000
    rows = list(application.award.instalments.order_by("number").values_list("number", "amount_pence", "due_on"))
    assert rows[0][:2] == (1, 400_000)
    assert rows[1] == (2, 200_000, timezone.localdate() + timedelta(days=14))


def test_an_amount_below_what_has_been_paid_is_refused_and_changes_nothing(awarded, officer):
    awards.mark_paid(awarded.award.instalments.get(number=1), officer)
    before = snapshot(awarded)
    with pytest.raises(awards.DecisionError, match="£3,000 of this grant has already been paid, so the award cannot be less than that"):
        awards.amend_decision(awarded, officer, "part", "Mistake.", amount_pence=250_000)
    with pytest.raises(awards.DecisionError, match="already been paid, so the award cannot be withdrawn"):
        awards.amend_decision(awarded, officer, "decline", "Mistake.")
    assert snapshot(awarded) == before


def test_an_award_corrected_to_a_decline_is_withdrawn_and_frees_the_budget(awarded, officer, round_):
    assert awards.round_money(round_)["remaining_pence"] == 400_000

    awards.amend_decision(awarded, officer, "decline", "Ineligible: the group is based in Leicester city.")

    awarded.refresh_from_db()
    assert awarded.status == S.DECLINED
    assert not Award.objects.filter(application=awarded).exists() and not PaymentInstalment.objects.exists()
    assert awards.round_money(round_)["remaining_pence"] == 1_000_000
    assert Decision.objects.get(application=awarded).outcome == "award"  # as first recorded
    [letter] = corrected_letters(awarded)
    assert "not funded" in letter.subject and "How we will pay" not in letter.body


def test_a_decline_corrected_to_an_award_makes_the_award_within_the_budget(round_, officer):
    application, _ = in_assessment(round_, officer, amount_pence=600_000)
    other, _ = in_assessment(round_, officer, "other@example.org", "Other group", amount_pence=500_000)
    awards.decide(application, officer, "decline", "Scored too low.")
    awards.decide(other, officer, "award", "Good.")  # £5,000 of the £10,000 left
    before = snapshot(application)

    with pytest.raises(awards.BudgetExceeded, match="Awarding £6,000 would take 2019-20 over its budget: £5,000 is left"):
        awards.amend_decision(application, officer, "award", "The scores were added up wrongly.")
    assert snapshot(application) == before

    first_payment = timezone.localdate() + timedelta(days=30)
    plan = awards.AwardPlan(instalments=2, first_payment_on=first_payment, returns=1)
    awards.amend_decision(application, officer, "part", "The scores were added up wrongly.", amount_pence=500_000, plan=plan)
    application.refresh_from_db()
    assert application.status == S.PART_AWARDED and application.award.amount_pence == 500_000
    assert list(application.award.instalments.values_list("due_on", "amount_pence"))[0] == (first_payment, 250_000)
    assert application.award.monitoring_returns.count() == 1
    assert awards.round_money(round_)["remaining_pence"] == 0


def test_raising_an_award_is_checked_against_what_is_left(round_, officer):
    application, _ = in_assessment(round_, officer, amount_pence=600_000)
    other, _ = in_assessment(round_, officer, "other@example.org", "Other group", amount_pence=500_000)
    awards.decide(application, officer, "part", "Part.", amount_pence=300_000)
    awards.decide(other, officer, "award", "Good.")  # £2,000 left
    with pytest.raises(awards.BudgetExceeded, match=r"Awarding £6,000 \(£3,000 more\) would take 2019-20 over its budget: £2,000 is left"):
        awards.amend_decision(application, officer, "award", "Should have been in full.")
    awards.amend_decision(application, officer, "part", "A little more.", amount_pence=500_000)
    assert Award.objects.get(application=application).amount_pence == 500_000


@pytest.mark.parametrize("outcome, amount, reason, message", [
    ("part", 450_000, "  ", "Enter why the decision is being corrected"),
    ("award", None, "No change.", "The decision is already awarded in full: £6,000"),
    ("part", 600_000, "Too much.", "An award in part must be less than the £6,000 asked for"),
    ("part", 0, "Nothing.", "Enter the amount to award"),
])
def test_a_correction_needs_a_reason_and_a_real_change(awarded, officer, outcome, amount, reason, message):
    before = snapshot(awarded)
    with pytest.raises(awards.DecisionError, match=message):
        awards.amend_decision(awarded, officer, outcome, reason, amount_pence=amount)
    assert snapshot(awarded) == before


def test_an_undecided_application_cannot_be_corrected(round_, officer):
    application, _ = in_assessment(round_, officer)
    with pytest.raises(awards.DecisionError, match="has not been decided yet"):
        awards.amend_decision(application, officer, "decline", "No.")


def test_each_correction_is_kept_and_the_latest_counts(awarded, officer):
    awards.amend_decision(awarded, officer, "part", "First.", amount_pence=450_000)
    awards.amend_decision(awarded, officer, "decline", "Second.")
    awards.amend_decision(awarded, officer, "part", "Third.", amount_pence=500_000)
    decision = Decision.objects.get(application=awarded)
    assert list(decision.amendments.values_list("previous_amount_pence", "new_outcome", "new_amount_pence")) == [
        (600_000, "part", 450_000), (450_000, "decline", 0), (0, "part", 500_000),
    ]
    assert decision.current() == ("part", 500_000) and Award.objects.get(application=awarded).amount_pence == 500_000


def test_who_may_not_correct_a_decision(awarded, officer, team):
    programme = awarded.round.programme
    outside = make_officer("panel-member", team=make_team("Panel"))
    programme.assessors.add(outside)
    conflicted = make_officer("conflicted", team=team)
    assessment.declare_conflict(awarded, conflicted, "Trustee.")
    refused = {
        "an officer of another team": make_officer("elsewhere", team=make_team("Highways Team")),
        "an assessor from outside the team": outside,
        "an officer with a conflict": conflicted,
        "a member of the organisation": awarded.organisation.memberships.get().user,
        "another community member": make_community_user("stranger@example.org"),
    }
    before = snapshot(awarded)
    for who, user in refused.items():
        with pytest.raises(PermissionDenied):
            awards.amend_decision(awarded, user, "decline", "Sneaky.")
        assert snapshot(awarded) == before, who


# --- the pages -----------------------------------------------------------------------------------------


def test_the_correction_page_corrects_and_the_application_page_shows_the_history(awarded, officer):
    client = signed_in(officer)
    page = client.get(url("correct", awarded.reference)).content.decode()
    assert "Correct the decision" in page and "Awarded in full: £6,000" in page
    assert 'value="award" checked' in page
    assert "First payment date" not in page  # the award exists: no new schedule to ask for

    response = client.post(url("correct", awarded.reference), {
        "outcome": "part", "amount": "4500", "reasons": "Fuel <script>alert(1)</script> counted twice.",
    })
    assert response.status_code == 302 and response["Location"] == url("application", awarded.reference)
    awarded.refresh_from_db()
    assert awarded.status == S.PART_AWARDED and awarded.award.amount_pence == 450_000

    detail = client.get(url("application", awarded.reference)).content.decode()
    assert "(as first recorded)" in detail and "Awarded in part: £4,500" in detail
    assert "Corrections" in detail and "Fuel &lt;script&gt;alert(1)&lt;/script&gt; counted twice." in detail
    assert "<script>alert(1)" not in detail


def test_a_refused_correction_keeps_what_was_typed_and_lists_the_problems(awarded, officer):
    client = signed_in(officer)
    before = snapshot(awarded)
    response = client.post(url("correct", awarded.reference), {"outcome": "part", "amount": "lots", "reasons": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'class="govuk-error-summary"' in page
    assert "Amount to award must be an amount in pounds" in page and "Enter why the decision is being corrected" in page
    assert 'value="lots"' in page and 'value="part" checked' in page
    assert snapshot(awarded) == before

    awards.mark_paid(awarded.award.instalments.get(number=1), officer)
    before = snapshot(awarded)
    response = client.post(url("correct", awarded.reference), {"outcome": "part", "amount": "1000", "reasons": "Smaller."})
    page = response.content.decode()
    assert response.status_code == 400 and "£3,000 of this grant has already been paid" in page and "Smaller." in page
    assert snapshot(awarded) == before


def test_over_budget_on_the_page_names_the_field(round_, officer):
    application, _ = in_assessment(round_, officer, amount_pence=600_000)
    other, _ = in_assessment(round_, officer, "other@example.org", "Other group", amount_pence=500_000)
    awards.decide(application, officer, "decline", "Low score.")
    awards.decide(other, officer, "award", "Good.")
    client = signed_in(officer)
    page = client.get(url("correct", application.reference)).content.decode()
    assert "First payment date" in page  # a new award needs its schedule
    today = timezone.localdate() + timedelta(days=20)
    response = client.post(url("correct", application.reference), {
        "outcome": "part", "amount": "5500", "reasons": "Scores added wrongly.",
        "instalments": "1", "first_payment_on_day": today.day, "first_payment_on_month": today.month,
        "first_payment_on_year": today.year, "months_between_payments": "3", "returns": "1",
        "first_return_on_day": today.day, "first_return_on_month": today.month, "first_return_on_year": today.year + 1,
        "months_between_returns": "6",
    })
    page = response.content.decode()
    assert response.status_code == 400 and 'href="#id_amount"' in page and "£5,000 is left" in page
    assert not Award.objects.filter(application=application).exists()


def test_the_correction_page_is_refused_to_everyone_but_the_grants_officers(awarded, officer, team):
    conflicted = make_officer("conflicted", team=team)
    assessment.declare_conflict(awarded, conflicted, "Trustee.")
    outside = make_officer("panel-member", team=make_team("Panel"))
    awarded.round.programme.assessors.add(outside)
    address = url("correct", awarded.reference)
    before = snapshot(awarded)
    for user in (make_officer("elsewhere", team=make_team("Highways Team")), conflicted, outside):
        client = signed_in(user)
        assert client.get(address).status_code == 403
        assert client.post(address, {"outcome": "decline", "reasons": "No."}).status_code == 403
    for user in (awarded.organisation.memberships.get().user, make_community_user("stranger@example.org")):
        assert signed_in(user).post(address, {"outcome": "decline", "reasons": "No."}).status_code == 403
    anonymous = Client().post(address, {"outcome": "decline", "reasons": "No."})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("core:login"))
    assert snapshot(awarded) == before


def test_an_undecided_application_has_no_correction_page(round_, officer):
    application, _ = in_assessment(round_, officer)
    response = signed_in(officer).get(url("correct", application.reference))
    assert response.status_code == 302 and response["Location"] == url("application", application.reference)


def test_the_applicant_sees_the_corrected_decision_and_when_it_was_corrected(awarded, officer):
    awards.amend_decision(awarded, officer, "part", "Fuel <b>counted</b> twice.", amount_pence=450_000)
    member = awarded.organisation.memberships.get().user
    page = signed_in(member).get(reverse("grants:application", args=[awarded.reference])).content.decode()
    today = timezone.localdate()
    assert "Awarded in part: £4,500" in page
    assert f"Corrected on {today:%-d %B %Y}" in page and "It was awarded: £6,000; it is now awarded in part: £4,500." in page
    assert "Fuel &lt;b&gt;counted&lt;/b&gt; twice." in page and "Decision corrected" in page
    assert "£2,250</td>" in page  # each payment of the corrected award
    letter = signed_in(member).get(url("letter", awarded.reference)).content.decode()
    assert "This letter corrects our decision of" in letter and "£4,500" in letter


@with_worker
def test_a_corrected_letter_the_mail_server_cannot_take_leaves_the_correction_standing(awarded, officer, settings, caplog):
    run_background_work()
    mail_server_down(settings)
    member_email = awarded.organisation.memberships.get().user.email
    response = signed_in(officer).post(url("correct", awarded.reference), {"outcome": "decline", "reasons": "Withdrawn."}, follow=True)
    assert ("The decision on application " + awarded.reference + " was corrected. The corrected letter will be e-mailed "
            "to the organisation&#x27;s members in the next few minutes.") in response.content.decode()
    with caplog.at_level(logging.WARNING):
        run_background_work()
    awarded.refresh_from_db()
    assert awarded.status == S.DECLINED and DecisionAmendment.objects.count() == 1
    [letter] = corrected_letters(awarded)
    assert (letter.status, letter.attempts, letter.error_type) == ("queued", 1, "SMTPServerDisconnected")
    assert f"Decision letter for application {awarded.pk}) not sent" in caplog.text and member_email not in caplog.text


# --- what else follows the correction --------------------------------------------------------------------


def test_the_panel_and_the_figures_show_the_corrected_amount(awarded, officer, round_):
    awards.amend_decision(awarded, officer, "part", "Less.", amount_pence=450_000)
    decided = signed_in(officer).get(url("panel", round_.slug) + "?show=decided").content.decode()
    assert "£4,500</td>" in decided
    assert awards.totals() == {"awards": 1, "amount_pence": 450_000}


@needs_standard
def test_the_open_data_shows_the_corrected_amount_and_leaves_out_a_withdrawn_award(awarded, officer, round_):
    cache.clear()
    other, _ = in_assessment(round_, officer, "other@example.org", "Other group", amount_pence=200_000)
    awards.decide(other, officer, "award", "Good.")
    awards.amend_decision(awarded, officer, "part", "Less.", amount_pence=450_000)
    grants = {g["id"]: g["amountAwarded"] for g in json.loads(open_data.export(cached=True))["grants"]}
    assert grants == {open_data.grant_id(awarded.reference): 4500, open_data.grant_id(other.reference): 2000}
    awards.amend_decision(awarded, officer, "decline", "Withdrawn.")
    data = json.loads(open_data.export(cached=True))
    assert [g["amountAwarded"] for g in data["grants"]] == [2000]
    assert not open_data.validation_errors(data)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_correction_form_works_by_keyboard_and_is_accessible(page, live_server):
    from shire.core.tests.browser import assert_accessible, sign_in

    from .factories import PASSWORD

    team = make_team()
    officer = make_officer("officer", team=team, password=PASSWORD)
    application, _ = in_assessment(make_round(team=team), officer, amount_pence=600_000)
    awards.decide(application, officer, "award", "Strong evidence of need.")
    base = live_server.url
    sign_in(page, base, "officer", PASSWORD)

    def check():
        assert_accessible(page)
        assert not page.shire_errors, page.shire_errors

    page.goto(base + url("correct", application.reference))
    check()
    page.click("button:has-text('Correct the decision and send the letter')")  # no reason given
    assert "There is a problem" in page.content()
    # The page answers 400 Bad Request, as every refused form here does; Chromium logs that as a console error.
    assert page.shire_errors == ["console error: Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    page.shire_errors.clear()
    check()
    page.click(".govuk-error-summary a")  # the summary's link takes the focus to the field
    assert page.evaluate("document.activeElement.id") == "id_reasons"
    page.keyboard.type("The fuel costs were counted twice.")
    page.check("#id_outcome_1")
    page.fill("#id_amount", "4500")
    page.focus("button:has-text('Correct the decision and send the letter')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "was corrected. The corrected letter will be e-mailed" in page.content() and "Corrections" in page.content()
    check()


SCHEDULE_FIELDS = ("instalments", "first_payment_on", "months_between_payments", "returns", "first_return_on",
                   "months_between_returns")


def test_the_decision_page_and_a_correction_to_an_award_ask_the_same_schedule(round_, officer):
    application, _ = in_assessment(round_, officer)
    client = signed_in(officer)
    deciding = client.get(url("decide", application.reference)).content.decode()
    awards.decide(application, officer, "decline", "Outside the fund's aims.")
    correcting = client.get(url("correct", application.reference)).content.decode()
    for page in (deciding, correcting):
        for name in SCHEDULE_FIELDS:
            assert f'name="{name}' in page, name
