"""The officers' consultation pages: creating, editing, the questionnaire, publishing, responses."""
import copy
import html
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shire.consult import xlsform
from shire.consult.models import Consultation, Questionnaire, Response
from shire.core.models import AuditEvent
from shire.core.tests.factories import make_officer, make_team

from .xlsform_helpers import VALID_CHOICES, VALID_SETTINGS, VALID_SURVEY, make_xlsform, survey_rows

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
LONDON = ZoneInfo("Europe/London")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

# A small questionnaire definition in the shape docs/consultations.md describes.
DEFINITION = {
    "form_id": "libraries_2026",
    "title": "Libraries consultation",
    "version": "2026-01",
    "pages": [
        {
            "name": "about_you",
            "label": "About you",
            "hint": None,
            "relevant": None,
            "items": [
                {"name": "intro", "type": "note", "label": "Tell us a little about you.", "row": 3},
                {
                    "name": "respondent_type",
                    "type": "select_one",
                    "label": "Are you responding as an individual or for an organisation?",
                    "list_name": "respondent_types",
                    "choices": [
                        {"name": "individual", "label": "As an individual"},
                        {"name": "organisation", "label": "For an organisation"},
                    ],
                    "row": 4,
                },
                {"name": "age", "type": "integer", "label": "How old are you?", "row": 5},
            ],
        },
        {
            "name": "your_views",
            "label": "Your views",
            "hint": None,
            "relevant": None,
            "items": [
                {
                    "name": "services",
                    "type": "select_multiple",
                    "label": "Which services do you use?",
                    "list_name": "services",
                    "choices": [
                        {"name": "books", "label": "Borrowing books"},
                        {"name": "computers", "label": "Public computers"},
                        {"name": "events", "label": "Events and groups"},
                    ],
                    "row": 8,
                },
                {
                    "name": "priorities",
                    "type": "rank",
                    "label": "Rank these priorities",
                    "list_name": "priorities",
                    "choices": [
                        {"name": "hours", "label": "Longer opening hours"},
                        {"name": "stock", "label": "More books"},
                        {"name": "digital", "label": "Digital skills help"},
                    ],
                    "row": 9,
                },
                {"name": "comments", "type": "text", "label": "Anything else?", "row": 10},
                {"name": "last_visit", "type": "date", "label": "When did you last visit?", "row": 11},
                {"name": "spend", "type": "decimal", "label": "How much do you spend on fines a year?", "row": 12},
            ],
        },
    ],
}
QUESTION_NAMES = ["respondent_type", "age", "services", "priorities", "comments", "last_visit", "spend"]


# -- builders shared by the consultation tests ------------------------------------------------


def make_consultation(team, slug="libraries-2026", *, questionnaire=True, document=False, **fields):
    values = dict(
        slug=slug,
        title="Libraries consultation",
        summary="Tell us how you use your library.",
        opens_on=date(2026, 3, 1),
        closes_on=date(2026, 5, 31),
        contact_name="Communities Team",
        contact_email="communities@example.gov.uk",
        team=team,
    )
    values.update(fields)
    consultation = Consultation.objects.create(**values)
    if document:
        consultation.document.save("libraries.pdf", ContentFile(PDF))
    if questionnaire:
        q = Questionnaire(
            consultation=consultation,
            title=DEFINITION["title"],
            form_id=DEFINITION["form_id"],
            version=DEFINITION["version"],
            definition=copy.deepcopy(DEFINITION),
            source_name="libraries.xlsx",
        )
        q.source_file.save("libraries.xlsx", ContentFile(b"PK\x03\x04 not really a workbook"), save=False)
        q.save()
    return consultation


def make_response(consultation, response_id, answers, submitted_at=None, channel=Response.Channel.ONLINE):
    return Response.objects.create(
        consultation=consultation,
        response_id=response_id,
        answers=answers,
        channel=channel,
        submitted_at=submitted_at or timezone.now(),
    )


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def form_data(team, **changes):
    data = {
        "title": "Libraries strategy 2026",
        "slug": "",
        "summary": "We want to know how you use libraries.",
        "opens_on_day": "1",
        "opens_on_month": "3",
        "opens_on_year": "2026",
        "closes_on_day": "31",
        "closes_on_month": "5",
        "closes_on_year": "2026",
        "contact_name": "Communities Team",
        "contact_email": "communities@example.gov.uk",
        "contact_phone": "0116 232 3232",
        "team": str(team.pk),
    }
    data.update(changes)
    return data


