"""The triage list, the panel and the monitoring returns come in pages (views_officer.PAGE_SIZE rows; two
here, 50 for the returns) whatever their size; the status filter stays on every page link, the panel's running totals carry on from
the pages before, and the budget figures are always the whole round's."""
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shire.core.tests.factories import make_officer, make_team

from .. import assessment, awards, views_officer
from ..models import Application, MonitoringReturn
from .factories import make_round
from .test_assessment import in_assessment, score_all, sent

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"grants:grants_officer:{name}", args=args)


@pytest.fixture(autouse=True)
def two_a_page(monkeypatch):
    monkeypatch.setattr(views_officer, "PAGE_SIZE", 2)


@pytest.fixture
def client(officer):
    client = Client()
    client.force_login(officer)
    return client


def references(content):
    return re.findall(r">(SCG-\d{6})</a>", content)


def test_the_triage_list_comes_in_pages_and_keeps_its_filter(client, team, officer):
    round_ = make_round(team=team)
    waiting = [sent(round_, f"w{n}@example.org", f"Waiting group {n}")[0] for n in range(3)]
    assessing = [in_assessment(round_, officer, f"a{n}@example.org", f"Assessed group {n}")[0] for n in range(3)]

    first = client.get(url("triage", round_.slug)).content.decode()
    second = client.get(url("triage", round_.slug) + "?page=2").content.decode()
    third = client.get(url("triage", round_.slug) + "?page=3").content.decode()

    pages = [references(first), references(second), references(third)]
    assert [len(page) for page in pages] == [2, 2, 2]
    assert sum(pages, []) == [a.reference for a in waiting + assessing]  # waiting first, then oldest first
    assert "Showing 1 to 2 of 6 applications" in first and 'aria-current="page"' in first
    assert 'href="?page=2" rel="next"' in first and 'href="?page=1" rel="prev"' in second
    # The filter stays on every page link, and its counts are the whole round's.
    filtered = client.get(url("triage", round_.slug) + "?status=in_assessment").content.decode()
    assert references(filtered) == [a.reference for a in assessing[:2]]
    assert 'href="?status=in_assessment&amp;page=2"' in filtered and "Showing 1 to 2 of 3 applications" in filtered
    assert "Being assessed</strong>" in filtered and "(3)" in filtered
    # A page past the end shows the last one; one that is not a number, the first.
    assert references(client.get(url("triage", round_.slug) + "?page=99").content.decode()) == pages[2]
    assert references(client.get(url("triage", round_.slug) + "?page=x").content.decode()) == pages[0]


def test_the_panel_pages_keep_running_totals_and_the_whole_rounds_budget(client, team, officer):
    assessor = make_officer("assessor", team=team)
    round_ = make_round(team=team, budget_pence=1_000_000, max_request_pence=1_000_000)
    ranked = []
    for n, (amount, values) in enumerate([(300_000, [5, 5]), (200_000, [4, 4]), (400_000, [3, 3]), (100_000, [2, 2])]):
        application, _ = in_assessment(round_, officer, f"p{n}@example.org", f"Group {n}", amount_pence=amount)
        assessment.assign_assessor(application, assessor, officer)
        score_all(application, assessor, values)
        ranked.append(application)
    funded, _ = in_assessment(round_, officer, "f@example.org", "Funded group", amount_pence=150_000)
    awards.decide(funded, officer, "award", "Good.")

    first = client.get(url("panel", round_.slug)).content.decode()
    second = client.get(url("panel", round_.slug) + "?page=2").content.decode()

    assert references(first) == [ranked[0].reference, ranked[1].reference]
    assert references(second) == [ranked[2].reference, ranked[3].reference]
    # Budget, awarded and left are the round's on every page: £10,000, £1,500, £8,500.
    for page in (first, second):
        assert "£10,000" in page and "£1,500" in page and "£8,500" in page
    # Running totals carry on from page 1 (£3,000, £5,000) to page 2 (£9,000, £10,000), and so do ranks.
    assert "£9,000" in second and "£10,000</td>" in second and '<td class="govuk-table__cell govuk-table__cell--numeric">3</td>' in second
    rows = re.findall(r"govuk-tag--(green|grey)\">(Yes|No)", second)
    assert [answer for _, answer in rows] == ["No", "No"]  # £9,000 and £10,000 are more than the £8,500 left
    assert "Waiting for a decision (4)" in first and "Decided</a> (1)" in first
    decided = client.get(url("panel", round_.slug) + "?show=decided").content.decode()
    assert references(decided) == [funded.reference] and "Decided (1)" in decided


