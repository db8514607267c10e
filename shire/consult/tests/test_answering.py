"""Answering a consultation through the public pages, and an officer's preview of them."""
import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from shire.consult.models import Consultation, Draft, Response
from shire.core.tests.browser import assert_accessible
from shire.core.tests.factories import make_officer, make_team

from .answering_helpers import (
    INDIVIDUAL_ANSWERS,
    INDIVIDUAL_PAGES,
    answer_pages,
    make_consultation,
    page_url,
)

pytestmark = pytest.mark.django_db


def html(response):
    return response.content.decode()


def check_url(consultation, preview=False):
    return f"/consultations/{consultation.slug}/{'preview/' if preview else ''}check-your-answers/"


# --- the list and the consultation page -----------------------------------------------------

def test_list_shows_published_consultations_in_open_upcoming_and_closed_sections(client):
    make_consultation("open-one", title="Open one")
    make_consultation("soon-one", title="Soon one", opens_in_days=5, closes_in_days=40)
    make_consultation("past-one", title="Past one", opens_in_days=-60, closes_in_days=-1)
    make_consultation("secret-one", title="Secret one", status=Consultation.Status.DRAFT)
    page = html(client.get("/consultations/"))
    open_at, upcoming_at, closed_at = (page.index(f'id="{s}"') for s in ("open", "upcoming", "closed"))
    assert open_at < page.index("Open one") < upcoming_at < page.index("Soon one") < closed_at < page.index("Past one")
    assert "Secret one" not in page


def test_consultation_page_shows_details_and_start_button_when_open(client):
    consultation = make_consultation()
    page = html(client.get(f"/consultations/{consultation.slug}/"))
    assert consultation.title in page
    assert "How the council proposes to work with communities." in page
    assert "communities@example.gov.uk" in page
    assert "Start now" in page
    assert f'href="/consultations/{consultation.slug}/start/"' in page


def test_closed_consultation_page_says_so_and_has_no_start_button(client):
    consultation = make_consultation(opens_in_days=-60, closes_in_days=-2)
    closed_on = consultation.closes_on
    page = html(client.get(f"/consultations/{consultation.slug}/"))
    assert f"This consultation closed on {closed_on.day} {closed_on:%B %Y}; it no longer accepts responses" in page
    assert "Start now" not in page


def test_draft_consultation_is_not_public(client):
    consultation = make_consultation(status=Consultation.Status.DRAFT)
    assert client.get(f"/consultations/{consultation.slug}/").status_code == 404
    assert client.get(page_url(consultation, 1)).status_code == 404
    assert client.post(page_url(consultation, 1), {"respondent_type": "individual"}).status_code == 404
    assert not Draft.objects.exists()