def pdf_upload(name="strategy.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def error_summary(response):
    """The messages listed in the page's GOV.UK error summary, as text."""
    page = response.content.decode()
    match = re.search(r'<div class="govuk-error-summary".*?<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', page, re.S)
    if not match:
        return []
    return [html.unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)]


@pytest.fixture
def team():
    return make_team("Communities Team")


@pytest.fixture
def officer(team):
    return make_officer("olive", team=team)


@pytest.fixture
def client(officer):
    return signed_in(officer)


# -- creating a consultation ------------------------------------------------------------------


def test_create_page_offers_only_the_officers_teams(client, officer):
    make_team("Highways")
    second = make_team("Libraries Team")
    second.members.add(officer)
    page = client.get(reverse("consult_staff:create")).content.decode()
    assert "Communities Team" in page and "Libraries Team" in page
    assert "Highways" not in page
    assert 'name="opens_on_day"' in page and 'name="closes_on_year"' in page
    assert 'enctype="multipart/form-data"' in page


def test_create_with_a_pdf(client, officer, team):
    response = client.post(reverse("consult_staff:create"), {**form_data(team), "document": pdf_upload()})
    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("consult_staff:overview", args=["libraries-strategy-2026"])
    assert consultation.slug == "libraries-strategy-2026"
    assert consultation.title == "Libraries strategy 2026"
    assert consultation.opens_on == date(2026, 3, 1)
    assert consultation.closes_on == date(2026, 5, 31)
    assert consultation.contact_phone == "0116 232 3232"
    assert consultation.team == team
    assert consultation.status == Consultation.Status.DRAFT
    assert consultation.created_by == officer
    with consultation.document.open("rb") as stored:
        assert stored.read() == PDF
    assert consultation.document.name.endswith(".pdf")
    event = AuditEvent.objects.get(action="consultation.created")
    assert event.actor == officer
    assert event.object_id == str(consultation.pk)
    # The officer can read the document back through the staff pages.
    document = client.get(reverse("consult_staff:document", args=[consultation.slug]))
    assert document.status_code == 200
    assert document["Content-Type"] == "application/pdf"
    assert b"".join(document.streaming_content) == PDF


def test_create_without_a_document(client, team):
    response = client.post(reverse("consult_staff:create"), form_data(team))
    assert response.status_code == 302
    assert not Consultation.objects.get().document


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("strategy.docx", PDF),  # PDF content, wrong name
        SimpleUploadedFile("strategy.pdf", b"PK\x03\x04 a Word document renamed"),  # right name, not a PDF
        SimpleUploadedFile("strategy.pdf.exe", PDF),
    ],
    ids=["docx-extension", "not-pdf-content", "exe-extension"],
)
def test_create_refuses_a_file_that_is_not_a_pdf(client, team, upload):
    response = client.post(reverse("consult_staff:create"), {**form_data(team), "document": upload})
    assert response.status_code == 200
    assert error_summary(response) == ["The selected file must be a PDF"]
    assert Consultation.objects.count() == 0
    assert not AuditEvent.objects.exists()


def test_create_refuses_a_pdf_over_20mb(client, team):
    too_big = PDF + b"0" * (20 * 1024 * 1024 + 1 - len(PDF))
    response = client.post(reverse("consult_staff:create"), {**form_data(team), "document": pdf_upload(content=too_big)})
    assert error_summary(response) == ["The selected file must be smaller than 20MB"]
    assert Consultation.objects.count() == 0


def test_create_accepts_a_pdf_of_exactly_20mb(client, team):
    exactly = PDF + b"0" * (20 * 1024 * 1024 - len(PDF))
    response = client.post(reverse("consult_staff:create"), {**form_data(team), "document": pdf_upload(content=exactly)})
    assert response.status_code == 302
    assert Consultation.objects.get().document.size == 20 * 1024 * 1024


