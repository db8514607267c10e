"""The 2017 Communities Strategy questionnaire answered in a real browser, by keyboard alone.

Two whole journeys, from the consultations list to the confirmation page, with JavaScript on:
one as an individual and one for an organisation, each on its own route through the form
(docs/consultations-2017-form.md). Every page of both is checked with axe-core (WCAG 2.2 A and
AA), including error summaries, the save-and-come-back-later page, check your answers and the
confirmation. Then the stored response is compared, answer for answer, with what was chosen.

A third journey has JavaScript switched off: the page-1 routing questions appear after Continue
and the ranking is done with the position selects, a duplicate position being refused.

The helpers in journey_helpers.py move only with Tab/Shift+Tab, tick with Space, choose radios
with the arrow keys, type, and press Enter; they check where focus is after every key.
"""
import re

import pytest
from django.core import mail

from shire.consult import xlsform
from shire.consult.models import Draft, Response
from shire.core.tests.browser import assert_accessible

from .journey_helpers import (
    FORM,
    SLUG,
    choose,
    continue_,
    expect_focus,
    focused,
    make_2017_consultation,
    move_down,
    press_button,
    rank_with_move_up,
    save_for_later,
    tab_to,
    tick,
    type_into,
)


BLOCKS = {
    "priorities": "Understand local priorities",
    "services": "Engage actively with local services",
    "communicate": "Communicate effectively with service providers",
    "councils": "Have active local councils and residents groups",
    "champions": "Nurture a network of community champions",
    "volunteering": "Support formal and informal volunteering",
    "hub": "Operate a wide range of activities from at least one community hub",
    "funding": "Have access to the right funding, support and training",
}

XSS_TEXT = "<script>alert(1)</script> & <b>not bold</b>"
XSS_IMG = '<img src=x onerror="alert(2)">'

# Questions only one route may answer (docs/consultations-2017-form.md, "who is routed to it").
INDIVIDUAL_ONLY = {"q15_vulnerable_individual", "q17_supporting_vulnerable", "q17_delivering_services",
                   "q19_ways_to_assist", "q20_support_needed_individual", "q25_engagement_methods_individual"}
ORGANISATION_ONLY = {"q02_organisation_name", "q03_fte_staff", "q04_works_with_volunteers",
                     "q16_vulnerable_organisation", "q18_supporting_vulnerable", "q18_delivering_services",
                     "q21_support_needed_organisation", "q26_engagement_methods_organisation"}


