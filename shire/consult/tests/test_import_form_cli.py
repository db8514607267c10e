"""`shire consult import-form FORM.xlsx --slug SLUG`, run as the command line runs it."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from shire.consult.models import Consultation, Questionnaire
from shire.core.models import AuditEvent
from shire.core.tests.factories import make_team

from .xlsform_helpers import VALID_CHOICES, VALID_SETTINGS, VALID_SURVEY, make_xlsform, survey_rows

pytestmark = pytest.mark.django_db


def write(tmp_path, data, name="parks.xlsx"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_good_form_creates_a_draft_consultation_with_its_questionnaire(tmp_path):
    team = make_team("Communities Team")
    path = write(tmp_path, make_xlsform(VALID_SURVEY, VALID_CHOICES, VALID_SETTINGS))
    out = StringIO()

    call_command("consult", "import-form", str(path), "--slug", "parks-2024", "--team", team.slug, stdout=out)

    consultation = Consultation.objects.get(slug="parks-2024")
    assert consultation.status == Consultation.Status.DRAFT
    assert consultation.team == team
    assert consultation.title == "Parks and roads survey"
    questionnaire = consultation.questionnaire
    assert (questionnaire.form_id, questionnaire.version, questionnaire.source_name) == ("parks_roads", "2024-05", "parks.xlsx")
    assert questionnaire.source_file.read() == path.read_bytes()
    names = [q["name"] for page in questionnaire.definition["pages"] for q in page["items"]]
    assert names == ["respondent", "organisation", "staff", "intro", "colours", "colour_rank", "score", "visited", "grid_parks", "grid_roads"]
    # 10 items of which one is a note; 3 pages.
    assert out.getvalue().strip() == "Imported 'Parks and roads survey' into parks-2024: 3 pages, 9 questions."


def test_importing_again_replaces_the_questionnaire(tmp_path):
    make_team()
    call_command("consult", "import-form", str(write(tmp_path, make_xlsform(VALID_SURVEY, VALID_CHOICES, VALID_SETTINGS))), "--slug", "parks", stdout=StringIO())
    smaller = make_xlsform(survey_rows({"type": "text", "name": "only", "label": "Only question"}), None, [["form_title", "form_id"], ["Smaller", "smaller"]])
    call_command("consult", "import-form", str(write(tmp_path, smaller, "smaller.xlsx")), "--slug", "parks", stdout=StringIO())

    assert Consultation.objects.count() == 1
    assert Questionnaire.objects.count() == 1
    assert Questionnaire.objects.get().form_id == "smaller"


def test_bad_form_lists_every_problem_and_creates_nothing(tmp_path):
    make_team()
    survey = survey_rows(
        {"type": "geopoint", "name": "where", "label": "Where?"},
        {"type": "text", "name": "a", "label": "A"},
        {"type": "text", "name": "a", "label": "Again"},
    )
    path = write(tmp_path, make_xlsform(survey), "bad.xlsx")
    events_before = AuditEvent.objects.count()

    with pytest.raises(CommandError) as caught:
        call_command("consult", "import-form", str(path), "--slug", "bad-form", stdout=StringIO())

    lines = str(caught.value).splitlines()
    assert lines[0] == f"{path}: the form was not imported."
    assert lines[1].startswith("survey sheet, row 2, column type: Shire does not support the question type 'geopoint'")
    assert lines[2] == "survey sheet, row 4, column name: The name 'a' is already used on row 3; every question and group needs its own name."
    assert len(lines) == 3
    assert not Consultation.objects.exists()
    assert not Questionnaire.objects.exists()
    assert AuditEvent.objects.count() == events_before


def test_file_that_is_not_a_workbook_is_refused(tmp_path):
    path = write(tmp_path, b"type,name,label\ntext,a,A\n", "form.csv")
    with pytest.raises(CommandError, match=r"form\.csv is not an Excel workbook \(\.xlsx\)"):
        call_command("consult", "import-form", str(path), "--slug", "csv-form", stdout=StringIO())
    assert not Consultation.objects.exists()


@pytest.mark.parametrize("slug, message", [
    ("Bad Slug!", "--slug “Bad Slug!” may use only letters, numbers, hyphens and underscores."),
    ("x" * 81, "--slug may have at most 80 characters (this one has 81)."),
    ("new", "--slug “new” is the address of another page; choose another."),
])
def test_a_slug_that_cannot_be_a_web_address_is_refused(tmp_path, slug, message):
    path = write(tmp_path, make_xlsform(VALID_SURVEY, VALID_CHOICES, VALID_SETTINGS))
    with pytest.raises(CommandError) as error:
        call_command("consult", "import-form", str(path), "--slug", slug)
    assert message in str(error.value)
    assert not Consultation.objects.exists()


def test_a_report_without_a_questionnaire_is_refused_in_words(tmp_path):
    Consultation.objects.create(slug="no-form", title="No form", team=make_team(), summary="",
                                opens_on="2026-01-01", closes_on="2026-02-01")
    with pytest.raises(CommandError) as error:
        call_command("consult", "report", "no-form", "--format", "pdf", "--output", str(tmp_path / "r.pdf"))
    assert str(error.value) == "No form has no questionnaire yet, so there are no results to report."
    assert not (tmp_path / "r.pdf").exists()