@pytest.mark.parametrize(
    "changes, message, boxes_in_error",
    [
        ({"opens_on_day": "", "opens_on_month": "", "opens_on_year": ""}, "Enter the opening date", ["day", "month", "year"]),
        ({"opens_on_month": ""}, "Opening date must include a month", ["month"]),
        ({"opens_on_day": "", "opens_on_year": ""}, "Opening date must include a day and year", ["day", "year"]),
        ({"opens_on_day": "31", "opens_on_month": "2"}, "Opening date must be a real date", ["day", "month", "year"]),
        ({"opens_on_month": "13"}, "Opening date must be a real date", ["day", "month", "year"]),
        ({"opens_on_day": "first"}, "Opening date must be a real date", ["day", "month", "year"]),
        ({"opens_on_year": "26"}, "Year must include 4 numbers", ["year"]),
    ],
)
def test_opening_date_is_checked(client, team, changes, message, boxes_in_error):
    response = client.post(reverse("consult_staff:create"), form_data(team, **changes))
    assert error_summary(response) == [message]
    page = response.content.decode()
    marked = re.findall(r'govuk-input--error" id="id_opens_on_(\w+)"', page)
    assert marked == boxes_in_error
    # The summary links to the first box in error.
    assert f'href="#id_opens_on_{boxes_in_error[0]}"' in page
    assert Consultation.objects.count() == 0


def test_closing_date_must_not_be_before_opening_date(client, team):
    response = client.post(reverse("consult_staff:create"), form_data(team, closes_on_day="28", closes_on_month="2"))
    assert error_summary(response) == ["Closing date must be the same as or after the opening date"]
    assert Consultation.objects.count() == 0


def test_closing_on_the_opening_day_is_allowed(client, team):
    response = client.post(reverse("consult_staff:create"), form_data(team, closes_on_day="1", closes_on_month="3"))
    assert response.status_code == 302
    consultation = Consultation.objects.get()
    assert consultation.opens_on == consultation.closes_on == date(2026, 3, 1)


def test_a_failed_submission_keeps_what_was_typed(client, team):
    data = form_data(
        team,
        title="Parks & open spaces <review>",
        summary="Line one\nLine two",
        closes_on_day="31",
        closes_on_month="2",  # no such date
        contact_email="not an address",
    )
    response = client.post(reverse("consult_staff:create"), {**data, "document": pdf_upload()})
    page = response.content.decode()
    assert error_summary(response) == [
        "Closing date must be a real date",
        "Enter an e-mail address in the correct format, like name@example.gov.uk",
    ]
    assert 'value="Parks &amp; open spaces &lt;review&gt;"' in page
    assert ">Line one\nLine two</textarea>" in page
    assert 'id="id_closes_on_day" name="closes_on_day" type="text" inputmode="numeric" value="31"' in page
    assert 'id="id_closes_on_month" name="closes_on_month" type="text" inputmode="numeric" value="2"' in page
    assert 'value="not an address"' in page
    assert 'value="0116 232 3232"' in page
    assert f'<option value="{team.pk}" selected>' in page
    # A file cannot be kept by the browser: the page says which one to choose again.
    assert "You chose strategy.pdf" in page
    assert page.count("<title>Error: ") == 1


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"title": ""}, "Enter a title"),
        ({"summary": ""}, "Enter a summary"),
        ({"contact_name": ""}, "Enter who to contact"),
        ({"contact_email": ""}, "Enter the contact e-mail address"),
        ({"contact_phone": "call me"}, "Enter a telephone number, like 0116 232 3232 or +44 116 232 3232"),
        ({"slug": "Not a slug!"}, "Web address must only include lower case letters, numbers and hyphens"),
        ({"slug": "new"}, "Web address “new” is the address of another page; choose another"),
    ],
)
def test_required_and_checked_fields(client, team, changes, message):
    response = client.post(reverse("consult_staff:create"), form_data(team, **changes))
    assert error_summary(response) == [message]
    assert Consultation.objects.count() == 0