def test_a_page_takes_as_many_queries_for_a_big_round_as_for_a_small_one(client, team, officer):
    round_ = make_round(team=team)

    def queries(address):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(address).status_code == 200
        return len(captured)

    for n in range(3):
        in_assessment(round_, officer, f"q{n}@example.org", f"Group {n}")
    small = [queries(url("panel", round_.slug) + "?page=2"), queries(url("triage", round_.slug) + "?page=2")]
    for n in range(3, 9):
        in_assessment(round_, officer, f"q{n}@example.org", f"Group {n}")
    big = [queries(url("panel", round_.slug) + "?page=4"), queries(url("triage", round_.slug) + "?page=4")]
    assert Application.objects.count() == 9
    assert big == small


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_paged_lists_and_the_assessors_page_work_by_keyboard_and_are_accessible(page, live_server):
    from shire.core.tests.browser import assert_accessible, sign_in, tab_until

    from .factories import PASSWORD

    team = make_team()
    officer = make_officer("officer", team=team, password=PASSWORD)
    round_ = make_round(team=team)
    for n in range(5):
        in_assessment(round_, officer, f"b{n}@example.org", f"Group {n}")
    funded_round = make_round(programme=round_.programme, slug="shire-2020-21", name="2020-21")
    for n in range(5):  # five awards, one monitoring return each
        awards.decide(in_assessment(funded_round, officer, f"f{n}@example.org", f"Funded {n}")[0], officer, "award", "Good.")
    base = live_server.url
    sign_in(page, base, "officer", PASSWORD)

    def check():
        assert_accessible(page)
        assert not page.shire_errors, page.shire_errors

    for address in (url("triage", round_.slug), url("panel", round_.slug), url("monitoring") + "?show=due"):
        page.goto(base + address)
        check()
        tab_until(page, lambda el: el["text"].startswith("Next"), limit=80)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "page=2" in page.url and "Showing 3 to 4 of 5" in page.content()
        if "show=" in address:
            assert "show=due" in page.url  # the filter is kept
        check()
    page.goto(base + reverse("grants:setup-programme-assessors", args=[round_.programme.slug]))
    check()
    page.fill("#id_email", "nobody@example.gov.uk")
    with page.expect_navigation():  # the form posts; read the page only once the answer is in
        page.click("button:has-text('Add assessor')")
    assert "There is no staff account" in page.content()
    check()


def test_the_monitoring_returns_come_50_a_page_and_keep_their_filter(client, team, officer, monkeypatch):
    monkeypatch.setattr(views_officer, "PAGE_SIZE", 50)  # the real page size, with more than 50 returns
    round_ = make_round(team=team)
    today = timezone.localdate()
    funded = []
    for n in range(3):
        application, _ = in_assessment(round_, officer, f"m{n}@example.org", f"Monitored group {n}")
        awards.decide(application, officer, "award", "Good.")
        funded.append(application.award)
    MonitoringReturn.objects.all().delete()
    returns = []
    for n in range(60):  # received, most recent first on the list
        returns.append(MonitoringReturn(award=funded[n % 3], due_on=today - timedelta(days=200 + n),
                                        submitted_on=today - timedelta(days=100 + n), people_helped=n, outcomes=["health_wellbeing"]))
    for n in range(30):  # late: past due and not sent
        returns.append(MonitoringReturn(award=funded[n % 3], due_on=today - timedelta(days=1 + n)))
    for n in range(30):  # due: not sent, not yet due
        returns.append(MonitoringReturn(award=funded[n % 3], due_on=today + timedelta(days=1 + n)))
    MonitoringReturn.objects.bulk_create(returns)

    def rows(address):
        html = client.get(address).content.decode()
        return html, re.findall(r'<td class="govuk-table__cell">(\d{1,2} \w+ \d{4})</td>', html)

    first, first_rows = rows(url("monitoring"))
    _, second_rows = rows(url("monitoring") + "?page=2")
    third, third_rows = rows(url("monitoring") + "?page=3")
    assert [len(first_rows), len(second_rows), len(third_rows)] == [50, 50, 20]
    assert "Showing 1 to 50 of 120 returns" in first and "Showing 101 to 120 of 120 returns" in third
    assert 'href="?page=2" rel="next"' in first and 'aria-current="page"' in first
    # Not sent first, the oldest due date first: the 30 late, then the 30 due; then received, latest first.
    expected = ([today - timedelta(days=30 - n) for n in range(30)] + [today + timedelta(days=1 + n) for n in range(30)]
                + [today - timedelta(days=200 + n) for n in range(60)])
    assert first_rows + second_rows + third_rows == [f"{day:%-d %B %Y}" for day in expected]
    for html in (first, third):
        assert "30 late</strong>" in html  # the whole list's count on every page
    # A filter stays on every page link; a page past the end shows the last page.
    received, received_rows = rows(url("monitoring") + "?show=received")
    assert len(received_rows) == 50 and 'href="?show=received&amp;page=2"' in received
    assert "Showing 1 to 50 of 60 returns" in received
    _, last_rows = rows(url("monitoring") + "?show=received&page=9")
    assert len(last_rows) == 10
    late, late_rows = rows(url("monitoring") + "?show=late")
    assert len(late_rows) == 30 and "govuk-pagination" not in late and "30 returns" in late
