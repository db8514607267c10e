"""XLSForms Shire was not built against (unseen_forms.py), end to end: imported through
`shire consult import-form` and the officers' upload page, answered on the public pages by
respondents whose answers are drawn at random (seeded), and reported in every format, with the
report's figures checked against a count of what the respondents were routed to and answered."""
import json
import random
import re
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shire.consult import questionnaire as q
from shire.consult import reports, services
from shire.consult.models import Consultation, Questionnaire, Response
from shire.consult.tests.test_report_documents import press_prepare
from shire.core.testing import run_background_work, with_worker
from shire.core.tests.factories import make_officer, make_team

from .unseen_forms import unseen_forms

pytestmark = pytest.mark.django_db

FORMS = unseen_forms()
ACCEPTED = sorted(name for name, (_, expected) in FORMS.items() if expected[0] != "refused")
REFUSED = sorted(name for name, (_, expected) in FORMS.items() if expected[0] == "refused")
RESPONDENTS = 12

# Answers the forms' constraints allow, for the numbers (everything else is drawn from the choices).
NUMBER_RANGES = {"visits": (0, 31), "age": (0, 120), "members": (1, 400), "spend": (0, 19)}


def slug_of(name):
    return name.replace("_", "-")


@pytest.fixture
def team():
    return make_team("Communities Team")


@pytest.fixture
def officer_client(team):
    client = Client()
    client.force_login(make_officer("officer", team=team))
    return client


def import_by_command(tmp_path, name, team):
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(FORMS[name][0])
    out = StringIO()
    call_command("consult", "import-form", str(path), "--slug", slug_of(name), "--team", team.slug, stdout=out)
    return Consultation.objects.get(slug=slug_of(name)), out.getvalue()


def question_names(definition):
    return [item["name"] for item in q.questions(definition)]


# --- importing ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ACCEPTED)
def test_the_command_line_and_the_upload_page_import_every_question(tmp_path, name, team, officer_client):
    consultation, out = import_by_command(tmp_path, name, team)
    definition = consultation.questionnaire.definition
    assert question_names(definition) == FORMS[name][1]
    assert f"{len(FORMS[name][1])} questions" in out

    uploaded = Consultation.objects.create(slug=f"{slug_of(name)}-web", title=name, team=team, summary="",
                                           opens_on=date(2026, 1, 1), closes_on=date(2026, 2, 1))
    response = officer_client.post(reverse("consult_staff:questionnaire", args=[uploaded.slug]),
                                   {"form_file": SimpleUploadedFile(f"{name}.xlsx", FORMS[name][0])})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Questionnaire.objects.get(consultation=uploaded).definition == definition


@pytest.mark.parametrize("name", REFUSED)
def test_what_shire_does_not_run_is_refused_naming_the_row(tmp_path, name, team, officer_client):
    _, sheet, row, words = FORMS[name][1]
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(FORMS[name][0])
    with pytest.raises(CommandError) as error:
        call_command("consult", "import-form", str(path), "--slug", slug_of(name), "--team", team.slug)
    assert f"{sheet} sheet, row {row}, column type: Shire does not support" in str(error.value)
    assert words in str(error.value)
    assert not Consultation.objects.filter(slug=slug_of(name)).exists()

    consultation = Consultation.objects.create(slug=slug_of(name), title=name, team=team, summary="",
                                               opens_on=date(2026, 1, 1), closes_on=date(2026, 2, 1))
    response = officer_client.post(reverse("consult_staff:questionnaire", args=[consultation.slug]),
                                   {"form_file": SimpleUploadedFile(f"{name}.xlsx", FORMS[name][0])})
    assert response.status_code == 200
    assert f"{sheet} sheet, row {row}, column type: Shire does not support" in response.content.decode()
    assert not Questionnaire.objects.filter(consultation=consultation).exists()