def test_slug_is_made_from_the_title_and_kept_unique(client, team):
    make_consultation(team, slug="libraries-archives-2026", questionnaire=False)
    response = client.post(reverse("consult_staff:create"), form_data(team, title="Libraries & Archives: 2026!"))
    assert response.status_code == 302
    assert Consultation.objects.filter(slug="libraries-archives-2026-2").exists()
    client.post(reverse("consult_staff:create"), form_data(team, title="Libraries & Archives: 2026!"))
    assert Consultation.objects.filter(slug="libraries-archives-2026-3").exists()


def test_a_title_of_new_does_not_take_the_create_address(client, team):
    client.post(reverse("consult_staff:create"), form_data(team, title="New"))
    assert Consultation.objects.get().slug == "new-2"


def test_a_chosen_slug_already_in_use_is_refused(client, team):
    make_consultation(team, slug="taken", questionnaire=False)
    response = client.post(reverse("consult_staff:create"), form_data(team, slug="taken"))
    assert error_summary(response) == ["Another consultation already uses this web address; choose another"]
    assert Consultation.objects.count() == 1


def test_cannot_create_for_a_team_the_officer_is_not_in(client):
    other = make_team("Highways")
    response = client.post(reverse("consult_staff:create"), form_data(other))
    assert error_summary(response) == ["Select one of your teams"]
    assert Consultation.objects.count() == 0


def test_an_officer_in_no_team_is_told_to_ask_an_administrator():
    loner = make_officer("loner")
    client = signed_in(loner)
    page = client.get(reverse("consult_staff:create")).content.decode()
    assert "You are not in a team" in page
    response = client.post(reverse("consult_staff:create"), form_data(make_team("Highways")))
    assert "You are not in a team" in response.content.decode()
    assert Consultation.objects.count() == 0


# -- editing ----------------------------------------------------------------------------------


