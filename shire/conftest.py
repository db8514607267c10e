"""Fixtures for browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

A browser test asks for `page` (a fresh browser context, so no cookies carry over between
tests) or `make_page` (to choose options such as javascript=False), uses `live_server.url`
for addresses, and is marked `@pytest.mark.browser`:

    @pytest.mark.browser
    def test_home(page, live_server):
        page.goto(live_server.url + "/")
        assert_accessible(page)

Chromium comes from Debian's package (`bash scripts/setup.sh --test` installs it): Playwright's
own browser downloads are not reachable from here.
"""
import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("SHIRE_CHROMIUM", "/usr/bin/chromium"))

# Flags for a headless Chromium on a machine with no network but loopback: without the
# background-networking ones Chromium keeps trying (and failing) to reach Google's servers.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, started so that it never serves uploaded files.

    Django's live server wraps the site in a handler that serves MEDIA_ROOT at MEDIA_URL, which
    would let browser tests fetch uploads past the views that check who may see them. While the
    server starts, MEDIA_URL names another host, which that handler always passes by.
    """
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    address = request.config.getvalue("liveserver") or os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    with override_settings(MEDIA_URL="//uploads-are-not-served.invalid/"):
        server = LiveServer(address)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole test session."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/setup.sh --test` to install Debian's chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an asyncio event loop in this thread, and Django refuses
    # database work in a thread with a running loop unless told it is safe. It is: the test
    # code itself is synchronous and the live server answers from its own thread.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def make_page(browser):
    """Opens pages in fresh browser contexts: make_page(javascript=False) for a browser without JavaScript.

    Every page records in `page.shire_errors` (a list of strings) its JavaScript errors, its
    console errors and any file it asked for (stylesheet, script, image) that did not come,
    so a test can assert that the page loaded and ran cleanly.
    """
    contexts = []

    def make(*, javascript=True, viewport=None, **context_options):
        context = browser.new_context(
            java_script_enabled=javascript,
            viewport=viewport or {"width": 1280, "height": 900},
            locale="en-GB",
            timezone_id="Europe/London",
            **context_options,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.shire_javascript = javascript
        page.shire_errors = []
        page.on("pageerror", lambda error: page.shire_errors.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: page.shire_errors.append(f"console {message.type}: {message.text}")
            if message.type == "error"
            else None,
        )
        page.on(
            "response",
            lambda response: page.shire_errors.append(f"{response.status} for {response.url}")
            if response.status >= 400 and response.request.resource_type != "document"
            else None,
        )
        page.on("requestfailed", lambda request: page.shire_errors.append(f"request failed: {request.url}"))
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(make_page):
    """A page in a fresh browser context with JavaScript on."""
    return make_page()


def pytest_collection_modifyitems(config, items):
    """Run browser tests last, keeping the order within each group.

    Playwright's sync API keeps an asyncio event loop running in the test thread from the
    moment the session's browser starts. Code that calls async_to_sync (Django's AsyncClient,
    async signal receivers) refuses to run in such a thread, so every other test runs first.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