def test_or_other_adds_an_other_choice_and_a_question_asked_when_it_is_chosen(tmp_path, team):
    definition = import_by_command(tmp_path, "library_hours", team)[0].questionnaire.definition
    library = q.question_map(definition)["library"]
    assert q.choice_names(library) == ["melton", "oakham_road", "bottesford", "other"]
    other = q.question_map(definition)["library_other"]
    assert other["type"] == "text"
    assert q.is_relevant(other["relevant"], {"library": "other"})
    assert not q.is_relevant(other["relevant"], {"library": "melton"})


def test_odk_grids_are_grids_and_their_header_row_takes_no_answer(tmp_path, team):
    definition = import_by_command(tmp_path, "parish_survey", team)[0].questionnaire.definition
    questions = q.question_map(definition)
    assert "grid_header" not in questions  # the `label` row only shows the choices' labels
    assert all(q.is_likert(questions[name]) for name in ("safe", "friendly", "transport", "spend_roads", "spend_parks"))
    assert not q.is_likert(questions["contact"])


def test_the_default_language_of_the_settings_sheet_chooses_the_wording(tmp_path, team):
    definition = import_by_command(tmp_path, "mobile_library", team)[0].questionnaire.definition
    questions = q.question_map(definition)
    assert questions["uses_service"]["label"] == "Ydych chi'n defnyddio'r llyfrgell deithiol?"
    assert [c["label"] for c in questions["uses_service"]["choices"]] == ["Ydw", "Nac ydw"]
    assert questions["why"]["hint"] == "Yn eich geiriau eich hun"


# --- answering and reporting --------------------------------------------------------------------

def draw_answers(definition, rng):
    """Answers to every question (routing not applied), each within the question's rules."""
    answers = {}
    for item in q.questions(definition):
        name, kind = item["name"], item["type"]
        if not item.get("required") and rng.random() < 0.2:
            continue
        names = q.choice_names(item)
        if kind == "select_one":
            answers[name] = rng.choice(names)
        elif kind == "select_multiple":
            limit = q.max_selected(item) or len(names)
            ticked = rng.sample(names, rng.randint(1, limit))
            answers[name] = [c for c in names if c in ticked]
        elif kind == "rank":
            answers[name] = rng.sample(names, len(names))
        elif kind == "integer":
            answers[name] = rng.randint(*NUMBER_RANGES.get(name, (0, 9)))
        elif kind == "decimal":
            low, high = NUMBER_RANGES.get(name, (0, 9))
            answers[name] = rng.randint(low * 10, high * 10) / 10
        elif kind == "date":
            answers[name] = (date(1990, 1, 1) + timedelta(days=rng.randint(0, 12000))).isoformat()
        elif kind == "text":
            answers[name] = f"Answer {rng.randint(1, 999)} <b>to</b> {name} & more"
    return answers


def posted(page, answers):
    """What the browser posts for one page holding `answers`."""
    data = {"action": "continue"}
    for item in page["items"]:
        name, value = item["name"], answers.get(item["name"])
        if value is None:
            continue
        if item["type"] == "rank":
            data.update({q.field_name(item, c): str(i) for i, c in enumerate(value, 1)})
        elif item["type"] == "date":
            year, month, day = value.split("-")
            data.update({q.field_name(item, "day"): str(int(day)), q.field_name(item, "month"): str(int(month)),
                         q.field_name(item, "year"): year})
        elif item["type"] == "select_multiple":
            data[name] = list(value)
        else:
            data[name] = str(value)
    return data


def answer_on_the_public_pages(client, consultation, answers):
    definition = consultation.questionnaire.definition
    pages = q.pages(definition)
    location = client.get(f"/consultations/{consultation.slug}/start/")["Location"]
    for _ in range(len(pages) + 1):
        match = re.search(r"/questions/(\d+)/$", location)
        if not match:
            break
        page = client.get(location)
        assert page.status_code == 200
        response = client.post(location, posted(pages[int(match.group(1)) - 1], answers))
        assert response.status_code == 302, re.findall(r'Error:</span>(.*?)</', response.content.decode(), re.S)
        location = response["Location"]
    assert location.endswith("/check-your-answers/"), location
    assert client.get(location).status_code == 200
    sent = client.post(location)
    assert sent.status_code == 302 and "/sent/" in sent["Location"], sent.content.decode()[:3000]