def test_edit_shows_the_saved_details_and_saves_changes(client, officer, team):
    consultation = make_consultation(team, document=True, contact_phone="0116 111 2222")
    page = client.get(reverse("consult_staff:edit", args=[consultation.slug])).content.decode()
    assert 'value="Libraries consultation"' in page
    assert 'name="closes_on_day" type="text" inputmode="numeric" value="31"' in page
    assert 'name="closes_on_month" type="text" inputmode="numeric" value="5"' in page
    response = client.post(
        reverse("consult_staff:edit", args=[consultation.slug]),
        form_data(team, title="Libraries: have your say", slug="libraries-2026", closes_on_day="30", closes_on_month="6"),
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.title == "Libraries: have your say"
    assert consultation.closes_on == date(2026, 6, 30)
    # No new file chosen: the document already uploaded stays.
    with consultation.document.open("rb") as stored:
        assert stored.read() == PDF
    event = AuditEvent.objects.get(action="consultation.updated")
    assert event.actor == officer
    assert event.detail["fields"] == ["closes_on", "contact_phone", "summary", "title"]


def test_edit_replaces_the_document(client, team):
    consultation = make_consultation(team, document=True)
    old_name = consultation.document.name
    new_pdf = PDF + b"% the second edition\n"
    client.post(
        reverse("consult_staff:edit", args=[consultation.slug]),
        {**form_data(team, slug=consultation.slug), "document": pdf_upload("second.pdf", new_pdf)},
    )
    consultation.refresh_from_db()
    assert consultation.document.name != old_name
    with consultation.document.open("rb") as stored:
        assert stored.read() == new_pdf
    assert not consultation.document.storage.exists(old_name)


def test_a_failed_edit_keeps_the_typing_but_not_the_change(client, team):
    consultation = make_consultation(team)
    response = client.post(
        reverse("consult_staff:edit", args=[consultation.slug]),
        form_data(team, title="Renamed", slug="renamed", opens_on_year="20"),
    )
    page = response.content.decode()
    assert error_summary(response) == ["Year must include 4 numbers"]
    assert 'value="Renamed"' in page
    # Links on the page still point at the saved consultation.
    assert reverse("consult_staff:overview", args=["libraries-2026"]) in page
    consultation.refresh_from_db()
    assert consultation.title == "Libraries consultation"


def test_a_published_consultation_keeps_its_web_address(client, team):
    consultation = make_consultation(team, status=Consultation.Status.PUBLISHED)
    page = client.get(reverse("consult_staff:edit", args=[consultation.slug])).content.decode()
    assert re.search(r'name="slug"[^>]*disabled', page)
    client.post(reverse("consult_staff:edit", args=[consultation.slug]), form_data(team, slug="somewhere-else", title="Still here"))
    consultation.refresh_from_db()
    assert consultation.slug == "libraries-2026"
    assert consultation.title == "Still here"


# -- the overview page ------------------------------------------------------------------------


def test_overview_shows_status_phase_questionnaire_and_responses(client, team):
    today = timezone.localdate()
    consultation = make_consultation(team, opens_on=today - timedelta(days=3), closes_on=today + timedelta(days=30))
    now = timezone.now()
    make_response(consultation, "OLD1-AAAA", {}, submitted_at=now - timedelta(days=10))
    for n in range(6):
        make_response(consultation, f"NEW{n}-BBBB", {"age": n}, submitted_at=now - timedelta(hours=n))
    page = client.get(reverse("consult_staff:overview", args=[consultation.slug])).content.decode()
    assert "Draft: the public cannot see it" in page
    assert "Open: closes on" in page
    assert "2 pages, 7 questions" in page
    assert "7 responses, 6 in the last 7 days." in page
    # The five latest, newest first; the older ones are on the responses page.
    latest = re.findall(r">(NEW\d-BBBB|OLD1-AAAA)</a>", page)
    assert latest == ["NEW0-BBBB", "NEW1-BBBB", "NEW2-BBBB", "NEW3-BBBB", "NEW4-BBBB"]
    assert 'href="/consultations/libraries-2026/preview/"' in page
    for name in ("questionnaire-source", "responses", "responses-csv", "responses-xlsx", "edit", "publish"):
        assert reverse(f"consult_staff:{name}", args=[consultation.slug]) in page
    assert reverse("consult_staff:unpublish", args=[consultation.slug]) not in page
    # Responses exist, so the questionnaire can no longer be replaced.
    assert "Replace the questionnaire" not in page


def test_overview_of_a_published_upcoming_consultation_without_responses(client, team):
    today = timezone.localdate()
    consultation = make_consultation(
        team, opens_on=today + timedelta(days=5), closes_on=today + timedelta(days=50), status=Consultation.Status.PUBLISHED
    )
    page = client.get(reverse("consult_staff:overview", args=[consultation.slug])).content.decode()
    assert "Upcoming: opens on" in page
    assert ">Published</strong>" in page
    assert reverse("consult_staff:unpublish", args=[consultation.slug]) in page
    assert "0 responses, 0 in the last 7 days." in page
    assert "Replace the questionnaire" in page


def test_overview_without_questionnaire_offers_the_upload(client, team):
    consultation = make_consultation(team, questionnaire=False)
    page = client.get(reverse("consult_staff:overview", args=[consultation.slug])).content.decode()
    assert "There is no questionnaire yet" in page
    assert reverse("consult_staff:questionnaire", args=[consultation.slug]) in page


def test_free_text_is_escaped_on_the_staff_pages(client, team):
    consultation = make_consultation(team, title="<script>alert('t')</script>", summary="<img src=x onerror=alert(1)>")
    page = client.get(reverse("consult_staff:overview", args=[consultation.slug])).content.decode()
    assert "<script>alert(" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


# -- uploading a questionnaire ----------------------------------------------------------------


def xlsx_upload(data=None, name="parks.xlsx"):
    data = make_xlsform(VALID_SURVEY, VALID_CHOICES, VALID_SETTINGS) if data is None else data
    return SimpleUploadedFile(name, data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def test_a_valid_xlsform_is_attached(client, officer, team):
    consultation = make_consultation(team, questionnaire=False)
    workbook = make_xlsform(VALID_SURVEY, VALID_CHOICES, VALID_SETTINGS)
    response = client.post(reverse("consult_staff:questionnaire", args=[consultation.slug]), {"form_file": xlsx_upload(workbook)})
    assert response.status_code == 302
    questionnaire = Questionnaire.objects.get(consultation=consultation)
    assert (questionnaire.form_id, questionnaire.title, questionnaire.version) == ("parks_roads", "Parks and roads survey", "2024-05")
    assert [page["name"] for page in questionnaire.definition["pages"]] == ["about_you", "page_2", "grid"]
    assert questionnaire.source_name == "parks.xlsx"
    assert questionnaire.uploaded_by == officer
    event = AuditEvent.objects.get(action="questionnaire.attached")
    assert event.actor == officer
    page = client.get(response["Location"]).content.decode()
    # 3 pages; 9 questions (the note is not a question).
    assert "The questionnaire was uploaded: 3 pages, 9 questions." in page
    assert "3 pages, 9 questions" in page
    # The officer can download the form they uploaded.
    source = client.get(reverse("consult_staff:questionnaire-source", args=[consultation.slug]))
    assert b"".join(source.streaming_content) == workbook
    assert 'filename="parks.xlsx"' in source["Content-Disposition"]


def test_every_problem_in_a_bad_xlsform_is_listed_and_nothing_is_created(client, team):
    consultation = make_consultation(team, questionnaire=False)
    survey = survey_rows(
        {"type": "select_one nope", "name": "q", "label": "Q"},
        {"type": "integer", "name": "n", "label": "N", "relevant": "${missing} > 2"},
    )
    data = make_xlsform(survey, VALID_CHOICES, VALID_SETTINGS)
    response = client.post(reverse("consult_staff:questionnaire", args=[consultation.slug]), {"form_file": xlsx_upload(data)})
    assert response.status_code == 200
    assert error_summary(response) == [
        "survey sheet, row 2, column type: The choice list 'nope' is not on the choices sheet "
        "(check its spelling in the list_name column there).",
        "survey sheet, row 3, column relevant: The relevant expression refers to ${missing}, "
        "but there is no question named 'missing' in the form.",
    ]
    assert "Correct these 2 problems in the spreadsheet" in response.content.decode()
    assert not Questionnaire.objects.exists()
    assert not AuditEvent.objects.exists()


def test_problems_are_shown_with_where_they_are_and_escaped(client, team, monkeypatch):
    consultation = make_consultation(team, questionnaire=False)
    problems = [
        {"sheet": "survey", "row": 7, "column": "relevant", "message": "${age} refers to a question that does not exist"},
        {"sheet": "choices", "row": 12, "column": "label", "message": "Enter a label for <b>every</b> choice"},
        {"sheet": "settings", "row": None, "column": None, "message": "The settings sheet needs a form_id"},
        {"sheet": None, "row": None, "column": None, "message": "parks.xlsx cannot be read"},
    ]

    def refuse(data, filename):
        assert filename == "parks.xlsx"
        raise xlsform.XLSFormError(problems)

    monkeypatch.setattr(xlsform, "read_xlsform", refuse)
    response = client.post(reverse("consult_staff:questionnaire", args=[consultation.slug]), {"form_file": xlsx_upload()})
    assert error_summary(response) == [
        "survey sheet, row 7, column relevant: ${age} refers to a question that does not exist",
        "choices sheet, row 12, column label: Enter a label for <b>every</b> choice",
        "settings sheet: The settings sheet needs a form_id",
        "parks.xlsx cannot be read",
    ]
    assert "Enter a label for &lt;b&gt;every&lt;/b&gt; choice" in response.content.decode()
    assert not Questionnaire.objects.exists()


def test_a_questionnaire_cannot_replace_one_that_has_responses(client, team):
    consultation = make_consultation(team)
    make_response(consultation, "AAAA-BBBB", {"age": 40})
    page = client.get(reverse("consult_staff:questionnaire", args=[consultation.slug])).content.decode()
    assert "already has responses, so its questionnaire cannot be replaced" in page
    response = client.post(reverse("consult_staff:questionnaire", args=[consultation.slug]), {"form_file": xlsx_upload()})
    assert error_summary(response) == [
        "Libraries consultation already has responses, so its questionnaire cannot be replaced."
    ]
    assert Questionnaire.objects.get(consultation=consultation).title == "Libraries consultation"


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Select an XLSForm file (.xlsx)"),
        ({"form_file": SimpleUploadedFile("form.xls", b"\xd0\xcf\x11\xe0 old excel")},
         "The selected file must be an Excel .xlsx file (form.xls is not)"),
        ({"form_file": SimpleUploadedFile("form.xlsx", b"name,type\n")},
         "The selected file is not a valid .xlsx file (form.xlsx is not an Excel workbook)"),
        ({"form_file": SimpleUploadedFile("form.xlsx", b"")}, "The selected file is empty (form.xlsx)"),
    ],
)
def test_the_upload_must_be_an_xlsx_file(client, team, monkeypatch, data, message):
    consultation = make_consultation(team, questionnaire=False)
    monkeypatch.setattr(xlsform, "read_xlsform", lambda data, filename: pytest.fail("the file should not be read"))
    response = client.post(reverse("consult_staff:questionnaire", args=[consultation.slug]), data)
    assert error_summary(response) == [message]
    assert not Questionnaire.objects.exists()


