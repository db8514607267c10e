"""`shire grants summary`: per programme and round, the number of awards and the total awarded in
pence, and the same by theme (awards.summary(), the dashboards' figures); the same grants the
360Giving file publishes."""
import json
from io import StringIO

import pytest
from django.core.management import call_command

from shire.core.tests.factories import make_officer, make_team
from shire.grants import open_data
from shire.grants.models import Decision, Theme

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
    return shire, round_1, round_2


def test_summary_per_programme_round_and_theme():
    world()
    data = summary_json()
    programmes = {p["programme"]: p for p in data}
    shire = programmes["shire-community-grants"]
    assert (shire["name"], shire["awards"], shire["amount_pence"]) == ("SHIRE Community Grants", 3, 1_549_950)
    [round_] = shire["rounds"]
    assert (round_["round"], round_["awards"], round_["amount_pence"]) == ("shire-2019-20", 3, 1_549_950)
    assert (round_["budget_pence"], round_["remaining_pence"]) == (38_671_500, 38_671_500 - 1_549_950)
    # The declined and the undecided applications count nowhere.
    assert [(t["theme"], t["awards"], t["amount_pence"]) for t in round_["themes"]] == [
        ("theme-0", 2, 550_050), ("theme-1", 1, 999_900)]

    fund = programmes["communities-fund"]
    assert (fund["awards"], fund["amount_pence"]) == (4, 1_850_000)
    rounds = {r["round"]: r for r in fund["rounds"]}
    assert (rounds["cf-1"]["awards"], rounds["cf-1"]["amount_pence"]) == (2, 1_500_000)
    assert rounds["cf-1"]["themes"] == [{"theme": None, "name": "No theme", "awards": 2, "amount_pence": 1_500_000}]
    assert (rounds["cf-2"]["awards"], rounds["cf-2"]["amount_pence"]) == (2, 350_000)
    assert rounds["cf-2"]["themes"] == [
        {"theme": "lost-income", "name": "Lost income", "awards": 1, "amount_pence": 250_000},
        {"theme": None, "name": "No theme", "awards": 1, "amount_pence": 100_000},
    ]


def test_summary_agrees_with_the_360giving_file():
    world()
    data = summary_json()
    grants = json.loads(open_data.export())["grants"]
    assert sum(p["awards"] for p in data) == len(grants) == 7
    assert sum(p["amount_pence"] for p in data) == round(sum(g["amountAwarded"] for g in grants) * 100)
    for programme in data:
        for round_ in programme["rounds"]:
            in_file = [g for g in grants if g["grantProgramme"][0]["code"] == round_["round"]]
            assert len(in_file) == round_["awards"]


def test_summary_with_nothing_awarded():
    assert summary_json() == []
    make_round()
    [programme] = summary_json()
    assert (programme["awards"], programme["rounds"][0]["awards"], programme["rounds"][0]["themes"]) == (0, 0, [])


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
