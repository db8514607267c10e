"""Drafts: unfinished answers kept against a secret in a cookie, and resumed by cookie or e-mailed link."""
import logging
import re
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client
from django.utils import timezone

from shire.consult.models import Consultation, Draft, Response, hash_token
from shire.core.tests.factories import make_officer

from .answering_helpers import INDIVIDUAL_ANSWERS, INDIVIDUAL_PAGES, answer_pages, make_consultation, page_url

pytestmark = pytest.mark.django_db


def html(response):
    return response.content.decode()


def save_url(consultation):
    return f"/consultations/{consultation.slug}/save/"


def draft_cookie(client, consultation):
    return client.cookies[f"shire_draft_{consultation.pk}"]


def test_draft_cookie_is_secret_httponly_lax_and_only_its_hash_is_stored(client):
    consultation = make_consultation()
    answer_pages(client, consultation, {1: INDIVIDUAL_PAGES[1]})
    cookie = draft_cookie(client, consultation)
    token = cookie.value
    assert len(token) >= 40
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) >= 60 * 60 * 24 * 90
    assert cookie["path"] == f"/consultations/{consultation.slug}/"
    draft = Draft.objects.get()
    assert draft.token_hash == hash_token(token)
    assert token not in str(Draft.objects.values().get())
    assert draft.answers == {"respondent_type": "individual"}
    assert not draft.is_preview


def test_no_draft_is_made_by_just_looking(client):
    consultation = make_consultation()
    client.get(f"/consultations/{consultation.slug}/")
    client.get(f"/consultations/{consultation.slug}/start/")
    client.get(page_url(consultation, 1))
    assert not Draft.objects.exists()


def test_coming_back_on_the_same_device_resumes_where_you_left_off(client):
    consultation = make_consultation()
    answer_pages(client, consultation, {1: INDIVIDUAL_PAGES[1], 3: INDIVIDUAL_PAGES[3]})
    page = html(client.get(f"/consultations/{consultation.slug}/"))
    assert "Continue your response" in page
    response = client.get(f"/consultations/{consultation.slug}/start/")
    assert response["Location"] == page_url(consultation, 4)
    page = html(client.get(page_url(consultation, 3)))
    assert re.search(r'name="p_services" type="radio" value="strongly_agree"\s+checked', page)

    # Another device (no cookie) starts afresh.
    other = Client()
    assert other.get(f"/consultations/{consultation.slug}/start/")["Location"] == page_url(consultation, 1)


def test_a_forged_cookie_finds_nothing(client):
    consultation = make_consultation()
    answer_pages(client, consultation, {1: INDIVIDUAL_PAGES[1]})
    other = Client()
    other.cookies[f"shire_draft_{consultation.pk}"] = "not-the-token"
    assert other.get(f"/consultations/{consultation.slug}/start/")["Location"] == page_url(consultation, 1)
    # A draft's hash is no use as a cookie either.
    other.cookies[f"shire_draft_{consultation.pk}"] = Draft.objects.get().token_hash
    assert other.get(f"/consultations/{consultation.slug}/start/")["Location"] == page_url(consultation, 1)


def test_save_and_come_back_later_keeps_valid_answers_from_the_page(client):
    consultation = make_consultation()
    answer_pages(client, consultation, {1: INDIVIDUAL_PAGES[1], 3: INDIVIDUAL_PAGES[3], 4: INDIVIDUAL_PAGES[4]})
    response = client.post(page_url(consultation, 5), {
        "preferred_methods": ["website", "email", "post", "social"],  # too many: not kept
        "comments": "Half way through", "action": "save",
    })
    assert response["Location"] == save_url(consultation)
    answers = Draft.objects.get().answers
    assert answers["comments"] == "Half way through"
    assert "preferred_methods" not in answers
    page = html(client.get(save_url(consultation)))
    assert "Your answers have been saved" in page
    assert "E-mail address" in page