@pytest.fixture
def consultation(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return make_2017_consultation()


def question_url(base, number):
    return f"{base}/consultations/{SLUG}/questions/{number}/"


def on_question_page(page, base, number):
    """Waits for question page `number`, and checks it with axe as it first appears."""
    page.wait_for_url(question_url(base, number))
    assert_accessible(page)


def watch_dialogs(page):
    """Records (and dismisses) every alert/confirm/prompt: an escaped answer must never raise one."""
    dialogs = []

    def record(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return dialogs


def start_from_the_list(page, base):
    """The consultations list, the consultation page and Start now, by keyboard, with axe on each."""
    page.goto(base + "/consultations/")
    assert_accessible(page)
    press_button(page, f"a[href='/consultations/{SLUG}/']")
    assert page.url == f"{base}/consultations/{SLUG}/"
    assert_accessible(page)
    press_button(page, "a.govuk-button--start")
    page.wait_for_url(question_url(base, 1))
    assert_accessible(page)


def fix_up_to_three(page, base, number, name, ticked, untick):
    """Continue with four ticked: the error summary (focused, checked with axe) keeps the ticks;
    its link takes focus to the question, where one is unticked."""
    continue_(page)
    page.wait_for_url(question_url(base, number))
    summary = page.locator(".govuk-error-summary")
    assert summary.inner_text().count("Choose no more than three methods.") == 1
    assert page.title().startswith("Error: ")
    assert page.locator(f"#{name}-error").is_visible()
    checked = page.locator(f"input[name='{name}']:checked")
    assert sorted(checked.evaluate_all("els => els.map(el => el.value)")) == sorted(ticked)
    # GOV.UK Frontend focuses the summary; its link moves focus to the question's first checkbox.
    expect_focus(page, ".govuk-error-summary")
    assert_accessible(page)
    tab_to(page, f".govuk-error-summary a[href='#{name}']")
    page.keyboard.press("Enter")
    expect_focus(page, f"input#{name}")
    tick(page, name, untick, on=False)


def assert_route(answers, only, never):
    assert only & set(answers), "none of the route's own questions was answered"
    assert not never & set(answers), f"answers stored for questions the route skips: {never & set(answers)}"


def send_and_confirm(page, base):
    """Send my response; the confirmation (checked with axe) shows the reference, which is returned."""
    press_button(page, "button[type=submit]", text="Send my response")
    page.wait_for_url(re.compile(rf"{re.escape(base)}/consultations/{SLUG}/sent/[^/]+/$"))
    assert page.locator("h1.govuk-panel__title").inner_text() == "Response sent"
    assert_accessible(page)
    reference = page.locator(".shire-reference").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", reference), reference
    return reference


# --- an individual --------------------------------------------------------------------------

INDIVIDUAL_RANK = ["funding", "volunteering", "priorities", "hub", "services", "communicate", "champions", "councils"]

INDIVIDUAL_ANSWERS = {
    "q01_respondent_type": ["individual"],
    "q05_priorities_principle": "agree",
    "q06_priority_vulnerable": "strongly_agree",
    "q06_priority_services": "neither",
    "q06_priority_vcs": "dont_know",
    "q07_priorities_comments": XSS_TEXT + "\nKeep it local.",
    "q08_block_priorities": "strongly_agree",
    "q08_block_services": "agree",
    "q08_block_communicate": "neither",
    "q08_block_councils": "disagree",
    "q08_block_champions": "strongly_disagree",
    "q08_block_volunteering": "dont_know",
    "q08_block_hub": "agree",
    "q08_block_funding": "strongly_agree",
    # q09 left blank
    "q10_building_blocks_rank": INDIVIDUAL_RANK,
    "q11_additional_priorities": "yes",
    "q12_additional_priorities_why": "Transport to the hubs.",
    "q13_right_actions": "dont_know",
    # q14 left blank
    "q15_vulnerable_individual": "Older people living alone.",
    "q17_supporting_vulnerable": "fair_amount",
    "q17_delivering_services": "not_at_all",
    "q19_ways_to_assist": ["volunteer", "donate_cash"],
    "q20_support_needed_individual": "A list of local groups.",
    "q22_voluntary_sector_support": ["older_people", "libraries", "other"],
    "q23_preferred_methods": ["lcc_website", "email", "post"],
    "q24_least_preferred_methods": ["social_media"],
    "q25_engagement_methods_individual": ["county_councillor", "parish_council"],
    "q27_community_champions": ["parish_councillors", "publican_shopkeeper"],
    # q28 typed, then "Other" unticked at q27: it no longer applies and is not stored
    "q29_volunteering_barriers": ["lack_of_time", "red_tape"],
    "q30_volunteering_ideas": "Lend equipment.",
    "q31_hubs_council": "Keep libraries open.",
    # q32 left blank
    "q33_general_comments": "Thank you.",
    "q34_sex": "female",
    "q35_age_band": "age_65_74",
    "q36_gender_identity": "prefer_not_to_say",
    "q37_disability": "no",
    "q38_ethnicity": "white",
    "q39_religion": "prefer_not_to_say",
    "q40_sexual_orientation": "heterosexual",
    "q41_district_area": "melton",
}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_individual_answers_the_2017_questionnaire_by_keyboard(page, live_server, consultation):
    base = live_server.url
    dialogs = watch_dialogs(page)
    start_from_the_list(page, base)
    a = INDIVIDUAL_ANSWERS

    # 1. About you. Ticking an organisation type shows Q2-Q4 at once; unticking hides them again,
    # and what was typed in Q2 then is not kept.
    assert not page.locator("#q02_organisation_name").is_visible()
    tick(page, "q01_respondent_type", "voluntary_sector")
    page.locator("#q02_organisation_name").wait_for(state="visible")
    assert_accessible(page)
    type_into(page, "q02_organisation_name", "Typed before changing my mind")
    tick(page, "q01_respondent_type", "voluntary_sector", on=False)
    page.locator("#q02_organisation_name").wait_for(state="hidden")
    tick(page, "q01_respondent_type", "individual")
    continue_(page)

    on_question_page(page, base, 2)
    assert "page 2 of 20" in page.locator(".shire-page-count").inner_text()
    choose(page, "q05_priorities_principle", a["q05_priorities_principle"])
    continue_(page)

    on_question_page(page, base, 3)  # the Q6 grid
    for name in ("q06_priority_vulnerable", "q06_priority_services", "q06_priority_vcs"):
        choose(page, name, a[name])
    continue_(page)

    on_question_page(page, base, 4)
    type_into(page, "q07_priorities_comments", a["q07_priorities_comments"])
    continue_(page)

    on_question_page(page, base, 5)  # the Q8 grid
    for name in [n for n in a if n.startswith("q08_")]:
        choose(page, name, a[name])
    continue_(page)

    on_question_page(page, base, 6)  # Q9 left blank
    continue_(page)

    on_question_page(page, base, 7)  # Q10: the enhanced list, by its Move up buttons
    assert not page.locator("[data-rank-select]").first.is_visible()
    assert page.locator(".shire-rank__status").inner_text() == "You have not put these in order yet."
    rank_with_move_up(page, [BLOCKS[name] for name in INDIVIDUAL_RANK])
    assert page.locator(".shire-rank__status").inner_text().startswith("Your order is shown")
    assert_accessible(page)
    continue_(page)

    # 8. Q11-Q14, then "Save and come back later", ask for the link by e-mail (a wrong address
    # first), and carry on from where the answers stop.
    on_question_page(page, base, 8)
    choose(page, "q11_additional_priorities", a["q11_additional_priorities"])
    type_into(page, "q12_additional_priorities_why", a["q12_additional_priorities_why"])
    choose(page, "q13_right_actions", a["q13_right_actions"])
    save_for_later(page)
    page.wait_for_url(f"{base}/consultations/{SLUG}/save/")
    assert page.locator("h1").inner_text() == "Your answers have been saved"
    assert_accessible(page)
    type_into(page, "email", "not an address")
    press_button(page, "button[type=submit]", text="Send me the link")
    assert page.title().startswith("Error: ")
    expect_focus(page, ".govuk-error-summary")
    assert_accessible(page)
    tab_to(page, ".govuk-error-summary a[href='#email']")
    page.keyboard.press("Enter")
    expect_focus(page, "input#email")
    page.keyboard.press("Control+A")
    page.keyboard.type("resident@example.com")
    page.keyboard.press("Enter")
    page.locator(".govuk-notification-banner--success").wait_for()
    assert_accessible(page)
    assert [message.to for message in mail.outbox] == [["resident@example.com"]]
    assert "Transport to the hubs." in mail.outbox[0].body
    press_button(page, "a.govuk-link", text="Carry on answering now")

    on_question_page(page, base, 9)
    type_into(page, "q15_vulnerable_individual", a["q15_vulnerable_individual"])
    continue_(page)

    on_question_page(page, base, 10)  # the Q17 grid (individuals only)
    choose(page, "q17_supporting_vulnerable", a["q17_supporting_vulnerable"])
    choose(page, "q17_delivering_services", a["q17_delivering_services"])
    continue_(page)

    on_question_page(page, base, 12)  # Q18 (organisations) routed past; Q19
    for value in a["q19_ways_to_assist"]:
        tick(page, "q19_ways_to_assist", value)
    continue_(page)

    on_question_page(page, base, 13)
    assert page.locator("#q21_support_needed_organisation").count() == 0
    type_into(page, "q20_support_needed_individual", a["q20_support_needed_individual"])
    continue_(page)

    on_question_page(page, base, 14)
    for value in a["q22_voluntary_sector_support"]:
        tick(page, "q22_voluntary_sector_support", value)
    continue_(page)

    # 15. "Choose up to three": four ticked is refused, and the ticks are kept.
    on_question_page(page, base, 15)
    four = ["lcc_website", "email", "social_media", "post"]
    for value in four:
        tick(page, "q23_preferred_methods", value)
    for value in a["q24_least_preferred_methods"]:
        tick(page, "q24_least_preferred_methods", value)
    fix_up_to_three(page, base, 15, "q23_preferred_methods", four, "social_media")
    continue_(page)

    on_question_page(page, base, 16)
    assert page.locator("#q26_engagement_methods_organisation").count() == 0
    for value in a["q25_engagement_methods_individual"]:
        tick(page, "q25_engagement_methods_individual", value)
    continue_(page)

    # 17. Q28 appears when "Other" is ticked at Q27 and goes when it is unticked.
    on_question_page(page, base, 17)
    assert not page.locator("#q28_community_champions_other").is_visible()
    tick(page, "q27_community_champions", "other")
    page.locator("#q28_community_champions_other").wait_for(state="visible")
    assert_accessible(page)
    type_into(page, "q28_community_champions_other", "The lollipop man")
    tick(page, "q27_community_champions", "other", on=False)
    page.locator("#q28_community_champions_other").wait_for(state="hidden")
    for value in a["q27_community_champions"]:
        tick(page, "q27_community_champions", value)
    continue_(page)

    on_question_page(page, base, 18)
    for value in a["q29_volunteering_barriers"]:
        tick(page, "q29_volunteering_barriers", value)
    type_into(page, "q30_volunteering_ideas", a["q30_volunteering_ideas"])
    continue_(page)

    on_question_page(page, base, 19)
    type_into(page, "q31_hubs_council", a["q31_hubs_council"])
    continue_(page)

    on_question_page(page, base, 20)
    type_into(page, "q33_general_comments", a["q33_general_comments"])
    continue_(page)

    on_question_page(page, base, 21)  # equality monitoring, "Prefer not to say" among them
    for name in [n for n in a if n >= "q34"]:
        choose(page, name, a[name])
    continue_(page)

    # Check your answers: free text shown as typed, escaped, with its line break.
    page.wait_for_url(f"{base}/consultations/{SLUG}/check-your-answers/")
    assert_accessible(page)
    main = page.locator("main")
    text = main.inner_text()
    assert XSS_TEXT in text and "Keep it local." in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;not bold&lt;/b&gt;<br>Keep it local." in main.inner_html()
    assert main.locator("script, b").count() == 0
    assert "1. Have access to the right funding, support and training" in text
    assert "Typed before changing my mind" not in text and "The lollipop man" not in text
    for label in ("What is the name of your organisation?", "Who else would you identify as community champions?",
                  "Does your organisation work with volunteers?"):
        assert label not in text
    reference = send_and_confirm(page, base)

    stored = Response.objects.get(consultation=consultation)
    assert stored.response_id == reference
    assert stored.answers == INDIVIDUAL_ANSWERS
    assert_route(stored.answers, INDIVIDUAL_ONLY, ORGANISATION_ONLY)
    assert "q28_community_champions_other" not in stored.answers
    assert not Draft.objects.exists()
    assert dialogs == []
    assert page.shire_errors == []


# --- for an organisation --------------------------------------------------------------------

# From the list as shown (the choices' order): "Understand local priorities" down to the bottom,
# then "Communicate effectively…" down one place.
ORGANISATION_RANK = ["services", "councils", "communicate", "champions", "volunteering", "hub", "funding", "priorities"]

ORGANISATION_ANSWERS = {
    "q01_respondent_type": ["voluntary_sector", "community_group"],
    "q02_organisation_name": "Friends of Melton Library",
    "q03_fte_staff": "six_to_ten",
    "q04_works_with_volunteers": "yes",
    "q05_priorities_principle": "strongly_disagree",
    "q06_priority_vulnerable": "agree",
    "q06_priority_services": "agree",
    "q06_priority_vcs": "strongly_agree",
    # q07 left blank
    "q08_block_priorities": "agree",
    "q08_block_services": "neither",
    "q08_block_communicate": "agree",
    "q08_block_councils": "strongly_agree",
    "q08_block_champions": "dont_know",
    "q08_block_volunteering": "strongly_agree",
    "q08_block_hub": "disagree",
    "q08_block_funding": "strongly_agree",
    "q09_building_blocks_comments": "Funding matters most to small groups.",
    "q10_building_blocks_rank": ORGANISATION_RANK,
    "q11_additional_priorities": "no",
    "q13_right_actions": "yes",
    "q14_right_actions_why": "They match what our members say.",
    "q16_vulnerable_organisation": XSS_IMG + " Carers.",
    "q18_supporting_vulnerable": "great_deal",
    "q18_delivering_services": "not_very_much",
    "q21_support_needed_organisation": "Help with DBS checks.",
    "q22_voluntary_sector_support": ["mental_health", "community_transport"],
    "q23_preferred_methods": ["email", "leicestershire_matters"],
    "q24_least_preferred_methods": ["lcc_website", "post", "forums_website"],
    "q26_engagement_methods_organisation": ["forums", "representative_groups"],
    "q27_community_champions": ["dont_know"],
    "q29_volunteering_barriers": ["fear_of_liability"],
    "q31_hubs_council": "Lower the rents.",
    "q32_hubs_communities": "Share the buildings.",
    # q33 left blank
    "q34_sex": "prefer_not_to_say",
    "q41_district_area": "melton",
}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_organisation_answers_the_2017_questionnaire_by_keyboard(page, live_server, consultation):
    base = live_server.url
    dialogs = watch_dialogs(page)
    start_from_the_list(page, base)
    a = ORGANISATION_ANSWERS

    # 1. About you: two organisation types; Q2-Q4 appear and are answered on the same page.
    for value in a["q01_respondent_type"]:
        tick(page, "q01_respondent_type", value)
    page.locator("#q02_organisation_name").wait_for(state="visible")
    assert_accessible(page)
    type_into(page, "q02_organisation_name", a["q02_organisation_name"])
    choose(page, "q03_fte_staff", a["q03_fte_staff"])
    choose(page, "q04_works_with_volunteers", a["q04_works_with_volunteers"])
    continue_(page)

    on_question_page(page, base, 2)
    assert "page 2 of 19" in page.locator(".shire-page-count").inner_text()
    choose(page, "q05_priorities_principle", a["q05_priorities_principle"])
    continue_(page)

    # 3. Back to page 2 by the Back link: the answer is still chosen. Then on to the Q6 grid.
    on_question_page(page, base, 3)
    press_button(page, "a.govuk-back-link", text="Back")
    page.wait_for_url(question_url(base, 2))
    assert page.locator(f"input[name=q05_priorities_principle][value={a['q05_priorities_principle']}]").is_checked()
    continue_(page)
    page.wait_for_url(question_url(base, 3))
    for name in ("q06_priority_vulnerable", "q06_priority_services", "q06_priority_vcs"):
        choose(page, name, a[name])
    continue_(page)

    on_question_page(page, base, 4)  # Q7 left blank
    continue_(page)

    on_question_page(page, base, 5)  # the Q8 grid
    for name in [n for n in a if n.startswith("q08_")]:
        choose(page, name, a[name])
    continue_(page)

    on_question_page(page, base, 6)
    type_into(page, "q09_building_blocks_comments", a["q09_building_blocks_comments"])
    continue_(page)

    on_question_page(page, base, 7)  # Q10 by the Move down buttons
    move_down(page, BLOCKS["priorities"], 7)
    # At the bottom its Move down is disabled, so focus moved to its Move up.
    expect_focus(page, "button[data-move='-1']", text=f"Move up {BLOCKS['priorities']}")
    assert page.locator(".shire-rank [aria-live]").inner_text() == f"{BLOCKS['priorities']} is now number 8 of 8."
    move_down(page, BLOCKS["communicate"], 1)
    assert page.locator(".shire-rank__entry-label").all_inner_texts() == [BLOCKS[n] for n in ORGANISATION_RANK]
    assert_accessible(page)
    continue_(page)

    on_question_page(page, base, 8)
    choose(page, "q11_additional_priorities", a["q11_additional_priorities"])
    choose(page, "q13_right_actions", a["q13_right_actions"])
    type_into(page, "q14_right_actions_why", a["q14_right_actions_why"])
    continue_(page)

    on_question_page(page, base, 9)
    assert page.locator("#q15_vulnerable_individual").count() == 0
    type_into(page, "q16_vulnerable_organisation", a["q16_vulnerable_organisation"])
    continue_(page)

    on_question_page(page, base, 11)  # Q17 (individuals) routed past; the Q18 grid
    choose(page, "q18_supporting_vulnerable", a["q18_supporting_vulnerable"])
    choose(page, "q18_delivering_services", a["q18_delivering_services"])
    continue_(page)

    on_question_page(page, base, 13)  # Q19 (individuals) routed past
    assert page.locator("#q20_support_needed_individual").count() == 0
    type_into(page, "q21_support_needed_organisation", a["q21_support_needed_organisation"])
    continue_(page)

    on_question_page(page, base, 14)
    for value in a["q22_voluntary_sector_support"]:
        tick(page, "q22_voluntary_sector_support", value)
    continue_(page)

    on_question_page(page, base, 15)  # four least preferred methods refused; ticks kept
    for value in a["q23_preferred_methods"]:
        tick(page, "q23_preferred_methods", value)
    four = ["lcc_website", "meetings_events", "post", "forums_website"]
    for value in four:
        tick(page, "q24_least_preferred_methods", value)
    fix_up_to_three(page, base, 15, "q24_least_preferred_methods", four, "meetings_events")
    assert page.locator("input[name=q23_preferred_methods]:checked").count() == 2  # the other answer kept too
    continue_(page)

    on_question_page(page, base, 16)
    assert page.locator("#q25_engagement_methods_individual").count() == 0
    for value in a["q26_engagement_methods_organisation"]:
        tick(page, "q26_engagement_methods_organisation", value)
    continue_(page)

    on_question_page(page, base, 17)
    tick(page, "q27_community_champions", "dont_know")
    continue_(page)

    on_question_page(page, base, 18)
    tick(page, "q29_volunteering_barriers", "fear_of_liability")
    continue_(page)

    on_question_page(page, base, 19)
    type_into(page, "q31_hubs_council", a["q31_hubs_council"])
    type_into(page, "q32_hubs_communities", a["q32_hubs_communities"])
    continue_(page)

    on_question_page(page, base, 20)  # Q33 left blank
    continue_(page)

    on_question_page(page, base, 21)
    choose(page, "q34_sex", a["q34_sex"])
    choose(page, "q41_district_area", a["q41_district_area"])
    continue_(page)

    page.wait_for_url(f"{base}/consultations/{SLUG}/check-your-answers/")
    assert_accessible(page)
    main = page.locator("main")
    assert XSS_IMG + " Carers." in main.inner_text()
    assert main.locator("img").count() == 0
    assert "Friends of Melton Library" in main.inner_text()

    # Whatever the browser sends: answers forged for the individuals' pages are not kept.
    token = page.locator("input[name=csrfmiddlewaretoken]").get_attribute("value")
    for number, data in ((10, {"q17_supporting_vulnerable": "great_deal"}), (12, {"q19_ways_to_assist": "volunteer"})):
        forged = page.request.post(question_url(base, number), form={"csrfmiddlewaretoken": token, "action": "continue", **data})
        assert forged.ok
    assert not INDIVIDUAL_ONLY & set(Draft.objects.get().answers)

    reference = send_and_confirm(page, base)
    stored = Response.objects.get(consultation=consultation)
    assert stored.response_id == reference
    assert stored.answers == ORGANISATION_ANSWERS
    assert_route(stored.answers, ORGANISATION_ONLY, INDIVIDUAL_ONLY)
    assert dialogs == []
    assert page.shire_errors == []


def test_the_journeys_expect_exactly_the_routing_of_the_form():
    """The two journeys' expected answers hold real question names, and the questions each route
    alone is asked are the ones the XLSForm's `relevant` expressions route (for a question, or for
    its page) to individuals or to organisations."""
    definition = xlsform.read_xlsform(FORM.read_bytes(), FORM.name)
    names = {item["name"] for page in definition["pages"] for item in page["items"]}
    routed = {"individual": set(), "organisation": set()}
    for page in definition["pages"]:
        for item in page["items"]:
            expression = item.get("relevant") or page.get("relevant") or ""
            if expression == "selected(${q01_respondent_type}, 'individual')":
                routed["individual"].add(item["name"])
            elif expression.startswith("count-selected(${q01_respondent_type}) > 0 and not("):
                routed["organisation"].add(item["name"])
    assert routed == {"individual": INDIVIDUAL_ONLY, "organisation": ORGANISATION_ONLY}
    assert set(INDIVIDUAL_ANSWERS) <= names and set(ORGANISATION_ANSWERS) <= names
    assert_route(INDIVIDUAL_ANSWERS, INDIVIDUAL_ONLY, ORGANISATION_ONLY)
    assert_route(ORGANISATION_ANSWERS, ORGANISATION_ONLY, INDIVIDUAL_ONLY)
    # Each journey answers every question its route alone is asked (Q2-Q4, Q16, Q18, Q21, Q26 /
    # Q15, Q17, Q19, Q20, Q25), so a wrong route could not pass unnoticed.
    assert INDIVIDUAL_ONLY <= set(INDIVIDUAL_ANSWERS) and ORGANISATION_ONLY <= set(ORGANISATION_ANSWERS)


# --- without JavaScript ---------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_without_javascript_routing_and_ranking_work_by_keyboard(make_page, live_server, consultation):
    page = make_page(javascript=False)
    base = live_server.url
    page.goto(base + "/consultations/")
    press_button(page, f"a[href='/consultations/{SLUG}/']")
    press_button(page, "a.govuk-button--start")
    page.wait_for_url(question_url(base, 1))

    # Q2-Q4 depend on Q1: without the script they appear after Continue, on the same page.
    assert page.locator("#q02_organisation_name").count() == 1 and not page.locator("#q02_organisation_name").is_visible()
    tick(page, "q01_respondent_type", "parish_council")
    continue_(page)
    page.wait_for_url(question_url(base, 1))
    assert "there are more questions to answer on this page" in page.locator(".govuk-inset-text").inner_text()
    assert page.locator("input[name=q01_respondent_type][value=parish_council]").is_checked()
    type_into(page, "q02_organisation_name", "Hoby Parish Meeting")
    choose(page, "q04_works_with_volunteers", "no")
    continue_(page)

    for number in range(2, 7):
        page.wait_for_url(question_url(base, number))
        continue_(page)

    # Q10: a position select for each block. Type-ahead chooses the number; 1 twice is refused.
    page.wait_for_url(question_url(base, 7))
    assert page.locator(".shire-rank__list").count() == 0
    selects = page.locator("select[data-rank-select]")
    assert selects.count() == 8
    positions = ["2", "1", "3", "4", "5", "6", "7", "1"]  # "funding" clashes with "services"
    for index, position in enumerate(positions):
        select_id = selects.nth(index).get_attribute("id")
        tab_to(page, f"select#{select_id}")
        page.keyboard.type(position)
        assert focused(page)["value"] == position
    continue_(page)
    page.wait_for_url(question_url(base, 7))
    summary = page.locator(".govuk-error-summary").inner_text()
    assert f"“{BLOCKS['services']}” and “{BLOCKS['funding']}” are both number 1" in summary
    assert [selects.nth(i).input_value() for i in range(8)] == positions  # kept as chosen
    tab_to(page, "select#q10_building_blocks_rank-8")
    page.keyboard.type("8")
    assert focused(page)["value"] == "8"
    continue_(page)

    for number in (8, 9, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21):
        page.wait_for_url(question_url(base, number))
        continue_(page)

    page.wait_for_url(f"{base}/consultations/{SLUG}/check-your-answers/")
    press_button(page, "button[type=submit]", text="Send my response")
    reference = page.locator(".shire-reference").inner_text()
    assert Response.objects.get().response_id == reference
    assert Response.objects.get().answers == {
        "q01_respondent_type": ["parish_council"],
        "q02_organisation_name": "Hoby Parish Meeting",
        "q04_works_with_volunteers": "no",
        "q10_building_blocks_rank": ["services", "priorities", "communicate", "councils", "champions",
                                     "volunteering", "hub", "funding"],
    }
    # Chromium does not fetch scripts with JavaScript off; everything else arrived.
    assert [e for e in page.shire_errors if not (e.startswith("request failed: ") and e.endswith(".js"))] == []


# --- on a small screen ----------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_question_pages_reflow_at_320_pixels(make_page, live_server, consultation):
    """WCAG 1.4.10: at 320 CSS pixels wide nothing needs sideways scrolling (a Likert grid may
    scroll inside its own box, as a data table); the Move up/down buttons wrap under their entry."""
    page = make_page(viewport={"width": 320, "height": 640})
    base = live_server.url
    page.goto(question_url(base, 1))
    tick(page, "q01_respondent_type", "voluntary_sector")
    page.locator("#q02_organisation_name").wait_for(state="visible")
    for number in (1, 3, 5, 7, 15):
        if number != 1:
            page.goto(question_url(base, number))
        widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"page {number} is {widths[0]}px wide in a {widths[1]}px window"
        assert_accessible(page)
        if number == 7:
            entry = page.locator(".shire-rank__entry").nth(2)
            label, up, down = (entry.locator(part).bounding_box()
                               for part in (".shire-rank__entry-label", "[data-move='-1']", "[data-move='1']"))
            assert up["y"] >= label["y"] + label["height"] - 1 and down["x"] + down["width"] <= 320
