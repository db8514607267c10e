"""The applicants' journey: account, organisation, members, eligibility, save-and-return, uploads, sending, status."""
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shire.core.models import AuditEvent, OutgoingEmail, User
from shire.core.testing import mail_server_down, run_background_work, with_worker
from shire.core.tests.factories import make_team

from .. import assessment, awards, services
from ..models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    BankDetails,
    EligibilityQuestion,
    Invitation,
    Membership,
    Round,
)
from .factories import (
    PASSWORD,
    district,
    docx_bytes,
    fill_in,
    jpeg_bytes,
    make_applicant,
    make_application,
    make_community_user,
    make_round,
    pdf_bytes,
    png_bytes,
    refuse_mail,
    submit,
    upload,
    xlsx_bytes,
    signed_in,
)

pytestmark = pytest.mark.django_db
S = Application.Status


@pytest.fixture
def round_(team):
    return make_round(team=team)


@pytest.fixture
def applicant():
    return make_applicant()


def eligibility_data(organisation, **overrides):
    data = {"organisation": organisation.pk, "in_leicestershire": "yes", "amount": "2,500"}
    data.update(overrides)
    return data


def form_data(application, **overrides):
    round_ = application.round
    data = {
        "title": "Rural coffee connect",
        "summary": "A pop-up coffee van that visits 20 rural places.",
        "theme": round_.themes().first().pk,
        "amount": "2500",
        "district": district().pk,
    }
    for question in round_.questions.all():
        data[f"q{question.pk}"] = "12" if question.kind == "number" else "Older people living alone"
    data.update(overrides)
    return data


# --- public pages --------------------------------------------------------------------------------


def test_the_public_list_shows_open_rounds_only(round_, team):
    make_round(programme=round_.programme, slug="draft-round", name="Secret draft", status=Round.Status.DRAFT)
    html = Client().get(reverse("grants:index")).content.decode()
    assert "SHIRE Community Grants: 2019-20" in html and "Secret draft" not in html
    assert Client().get(reverse("grants:round", args=["draft-round"])).status_code == 404
    page = Client().get(reverse("grants:round", args=[round_.slug])).content.decode()
    assert "Start now" in page and "£1,000 to £10,000" in page and "Constitution" in page


# --- accounts --------------------------------------------------------------------------------------


def test_someone_creates_a_community_account_and_is_signed_in():
    client = Client()
    response = client.post(reverse("grants:account-create"), {
        "first_name": "Sam", "last_name": "Patel", "email": "Sam@Example.org",
        "password1": "a long enough passphrase", "password2": "a long enough passphrase",
    })
    user = User.objects.get(email="sam@example.org")
    assert user.role == User.Role.COMMUNITY and not user.is_officer and user.username == "sam@example.org"
    assert response.status_code == 302 and response["Location"] == reverse("grants:organisation-create")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/staff/")["Location"] == "/grants/account/"  # a community account is never staff
    assert client.get("/staff/consultations/").status_code == 403


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"password2": "something else entirely"}, "The passwords do not match"),
        ({"password1": "short", "password2": "short"}, "This password is too short"),
        ({"email": "taken@example.org"}, "An account with this e-mail address already exists"),
        ({"email": "not an address"}, "Enter an e-mail address in the correct format"),
        ({"first_name": ""}, "Enter your first name"),
    ],
)
def test_account_form_problems_are_explained(overrides, message):
    make_community_user("taken@example.org")
    data = {"first_name": "Sam", "last_name": "Patel", "email": "sam@example.org",
            "password1": "a long enough passphrase", "password2": "a long enough passphrase"}
    data.update(overrides)
    response = Client().post(reverse("grants:account-create"), data)
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert message in html.replace("&#x27;", "'")
    assert User.objects.count() == 1


