"""Keyboard-only driving of the public answering pages, for the browser journeys.

Everything here moves focus with Tab and Shift+Tab, ticks with Space, chooses radios with the
arrow keys, types with the keyboard and submits with Enter, checking `document.activeElement`
after every key press: no mouse clicks and no `page.fill`. A helper that cannot reach an element
by keyboard fails, naming where focus went.
"""
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from shire.consult import services
from shire.consult.models import Consultation
from shire.core.tests.factories import make_team

FORM = Path(settings.BASE_DIR) / "shire" / "demo" / "forms" / "communities_strategy_2017.xlsx"
SLUG = "communities-strategy-2017"


def make_2017_consultation():
    """The 2017 Communities Strategy questionnaire (the demo XLSForm), attached as an officer would, and published."""
    today = timezone.localdate()
    consultation = Consultation.objects.create(
        slug=SLUG,
        title="Communities Strategy 2017",
        summary="How the County Council proposes to work with communities in the coming years.",
        opens_on=today - timedelta(days=7),
        closes_on=today + timedelta(days=60),
        contact_name="Communities Team",
        contact_email="communities@example.gov.uk",
        team=make_team(),
    )
    services.attach_questionnaire(consultation, FORM.read_bytes(), FORM.name)
    services.publish(consultation, None)
    return consultation


# --- where focus is -------------------------------------------------------------------------

_DESCRIBE = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return {tag: "body"};
    return {
        tag: el.tagName.toLowerCase(), id: el.id || null, name: el.getAttribute("name"),
        type: el.getAttribute("type"), value: "value" in el ? el.value : null,
        checked: "checked" in el ? el.checked : null,
        text: (el.innerText || el.textContent || "").replace(/\\s+/g, " ").trim().slice(0, 100),
    };
}"""

# True when the focused element matches `selector` and (if given) its text is `text`; otherwise
# a description of the focused element (one round trip a key press).
_MATCHES = """([selector, text]) => {
    const el = document.activeElement;
    if (el && el !== document.body && el.matches(selector)
        && (text === null || (el.innerText || el.textContent || "").replace(/\\s+/g, " ").trim() === text)) return true;
    return (%s)();
}""" % _DESCRIBE

# -1 when the target comes before the focused element in the document, 1 when after or when
# nothing is focused: which way to Tab. The target itself must exist.
_DIRECTION = """([selector, text]) => {
    const all = Array.from(document.querySelectorAll(selector)).filter(
        (el) => text === null || (el.innerText || el.textContent || "").replace(/\\s+/g, " ").trim() === text);
    if (!all.length) return 0;
    const el = document.activeElement;
    if (!el || el === document.body) return 1;
    if (all.includes(el)) return 1;
    return (all[0].compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) ? -1 : 1;
}"""


def focused(page):
    return page.evaluate(_DESCRIBE)


def is_focused(page, selector, text=None):
    return page.evaluate(_MATCHES, [selector, text]) is True


def tab_to(page, selector, *, text=None, limit=80):
    """Presses Tab (or Shift+Tab when the element is further up) until the element is focused."""
    if is_focused(page, selector, text):
        return
    direction = page.evaluate(_DIRECTION, [selector, text])
    if direction == 0:
        raise AssertionError(f"{page.url}: nothing on the page matches {selector!r} with text {text!r}")
    key = "Tab" if direction > 0 else "Shift+Tab"
    stops = []
    for _ in range(limit):
        page.keyboard.press(key)
        stop = page.evaluate(_MATCHES, [selector, text])
        if stop is True:
            return
        stops.append(stop)
    raise AssertionError(f"{page.url}: {limit} presses of {key} never reached {selector!r} {text or ''}; went to {stops}")


def expect_focus(page, selector, text=None):
    assert is_focused(page, selector, text), f"expected focus on {selector!r} {text or ''}, it is on {focused(page)}"


# --- answering ------------------------------------------------------------------------------

def choose(page, name, value):
    """A radio answer: Tab into the group, then arrow keys (which select) until `value` is chosen."""
    tab_to(page, f"input[type=radio][name='{name}']")
    count = page.locator(f"input[type=radio][name='{name}']").count()
    for _ in range(count):
        if focused(page)["value"] == value:
            break
        page.keyboard.press("ArrowRight")
        expect_focus(page, f"input[type=radio][name='{name}']")
    state = focused(page)
    assert state["value"] == value, f"arrow keys never reached {name}={value}: {state}"
    if not state["checked"]:  # the group's first radio, focused by Tab but not yet chosen
        page.keyboard.press("Space")
    assert page.locator(f"input[name='{name}'][value='{value}']").is_checked(), f"{name}={value} is not chosen"


def tick(page, name, value, *, on=True):
    """Tabs to a checkbox and presses Space to tick it (or untick it, with on=False)."""
    selector = f"input[type=checkbox][name='{name}'][value='{value}']"
    tab_to(page, selector)
    assert page.locator(selector).is_checked() != on, f"{name}={value} is already {'ticked' if on else 'unticked'}"
    page.keyboard.press("Space")
    assert page.locator(selector).is_checked() == on


def type_into(page, name, text):
    """Tabs to a text field and types; a new line in `text` is typed with Enter (in a textarea)."""
    tab_to(page, f"textarea[name='{name}'], input[name='{name}']")
    assert focused(page)["value"] == "", f"{name} is not empty: {focused(page)}"
    for number, line in enumerate(text.split("\n")):
        if number:
            page.keyboard.press("Enter")
        page.keyboard.type(line)
    assert focused(page)["value"] == text


def press_button(page, selector, text=None):
    """Tabs to a button or link and presses Enter, waiting for the page it leads to."""
    tab_to(page, selector, text=text)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()


def continue_(page):
    press_button(page, "button[name=action][value=continue]")


def save_for_later(page):
    press_button(page, "button[name=action][value=save]")


def rank_with_move_up(page, order):
    """The enhanced rank list: puts the entries in `order` (labels) with the Move up buttons.

    For each place from the top, Tab to the Move up button of the entry that belongs there and
    press Enter until it gets there (focus stays on the button that was pressed).
    """
    for place, label in enumerate(order):
        labels = page.locator(".shire-rank__entry-label").all_inner_texts()
        now = labels.index(label)
        if now == place:
            continue
        tab_to(page, "button[data-move='-1']", text=f"Move up {label}")
        for _ in range(now - place):
            page.keyboard.press("Enter")
        assert page.locator(".shire-rank__entry-label").all_inner_texts()[place] == label
        announced = page.locator(".shire-rank [aria-live]").inner_text()
        assert announced == f"{label} is now number {place + 1} of {len(labels)}.", announced
    assert page.locator(".shire-rank__entry-label").all_inner_texts() == list(order)


def move_down(page, label, times):
    """Tabs to an entry's Move down button and presses Space `times` times."""
    tab_to(page, "button[data-move='1']", text=f"Move down {label}")
    for _ in range(times):
        page.keyboard.press("Space")