def test_save_page_sends_a_resume_link_and_a_copy_of_the_answers(client, caplog):
    consultation = make_consultation()
    answer_pages(client, consultation, {1: INDIVIDUAL_PAGES[1], 3: INDIVIDUAL_PAGES[3]})
    client.post(page_url(consultation, 4), {"action": "save"})
    draft = Draft.objects.get()
    draft.answers = {**draft.answers, "comments": "First line\nSecond & last line"}
    draft.save()
    token = draft_cookie(client, consultation).value
    with caplog.at_level(logging.DEBUG):
        response = client.post(save_url(consultation), {"email": "resident@example.com"})
    assert response.status_code == 200
    assert "We have sent a link to your saved answers to resident@example.com" in html(response)
    assert "resident@example.com" not in caplog.text

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["resident@example.com"]
    assert consultation.title in message.subject
    link = f"http://testserver/consultations/{consultation.slug}/resume/{token}/"
    assert link in message.body
    # The plain-text copy of the answers so far, in words.
    assert "Are you responding as an individual or for an organisation?\n  As an individual" in message.body
    assert "Helping communities to design and deliver services\n  Strongly agree" in message.body
    assert "Don't know" in message.body  # plain text, not HTML-escaped
    assert "\n  First line\n  Second & last line\n" in message.body
    assert Draft.objects.get().email == "resident@example.com"

    # The link works on another device: it sets the cookie and carries on.
    other = Client()
    response = other.get(f"/consultations/{consultation.slug}/resume/{token}/")
    assert response.status_code == 302
    assert response["Location"] == page_url(consultation, 4)
    assert other.cookies[f"shire_draft_{consultation.pk}"].value == token
    answer_pages(other, consultation, {4: INDIVIDUAL_PAGES[4], 5: INDIVIDUAL_PAGES[5]})
    other.post(f"/consultations/{consultation.slug}/check-your-answers/")
    assert Response.objects.get().answers == INDIVIDUAL_ANSWERS
    assert not Draft.objects.exists()  # and with it the e-mail address

    # Once sent, the link no longer works (a page saying so, not an error that would log the link).
    response = Client().get(f"/consultations/{consultation.slug}/resume/{token}/")
    assert response.status_code == 200
    assert "This link does not work" in html(response)
    assert f"shire_draft_{consultation.pk}" not in response.cookies


