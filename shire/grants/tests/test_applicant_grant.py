"""The organisation sees the decision on its application from the application's page: the decision,
its conditions, the decision letter, the payments and the monitoring returns with links to send
them. Nobody else does."""
import pytest
from django.urls import reverse

from shire.core.tests.factories import make_officer, make_team

from .. import awards
from ..models import Decision, ImmutableRecordError, MonitoringReturn
from .factories import make_applicant, make_community_user, make_round, signed_in
from .test_assessment import in_assessment

pytestmark = pytest.mark.django_db

CONDITIONS = "Spend the grant by 31 March 2021.\nAcknowledge the <council's> funding."


@pytest.fixture
def world():
    team = make_team()
    officer = make_officer("officer", team=team)
    round_ = make_round(team=team)
    funded, member = in_assessment(round_, officer, "member@example.org", "Wigston Lunch Club")
    declined, declined_member = in_assessment(round_, officer, "declined@example.org", "Blaby Carers")
    plan = awards.AwardPlan(instalments=2, returns=2)
    awards.decide(funded, officer, "award", "Strong evidence of need.", conditions=CONDITIONS, plan=plan)
    awards.decide(declined, officer, "decline", "Outside the round's priorities.")
    return {"officer": officer, "funded": funded, "member": member, "declined": declined,
            "declined_member": declined_member, "round": round_}


def test_the_member_sees_the_decision_conditions_letter_payments_and_returns(world):
    funded = world["funded"]
    client = signed_in(world["member"])

    page = client.get(reverse("grants:application", args=[funded.reference])).content.decode()

    assert "The decision" in page and "Awarded: £2,500" in page and "Strong evidence of need." in page
    assert "Spend the grant by 31 March 2021.<br>Acknowledge the &lt;council&#x27;s&gt; funding." in page
    letter = reverse("grants:grants_officer:letter", args=[funded.reference])
    assert f'href="{letter}"' in page
    assert page.count("Not yet") == 2  # two payments, neither paid
    returns = list(MonitoringReturn.objects.filter(award__application=funded).order_by("due_on"))
    for item in returns:
        assert reverse("grants:grants_officer:monitoring-submit", args=[item.pk]) in page
    # The links lead to pages the member can use.
    letter_page = client.get(letter)
    assert letter_page.status_code == 200
    assert "Acknowledge the &lt;council&#x27;s&gt; funding." in letter_page.content.decode()
    assert client.get(reverse("grants:grants_officer:monitoring-submit", args=[returns[0].pk])).status_code == 200
    account = client.get(reverse("grants:account")).content.decode()
    assert reverse("grants:grants_officer:your-returns") in account


def test_a_declined_application_shows_the_reasons_and_the_letter_but_no_payments(world):
    declined = world["declined"]
    page = signed_in(world["declined_member"]).get(reverse("grants:application", args=[declined.reference])).content.decode()
    assert "Not funded" in page and "Outside the round&#x27;s priorities." in page
    assert reverse("grants:grants_officer:letter", args=[declined.reference]) in page
    assert "Monitoring returns" not in page and "Payments" not in page


def test_an_undecided_application_has_no_decision_section(world):
    officer = world["officer"]
    waiting, member = in_assessment(world["round"], officer, "waiting@example.org", "Coalville Choir")
    page = signed_in(member).get(reverse("grants:application", args=[waiting.reference])).content.decode()
    assert 'id="decision"' not in page


def test_nobody_else_sees_the_decision_letter_or_returns(world):
    funded = world["funded"]
    item = MonitoringReturn.objects.filter(award__application=funded).first()
    pages = [
        reverse("grants:application", args=[funded.reference]),
        reverse("grants:grants_officer:letter", args=[funded.reference]),
        reverse("grants:grants_officer:monitoring-submit", args=[item.pk]),
    ]
    stranger = make_community_user("stranger@example.org")
    for user in (world["declined_member"], stranger):  # another organisation's member; no organisation at all
        client = signed_in(user)
        for address in pages:
            response = client.get(address)
            assert response.status_code == 404, (user, address)
            assert "Spend the grant by 31 March 2021." not in response.content.decode()
    # Their own list of returns holds only their organisations' returns.
    outsider, _ = make_applicant("outsider@example.org", "Another group")
    your_returns = signed_in(outsider).get(reverse("grants:grants_officer:your-returns")).content.decode()
    assert funded.reference not in your_returns
    # Staff accounts never see applicant pages.
    assert signed_in(make_officer("elsewhere", team=make_team("Highways Team"))).get(pages[0]).status_code == 403
    assert signed_in(make_officer("elsewhere2", team=make_team("Parks Team"))).get(pages[1]).status_code == 403


def test_conditions_are_kept_on_the_decision_and_cannot_be_changed(world):
    decision = Decision.objects.get(application=world["funded"])
    assert decision.conditions == CONDITIONS.strip()
    decision.conditions = "Nothing."
    with pytest.raises(ImmutableRecordError, match="cannot be changed"):
        decision.save()
    with pytest.raises(ImmutableRecordError, match="cannot be updated"):
        Decision.objects.filter(pk=decision.pk).update(conditions="Nothing.")
    assert Decision.objects.get(pk=decision.pk).conditions == CONDITIONS.strip()


def test_a_decline_with_conditions_is_refused(world):
    officer = world["officer"]
    application, _ = in_assessment(world["round"], officer, "third@example.org", "Coalville Choir")
    with pytest.raises(awards.DecisionError, match="no conditions"):
        awards.decide(application, officer, "decline", "No.", conditions="Spend by March.")
    assert not Decision.objects.filter(application=application).exists()


def test_the_decision_page_refuses_conditions_on_a_decline_and_keeps_what_was_typed(world):
    officer = world["officer"]
    application, _ = in_assessment(world["round"], officer, "fourth@example.org", "Desford Shed")
    response = signed_in(officer).post(
        reverse("grants:grants_officer:decide", args=[application.reference]),
        {"outcome": "decline", "reasons": "Not eligible.", "conditions": "Spend by March."},
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert "A declined application has no conditions: leave this empty" in content and "Spend by March." in content
    assert not Decision.objects.filter(application=application).exists()
