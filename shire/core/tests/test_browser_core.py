"""The page template, the core pages and staff sign-in, in a real browser (Debian's Chromium)."""
import pytest
from django.conf import settings

from shire.core.tests.browser import assert_accessible, focused, sign_in, tab_until
from shire.core.tests.factories import make_officer

pytestmark = pytest.mark.browser

PUBLIC_PAGES = ["/", "/accessibility/", "/staff/sign-in/"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_core_pages_pass_axe_and_load_cleanly(page, live_server, path):
    response = page.goto(live_server.url + path)
    assert response.status == 200
    assert_accessible(page)
    # The stylesheet, GOV.UK Frontend and shire.js all arrived and ran without errors.
    assert page.shire_errors == []
    assert page.evaluate("() => document.body.classList.contains('govuk-frontend-supported')")
    assert page.locator("[data-module='govuk-skip-link']").get_attribute("data-govuk-skip-link-init") == ""


def test_sign_in_page_with_an_error_passes_axe(page, live_server):
    page.goto(live_server.url + "/staff/sign-in/")
    page.fill("#id_username", "nobody")
    page.fill("#id_password", "not the password")
    page.click("button[type=submit]")
    page.wait_for_selector(".govuk-error-summary")
    assert page.title().startswith("Error: ")
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_staff_home_passes_axe(page, live_server):
    make_officer("officer", password="correct horse battery")
    sign_in(page, live_server.url, "officer", "correct horse battery")
    assert page.url == live_server.url + "/staff/"
    assert_accessible(page)
    # The current section is marked for assistive technology, not only by colour.
    current = page.locator(".govuk-service-navigation__link[aria-current='page']")
    assert current.inner_text() == "Staff pages"


def test_header_names_the_council_with_no_crown_and_a_system_font(page, live_server):
    page.goto(live_server.url + "/")
    header = page.locator("header.govuk-template__header")
    assert header.locator(".govuk-generic-header__homepage-link").inner_text().strip() == settings.COUNCIL_NAME
    # No GOV.UK crown or logotype, in the header or the footer.
    assert page.locator("header svg, footer svg, .govuk-header__logotype, .govuk-footer__crown").count() == 0
    assert page.locator(".govuk-footer__copyright-logo").count() == 0
    font = page.evaluate("() => getComputedStyle(document.querySelector('.govuk-body-l')).fontFamily")
    assert "GDS Transport" not in font
    assert font.lower().startswith("arial")
    assert page.locator("main#main-content h1").inner_text() == settings.SERVICE_NAME


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_skip_link_is_the_first_tab_stop_and_skips_to_main(make_page, live_server, javascript):
    page = make_page(javascript=javascript)
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    first = focused(page)
    assert first["href"] == "#main-content", f"first Tab stop was {first}"
    assert first["text"] == "Skip to main content"
    # Hidden until focused, then on screen.
    box = page.locator(".govuk-skip-link").bounding_box()
    assert box["width"] > 10 and box["height"] > 10
    page.keyboard.press("Enter")
    # Following the link is a same-page navigation, reported to the test a moment later: wait for it.
    page.wait_for_url("**/#main-content", timeout=5000)
    # The next Tab stop is the first link in the main content, past the header and navigation.
    page.keyboard.press("Tab")
    after = focused(page)
    assert after["inMain"], f"after the skip link, Tab went to {after}"
    assert after["text"] == "Have your say in our consultations"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_officer_signs_in_with_the_keyboard_alone(make_page, live_server, javascript):
    make_officer("officer", password="correct horse battery")
    page = make_page(javascript=javascript)
    page.goto(live_server.url + "/")
    # From the home page: Tab to the footer's sign-in link and follow it.
    tab_until(page, lambda el: el["text"] == "Staff sign in")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == live_server.url + "/staff/sign-in/"
    # Tab to the username, type, Tab to the password, type, Enter.
    stops = tab_until(page, lambda el: el["id"] == "id_username")
    assert stops[0]["href"] == "#main-content"
    page.keyboard.type("officer")
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_password"
    page.keyboard.type("correct horse battery")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == live_server.url + "/staff/"
    assert page.locator("main").get_by_text("Signed in as officer").is_visible()
    # Sign out is reachable by keyboard too, and works without JavaScript (it is a form).
    tab_until(page, lambda el: el["text"] == "Sign out")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == live_server.url + "/"  # signed out, back on the home page
    page.goto(live_server.url + "/staff/")
    assert page.url == live_server.url + "/staff/sign-in/?next=/staff/"


@pytest.mark.django_db(transaction=True)
def test_wrong_password_shows_an_error_summary_that_links_to_the_field(page, live_server):
    make_officer("officer", password="correct horse battery")
    page.goto(live_server.url + "/staff/sign-in/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", "wrong password")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    assert "Enter a correct username and password" in summary.inner_text()
    # GOV.UK Frontend moves focus to the summary so screen readers announce it.
    assert page.evaluate("() => document.activeElement.classList.contains('govuk-error-summary')")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "id_username"
    assert page.url.endswith("/staff/sign-in/")