# -- publishing -------------------------------------------------------------------------------


def test_publish_and_unpublish_are_audited(client, officer, team):
    consultation = make_consultation(team)
    response = client.post(reverse("consult_staff:publish", args=[consultation.slug]))
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.PUBLISHED
    assert consultation.published_at is not None
    published = AuditEvent.objects.get(action="consultation.published")
    assert (published.actor, published.object_id) == (officer, str(consultation.pk))

    client.post(reverse("consult_staff:unpublish", args=[consultation.slug]))
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.DRAFT
    unpublished = AuditEvent.objects.get(action="consultation.unpublished")
    assert unpublished.actor == officer


def test_publishing_without_a_questionnaire_is_refused(client, team):
    consultation = make_consultation(team, questionnaire=False)
    response = client.post(reverse("consult_staff:publish", args=[consultation.slug]), follow=True)
    assert "Attach a questionnaire before publishing the consultation." in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.DRAFT
    assert not AuditEvent.objects.filter(action="consultation.published").exists()


@pytest.mark.parametrize("name", ["publish", "unpublish"])
def test_publishing_needs_a_post(client, team, name):
    consultation = make_consultation(team)
    assert client.get(reverse(f"consult_staff:{name}", args=[consultation.slug])).status_code == 405
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.DRAFT