def test_document_is_served_as_pdf_only_once_published(client):
    consultation = make_consultation()
    consultation.document.save("strategy.pdf", ContentFile(b"%PDF-1.4 test document"), save=True)
    response = client.get(f"/consultations/{consultation.slug}/document/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test document"
    assert "/document/" in html(client.get(f"/consultations/{consultation.slug}/"))

    consultation.status = Consultation.Status.DRAFT
    consultation.save()
    assert client.get(f"/consultations/{consultation.slug}/document/").status_code == 404
    officer = make_officer("doc-officer", team=consultation.team)
    client.force_login(officer)
    assert client.get(f"/consultations/{consultation.slug}/document/").status_code == 200


# --- answering: the whole journey -----------------------------------------------------------

def test_full_journey_stores_exactly_the_cleaned_answers(client):
    consultation = make_consultation()
    response = client.get(f"/consultations/{consultation.slug}/start/")
    assert response.status_code == 302 and response["Location"] == page_url(consultation, 1)

    response = client.get(page_url(consultation, 1))
    assert response.status_code == 200
    assert "Are you responding as an individual or for an organisation?" in html(response)
    assert f'href="/consultations/{consultation.slug}/"' in html(response)  # Back to the consultation

    response = client.post(page_url(consultation, 1), {"respondent_type": "individual", "action": "continue"})
    # Individuals are routed past the organisation page.
    assert response["Location"] == page_url(consultation, 3)
    response = client.post(page_url(consultation, 3), {**INDIVIDUAL_PAGES[3], "action": "continue"})
    assert response["Location"] == page_url(consultation, 4)
    response = client.post(page_url(consultation, 4), {**INDIVIDUAL_PAGES[4], "action": "continue"})
    assert response["Location"] == page_url(consultation, 5)
    response = client.post(page_url(consultation, 5), {**INDIVIDUAL_PAGES[5], "action": "continue"})
    assert response["Location"] == check_url(consultation)

    page = html(client.get(check_url(consultation)))
    assert "Check your answers before sending your response" in page
    for text in ("As an individual", "Strongly agree", "Don&#x27;t know", "1. Have access to the right funding, support and training",
                 "By e-mail", "7 March 2015", "Keep it local."):
        assert text in page
    assert f'href="{page_url(consultation, 5)}?return=check#comments"' in page
    assert "Your organisation" not in page
    assert Response.objects.count() == 0

    response = client.post(check_url(consultation))
    assert response.status_code == 302
    stored = Response.objects.get()
    assert stored.consultation == consultation
    assert stored.answers == INDIVIDUAL_ANSWERS
    assert stored.channel == Response.Channel.ONLINE
    assert not Draft.objects.exists()

    confirmation = client.get(response["Location"])
    page = html(confirmation)
    assert "Response sent" in page and stored.response_id in page
    assert "What happens next" in page
    # The draft cookie is gone: starting again begins a new response.
    assert client.get(f"/consultations/{consultation.slug}/start/")["Location"] == page_url(consultation, 1)


def test_confirmation_page_cannot_be_forged(client):
    consultation = make_consultation()
    assert client.get(f"/consultations/{consultation.slug}/sent/ABCD-EFGH/").status_code == 404


def test_organisation_route_and_back_link_keep_answers(client):
    consultation = make_consultation()
    client.post(page_url(consultation, 1), {"respondent_type": "organisation", "action": "continue"})
    response = client.post(page_url(consultation, 2), {"org_name": "Melton Scouts", "fte_staff": "3", "action": "continue"})
    assert response["Location"] == page_url(consultation, 3)
    page = html(client.get(page_url(consultation, 3)))
    assert f'<a href="{page_url(consultation, 2)}" class="govuk-back-link">Back</a>' in page
    page = html(client.get(page_url(consultation, 2)))
    assert 'value="Melton Scouts"' not in page  # text answers are textareas
    assert ">Melton Scouts</textarea>" in page
    assert 'value="3"' in page
    assert f'<a href="{page_url(consultation, 1)}" class="govuk-back-link">Back</a>' in page
    page = html(client.get(page_url(consultation, 1)))
    assert re.search(r'value="organisation"\s+checked', page)


def test_error_summary_links_to_fields_and_keeps_what_was_typed(client):
    consultation = make_consultation()
    answer_pages(client, consultation, {1: INDIVIDUAL_PAGES[1], 3: INDIVIDUAL_PAGES[3], 4: INDIVIDUAL_PAGES[4]})
    response = client.post(page_url(consultation, 5), {
        "preferred_methods": ["email", "website", "post", "social"],
        "started_volunteering-day": "31", "started_volunteering-month": "2", "started_volunteering-year": "2016",
        "comments": "My carefully typed comment", "action": "continue",
    })
    assert response.status_code == 200
    page = html(response)
    assert "<title>Error: " in page
    assert "There is a problem" in page
    assert '<a href="#preferred_methods">Select up to three methods</a>' in page
    assert '<a href="#started_volunteering-day">The date for “When did you start volunteering?” must be a real date</a>' in page
    assert page.index("Select up to three methods") < page.index("must be a real date")
    assert 'id="preferred_methods-error"' in page
    assert '<div id="preferred_methods-hint" class="govuk-hint">Select up to three</div>' in page
    assert ">My carefully typed comment</textarea>" in page
    assert 'value="31"' in page and 'value="2016"' in page
    for method in ("email", "website", "post", "social"):
        assert re.search(rf'value="{method}"\s+checked', page)
    # Nothing from the failed page was saved.
    draft = Draft.objects.get()
    assert "comments" not in draft.answers and "preferred_methods" not in draft.answers


def test_rank_without_javascript_refuses_duplicate_positions(client):
    consultation = make_consultation()
    answer_pages(client, consultation, {1: INDIVIDUAL_PAGES[1], 3: INDIVIDUAL_PAGES[3]})
    response = client.post(page_url(consultation, 4), {
        "investment_order-position-priorities": "1", "investment_order-position-engage": "1",
        "investment_order-position-funding": "2", "action": "continue",
    })
    assert response.status_code == 200
    page = html(response)
    assert ("Use each position only once for “What is your order of priority for investment in communities?”: "
            "“Understand local priorities” and “Engage actively with local services” are both number 1") in page
    assert 'name="investment_order-position-funding"' in page
    assert re.search(r'<option value="2"\s+selected>2</option>', page)
    assert "shire/rank.js" in page


def test_odd_digits_in_a_ranking_or_a_date_are_refused_not_a_server_error(client):
    consultation = make_consultation()
    answer_pages(client, consultation, {1: INDIVIDUAL_PAGES[1], 3: INDIVIDUAL_PAGES[3]})
    response = client.post(page_url(consultation, 4), {
        "investment_order-position-priorities": "\u00b2", "investment_order-position-engage": "1",
        "investment_order-position-funding": "3", "action": "continue",
    })
    assert response.status_code == 200 and "There is a problem" in html(response)
    answer_pages(client, consultation, {4: INDIVIDUAL_PAGES[4]})
    response = client.post(page_url(consultation, 5), {
        "preferred_methods": ["email"], "started_volunteering-day": "99999999999999",
        "started_volunteering-month": "2", "started_volunteering-year": "2016", "action": "continue",
    })
    assert response.status_code == 200
    assert "The date for “When did you start volunteering?” must be a real date" in html(response)
    assert 'value="99999999999999"' in html(response)


def test_likert_questions_render_as_one_labelled_grid(client):
    consultation = make_consultation()
    answer_pages(client, consultation, {1: INDIVIDUAL_PAGES[1]})
    page = html(client.get(page_url(consultation, 3)))
    assert page.count('<table class="govuk-table shire-likert"') == 1
    assert page.count('scope="col"') == 6
    assert page.count('scope="row"') == 3
    assert ('<span class="govuk-visually-hidden">Helping communities to support vulnerable people: Strongly agree</span>') in page
    # An unanswered row is an error on that row.
    response = client.post(page_url(consultation, 3), {"p_vulnerable": "agree", "p_vcs": "agree", "action": "continue"})
    page = html(response)
    assert '<a href="#p_services">Select an answer for “Helping communities to design and deliver services”</a>' in page
    assert 'aria-describedby="p_services-error"' in page
    assert re.search(r'name="p_vulnerable" type="radio" value="agree"\s+checked', page)


def test_change_link_returns_to_check_answers(client):
    consultation = make_consultation()
    answer_pages(client, consultation, INDIVIDUAL_PAGES)
    response = client.post(page_url(consultation, 5), {**INDIVIDUAL_PAGES[5], "comments": "Changed my mind", "return": "check", "action": "continue"})
    assert response["Location"] == check_url(consultation)
    assert "Changed my mind" in html(client.get(check_url(consultation)))


def test_changing_route_drops_answers_routing_now_skips(client):
    consultation = make_consultation()
    client.post(page_url(consultation, 1), {"respondent_type": "organisation", "action": "continue"})
    answer_pages(client, consultation, {
        2: {"org_name": "Melton Scouts", "fte_staff": "4"},
        3: INDIVIDUAL_PAGES[3], 4: INDIVIDUAL_PAGES[4],
        5: {"preferred_methods": ["post"]},
    })
    # Now say "individual": the organisation answers stay in the draft but are not sent.
    response = client.post(page_url(consultation, 1), {"respondent_type": "individual", "return": "check", "action": "continue"})
    assert response["Location"] == check_url(consultation)
    page = html(client.get(check_url(consultation)))
    assert "Melton Scouts" not in page
    client.post(check_url(consultation))
    answers = Response.objects.get().answers
    assert answers["respondent_type"] == "individual"
    assert "org_name" not in answers and "fte_staff" not in answers
    assert answers["preferred_methods"] == ["post"]


def test_a_question_made_relevant_on_the_same_page_is_shown_before_moving_on(client):
    definition = {
        "form_id": "t", "title": "T", "version": "1",
        "pages": [{"name": "p", "label": "Your view", "hint": None, "relevant": None, "items": [
            {"name": "like", "type": "select_one", "label": "Do you like it?", "required": True, "list_name": "yn",
             "choices": [{"name": "yes", "label": "Yes"}, {"name": "no", "label": "No"}]},
            {"name": "why_not", "type": "text", "label": "Why not?", "required": False, "relevant": "${like} = 'no'"},
        ]}],
    }
    consultation = make_consultation(definition=definition)
    page = html(client.get(page_url(consultation, 1)))
    # Rendered hidden, for consult-relevance.js to reveal; its "shown" marker is not sent while hidden.
    hidden_item = re.search(r'<div class="shire-item" data-relevant="\$\{like\} = &#x27;no&#x27;" hidden>\s*'
                            r'<input type="hidden" name="shown" value="why_not" disabled>', page)
    assert hidden_item
    assert 'src="/static/shire/consult-relevance.js"' in page
    assert '"types": {"like": "select_one", "why_not": "text"}' in page
    # Without JavaScript the browser sends only what was shown: the page comes back with the new question.
    response = client.post(page_url(consultation, 1), {"like": "no", "shown": ["like"], "action": "continue"})
    assert response.status_code == 200
    page = html(response)
    assert "is another question" in page
    assert "There is a problem" not in page
    assert re.search(r'<div class="shire-item" data-relevant="[^"]*" data-keep-shown>\s*'
                     r'<input type="hidden" name="shown" value="why_not">', page)
    response = client.post(page_url(consultation, 1), {"like": "no", "why_not": "Too dear", "shown": ["like", "why_not"], "action": "continue"})
    assert response["Location"] == check_url(consultation)
    client.post(check_url(consultation))
    assert Response.objects.get().answers == {"like": "no", "why_not": "Too dear"}


def test_conditions_on_earlier_answers_are_given_to_the_page_script(client):
    definition = {
        "form_id": "t", "title": "T", "version": "1",
        "pages": [
            {"name": "p1", "label": "Who", "hint": None, "relevant": None, "items": [
                {"name": "kind", "type": "select_one", "label": "Who are you?", "required": True, "list_name": "k",
                 "choices": [{"name": "person", "label": "A person"}, {"name": "org", "label": "An organisation"}]},
                {"name": "secret", "type": "text", "label": "Not referred to", "required": False},
            ]},
            {"name": "p2", "label": "Help", "hint": None, "relevant": None, "items": [
                {"name": "help", "type": "select_one", "label": "Can you help?", "required": True, "list_name": "yn",
                 "choices": [{"name": "yes", "label": "Yes"}, {"name": "no", "label": "No"}]},
                {"name": "how", "type": "text", "label": "How could your organisation help?", "required": True,
                 "relevant": "${kind} = 'org' and ${help} = 'yes'"},
            ]},
        ],
    }
    consultation = make_consultation(definition=definition)
    answer_pages(client, consultation, {1: {"kind": "org", "secret": "my private words"}})
    page = html(client.get(page_url(consultation, 2)))
    assert '"answers": {"kind": "org"}' in page
    assert "my private words" not in page
    response = client.post(page_url(consultation, 2), {"help": "yes", "how": "", "shown": ["help", "how"], "action": "continue"})
    assert "Enter an answer for “How could your organisation help?”" in html(response)


def test_free_text_is_escaped_on_check_answers(client):
    consultation = make_consultation()
    answer_pages(client, consultation, {
        1: INDIVIDUAL_PAGES[1], 3: INDIVIDUAL_PAGES[3], 4: INDIVIDUAL_PAGES[4],
        5: {**INDIVIDUAL_PAGES[5], "comments": '<script>alert("x")</script>'},
    })
    page = html(client.get(check_url(consultation)))
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    page = html(client.get(page_url(consultation, 5)))
    assert '<script>alert("x")</script>' not in page


# --- the server enforces the rules, whatever is posted --------------------------------------

def test_tampered_post_with_four_choices_on_up_to_three_is_refused(client):
    consultation = make_consultation()
    answer_pages(client, consultation, {1: INDIVIDUAL_PAGES[1], 3: INDIVIDUAL_PAGES[3], 4: INDIVIDUAL_PAGES[4]})
    response = client.post(page_url(consultation, 5), {"preferred_methods": ["website", "email", "post", "social"], "action": "continue"})
    assert response.status_code == 200
    assert "Select up to three methods" in html(response)
    # The draft is still incomplete: sending is refused and sends the person back to that page.
    response = client.post(check_url(consultation))
    assert response["Location"] == page_url(consultation, 5) + "?return=check&check=1"
    assert not Response.objects.exists()


def test_tampered_draft_is_cleaned_again_when_sending(client):
    consultation = make_consultation()
    answer_pages(client, consultation, INDIVIDUAL_PAGES)
    draft = Draft.objects.get()
    draft.answers = {**draft.answers, "preferred_methods": ["website", "email", "post", "social"]}
    draft.save()
    response = client.post(check_url(consultation), {"preferred_methods": "website"})
    assert response.status_code == 302
    assert response["Location"].startswith(page_url(consultation, 5))
    assert not Response.objects.exists()
    page = html(client.get(response["Location"]))
    assert "Select up to three methods" in page


def test_answers_for_questions_routing_skipped_are_not_stored(client):
    consultation = make_consultation()
    answer_pages(client, consultation, INDIVIDUAL_PAGES)
    # A crafted POST to the organisation page, which does not apply to individuals.
    response = client.post(page_url(consultation, 2), {"org_name": "Not asked", "fte_staff": "9", "action": "continue"})
    assert response.status_code == 302
    assert "org_name" not in Draft.objects.get().answers
    # And a draft holding one anyway is cleaned when sent.
    draft = Draft.objects.get()
    draft.answers = {**draft.answers, "org_name": "Not asked", "unknown_field": "x"}
    draft.save()
    client.post(check_url(consultation))
    assert Response.objects.get().answers == INDIVIDUAL_ANSWERS


def test_unknown_choice_and_bad_numbers_are_refused(client):
    consultation = make_consultation()
    response = client.post(page_url(consultation, 1), {"respondent_type": "robot", "action": "continue"})
    assert response.status_code == 200
    assert "Select one of the options given" in html(response)
    client.post(page_url(consultation, 1), {"respondent_type": "organisation", "action": "continue"})
    response = client.post(page_url(consultation, 2), {"org_name": "Club", "fte_staff": "-2", "action": "continue"})
    assert "The number of staff cannot be negative" in html(response)
    response = client.post(page_url(consultation, 2), {"org_name": "Club", "fte_staff": "lots", "action": "continue"})
    assert "must be a number" in html(response)
    assert 'value="lots"' in html(response)
    # Numbers the report could not add up are refused, and what was typed is kept.
    response = client.post(page_url(consultation, 2), {"org_name": "Club", "fte_staff": "99999999999999999999999",
                                                       "action": "continue"})
    assert "must be between -1,000,000,000,000 and 1,000,000,000,000" in html(response)
    assert 'value="99999999999999999999999"' in html(response)
    # A comma only ever separates thousands: 1,5 is not read as 15.
    response = client.post(page_url(consultation, 2), {"org_name": "Club", "fte_staff": "1,5", "action": "continue"})
    assert "must be a number" in html(response)
    response = client.post(page_url(consultation, 2), {"org_name": "Club", "fte_staff": "1,500", "action": "continue"})
    assert response.status_code == 302


def test_sending_without_answering_required_questions_is_refused(client):
    consultation = make_consultation()
    client.post(page_url(consultation, 1), {"respondent_type": "individual", "action": "continue"})
    response = client.post(check_url(consultation))
    assert response["Location"] == page_url(consultation, 3) + "?return=check&check=1"
    page = html(client.get(response["Location"]))
    assert "There is a problem" in page
    assert "Select an answer for “Helping communities to support vulnerable people”" in page
    assert not Response.objects.exists()


def test_closed_consultation_refuses_responses(client):
    consultation = make_consultation()
    answer_pages(client, consultation, INDIVIDUAL_PAGES)
    Consultation.objects.filter(pk=consultation.pk).update(closes_on=timezone.localdate() - timedelta(days=1))
    closed_on = timezone.localdate() - timedelta(days=1)
    message = f"This consultation closed on {closed_on.day} {closed_on:%B %Y}; it no longer accepts responses"
    response = client.post(check_url(consultation))
    assert response.status_code == 403
    assert message in html(response)
    response = client.post(page_url(consultation, 1), {"respondent_type": "individual", "action": "continue"})
    assert response.status_code == 403
    assert client.get(f"/consultations/{consultation.slug}/start/").status_code == 403
    assert not Response.objects.exists()


def test_upcoming_consultation_refuses_responses(client):
    consultation = make_consultation(opens_in_days=3, closes_in_days=30)
    response = client.post(page_url(consultation, 1), {"respondent_type": "individual", "action": "continue"})
    assert response.status_code == 403
    assert "does not accept responses yet" in html(response)
    assert not Draft.objects.exists()


def test_unpublished_consultation_refuses_sending(client):
    consultation = make_consultation()
    answer_pages(client, consultation, INDIVIDUAL_PAGES)
    Consultation.objects.filter(pk=consultation.pk).update(status=Consultation.Status.DRAFT)
    assert client.post(check_url(consultation)).status_code == 404
    assert not Response.objects.exists()


# --- preview --------------------------------------------------------------------------------

def test_preview_needs_an_officer_of_the_team(client):
    consultation = make_consultation(status=Consultation.Status.DRAFT)
    url = f"/consultations/{consultation.slug}/preview/"
    response = client.get(url)
    assert response.status_code == 302 and "/staff/sign-in/" in response["Location"]
    assert client.get(page_url(consultation, 1, preview=True)).status_code == 302

    other = make_officer("other-officer", team=make_team("Another Team"))
    client.force_login(other)
    assert client.get(url).status_code == 403
    assert client.get(page_url(consultation, 1, preview=True)).status_code == 403
    assert client.post(page_url(consultation, 1, preview=True), {"respondent_type": "individual"}).status_code == 403
    assert not Draft.objects.exists()


def test_preview_shows_the_questionnaire_of_a_draft_consultation_and_stores_nothing(client):
    consultation = make_consultation(status=Consultation.Status.DRAFT, opens_in_days=20, closes_in_days=60)
    client.force_login(make_officer("team-officer", team=consultation.team))
    page = html(client.get(f"/consultations/{consultation.slug}/preview/"))
    assert "Preview" in page and "Start now" in page
    page = html(client.get(page_url(consultation, 1, preview=True)))
    assert "Preview" in page
    assert "Are you responding as an individual or for an organisation?" in page
    answer_pages(client, consultation, INDIVIDUAL_PAGES, preview=True)
    draft = Draft.objects.get()
    assert draft.is_preview
    assert draft.answers == INDIVIDUAL_ANSWERS
    page = html(client.get(check_url(consultation, preview=True)))
    assert "Check your answers" in page and "Preview" in page
    response = client.post(check_url(consultation, preview=True))
    assert response["Location"] == f"/consultations/{consultation.slug}/preview/sent/"
    assert "Nothing was stored" in html(client.get(response["Location"]))
    assert not Response.objects.exists()
    assert not Draft.objects.exists()


def test_preview_of_a_closed_consultation(client):
    consultation = make_consultation(opens_in_days=-60, closes_in_days=-5)
    client.force_login(make_officer("team-officer", team=consultation.team))
    assert client.get(page_url(consultation, 1)).status_code == 403
    response = client.post(page_url(consultation, 1, preview=True), {"respondent_type": "individual", "action": "continue"})
    assert response["Location"] == page_url(consultation, 3, preview=True)


def test_public_and_preview_drafts_are_kept_apart(client):
    consultation = make_consultation()
    client.force_login(make_officer("team-officer", team=consultation.team))
    client.post(page_url(consultation, 1, preview=True), {"respondent_type": "organisation", "action": "continue"})
    page = html(client.get(page_url(consultation, 1)))
    assert not re.search(r'value="organisation"\s+checked', page)


# --- in a real browser (Debian's Chromium): the scripts, the keyboard and axe ------------------

@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_rank_list_is_keyboard_operable_and_sends_the_same_fields(page, live_server):
    consultation = make_consultation()
    base = live_server.url
    page.goto(base + page_url(consultation, 1))
    page.click("label[for=respondent_type]")
    page.click("button[value=continue]")
    assert_accessible(page)  # the likert grid
    page.click("label[for=p_vulnerable-2]")
    page.click("label[for=p_services]")
    page.click("label[for=p_vcs-6]")
    page.click("button[value=continue]")
    page.wait_for_selector(".shire-rank__list")
    assert_accessible(page)
    assert not page.is_visible("[data-rank-select]")
    # Keyboard only: move "Have access to the right funding…" (third) to the top.
    third_up = page.locator(".shire-rank__entry").nth(2).locator("button[data-move='-1']")
    third_up.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # focus stays on the entry's Move up button until it reaches the top
    assert page.locator(".shire-rank__entry-label").all_inner_texts() == [
        "Have access to the right funding, support and training",
        "Understand local priorities",
        "Engage actively with local services",
    ]
    assert "is now number 1 of 3" in page.locator(".shire-rank [aria-live]").inner_text()
    page.click("button[value=continue]")
    page.wait_for_url(base + page_url(consultation, 5))
    assert Draft.objects.get().answers["investment_order"] == ["funding", "priorities", "engage"]
    assert page.shire_errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_rank_without_javascript_uses_position_selects(make_page, live_server):
    page = make_page(javascript=False)
    consultation = make_consultation()
    page.goto(live_server.url + page_url(consultation, 1))
    page.click("label[for=respondent_type]")
    page.click("button[value=continue]")
    for name, value in INDIVIDUAL_PAGES[3].items():
        page.check(f"input[name={name}][value={value}]", force=True)
    page.click("button[value=continue]")
    page.select_option("#investment_order", "1")
    page.select_option("#investment_order-2", "1")
    page.select_option("#investment_order-3", "2")
    page.click("button[value=continue]")
    assert "are both number 1" in page.locator(".govuk-error-summary").inner_text()
    page.select_option("#investment_order-2", "3")
    page.click("button[value=continue]")
    page.wait_for_url(live_server.url + page_url(consultation, 5))
    assert Draft.objects.get().answers["investment_order"] == ["priorities", "funding", "engage"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_follow_up_question_appears_as_soon_as_it_applies(page, live_server):
    definition = {
        "form_id": "t", "title": "T", "version": "1",
        "pages": [{"name": "p", "label": "Community champions", "hint": None, "relevant": None, "items": [
            {"name": "champions", "type": "select_multiple", "label": "Who are the community champions?", "required": True,
             "list_name": "c", "choices": [{"name": "vicar", "label": "The vicar"}, {"name": "other", "label": "Someone else"}]},
            {"name": "champions_other", "type": "text", "label": "Who else?", "required": True,
             "relevant": "selected(${champions}, 'other')"},
        ]}],
    }
    consultation = make_consultation(definition=definition)
    page.goto(live_server.url + page_url(consultation, 1))
    assert not page.is_visible("#champions_other")
    page.click("label[for=champions-2]")
    assert page.is_visible("#champions_other")
    assert_accessible(page)
    page.click("label[for=champions-2]")
    assert not page.is_visible("#champions_other")
    page.click("label[for=champions-2]")
    page.fill("#champions_other", "The postmistress")
    page.click("button[value=continue]")
    page.wait_for_url(live_server.url + check_url(consultation))
    assert_accessible(page)
    page.click("text=Send my response")
    page.wait_for_selector(".govuk-panel")
    assert_accessible(page)
    assert Response.objects.get().answers == {"champions": ["other"], "champions_other": "The postmistress"}
    assert page.shire_errors == []