def expected_figures(definition, stored):
    """The report's figures worked out here from the stored answers: {name: (base, counts)}."""
    figures = {}
    for item in q.questions(definition):
        given = [answers[item["name"]] for answers in stored if item["name"] in answers]
        counts = {}
        if item["type"] == "select_one":
            counts = {c: sum(1 for v in given if v == c) for c in q.choice_names(item)}
        elif item["type"] == "select_multiple":
            counts = {c: sum(1 for v in given if c in v) for c in q.choice_names(item)}
        elif item["type"] == "rank":
            counts = {c: sum(1 for v in given if v[0] == c) for c in q.choice_names(item)}
        figures[item["name"]] = (len(given), counts)
    return figures


@with_worker
@pytest.mark.parametrize("name", ACCEPTED)
def test_answered_on_the_public_pages_and_reported_in_every_format(tmp_path, name, team, officer_client):
    consultation, _ = import_by_command(tmp_path, name, team)
    today = timezone.localdate()
    Consultation.objects.filter(pk=consultation.pk).update(opens_on=today - timedelta(days=1),
                                                           closes_on=today + timedelta(days=30))
    consultation.refresh_from_db()
    services.publish(consultation, None)
    definition = consultation.questionnaire.definition
    rng = random.Random(f"unseen-{name}")

    intended = []
    for _ in range(RESPONDENTS):
        answers = draw_answers(definition, rng)
        answer_on_the_public_pages(Client(), consultation, answers)
        kept, errors = q.clean_answers(definition, answers)
        assert errors == {}
        intended.append(kept)
    stored = [r.answers for r in Response.objects.filter(consultation=consultation).order_by("id")]
    assert stored == intended  # routing dropped exactly what it skips, nothing else

    output = tmp_path / "report.json"
    call_command("consult", "report", consultation.slug, "--format", "json", "--output", str(output))
    report = json.loads(output.read_text(encoding="utf-8"))
    assert report["responses"] == RESPONDENTS
    assert list(report["questions"]) == FORMS[name][1]
    for question, (base, counts) in expected_figures(definition, stored).items():
        figures = report["questions"][question]
        assert figures["base"] == base, question
        if counts:
            assert figures["counts"] == counts, question

    if name == "parish_survey":  # ODK's two grid layouts are the report's agreement grids
        grids = [sorted(grid["questions"]) for grid in reports.build_report(consultation)["grids"]]
        assert grids == [["friendly", "safe", "transport"], ["spend_parks", "spend_roads"]]

    starts = (("html", b"<!DOCTYPE html>"), ("pdf", b"%PDF"), ("docx", b"PK"), ("xlsx", b"PK"), ("csv", None))
    for fmt, start in starts:
        path = tmp_path / f"report.{fmt}"
        call_command("consult", "report", consultation.slug, "--format", fmt, "--output", str(path))
        data = path.read_bytes()
        assert data.startswith(start) if start else data
        assert press_prepare(officer_client, consultation, fmt).status_code == 302, fmt
    run_background_work()  # the officers' files are prepared in the background, with the same renderers
    for fmt, start in starts:
        download = officer_client.get(reverse("consult_results:download", args=[consultation.slug, fmt]))
        assert download.status_code == 200, fmt
        data = b"".join(download.streaming_content)
        assert data.startswith(start) if start else data
    csv_text = (tmp_path / "report.csv").read_text(encoding="utf-8-sig")
    for question in FORMS[name][1]:  # free text is not a figure: the CSV has no rows for it
        assert (question in csv_text) == (q.question_map(definition)[question]["type"] != "text"), question
    page = officer_client.get(reverse("consult_results:staff", args=[consultation.slug]))
    assert page.status_code == 200
    assert "<b>to</b>" not in page.content.decode()
    published = officer_client.post(reverse("consult_results:publish", args=[consultation.slug]),
                                    {"results_summary": "We asked, you said <i>this</i>."})
    assert published.status_code == 302
    public = Client().get(reverse("consult_results:public", args=[consultation.slug]))
    assert public.status_code == 200
    assert "<i>this</i>" not in public.content.decode() and "Answer " not in public.content.decode()
    first = Response.objects.filter(consultation=consultation).order_by("id").first()
    detail = officer_client.get(reverse("consult_staff:response", args=[consultation.slug, first.response_id]))
    assert detail.status_code == 200 and "<b>to</b>" not in detail.content.decode()

    # The officers' exports are files the import reads back: the same answers, in another consultation.
    for fmt in ("csv", "xlsx"):
        export = officer_client.get(reverse(f"consult_staff:responses-{fmt}", args=[consultation.slug]))
        assert export.status_code == 200
        path = tmp_path / f"export.{fmt}"
        path.write_bytes(b"".join(export.streaming_content) if export.streaming else export.content)
        copy = f"{consultation.slug}-{fmt}"
        call_command("consult", "import-form", str(tmp_path / f"{name}.xlsx"), "--slug", copy, "--team", team.slug)
        call_command("consult", "import-responses", copy, str(path), stdout=StringIO())
        assert [r.answers for r in Response.objects.filter(consultation__slug=copy).order_by("response_id")] == [
            r.answers for r in Response.objects.filter(consultation=consultation).order_by("response_id")]