class RefusingMailServer(EmailBackend):
    """A mail server that refuses the recipient: smtplib's error quotes the address."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({a: (550, b"mailbox unavailable") for m in messages for a in m.to})


def test_when_the_resume_email_cannot_be_sent_the_page_says_so_and_gives_the_link(client, settings, caplog):
    consultation = make_consultation()
    answer_pages(client, consultation, {1: INDIVIDUAL_PAGES[1], 3: INDIVIDUAL_PAGES[3]})
    token = draft_cookie(client, consultation).value
    answers = Draft.objects.get().answers
    link = f"http://testserver/consultations/{consultation.slug}/resume/{token}/"
    for backend in ("shire.core.testing.MailServerDown", f"{__name__}.RefusingMailServer"):
        settings.MAILERS = {"default": {"BACKEND": backend}}
        with caplog.at_level(logging.DEBUG):
            response = client.post(save_url(consultation), {"email": "resident@example.com"})
        page = html(response)
        # Not an error page: the same page says what happened and gives the link to copy or bookmark.
        assert response.status_code == 200
        assert "We could not send the e-mail just now" in page and "Your answers are still saved" in page
        assert f'href="{link}">{link}</a>' in page
        assert "We have sent a link" not in page
        assert 'value="resident@example.com"' in page  # what they typed, to try again
        # The draft is as it was; the address is kept only once an e-mail has gone.
        assert Draft.objects.get().answers == answers and Draft.objects.get().email == ""
        assert f"Resume link for a draft of consultation {consultation.pk} not e-mailed" in caplog.text
        assert "resident@example.com" not in caplog.text and token not in caplog.text
        caplog.clear()
    assert not mail.outbox

    # With the mail server back, trying again sends it.
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    response = client.post(save_url(consultation), {"email": "resident@example.com"})
    assert "We have sent a link to your saved answers to resident@example.com" in html(response)
    assert "We could not send the e-mail" not in html(response)
    assert [m.to for m in mail.outbox] == [["resident@example.com"]] and link in mail.outbox[0].body
    assert Draft.objects.get().email == "resident@example.com"


def test_save_page_checks_the_email_address(client):
    consultation = make_consultation()
    answer_pages(client, consultation, {1: INDIVIDUAL_PAGES[1]})
    response = client.post(save_url(consultation), {"email": "not an address"})
    page = html(response)
    assert "There is a problem" in page
    assert '<a href="#email">Enter an e-mail address in the correct format, like name@example.com</a>' in page
    assert not mail.outbox
    assert Draft.objects.get().email == ""


def test_save_page_needs_a_draft(client):
    consultation = make_consultation()
    assert client.get(save_url(consultation))["Location"] == f"/consultations/{consultation.slug}/start/"
    client.post(save_url(consultation), {"email": "resident@example.com"})
    assert not mail.outbox


def test_resume_link_for_another_consultation_does_not_work(client):
    first = make_consultation("first")
    second = make_consultation("second")
    answer_pages(client, first, {1: INDIVIDUAL_PAGES[1]})
    token = draft_cookie(client, first).value
    other = Client()
    assert "This link does not work" in html(other.get(f"/consultations/{second.slug}/resume/{token}/"))
    assert other.get(f"/consultations/{second.slug}/start/")["Location"] == page_url(second, 1)


def test_preview_save_sends_no_email(client):
    consultation = make_consultation()
    client.force_login(make_officer("team-officer", team=consultation.team))
    client.post(page_url(consultation, 1, preview=True), {"respondent_type": "individual", "action": "save"})
    assert Draft.objects.get().is_preview
    response = client.post(f"/consultations/{consultation.slug}/preview/save/", {"email": "me@example.gov.uk"})
    assert "In a preview no e-mail is sent" in html(response)
    assert not mail.outbox
    # A preview draft cannot be resumed as a public one.
    token = client.cookies[f"shire_preview_{consultation.pk}"].value
    assert "This link does not work" in html(Client().get(f"/consultations/{consultation.slug}/resume/{token}/"))


def test_resume_link_of_a_closed_consultation_says_it_is_closed(client):
    consultation = make_consultation()
    answer_pages(client, consultation, {1: INDIVIDUAL_PAGES[1]})
    token = draft_cookie(client, consultation).value
    Consultation.objects.filter(pk=consultation.pk).update(closes_on=timezone.localdate() - timedelta(days=1))
    response = Client().get(f"/consultations/{consultation.slug}/resume/{token}/")
    assert "it no longer accepts responses" in html(response)
    assert f"shire_draft_{consultation.pk}" not in response.cookies


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_page_saying_the_resume_email_did_not_go_is_accessible(page, live_server, settings):
    from shire.core.tests.browser import assert_accessible

    consultation = make_consultation()
    base = live_server.url
    page.goto(base + page_url(consultation, 1))
    page.check("input[name=respondent_type][value=individual]")
    page.click("button[value=save]")
    page.wait_for_url(base + save_url(consultation))
    settings.MAILERS = {"default": {"BACKEND": "shire.core.testing.MailServerDown"}}
    page.fill("#email", "resident@example.com")
    page.click("button:has-text('Send me the link')")
    banner = page.locator(".govuk-notification-banner")
    assert "We could not send the e-mail just now" in banner.inner_text()
    assert_accessible(page)
    # The link it gives carries on the draft.
    link = banner.locator("a").get_attribute("href")
    assert link.startswith(f"{base}/consultations/{consultation.slug}/resume/")
    assert page.input_value("#email") == "resident@example.com"
