"""`shire grants summary`: per programme and round, the number of awards and the total awarded in
pence, and the same by theme; counting exactly the grants the 360Giving file publishes."""
import json
from io import StringIO

import pytest
from django.core.management import call_command

from shire.core.tests.factories import make_officer, make_team
from shire.grants import open_data
from shire.grants.models import Decision, DecisionAmendment, Theme

from .factories import make_applicant, make_application, make_programme, make_round, submit
from .test_open_data import award

pytestmark = pytest.mark.django_db


def summary_json():
    out = StringIO()
    call_command("grants", "summary", "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def world():
    team = make_team()
    officer = make_officer("grants-officer", team=team)
    shire = make_round(team=team)
    themes = list(shire.themes())
    fund = make_programme(team=team, name="Communities Fund", slug="communities-fund", code="CF")
    round_1 = make_round(programme=fund, slug="cf-1", name="Round 1", themes=False, budget_pence=150_000_000)
    round_2 = make_round(programme=fund, slug="cf-2", name="Round 2", themes=False, budget_pence=70_000_000)
    own = Theme.objects.create(programme=fund, round=round_2, name="Lost income", slug="lost-income", order=0)
    counter = iter(range(100))

    def applied(round_, theme, amount_pence):
        number = next(counter)
        member, organisation = make_applicant(f"m{number}@example.org", f"Organisation {number}")
        application = make_application(round_, organisation, member)
        application.amount_requested_pence = amount_pence
        application.save(update_fields=["amount_requested_pence"])
        submit(application, member)
        # Set after sending: an award with no theme in a round with themes is an older record.
        application.theme = theme
        application.save(update_fields=["theme"])
        return application

    # SHIRE: two awards under theme 0 (one in part), one under theme 1, one declined, one undecided.
    award(applied(shire, themes[0], 250_000), officer)
    award(applied(shire, themes[0], 500_000), officer, amount_pence=300_050, outcome=Decision.Outcome.PART)
    award(applied(shire, themes[1], 999_900), officer)
    award(applied(shire, themes[2], 400_000), officer, outcome=Decision.Outcome.DECLINE)
    applied(shire, themes[2], 123_400)
    # Communities Fund: round 1 has no themes; round 2 a theme of its own and an award with none.
    award(applied(round_1, None, 1_000_000), officer)
    award(applied(round_1, None, 500_000), officer)
    award(applied(round_2, own, 250_000), officer)
    award(applied(round_2, None, 100_000), officer)
    # An award whose decision was later amended to a decline is not counted.
    decision, _ = award(applied(round_2, own, 777_700), officer)
    DecisionAmendment.objects.create(decision=decision, previous_outcome="award", previous_amount_pence=777_700,
                                     new_outcome="decline", new_amount_pence=0, reason="Withdrawn.", amended_by=officer)
    return shire, round_1, round_2


def test_summary_per_programme_round_and_theme():
    world()
    data = summary_json()
    assert (data["awards"], data["total_awarded_pence"]) == (7, 250_000 + 300_050 + 999_900 + 1_500_000 + 350_000)
    fund, shire = data["programmes"]  # by name
    assert (shire["name"], shire["awards"], shire["total_awarded_pence"]) == ("SHIRE Community Grants", 3, 1_549_950)
    [round_] = shire["rounds"]
    assert (round_["slug"], round_["awards"], round_["total_awarded_pence"]) == ("shire-2019-20", 3, 1_549_950)
    assert round_["budget_pence"] == 38_671_500
    assert round_["remaining_pence"] == 38_671_500 - 1_549_950
    assert [(t["slug"], t["awards"], t["total_awarded_pence"]) for t in round_["themes"]] == [
        ("theme-0", 2, 550_050), ("theme-1", 1, 999_900), ("theme-2", 0, 0)]
    assert shire["themes"] == [
        {"slug": "theme-0", "name": "Disadvantaged young people", "awards": 2, "total_awarded_pence": 550_050},
        {"slug": "theme-1", "name": "Older people, adults and people with mental health issues", "awards": 1,
         "total_awarded_pence": 999_900},
        {"slug": "theme-2", "name": "Wider community vulnerability", "awards": 0, "total_awarded_pence": 0},
    ]

    assert (fund["name"], fund["code"], fund["awards"], fund["total_awarded_pence"]) == ("Communities Fund", "CF", 4, 1_850_000)
    round_1, round_2 = fund["rounds"]
    assert (round_1["name"], round_1["awards"], round_1["total_awarded_pence"]) == ("Round 1", 2, 1_500_000)
    assert round_1["themes"] == [{"slug": None, "name": "No theme", "awards": 2, "total_awarded_pence": 1_500_000}]
    assert (round_2["awards"], round_2["total_awarded_pence"]) == (2, 350_000)
    assert round_2["themes"] == [
        {"slug": "lost-income", "name": "Lost income", "awards": 1, "total_awarded_pence": 250_000},
        {"slug": None, "name": "No theme", "awards": 1, "total_awarded_pence": 100_000},
    ]
    assert fund["themes"] == [
        {"slug": None, "name": "No theme", "awards": 3, "total_awarded_pence": 1_600_000},
        {"slug": "lost-income", "name": "Lost income", "awards": 1, "total_awarded_pence": 250_000},
    ]


def test_summary_agrees_with_the_360giving_file():
    world()
    data = summary_json()
    grants = json.loads(open_data.export())["grants"]
    assert data["awards"] == len(grants)
    assert data["total_awarded_pence"] == round(sum(g["amountAwarded"] for g in grants) * 100)


def test_summary_with_nothing_awarded():
    assert summary_json() == {"awards": 0, "total_awarded_pence": 0, "programmes": []}
    make_round()
    data = summary_json()
    assert data["programmes"][0]["rounds"][0]["awards"] == 0
    assert [t["awards"] for t in data["programmes"][0]["rounds"][0]["themes"]] == [0, 0, 0]


def test_summary_as_text():
    world()
    out = StringIO()
    call_command("grants", "summary", stdout=out)
    text = out.getvalue()
    assert "All programmes: 7 awards, £33,999.50" in text
    assert "SHIRE Community Grants: 3 awards, £15,499.50" in text
    assert "    Disadvantaged young people: 2 awards, £5,500.50" in text
    assert "  Round 1: 2 awards, £15,000 of £1,500,000 budget" in text
    assert "    Older people, adults and people with mental health issues: 1 award, £9,999\n" in text
