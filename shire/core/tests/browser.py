"""Helpers for browser tests: accessibility checks with axe-core and signing in like a person.

Use them with the `page` and `live_server` fixtures from shire/conftest.py and mark each
test `@pytest.mark.browser`.
"""
from pathlib import Path

from django.conf import settings

# Built from npm's axe-core by `npm run build` (scripts/setup.sh runs it).
AXE_JS = Path(settings.BASE_DIR) / "shire" / "core" / "static" / "shire" / "axe.min.js"

# WCAG 2.2 level A and AA, the standard public-sector websites must meet, as axe tags it.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def run_axe(page, *, tags=WCAG_TAGS, exclude=None):
    """Runs axe-core on the page as it is now and returns its results (a dict)."""
    if not AXE_JS.exists():
        raise AssertionError(f"{AXE_JS} is missing: run `npm ci && npm run build` (or bash scripts/setup.sh)")
    if getattr(page, "shire_javascript", True) is False:
        # axe-core runs in the page and waits on the page's timers, which never fire there.
        raise AssertionError("axe-core cannot run in a page with JavaScript switched off: check the page with it on")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol rather than added as a <script>, so a
        # Content-Security-Policy that forbids inline scripts does not stop the check.
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    context = {"exclude": exclude} if exclude else None
    return page.evaluate(
        """async ([context, tags]) => {
            const options = { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] };
            return await window.axe.run(context || document, options);
        }""",
        [context, list(tags)],
    )


def format_violations(violations):
    """A readable list: one paragraph a rule, with the elements that break it and how."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation.get('impact') or 'no impact given'}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"  - {target}")
            lines.append(f"    {node['html'][:200]}")
            for summary_line in (node.get("failureSummary") or "").splitlines():
                lines.append(f"    {summary_line.strip()}")
    return "\n".join(lines)


def assert_accessible(page, *, tags=WCAG_TAGS, exclude=None):
    """Fails the test, listing every violation, unless axe finds none at WCAG 2.2 A and AA."""
    results = run_axe(page, tags=tags, exclude=exclude)
    violations = results["violations"]
    if violations:
        raise AssertionError(
            f"{page.url} has {len(violations)} accessibility violation(s) (axe-core {results['testEngine']['version']}):\n"
            + format_violations(violations)
        )
    return results


def focused(page):
    """A short description of the focused element: tag, id, name, href and text."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return {tag: "body"};
            return {
                tag: el.tagName.toLowerCase(), id: el.id || null, name: el.getAttribute("name"),
                href: el.getAttribute("href"), text: (el.innerText || el.value || "").trim().slice(0, 80),
                inMain: !!el.closest("main"),
            };
        }"""
    )


def tab_until(page, predicate, *, limit=30, key="Tab"):
    """Presses Tab until predicate(focused(page)) is true, and returns the Tab stops passed through.

    Fails if `limit` presses don't get there, naming where focus went.
    """
    stops = []
    for _ in range(limit):
        page.keyboard.press(key)
        stop = focused(page)
        stops.append(stop)
        if predicate(stop):
            return stops
    raise AssertionError(f"{limit} presses of {key} never reached the element; focus went to: {stops}")


def sign_in(page, base_url, username, password):
    """Signs in through the staff sign-in page with the keyboard alone, as a person would."""
    page.goto(f"{base_url}/staff/sign-in/")
    tab_until(page, lambda el: el["id"] == "id_username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_password", f"Tab from the username went to {focused(page)}"
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return page