def test_applicants_sign_in_on_the_grants_page_and_land_on_their_applications(applicant):
    client = Client()
    response = client.post(reverse("grants:sign-in"), {"username": "member@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("grants:account")


def test_applicant_sign_in_is_locked_after_five_wrong_passwords(applicant):
    client = Client()
    for attempt in range(4):
        response = client.post(reverse("grants:sign-in"), {"username": "member@example.org", "password": f"wrong {attempt}"})
        assert response.status_code == 200 and "Enter a correct username and password" in response.content.decode()
    assert client.post(reverse("grants:sign-in"), {"username": "member@example.org", "password": "wrong 5"}).status_code == 429
    locked = client.post(reverse("grants:sign-in"), {"username": "member@example.org", "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


# --- organisations and members ---------------------------------------------------------------------


def test_a_member_adds_their_organisation_and_becomes_its_lead_contact():
    user = make_community_user()
    client = signed_in(user)
    response = client.post(reverse("grants:organisation-create"), {
        "name": "Gorse Covert Food Bank", "org_type": "charity", "charity_number": "1123456",
        "address": "New Life Community Church\nLoughborough", "postcode": "le11 4xy", "district": district().pk,
    })
    membership = Membership.objects.get(user=user)
    organisation = membership.organisation
    assert membership.role == Membership.Role.LEAD
    assert (organisation.postcode, organisation.charity_number) == ("LE11 4XY", "1123456")
    assert response["Location"] == reverse("grants:organisation", args=[organisation.pk])
    assert AuditEvent.objects.filter(action="grants.organisation.created", actor=user).exists()


def test_organisation_form_problems_are_explained_and_the_typing_kept():
    client = signed_in(make_community_user())
    response = client.post(reverse("grants:organisation-create"), {
        "name": "Typed <name>", "org_type": "charity", "address": "", "postcode": "NOT A POSTCODE",
    })
    html = response.content.decode()
    assert "Enter your registered charity number" in html
    assert "Enter a real postcode" in html and "Enter your organisation&#x27;s address" in html
    assert 'value="Typed &lt;name&gt;"' in html and 'value="charity" checked' in html
    assert not Membership.objects.exists()


def test_a_member_invites_a_second_member_who_joins_with_a_new_account(applicant):
    lead, organisation = applicant
    client = signed_in(lead)
    response = client.post(reverse("grants:organisation-invite", args=[organisation.pk]), {"email": "second@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["second@example.org"]
    link = re.search(r"http://testserver(/grants/invitations/[^/\s]+/)", mail.outbox[0].body).group(1)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert not Invitation.objects.filter(token_hash=token).exists()  # only the hash is kept

    newcomer = Client()
    page = newcomer.get(link)
    assert page.status_code == 200 and "Create an account" in page.content.decode()
    newcomer.post(reverse("grants:account-create") + f"?next={link}", {
        "first_name": "Jo", "last_name": "Second", "email": "second@example.org",
        "password1": "another long passphrase", "password2": "another long passphrase", "next": link,
    })
    joined = newcomer.post(link)
    second = User.objects.get(email="second@example.org")
    assert joined.status_code == 302 and joined["Location"] == reverse("grants:organisation", args=[organisation.pk])
    assert organisation.memberships.filter(user=second, role=Membership.Role.MEMBER).exists()
    assert organisation.members.count() == 2
    # The link works once.
    assert Client().get(link).status_code == 404
    again = signed_in(make_community_user("third@example.org")).post(link)
    assert again.status_code == 404
    assert not organisation.memberships.filter(user__email="third@example.org").exists()


def test_an_expired_invitation_does_not_work(applicant):
    lead, organisation = applicant
    services.invite_member(organisation, "late@example.org", lead, accept_url=lambda token: token)
    token = re.search(r"^(\S{30,})$", mail.outbox[0].body, re.M).group(1)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    late = make_community_user("late@example.org")
    assert signed_in(late).post(reverse("grants:invitation", args=[token])).status_code == 404
    assert not organisation.memberships.filter(user=late).exists()


def test_a_staff_account_cannot_join_an_applicant_organisation(applicant, officer):
    lead, organisation = applicant
    services.invite_member(organisation, "officer@example.gov.uk", lead, accept_url=lambda token: token)
    token = re.search(r"^(\S{30,})$", mail.outbox[0].body, re.M).group(1)
    response = signed_in(officer).post(reverse("grants:invitation", args=[token]))
    assert response.status_code == 403
    assert "Staff accounts cannot join" in response.content.decode()
    assert not organisation.memberships.filter(user=officer).exists()


def test_an_invitation_the_mail_server_refuses_is_not_kept_and_the_page_says_so(applicant, monkeypatch, caplog):
    lead, organisation = applicant
    refuse_mail(monkeypatch)
    response = signed_in(lead).post(reverse("grants:organisation-invite", args=[organisation.pk]), {"email": "second@example.org"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "We could not send the invitation e-mail just now, so nothing was saved" in html
    assert 'value="second@example.org"' in html
    assert not Invitation.objects.exists() and not AuditEvent.objects.filter(action="grants.organisation.invited").exists()
    # Logged without the address smtplib's error carries.
    assert "Invitation to organisation" in caplog.text and "SMTPRecipientsRefused" in caplog.text
    assert "second@example.org" not in caplog.text


def test_inviting_an_existing_member_is_refused(applicant):
    lead, organisation = applicant
    response = signed_in(lead).post(reverse("grants:organisation-invite", args=[organisation.pk]), {"email": "MEMBER@example.org"})
    assert "already a member" in response.content.decode()
    assert not mail.outbox


# --- eligibility ---------------------------------------------------------------------------------


def test_an_eligible_organisation_starts_a_draft_with_its_answers(round_, applicant):
    member, organisation = applicant
    response = signed_in(member).post(reverse("grants:eligibility", args=[round_.slug]), eligibility_data(organisation))
    application = Application.objects.get()
    assert response["Location"] == reverse("grants:application-edit", args=[application.reference])
    assert (application.status, application.organisation, application.created_by) == (S.DRAFT, organisation, member)
    assert application.amount_requested_pence == 250_000
    assert application.eligibility_answers == {"in_leicestershire": True, "amount_pence": 250_000, "questions": {}}


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"org_type": "other"}, "This round is open only to these types of organisation"),
        ({"in_leicestershire": "no"}, "This round funds only projects that benefit people in Leicestershire."),
        ({"amount": "15000"}, "The largest grant this round gives is £10,000."),
        ({"amount": "500"}, "The smallest grant this round gives is £1,000."),
        ({"custom": "no"}, "Only groups that have run for a year may apply."),
    ],
)
def test_ineligible_applicants_are_stopped_with_the_reason_before_writing_anything(round_, applicant, change, reason):
    member, organisation = applicant
    question = EligibilityQuestion.objects.create(
        round=round_, question="Has your group run for a year?", eligible_answer=True, reason="Only groups that have run for a year may apply."
    )
    if "org_type" in change:
        organisation.org_type = change.pop("org_type")
        organisation.save()
    data = eligibility_data(organisation, **{f"q{question.pk}": change.pop("custom", "yes")}, **change)
    response = signed_in(member).post(reverse("grants:eligibility", args=[round_.slug]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "cannot apply to this round" in html and reason in html
    assert not Application.objects.exists()


def test_the_eligibility_check_asks_for_answers(round_, applicant):
    member, organisation = applicant
    response = signed_in(member).post(reverse("grants:eligibility", args=[round_.slug]), {"organisation": organisation.pk, "amount": "lots"})
    html = response.content.decode()
    assert "Select yes if your project will benefit people who live in Leicestershire" in html
    assert "Amount must be an amount in pounds" in html
    assert not Application.objects.exists()


def test_an_organisation_can_send_only_as_many_applications_as_the_round_allows(round_, applicant):
    member, organisation = applicant
    client = signed_in(member)
    client.post(reverse("grants:eligibility", args=[round_.slug]), eligibility_data(organisation))
    second = client.post(reverse("grants:eligibility", args=[round_.slug]), eligibility_data(organisation))
    assert "has already applied" in second.content.decode()
    assert Application.objects.count() == 1


def test_someone_without_an_organisation_is_asked_to_add_one_first(round_):
    client = signed_in(make_community_user())
    response = client.get(reverse("grants:eligibility", args=[round_.slug]))
    assert response["Location"] == reverse("grants:organisation-create") + "?next=" + reverse("grants:eligibility", args=[round_.slug])


def test_a_closed_round_cannot_be_applied_to(round_, applicant):
    member, organisation = applicant
    round_.closes_on = timezone.localdate() - timedelta(days=1)
    round_.save()
    response = signed_in(member).post(reverse("grants:eligibility", args=[round_.slug]), eligibility_data(organisation))
    assert "is not open" in response.content.decode()
    assert not Application.objects.exists()


# --- save and return ---------------------------------------------------------------------------------


def test_save_and_come_back_later_keeps_everything_typed_even_if_wrong(round_, applicant):
    member, organisation = applicant
    application = make_application(round_, organisation, member, filled=False)
    client = signed_in(member)
    question = round_.questions.get(kind="long_text")
    number = round_.questions.get(kind="number")
    data = {"title": "Half <i>done</i>", "summary": "", "amount": "lots of money", f"q{question.pk}": "Some of the answer",
            f"q{number.pk}": "twelve", "later": "1"}
    response = client.post(reverse("grants:application-edit", args=[application.reference]), data)
    assert response["Location"] == reverse("grants:application", args=[application.reference])
    application.refresh_from_db()
    assert application.status == S.DRAFT
    assert application.title == "Half <i>done</i>"
    assert application.answers[question.key] == "Some of the answer" and application.answers[number.key] == "twelve"
    assert application.amount_requested_pence is None and application.answers["_amount_text"] == "lots of money"

    html = client.get(reverse("grants:application-edit", args=[application.reference])).content.decode()
    assert 'value="Half &lt;i&gt;done&lt;/i&gt;"' in html
    assert 'value="lots of money"' in html and 'value="twelve"' in html
    assert ">Some of the answer</textarea>" in html
    assert "There is a problem" not in html  # nothing is checked until it is sent


def test_a_title_too_long_is_kept_whole_and_sending_says_what_is_wrong(round_, applicant):
    member, organisation = applicant
    application = make_application(round_, organisation, member)
    client = signed_in(member)
    title = "A very long project title " * 10  # 260 characters
    client.post(reverse("grants:application-edit", args=[application.reference]),
                form_data(application, title=title, later="1"))
    html = client.get(reverse("grants:application-edit", args=[application.reference])).content.decode()
    assert f'value="{title.strip()}"' in html  # not cut to fit
    response = client.post(reverse("grants:application-check", args=[application.reference]))
    assert "Project title must be 200 characters or fewer" in response.content.decode()
    application.refresh_from_db()
    assert application.status == S.DRAFT and not OutgoingEmail.objects.exists()
    # Shortened, it is sent.
    client.post(reverse("grants:application-edit", args=[application.reference]), form_data(application, later="1"))
    client.post(reverse("grants:application-check", args=[application.reference]))
    application.refresh_from_db()
    assert application.status == S.SUBMITTED and "_title_text" not in application.answers


def test_save_and_continue_goes_to_the_documents(round_, applicant):
    member, organisation = applicant
    application = make_application(round_, organisation, member, filled=False)
    response = signed_in(member).post(reverse("grants:application-edit", args=[application.reference]), form_data(application, **{"continue": "1"}))
    assert response["Location"] == reverse("grants:application-documents", args=[application.reference])
    application.refresh_from_db()
    assert application.amount_requested_pence == 250_000 and application.title == "Rural coffee connect"


def test_sending_an_incomplete_application_lists_what_to_fix_and_changes_nothing(round_, applicant):
    member, organisation = applicant
    application = make_application(round_, organisation, member, filled=False)
    client = signed_in(member)
    question = round_.questions.get(kind="long_text")
    client.post(reverse("grants:application-edit", args=[application.reference]),
                {"title": "Half done", "amount": "99999", f"q{question.pk}": "word " * 51, "later": "1"})
    response = client.post(reverse("grants:application-check", args=[application.reference]))
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    for message in ["Enter a summary of your project", "Select the theme your project fits best",
                    "The amount must be £10,000 or less", "must be 50 words or fewer (you have 51)", "Upload constitution",
                    "Select the district"]:
        assert message in html
    assert f"/grants/applications/{application.reference}/edit/?check=1#id_summary" in html
    application.refresh_from_db()
    assert application.status == S.DRAFT and not application.events.exists() and not OutgoingEmail.objects.exists()

    fix = client.get(reverse("grants:application-edit", args=[application.reference]) + "?check=1").content.decode()
    assert "Enter a summary of your project" in fix and 'value="Half done"' in fix


# --- documents -----------------------------------------------------------------------------------------


def post_file(client, application, name, content):
    document = application.round.required_documents.get()
    return client.post(
        reverse("grants:application-documents", args=[application.reference]),
        {"document": document.pk, "file": upload(name, content)},
    )


def test_a_pdf_is_stored_with_its_name_type_size_and_a_random_file_name(round_, applicant):
    member, organisation = applicant
    application = make_application(round_, organisation, member, filled=False)
    response = post_file(signed_in(member), application, "Our constitution.pdf", pdf_bytes())
    assert response.status_code == 302
    document = ApplicationDocument.objects.get()
    assert (document.name, document.content_type, document.size) == ("Our constitution.pdf", "application/pdf", len(pdf_bytes()))
    stored = Path(settings.MEDIA_ROOT) / document.file.name
    assert stored.read_bytes() == pdf_bytes()
    assert "constitution" not in document.file.name.lower()
    download = signed_in(member).get(reverse("grants:application-document", args=[application.reference, document.pk]))
    assert b"".join(download.streaming_content) == pdf_bytes()
    assert 'attachment; filename="Our constitution.pdf"' in download["Content-Disposition"]


@pytest.mark.parametrize("name, content", [("constitution.docx", docx_bytes()), ("CONSTITUTION.PDF", pdf_bytes())])
def test_allowed_types_are_accepted_by_name_and_content(round_, applicant, name, content):
    member, organisation = applicant
    application = make_application(round_, organisation, member, filled=False)
    assert post_file(signed_in(member), application, name, content).status_code == 302
    assert ApplicationDocument.objects.count() == 1


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("constitution.exe", pdf_bytes(), "The selected file must be a PDF or Word (DOCX)"),
        ("constitution.xlsx", xlsx_bytes(), "The selected file must be a PDF or Word (DOCX)"),
        ("constitution.pdf", b"MZ\x90\x00 this is a program", "is not a real PDF file"),
        ("constitution.pdf", docx_bytes(), "is not a real PDF file"),
        ("constitution.docx", xlsx_bytes(), "is not a real Word (DOCX) file"),
        ("constitution.docx", b"PK\x03\x04 broken zip", "is not a real Word (DOCX) file"),
        ("constitution.pdf", b"%PDF" + b"0" * (1024 * 1024), "The selected file must be smaller than 1MB"),
        ("constitution", pdf_bytes(), "The selected file must be a PDF or Word (DOCX)"),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_message(round_, applicant, name, content, message):
    member, organisation = applicant
    application = make_application(round_, organisation, member, filled=False)
    response = post_file(signed_in(member), application, name, content)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and message in html
    assert f'href="#file-{round_.required_documents.get().pk}"' in html
    assert not ApplicationDocument.objects.exists()
    assert not list((Path(settings.MEDIA_ROOT)).rglob("*.*")) if Path(settings.MEDIA_ROOT).exists() else True


def test_an_empty_file_is_refused(round_, applicant):
    member, organisation = applicant
    application = make_application(round_, organisation, member, filled=False)
    response = post_file(signed_in(member), application, "constitution.pdf", b"")
    assert response.status_code == 200 and "The selected file is empty" in response.content.decode()
    assert not ApplicationDocument.objects.exists()


def test_no_file_chosen_is_refused(round_, applicant):
    member, organisation = applicant
    application = make_application(round_, organisation, member, filled=False)
    document = round_.required_documents.get()
    response = signed_in(member).post(reverse("grants:application-documents", args=[application.reference]), {"document": document.pk})
    assert response.status_code == 200 and "Select a file to upload" in response.content.decode()


def test_images_and_spreadsheets_are_recognised_by_content(round_):
    document = round_.required_documents.get()
    document.allowed_types = ["jpeg", "png", "xlsx"]
    for name, content in [("photo.jpg", jpeg_bytes()), ("photo.jpeg", jpeg_bytes()), ("chart.png", png_bytes()), ("budget.xlsx", xlsx_bytes())]:
        assert services.document_error(document, upload(name, content)) == "", name
    assert "not a real JPEG image" in services.document_error(document, upload("photo.jpg", png_bytes()))
    assert "not a real PNG image" in services.document_error(document, upload("chart.png", jpeg_bytes()))


def test_a_new_upload_replaces_the_old_one_and_a_document_can_be_removed(round_, applicant):
    member, organisation = applicant
    application = make_application(round_, organisation, member, filled=False)
    client = signed_in(member)
    post_file(client, application, "first.pdf", pdf_bytes())
    post_file(client, application, "second.docx", docx_bytes())
    document = ApplicationDocument.objects.get()
    assert document.name == "second.docx"
    client.post(reverse("grants:application-document-remove", args=[application.reference, document.pk]))
    assert not ApplicationDocument.objects.exists()


# --- sending ---------------------------------------------------------------------------------------------


@with_worker
def test_sending_a_complete_application_acknowledges_it_to_every_member(round_, applicant):
    member, organisation = applicant
    second = make_community_user("second@example.org", first_name="Jo")
    Membership.objects.create(organisation=organisation, user=second)
    application = make_application(round_, organisation, member)
    client = signed_in(second)
    response = client.post(reverse("grants:application-check", args=[application.reference]))
    assert response["Location"] == reverse("grants:application-sent", args=[application.reference])
    application.refresh_from_db()
    assert application.status == S.SUBMITTED and application.submitted_at is not None
    event = application.events.get()
    assert (event.from_status, event.to_status, event.actor) == (S.DRAFT, S.SUBMITTED, second)
    assert AuditEvent.objects.filter(action="grants.application.submitted", actor=second, object_id=str(application.pk)).exists()
    # Queued with the sending, one e-mail a member, and sent by the background worker.
    assert sorted(OutgoingEmail.objects.values_list("to", "status")) == [
        ("member@example.org", "queued"), ("second@example.org", "queued")]
    assert not mail.outbox
    sent = client.get(response["Location"]).content.decode()
    assert "Application sent" in sent and application.reference in sent
    assert "We are sending an e-mail to every member of Wigston Lunch Club" in sent
    run_background_work()
    assert sorted(message.to[0] for message in mail.outbox) == ["member@example.org", "second@example.org"]
    body = mail.outbox[0].body
    assert application.reference in body and "£2,500" in body and "Rural coffee connect" in body
    assert f"http://testserver/grants/applications/{application.reference}/" in body
    assert application.reference in mail.outbox[0].subject
    assert set(OutgoingEmail.objects.values_list("status", "about")) == {("sent", f"Acknowledgement of application {application.pk}")}


@with_worker
def test_an_application_is_sent_even_when_the_mail_server_is_down_and_its_acknowledgement_waits(round_, applicant, settings, caplog):
    member, organisation = applicant
    application = make_application(round_, organisation, member)
    mail_server_down(settings)
    client = signed_in(member)
    response = client.post(reverse("grants:application-check", args=[application.reference]))
    assert response["Location"] == reverse("grants:application-sent", args=[application.reference])
    run_background_work()
    application.refresh_from_db()
    assert application.status == S.SUBMITTED and application.events.count() == 1
    email = OutgoingEmail.objects.get()
    assert (email.status, email.attempts, email.error_type) == ("queued", 1, "SMTPServerDisconnected")  # to be tried again
    assert not mail.outbox
    assert f"Acknowledgement of application {application.pk}) not sent" in caplog.text
    assert "member@example.org" not in caplog.text


def test_a_sent_application_cannot_be_changed_or_sent_twice(round_, applicant):
    member, organisation = applicant
    application = submit(make_application(round_, organisation, member), member)
    assert OutgoingEmail.objects.count() == 1  # the acknowledgement
    client = signed_in(member)
    edit = client.post(reverse("grants:application-edit", args=[application.reference]), form_data(application, title="Changed"))
    assert edit.status_code == 302
    assert client.post(reverse("grants:application-check", args=[application.reference])).status_code == 302
    post_file(client, application, "late.pdf", pdf_bytes())
    application.refresh_from_db()
    assert application.title == "Rural coffee connect" and application.events.count() == 1
    assert application.documents.count() == 1 and OutgoingEmail.objects.count() == 1


def test_an_application_cannot_be_sent_after_the_round_closes(round_, applicant):
    member, organisation = applicant
    application = make_application(round_, organisation, member)
    Round.objects.filter(pk=round_.pk).update(closes_on=timezone.localdate() - timedelta(days=1))
    response = signed_in(member).post(reverse("grants:application-check", args=[application.reference]), follow=True)
    assert "applications can no longer be sent" in response.content.decode()
    application.refresh_from_db()
    assert application.status == S.DRAFT and not OutgoingEmail.objects.exists()


# --- following the application; returned for more information -------------------------------------------------


def test_the_status_page_shows_the_timeline_without_private_notes(round_, applicant, officer):
    member, organisation = applicant
    officer.first_name, officer.last_name = "Olive", "Oakley"
    officer.save()
    application = submit(make_application(round_, organisation, member), member)
    services.transition(application, S.IN_ASSESSMENT, officer)
    services.log_event(application, ApplicationEvent.Kind.NOTE, officer, note="PRIVATE: the chair is my neighbour", visible_to_applicant=False)
    html = signed_in(member).get(reverse("grants:application", args=[application.reference])).content.decode()
    assert "Application sent" in html and "Being assessed" in html
    assert "PRIVATE" not in html
    assert "Olive" not in html and "Oakley" not in html  # officers are shown as their team, not by name
    assert "Communities Team" in html


def test_free_text_is_escaped_on_the_status_page(round_, applicant):
    member, organisation = applicant
    application = make_application(round_, organisation, member)
    fill_in(application, member, title="<script>alert(1)</script>")
    html = signed_in(member).get(reverse("grants:application", args=[application.reference])).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@with_worker
def test_a_returned_application_is_changed_and_sent_again(round_, applicant, officer):
    member, organisation = applicant
    application = submit(make_application(round_, organisation, member), member)
    services.transition(application, S.RETURNED, officer, note="Please tell us how many <b>volunteers</b> you have.")
    run_background_work()
    mail.outbox.clear()
    client = signed_in(member)
    status = client.get(reverse("grants:application", args=[application.reference])).content.decode()
    assert "We need more information" in status
    assert "Please tell us how many &lt;b&gt;volunteers&lt;/b&gt; you have." in status

    number = round_.questions.get(kind="number")
    client.post(reverse("grants:application-edit", args=[application.reference]), form_data(application, **{f"q{number.pk}": "8"}))
    response = client.post(reverse("grants:application-check", args=[application.reference]))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.RESUBMITTED and application.answers[number.key] == "8"
    assert list(application.events.values_list("to_status", flat=True)) == [S.SUBMITTED, S.RETURNED, S.RESUBMITTED]
    run_background_work()
    assert len(mail.outbox) == 1 and "resubmitted" in mail.outbox[0].subject
    assert "We have received the information you sent back" in mail.outbox[0].body


def test_the_account_page_lists_the_organisations_applications(round_, applicant):
    member, organisation = applicant
    application = make_application(round_, organisation, member)
    other_member, other_org = make_applicant("other@example.org", "Other group")
    other = make_application(round_, other_org, other_member, filled=False)
    html = signed_in(member).get(reverse("grants:account")).content.decode()
    assert application.reference in html and other.reference not in html
    assert "Wigston Lunch Club" in html and "Other group" not in html


# --- in a browser, with axe-core on every page ------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_whole_journey_in_a_browser_is_accessible(page, live_server, tmp_path):
    from shire.core.tests.browser import assert_accessible

    base = live_server.url
    team = make_team()
    round_ = make_round(team=team)
    district()

    def check(path=None):
        if path:
            page.goto(base + path)
        assert_accessible(page)
        assert not page.shire_errors, page.shire_errors

    check(reverse("grants:index"))
    page.click("text=SHIRE Community Grants: 2019-20")
    check()
    page.click("text=Start now")
    assert "/grants/sign-in/" in page.url
    check()
    page.click("text=Create an account for your organisation")
    page.fill("#id_first_name", "Sam")
    page.fill("#id_last_name", "Patel")
    page.fill("#id_email", "sam@example.org")
    page.fill("#id_password1", "short")
    page.fill("#id_password2", "short")
    page.click("button:has-text('Create account')")
    assert "There is a problem" in page.content()
    check()  # the error summary and field errors too
    page.fill("#id_password1", "a long enough passphrase")
    page.fill("#id_password2", "a long enough passphrase")
    page.click("button:has-text('Create account')")
    assert "/grants/organisations/new/" in page.url
    check()
    page.fill("#id_name", "Gorse Covert Food Bank")
    page.check("text=Voluntary or community group")
    page.fill("#id_address", "1 Gorse Covert\nLoughborough")
    page.fill("#id_postcode", "LE11 4XY")
    page.select_option("#id_district", label="Blaby")
    page.click("button:has-text('Save and continue')")
    assert "/apply/" in page.url
    check()
    page.click("button:has-text('Continue')")
    check()  # errors: nothing answered
    page.check("#id_in_leicestershire_0")
    page.fill("#id_amount", "2500")
    page.click("button:has-text('Continue')")
    assert "/edit/" in page.url
    check()
    page.fill("#id_title", "Food bank manager")
    page.click("button:has-text('Save and come back later')")
    check()  # the status page of a draft
    page.click("text=Continue your application")
    assert page.input_value("#id_title") == "Food bank manager"
    page.click("button:has-text('Save and continue')")
    check()  # documents
    bad = tmp_path / "constitution.pdf"
    bad.write_bytes(b"not a pdf at all")
    page.set_input_files("input[type=file]", str(bad))
    page.click("button:has-text('Upload')")
    assert "is not a real PDF file" in page.content()
    check()
    good = tmp_path / "constitution2.pdf"
    good.write_bytes(pdf_bytes())
    page.set_input_files("input[type=file]", str(good))
    page.click("button:has-text('Upload')")
    page.click("text=Continue")
    check()  # check page
    page.click("button:has-text('Send application')")
    assert "There is a problem" in page.content()
    check()
    page.click("text=Enter a summary of your project")
    assert "?check=1" in page.url
    check()
    page.fill("#id_summary", "A paid manager for the food bank.")
    page.check("text=Disadvantaged young people")
    page.select_option("#id_district", label="Blaby")
    for question in round_.questions.all():
        page.fill(f"#id_q{question.pk}", "12" if question.kind == "number" else "Families in Gorse Covert")
    page.click("button:has-text('Save and continue')")
    page.click("text=Continue")
    page.click("button:has-text('Send application')")
    assert "Application sent" in page.content()
    check()
    page.click("text=Follow your application")
    check()
    application = Application.objects.get()
    assert application.status == S.SUBMITTED
    run_background_work()
    assert [m.to for m in mail.outbox] == [["sam@example.org"]]


# --- forgotten passwords ----------------------------------------------------------------------------------------


def test_an_applicant_resets_a_forgotten_password_by_e_mail(applicant):
    client = Client()
    response = client.post(reverse("grants:password-reset"), {"email": "member@example.org"})
    assert response["Location"] == reverse("grants:password-reset-sent")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["member@example.org"]
    assert "Leicestershire County Council" in mail.outbox[0].body
    link = re.search(r"http://testserver(/grants/account/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    mismatch = client.post(form_page.redirect_chain[-1][0], {"new_password1": "a brand new passphrase", "new_password2": "different one"})
    assert "The passwords do not match" in mismatch.content.decode()
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"})
    assert done["Location"] == reverse("grants:password-reset-complete")
    signed = Client().post(reverse("grants:sign-in"), {"username": "member@example.org", "password": "a brand new passphrase"})
    assert signed.status_code == 302 and signed["Location"] == reverse("grants:account")
    assert "This link does not work" in Client().get(link, follow=True).content.decode()  # used once


@pytest.mark.parametrize("email", ["officer@example.gov.uk", "nobody@example.org"])
def test_no_reset_link_goes_to_staff_or_unknown_addresses_and_the_page_says_the_same(officer, email):
    response = Client().post(reverse("grants:password-reset"), {"email": email}, follow=True)
    assert "Check your e-mail" in response.content.decode()
    assert not mail.outbox


# --- bank details ----------------------------------------------------------------------------------


def test_a_member_gives_the_bank_details_that_officers_pay_into(round_, applicant, officer):
    member, organisation = applicant
    client = signed_in(member)
    url = reverse("grants:organisation-bank-details", args=[organisation.pk])
    bad = client.post(url, {"account_name": "Wigston <b>Lunch</b> Club", "sort_code": "30-99", "account_number": "12ab"})
    html = bad.content.decode()
    assert bad.status_code == 200 and not BankDetails.objects.exists()
    assert "Enter a valid sort code like 30-99-50" in html and "Enter a valid account number like 00733445" in html
    assert 'value="Wigston &lt;b&gt;Lunch&lt;/b&gt; Club"' in html and 'value="30-99"' in html and 'value="12ab"' in html

    response = client.post(url, {"account_name": "Wigston Lunch Club", "sort_code": "30 99 50", "account_number": "733445"})
    assert response["Location"] == reverse("grants:organisation", args=[organisation.pk])
    details = BankDetails.objects.get(organisation=organisation)
    assert (details.account_name, details.sort_code, details.account_number, details.updated_by) == (
        "Wigston Lunch Club", "30-99-50", "00733445", member)
    entry = AuditEvent.objects.get(action="grants.organisation.bank_details_added")
    assert entry.actor == member and "733445" not in str(entry.detail) and "30-99-50" not in str(entry.detail)
    page = client.get(reverse("grants:organisation", args=[organisation.pk])).content.decode()
    assert "account ending 3445" in page and "00733445" not in page  # never shown in full again
    client.post(url, {"account_name": "Wigston Lunch Club", "sort_code": "309950", "account_number": "12345678"})
    assert BankDetails.objects.get().account_number == "12345678"
    assert AuditEvent.objects.filter(action="grants.organisation.bank_details_changed").count() == 1

    # The programme's officers see them where they mark payments.
    application = make_application(round_, organisation, member)
    submit(application, member)
    assessment.start_assessment(application, officer)
    awards.decide(application, officer, "award", "Good.")
    award_page = signed_in(officer).get(reverse("grants:grants_officer:award", args=[application.reference])).content.decode()
    assert "12345678" in award_page and "30-99-50" in award_page

