"""The directory in a real browser: search and open a service with the keyboard alone; axe on each page."""
from datetime import time

import pytest

from shire.core.tests.browser import assert_accessible, focused, tab_until
from shire.directory.models import Accessibility, Organization, Schedule

from . import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def directory():
    melton = factories.district("Melton", "E07000133")
    factories.district("Blaby", "E07000129")
    factories.parish("Asfordby", melton)
    sport = factories.term("physical-activity", "Sport and physical activity")
    factories.term("older-people", "Older people", audience=True)
    centre = factories.organization("Measham Community and Recreation Centre", Organization.Kind.COMMUNITY_BUILDING,
                                    district=melton)
    place = factories.location(centre, "Recreation centre", city="Measham", latitude="52.706", longitude="-1.508")
    factories.feature(place, Accessibility.Feature.STEP_FREE)
    service = factories.service(centre, "Walking football", description="Football for over 50s: no running.",
                                minimum_age=50, cost="paid", locations=[place], terms=[sport])
    Schedule.objects.create(service=service, freq="WEEKLY", byday="WE", opens_at=time(11), closes_at=time(12))
    for index in range(3):
        factories.service(centre, f"Walking netball {index}", description="Netball at walking pace.",
                          locations=[place])
    return service


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_search_and_open_a_service_with_the_keyboard(make_page, live_server, directory, javascript):
    page = make_page(javascript=javascript)
    page.goto(live_server.url + "/directory/")
    tab_until(page, lambda el: el["id"] == "id_q")
    page.keyboard.type("walking football")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "q=walking+football" in page.url
    assert page.locator("#results-heading").inner_text() == "1 service found"
    tab_until(page, lambda el: el["tag"] == "a" and el["text"] == "Walking football", limit=60)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == live_server.url + directory.get_absolute_url()
    assert page.locator("h1").inner_text() == "Walking football"
    assert "Every Wednesday, 11am to midday" in page.locator("main").inner_text()
    if javascript:  # without it, the browser refuses the preloaded module; nothing else may fail
        assert page.shire_errors == []


def test_filters_work_with_the_keyboard(page, live_server, directory):
    page.goto(live_server.url + "/directory/")
    tab_until(page, lambda el: el["id"] == "id_category")
    page.keyboard.press("ArrowDown")  # "Sport and physical activity"
    tab_until(page, lambda el: el["id"] == "id_age")
    page.keyboard.type("67")
    tab_until(page, lambda el: el["id"] == "id_access_0")
    page.keyboard.press("Space")
    tab_until(page, lambda el: el["tag"] == "button" and el["text"] == "Search")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "age=67" in page.url and "access=step_free" in page.url
    assert page.locator(".shire-results__item h3 a").all_inner_texts() == ["Walking football"]


def test_search_page_results_and_service_page_pass_axe(page, live_server, directory):
    page.goto(live_server.url + "/directory/")
    assert_accessible(page)

    page.goto(live_server.url + "/directory/?q=walking")
    assert page.locator(".shire-results__item").count() == 4
    assert_accessible(page)
    # The map, opened from the keyboard, passes too.
    tab_until(page, lambda el: el["text"].startswith("Show the results on this page on a map"), limit=60)
    page.keyboard.press("Enter")
    assert page.locator("svg.shire-map").is_visible()
    assert page.locator("svg.shire-map circle").count() == 4
    assert_accessible(page)

    page.goto(live_server.url + "/directory/?age=abc&district=nowhere")
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)

    page.goto(live_server.url + directory.get_absolute_url())
    assert_accessible(page)
    assert page.shire_errors == []


def test_organisation_place_and_report_pages_pass_axe(page, live_server, directory):
    for url in (directory.organization.get_absolute_url(), directory.service_at_locations.get().location.get_absolute_url(),
                f"/directory/report/service/{directory.pk}/", "/directory/organisations/",
                "/directory/neighbourhood-plans/"):
        page.goto(live_server.url + url)
        assert_accessible(page)
    page.goto(live_server.url + f"/directory/report/service/{directory.pk}/")
    page.click("button[type=submit]")
    page.wait_for_selector(".govuk-error-summary")
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    # GOV.UK Frontend moves focus to the error summary, which links to the field.
    assert page.evaluate("() => document.activeElement.classList.contains('govuk-error-summary')")
    page.keyboard.press("Tab")
    assert focused(page)["href"] == "#id_message"


def test_manager_pages_pass_axe(page, live_server, directory):
    from shire.core.tests.browser import sign_in

    user = factories.manager(directory.organization, "cara", trusted=False)
    sign_in(page, live_server.url, user.username, factories.PASSWORD)
    base = f"{live_server.url}/directory/manage/{directory.organization.pk}"
    for url in ("/", "/details/", f"/services/{directory.pk}/change/", "/times/add/", "/places/add/",
                "/contacts/add/", "/phone-numbers/add/", "/history/"):
        page.goto(base + url)
        assert_accessible(page)
    page.goto(base + "/services/add/")
    page.click("form[method=post] button[type=submit]")
    page.wait_for_selector(".govuk-error-summary")
    assert_accessible(page)
