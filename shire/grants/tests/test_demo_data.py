"""The grants demo data: it reproduces the seeds' published figures exactly, holds the history the
pages need (declined applications, instalments, late returns), is invented and marked as such, and
loading it again changes nothing."""
import json
import random
from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from shire.core.models import District, User
from shire.demo import loader
from shire.grants import demo_data, open_data
from shire.grants.models import (
    ApplicantOrganisation,
    Application,
    ApplicationEvent,
    Award,
    BankDetails,
    Decision,
    DecisionAmendment,
    Invitation,
    Membership,
    MonitoringReturn,
    PaymentInstalment,
    Programme,
    Round,
    Theme,
)

pytestmark = pytest.mark.django_db

LOAD_DAY = date(2025, 6, 2)
MODELS = [Programme, Round, Theme, ApplicantOrganisation, Membership, Invitation, BankDetails, Application, ApplicationEvent,
          Decision, DecisionAmendment, Award, PaymentInstalment, MonitoringReturn, User]


def load(today=LOAD_DAY):
    """The loaders the grants demo needs (people, places) and the grants one, as `shire demo load` runs them."""
    context = loader.DemoContext(today=today)
    loader.people(context)
    loader.places(context)
    demo_data.grants(context)
    return context


def summary():
    out = StringIO()
    call_command("grants", "summary", "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_the_figures_are_the_seeds():
    load()
    data = summary()
    programmes = {p["programme"]: p for p in data}

    # Seed 004: SHIRE Community Grants 2019-20, 90 projects, £386,715, by theme.
    shire = programmes["shire-community-grants"]
    rounds = {r["round"]: r for r in shire["rounds"]}
    year = rounds["shire-community-grants-2019-20"]
    assert (year["awards"], year["amount_pence"]) == (90, 38_671_500)
    assert [(t["name"], t["awards"], t["amount_pence"]) for t in year["themes"]] == [
        ("Disadvantaged young people", 24, 11_240_100),
        ("Older people, adults and people with mental health issues", 47, 19_081_600),
        ("Wider community vulnerability", 19, 8_349_800),
    ]
    assert (shire["awards"], shire["amount_pence"]) == (90, 38_671_500)
    assert rounds["shire-community-grants-open-demo"]["awards"] == 0

    # Seeds 004 and 002: the Communities Fund, round 1 160 grants of £1.5m; 379 grants over 3 rounds, nearly £2.6m.
    fund = programmes["communities-fund"]
    rounds = {r["round"]: r for r in fund["rounds"]}
    assert [(rounds[f"communities-fund-round-{n}"]["awards"], rounds[f"communities-fund-round-{n}"]["amount_pence"])
            for n in (1, 2, 3)] == [(160, 150_000_000), (121, 70_846_500), (98, 38_531_000)]
    assert (fund["awards"], fund["amount_pence"]) == (379, 259_377_500)
    assert 255_000_000 <= fund["amount_pence"] < 260_000_000  # "nearly £2.6m"
    assert all(r["remaining_pence"] >= 0 for p in data for r in p["rounds"])

    # Round 1: launched Monday 30 March 2020; over 250 applications in under four weeks; 160 organisations.
    round_1 = Round.objects.get(slug="communities-fund-round-1")
    assert round_1.opens_on == date(2020, 3, 30) and round_1.opens_on.weekday() == 0
    applications = Application.objects.filter(round=round_1)
    assert applications.count() > 250
    first, last = min(a.submitted_at for a in applications), max(a.submitted_at for a in applications)
    assert (last - first).days < 28
    awarded = applications.filter(status__in=Application.FUNDED_STATUSES)
    assert awarded.values("organisation").distinct().count() == 160

    # The SHIRE projects are spread over the 7 districts, in every theme.
    districts = District.objects.count()
    assert districts == 7
    for theme in Theme.objects.filter(programme__slug="shire-community-grants"):
        places = Award.objects.filter(application__theme=theme).values("application__beneficiary_district").distinct()
        assert places.count() == districts, theme.name

    # The seed's named project: RCC Rural Coffee Connect, £10,000.
    rcc = Award.objects.get(application__organisation__name="RCC Rural Coffee Connect")
    assert rcc.amount_pence == 1_000_000


def test_the_history_the_pages_need():
    load()
    statuses = Counter(Application.objects.values_list("status", flat=True))
    assert statuses[Application.Status.DECLINED] == 30 + 102 + 19 + 17
    assert statuses[Application.Status.PART_AWARDED] > 0
    assert statuses[Application.Status.AWARDED] + statuses[Application.Status.PART_AWARDED] == 469
    assert Decision.objects.count() == Application.objects.count() == 637
    for decision in Decision.objects.filter(outcome="decline")[:5]:
        assert decision.reasons and decision.application.status == Application.Status.DECLINED
    # Every award is paid by instalments adding up to it; the latest SHIRE ones are not all paid.
    for item in Award.objects.prefetch_related("instalments")[:50]:
        assert sum(i.amount_pence for i in item.instalments.all()) == item.amount_pence
    assert PaymentInstalment.objects.filter(paid_on__isnull=True).exists()
    assert PaymentInstalment.objects.filter(paid_on__isnull=False).count() > 400
    # Monitoring returns: most on time, some late, some never sent (flagged late).
    returns = list(MonitoringReturn.objects.all())
    assert len(returns) == 469
    late = [r for r in returns if r.is_late(today=LOAD_DAY)]
    never = [r for r in returns if r.submitted_on is None]
    assert 0 < len(never) < len(late) < len(returns) // 2
    assert all(r.people_helped and r.outcomes for r in returns if r.submitted_on)
    # The audit trail has each step.
    kinds = Counter(ApplicationEvent.objects.values_list("kind", flat=True))
    # (One more letter: the corrected decision's.)
    assert kinds["status"] == 637 * 3 and kinds["letter"] == 638 and kinds["paid"] > 400 and kinds["monitoring"] > 0
    # Two community members can sign in and see three organisations.
    applicant = User.objects.get(username="grants.applicant@example.org")
    assert applicant.role == User.Role.COMMUNITY and applicant.check_password(loader.DEMO_PASSWORD)
    assert applicant.grant_memberships.count() == 3
    assert Membership.objects.filter(user__username="grants.member@example.org").count() == 3
    # An open round to try the journey, from the day of the first load.
    open_round = Round.objects.get(slug="shire-community-grants-open-demo")
    assert open_round.is_open(LOAD_DAY) and open_round.opens_on == LOAD_DAY
    # The Highways Team's officer can be assigned SHIRE applications to score, and is assigned none yet.
    highways = User.objects.get(username="highways")
    assert list(open_round.programme.assessors.all()) == [highways]
    assert not highways.grant_assignments.exists()


def test_a_corrected_decision_two_lead_contacts_and_an_invitation_to_show():
    load()
    applicant = User.objects.get(username="grants.applicant@example.org")
    member = User.objects.get(username="grants.member@example.org")
    first = applicant.grant_memberships.order_by("organisation__pk").first().organisation
    assert sorted(first.memberships.values_list("user__username", "role")) == [
        ("grants.applicant@example.org", "lead"), ("grants.member@example.org", "lead")]
    assert Membership.objects.filter(user=member, role="member").count() == 2  # a member elsewhere: one to make lead
    [invitation] = first.invitations.all()
    assert invitation.email == demo_data.INVITED and invitation.invited_by == applicant
    assert invitation.is_usable(now=demo_data._at(LOAD_DAY, 12))
    # The correction, made through awards.amend_decision: recorded in full, corrected to the part the panel agreed.
    [amendment] = DecisionAmendment.objects.all()
    application = amendment.decision.application
    assert application.organisation == first and application.round.slug == "shire-community-grants-2019-20"
    assert (amendment.previous_outcome, amendment.previous_amount_pence) == ("award", application.amount_requested_pence)
    assert amendment.new_outcome == "part" and 0 < amendment.new_amount_pence < application.amount_requested_pence
    assert "recorded as an award in full by mistake" in amendment.reason
    assert application.status == Application.Status.PART_AWARDED
    award = application.award
    assert award.amount_pence == amendment.new_amount_pence
    assert sum(i.amount_pence for i in award.instalments.all()) == award.amount_pence
    assert application.events.filter(kind="decision_amended").count() == 1


def test_invented_and_marked_as_demo():
    load()
    assert not ApplicantOrganisation.objects.filter(is_demo=False).exists()
    assert Programme.objects.filter(is_demo=True).count() == 2
    for organisation in ApplicantOrganisation.objects.all():
        assert organisation.charity_number == "" or organisation.charity_number.startswith("99")
        assert organisation.company_number == "" or organisation.company_number.startswith("ZZ")
        assert organisation.postcode.startswith("LE99 ")
        assert organisation.website.endswith(".example.org/")
    assert all(b.sort_code.startswith("00-99-") for b in BankDetails.objects.all())


def test_the_demos_open_data_is_valid_and_private():
    load()
    data = json.loads(open_data.export())
    assert len(data["grants"]) == 469
    assert open_data.validation_errors(data) == []
    text = json.dumps(data)
    assert "LE99" not in text and "00-99-" not in text and "Sharma" not in text and "example.org\"" not in text
    assert "@" not in text


def test_loading_again_changes_nothing():
    load()

    def snapshot():
        return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}

    first = snapshot()
    load(today=date(2025, 9, 1))  # a later day must not move the open round's dates
    assert snapshot() == first


def test_choices_are_deterministic():
    amounts = demo_data.split(112_401, 24, random.Random(1), 1_000, 10_000)
    assert amounts == demo_data.split(112_401, 24, random.Random(1), 1_000, 10_000)
    assert sum(amounts) == 112_401 and all(1_000 <= a <= 10_000 for a in amounts)
    assert len(set(amounts)) > 12  # varied, not all the same
    with pytest.raises(ValueError):
        demo_data.split(100, 3, random.Random(1), 50, 60)
    districts = {name: name for name in demo_data.TOWNS}
    first = demo_data._organisations(random.Random(demo_data.SEED), districts)
    assert first == demo_data._organisations(random.Random(demo_data.SEED), districts)
    assert len({o["name"] for o in first}) == len(first) == 330