def test_publishing_needs_the_csrf_token(officer, team):
    consultation = make_consultation(team)
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    response = client.post(reverse("consult_staff:publish", args=[consultation.slug]))
    assert response.status_code == 403
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.DRAFT
    # With the token from the overview page's form, it works.
    page = client.get(reverse("consult_staff:overview", args=[consultation.slug])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    client.post(reverse("consult_staff:publish", args=[consultation.slug]), {"csrfmiddlewaretoken": token})
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.PUBLISHED


# -- responses --------------------------------------------------------------------------------


def test_responses_are_listed_newest_first_fifty_a_page(client, team):
    consultation = make_consultation(team)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)
    for n in range(55):
        make_response(
            consultation,
            f"R{n:03d}-XXXX",
            {},
            submitted_at=start + timedelta(minutes=n),
            channel=Response.Channel.IMPORTED if n == 54 else Response.Channel.ONLINE,
        )
    first = client.get(reverse("consult_staff:responses", args=[consultation.slug])).content.decode()
    references = re.findall(r">(R\d{3}-XXXX)</a>", first)
    assert references == [f"R{n:03d}-XXXX" for n in range(54, 4, -1)]
    assert "55 responses, newest first." in first
    assert "2 March 2026 at 9:54am" in first
    assert "Imported" in first
    assert 'href="?page=2"' in first
    second = client.get(reverse("consult_staff:responses", args=[consultation.slug]), {"page": 2}).content.decode()
    assert re.findall(r">(R\d{3}-XXXX)</a>", second) == ["R004-XXXX", "R003-XXXX", "R002-XXXX", "R001-XXXX", "R000-XXXX"]
    assert 'aria-current="page">2</a>' in second
    # A page number out of range shows the last page rather than failing.
    last = client.get(reverse("consult_staff:responses", args=[consultation.slug]), {"page": 99}).content.decode()
    assert re.findall(r">(R\d{3}-XXXX)</a>", last)[0] == "R004-XXXX"