def test_the_parish_routing_asks_organisations_and_residents_their_own_questions(tmp_path, team):
    consultation, _ = import_by_command(tmp_path, "parish_survey", team)
    today = timezone.localdate()
    Consultation.objects.filter(pk=consultation.pk).update(opens_on=today, closes_on=today)
    consultation.refresh_from_db()
    services.publish(consultation, None)
    common = {"safe": "agree", "friendly": "strongly_agree", "org_name": "Village Hall Trust", "members": 12,
              "hall_uses": ["clubs", "meetings"]}
    answer_on_the_public_pages(Client(), consultation, {**common, "respondent": "organisation"})
    answer_on_the_public_pages(Client(), consultation, {**common, "respondent": "individual"})
    organisation, individual = (r.answers for r in Response.objects.filter(consultation=consultation).order_by("id"))
    assert organisation == {"respondent": "organisation", "org_name": "Village Hall Trust", "members": 12,
                            "safe": "agree", "friendly": "strongly_agree"}
    assert individual == {"respondent": "individual", "safe": "agree", "friendly": "strongly_agree",
                          "hall_uses": ["clubs", "meetings"]}
    page = Client()
    page.get(f"/consultations/{consultation.slug}/start/")
    grid = page.get(f"/consultations/{consultation.slug}/questions/2/").content.decode()
    assert 'class="govuk-table shire-likert" id="safe-grid"' in grid


def test_a_question_required_only_for_some_is_required_only_for_them(tmp_path, team):
    consultation, _ = import_by_command(tmp_path, "youth_services", team)
    today = timezone.localdate()
    Consultation.objects.filter(pk=consultation.pk).update(opens_on=today, closes_on=today)
    consultation.refresh_from_db()
    services.publish(consultation, None)
    client = Client()
    client.get(f"/consultations/{consultation.slug}/start/")
    page = q.pages(consultation.questionnaire.definition)[0]
    answers = {"dob": "2010-05-04", "club.kind": "none"}
    refused = client.post(f"/consultations/{consultation.slug}/questions/1/", posted(page, answers))
    assert refused.status_code == 200 and "Tell us why you do not go to a club" in refused.content.decode()
    answer_on_the_public_pages(Client(), consultation, {**answers, "club.kind": "sport"})
    assert Response.objects.get(consultation=consultation).answers == {"dob": "2010-05-04", "club.kind": "sport"}