def test_a_single_response_shows_each_answered_question_in_words(client, officer, team):
    consultation = make_consultation(team)
    response = make_response(
        consultation,
        "ABCD-EFGH",
        {
            "respondent_type": "organisation",
            "services": ["books", "events"],
            "priorities": ["digital", "hours", "stock"],
            "comments": "<script>alert('x')</script>\nSecond line",
            "last_visit": "2026-02-14",
            "spend": 12.5,
        },
        submitted_at=datetime(2026, 3, 4, 14, 30, tzinfo=LONDON),
    )
    page = client.get(reverse("consult_staff:response", args=[consultation.slug, "ABCD-EFGH"])).content.decode()
    assert "Response ABCD-EFGH" in page
    assert "4 March 2026 at 2:30pm" in page
    assert "For an organisation" in page
    assert "<li>Borrowing books</li><li>Events and groups</li>" in page
    assert "Public computers" not in page
    ranked = re.search(r'<ol class="govuk-list govuk-list--number">(.*?)</ol>', page).group(1)
    assert re.findall(r"<li>(.*?)</li>", ranked) == ["Digital skills help", "Longer opening hours", "More books"]
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;<br>Second line" in page
    assert "<script>alert(" not in page
    assert "14 February 2026" in page
    assert "12.5" in page
    # Unanswered questions and notes are not listed.
    assert "How old are you?" not in page
    assert "Tell us a little about you." not in page
    assert re.findall(r'<h2 class="govuk-heading-m">(.*?)</h2>', page) == ["About you", "Your views"]
    event = AuditEvent.objects.get(action="response.viewed")
    assert (event.actor, event.object_id) == (officer, str(response.pk))


def test_an_unknown_reference_is_not_found(client, team):
    consultation = make_consultation(team)
    other = make_consultation(team, slug="other")
    make_response(other, "ABCD-EFGH", {})
    assert client.get(reverse("consult_staff:response", args=[consultation.slug, "ABCD-EFGH"])).status_code == 404
    assert client.get(reverse("consult_staff:overview", args=["no-such-thing"])).status_code == 404


# -- the list and the staff home page ---------------------------------------------------------


def test_list_and_staff_home_show_only_the_officers_teams(client, team):
    mine = make_consultation(team, slug="mine", title="Parks review")
    make_response(mine, "AAAA-1111", {})
    make_response(mine, "AAAA-2222", {})
    make_consultation(make_team("Highways"), slug="theirs", title="Road safety")
    for url in (reverse("consult_staff:list"), reverse("core:staff-home")):
        page = client.get(url).content.decode()
        assert "Parks review" in page
        assert "Road safety" not in page
        assert f'href="{reverse("consult_staff:overview", args=["mine"])}"' in page
        assert re.search(r'href="/staff/consultations/mine/responses/">2<span', page)
        assert reverse("consult_staff:create") in page


# -- Django admin -----------------------------------------------------------------------------


def test_admin_lists_consultations_and_questionnaires_but_never_responses(team):
    from django.contrib import admin

    consultation = make_consultation(team, document=True)
    make_response(consultation, "ABCD-EFGH", {"comments": "My address is 1 High Street"})
    superuser = make_officer("root", role="administrator")
    superuser.is_staff = superuser.is_superuser = True
    superuser.save()
    client = signed_in(superuser)
    assert Response not in admin.site._registry
    pages = [
        reverse("admin:consult_consultation_changelist"),
        reverse("admin:consult_consultation_change", args=[consultation.pk]),
        reverse("admin:consult_questionnaire_changelist"),
        reverse("admin:consult_questionnaire_change", args=[consultation.questionnaire.pk]),
        reverse("admin:consult_consultation_add"),
    ]
    for address in pages:
        response = client.get(address)
        assert response.status_code == 200, address
        page = response.content.decode()
        assert "ABCD-EFGH" not in page and "High Street" not in page
    changelist = client.get(pages[0]).content.decode()
    assert "Libraries consultation" in changelist and "libraries-2026" in changelist
