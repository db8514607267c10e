"""Response downloads: the CSV and XLSX tables, cell by cell, and the audited download pages."""
import copy
import csv
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from shire.consult import exports
from shire.consult.models import Response
from shire.core.models import AuditEvent

from .test_staff import DEFINITION, QUESTION_NAMES, make_consultation, make_response, signed_in

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)

HEADER = ["response_id", *QUESTION_NAMES]


@pytest.fixture
def team():
    from shire.core.tests.factories import make_team

    return make_team("Communities Team")


@pytest.fixture
def officer(team):
    from shire.core.tests.factories import make_officer

    return make_officer("olive", team=team)


@pytest.fixture
def consultation(team):
    consultation = make_consultation(team)
    answer_sets = [
        (
            "AAAA-1111",
            {
                "respondent_type": "organisation",
                "age": 41,
                "services": ["books", "events"],
                "priorities": ["digital", "hours", "stock"],
                "comments": 'Open on Sundays, please.\nAnd say "thank you" to the staff.',
                "last_visit": "2026-02-14",
                "spend": 12.5,
            },
        ),
        ("BBBB-2222", {"respondent_type": "individual", "age": 0, "spend": -3.5, "comments": "=HYPERLINK(\"http://x\",\"y\")"}),
        ("CCCC-3333", {}),
        ("DDDD-4444", {"comments": "£5 is too much – café prices", "services": ["computers"]}),
        ("EEEE-5555", {"comments": "- first point"}),
        ("FFFF-6666", {"comments": "+44 116 232 3232"}),
        ("GGGG-7777", {"comments": "@council"}),
        ("HHHH-8888", {"comments": "'=already quoted"}),
        ("JJJJ-9999", {"comments": "\tindented"}),
        ("KKKK-0000", {"comments": "it's fine = good"}),
    ]
    # Stored out of order: the export follows the time each response arrived.
    for n, (reference, answers) in reversed(list(enumerate(answer_sets))):
        make_response(consultation, reference, answers, submitted_at=START + timedelta(minutes=n))
    return consultation


EXPECTED_CSV = (
    "response_id,respondent_type,age,services,priorities,comments,last_visit,spend\r\n"
    'AAAA-1111,organisation,41,books events,digital hours stock,"Open on Sundays, please.\nAnd say ""thank you"" to the staff.",2026-02-14,12.5\r\n'
    'BBBB-2222,individual,0,,,"\'=HYPERLINK(""http://x"",""y"")",,-3.5\r\n'
    "CCCC-3333,,,,,,,\r\n"
    "DDDD-4444,,,computers,,£5 is too much – café prices,,\r\n"
    "EEEE-5555,,,,,'- first point,,\r\n"
    "FFFF-6666,,,,,'+44 116 232 3232,,\r\n"
    "GGGG-7777,,,,,'@council,,\r\n"
    "HHHH-8888,,,,,''=already quoted,,\r\n"
    "JJJJ-9999,,,,,'\tindented,,\r\n"
    "KKKK-0000,,,,,it's fine = good,,\r\n"
)


def test_csv_content_exactly(consultation):
    stream = io.StringIO(newline="")
    count = exports.responses_csv(consultation, stream)
    assert count == 10
    assert stream.getvalue() == EXPECTED_CSV


def test_csv_cell_by_cell(consultation):
    stream = io.StringIO(newline="")
    exports.responses_csv(consultation, stream)
    rows = list(csv.reader(io.StringIO(stream.getvalue(), newline="")))
    assert rows[0] == HEADER
    assert rows[1] == [
        "AAAA-1111",
        "organisation",
        "41",
        "books events",
        "digital hours stock",  # most preferred first
        'Open on Sundays, please.\nAnd say "thank you" to the staff.',
        "2026-02-14",
        "12.5",
    ]
    assert rows[2] == ["BBBB-2222", "individual", "0", "", "", "'=HYPERLINK(\"http://x\",\"y\")", "", "-3.5"]
    assert rows[3] == ["CCCC-3333", "", "", "", "", "", "", ""]
    assert [row[0] for row in rows[1:]] == [
        "AAAA-1111", "BBBB-2222", "CCCC-3333", "DDDD-4444", "EEEE-5555",
        "FFFF-6666", "GGGG-7777", "HHHH-8888", "JJJJ-9999", "KKKK-0000",
    ]
    assert [row[5] for row in rows[4:]] == [
        "£5 is too much – café prices",
        "'- first point",
        "'+44 116 232 3232",
        "'@council",
        "''=already quoted",
        "'\tindented",
        "it's fine = good",
    ]


def test_columns_follow_the_questionnaire_not_the_answers(team):
    definition = copy.deepcopy(DEFINITION)
    definition["pages"].reverse()  # "Your views" first now
    consultation = make_consultation(team, slug="reordered")
    consultation.questionnaire.definition = definition
    consultation.questionnaire.save()
    make_response(consultation, "AAAA-1111", {"age": 30, "comments": "Hello", "not_a_question": "ignored"})
    stream = io.StringIO(newline="")
    exports.responses_csv(consultation, stream)
    assert stream.getvalue() == (
        "response_id,services,priorities,comments,last_visit,spend,respondent_type,age\r\n"
        "AAAA-1111,,,Hello,,,,30\r\n"
    )


def test_choice_names_and_numbers_are_never_guarded(team):
    definition = {
        "form_id": "odd",
        "title": "Odd names",
        "version": "",
        "pages": [
            {
                "name": "p",
                "label": None,
                "items": [
                    {"name": "pick", "type": "select_one", "label": "Pick", "choices": [{"name": "-1", "label": "Minus one"}]},
                    {"name": "many", "type": "select_multiple", "label": "Many", "choices": [{"name": "+a", "label": "A"}, {"name": "@b", "label": "B"}]},
                    {"name": "n", "type": "integer", "label": "N"},
                ],
            }
        ],
    }
    consultation = make_consultation(team, slug="odd")
    consultation.questionnaire.definition = definition
    consultation.questionnaire.save()
    make_response(consultation, "AAAA-1111", {"pick": "-1", "many": ["+a", "@b"], "n": -7})
    stream = io.StringIO(newline="")
    exports.responses_csv(consultation, stream)
    assert stream.getvalue() == "response_id,pick,many,n\r\nAAAA-1111,-1,+a @b,-7\r\n"


def test_without_a_questionnaire_only_the_references_are_listed(team):
    consultation = make_consultation(team, slug="bare", questionnaire=False)
    make_response(consultation, "AAAA-1111", {"q": "x"})
    stream = io.StringIO(newline="")
    assert exports.responses_csv(consultation, stream) == 1
    assert stream.getvalue() == "response_id\r\nAAAA-1111\r\n"


def test_no_responses_gives_the_header_alone(team):
    consultation = make_consultation(team, slug="empty")
    stream = io.StringIO(newline="")
    assert exports.responses_csv(consultation, stream) == 0
    assert stream.getvalue() == ",".join(HEADER) + "\r\n"


def unguard(text):
    """How a reader of the CSV undoes the guard, as the exports module documents it."""
    return text[1:] if re.match(r"'+[=+\-@\t\r]", text) else text


@given(st.text())
def test_the_formula_guard_is_safe_and_reversible(text):
    guarded = exports.guard_formula(text)
    assert not guarded[:1] in ("=", "+", "-", "@", "\t", "\r")
    assert unguard(guarded) == text


def test_rows_come_from_values_not_model_objects(consultation, monkeypatch, django_assert_max_num_queries):
    def refuse(*args, **kwargs):
        raise AssertionError("the export must not build Response objects")

    monkeypatch.setattr(Response, "from_db", classmethod(refuse))
    stream = io.StringIO(newline="")
    with django_assert_max_num_queries(3):
        exports.responses_csv(consultation, stream)
    assert stream.getvalue() == EXPECTED_CSV
    exports.responses_xlsx(consultation, io.BytesIO())


def read_xlsx(data):
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook["responses"]
    return [[(cell.value, cell.data_type) for cell in row] for row in sheet.iter_rows()]


def test_xlsx_content(consultation, tmp_path):
    path = tmp_path / "responses.xlsx"
    assert exports.responses_xlsx(consultation, path) == 10
    rows = read_xlsx(path.read_bytes())
    assert [value for value, _ in rows[0]] == HEADER
    assert rows[1] == [
        ("AAAA-1111", "s"),
        ("organisation", "s"),
        (41, "n"),
        ("books events", "s"),
        ("digital hours stock", "s"),
        ('Open on Sundays, please.\nAnd say "thank you" to the staff.', "s"),
        ("2026-02-14", "s"),
        (12.5, "n"),
    ]
    assert rows[2] == [
        ("BBBB-2222", "s"),
        ("individual", "s"),
        (0, "n"),
        (None, "n"),
        (None, "n"),
        ('=HYPERLINK("http://x","y")', "s"),  # kept exactly, as text: never a formula
        (None, "n"),
        (-3.5, "n"),
    ]
    assert [value for value, _ in rows[3]] == ["CCCC-3333", None, None, None, None, None, None, None]
    assert [row[5][0] for row in rows[4:]] == [
        "£5 is too much – café prices",
        "- first point",
        "+44 116 232 3232",
        "@council",
        "'=already quoted",
        "\tindented",
        "it's fine = good",
    ]
    assert len(rows) == 11


def test_xlsx_leaves_out_characters_a_workbook_cannot_hold(team):
    consultation = make_consultation(team, slug="control")
    make_response(consultation, "AAAA-1111", {"comments": "bell\x07 and vertical\x0btab"})
    buffer = io.BytesIO()
    exports.responses_xlsx(consultation, buffer)
    assert read_xlsx(buffer.getvalue())[1][5] == ("bell and verticaltab", "s")
    stream = io.StringIO(newline="")
    exports.responses_csv(consultation, stream)
    assert "bell\x07 and vertical\x0btab" in stream.getvalue()


# -- the download pages -----------------------------------------------------------------------


def test_csv_download_is_audited_and_streams_the_export(consultation, officer):
    client = signed_in(officer)
    response = client.get(reverse("consult_staff:responses-csv", args=[consultation.slug]))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="libraries-2026-responses.csv"'
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body == "\ufeff" + EXPECTED_CSV
    event = AuditEvent.objects.get(action="responses.downloaded")
    assert event.actor == officer
    assert event.object_id == str(consultation.pk)
    assert event.detail == {"format": "csv", "responses": 10}


def test_xlsx_download_is_audited(consultation, officer):
    client = signed_in(officer)
    response = client.get(reverse("consult_staff:responses-xlsx", args=[consultation.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="libraries-2026-responses.xlsx"' in response["Content-Disposition"]
    rows = read_xlsx(b"".join(response.streaming_content))
    assert [value for value, _ in rows[0]] == HEADER
    assert [row[0][0] for row in rows[1:]][:3] == ["AAAA-1111", "BBBB-2222", "CCCC-3333"]
    event = AuditEvent.objects.get(action="responses.downloaded")
    assert (event.actor, event.detail) == (officer, {"format": "xlsx", "responses": 10})


def test_a_large_csv_streams_in_several_chunks(team, officer):
    consultation = make_consultation(team, slug="big")
    Response.objects.bulk_create(
        Response(consultation=consultation, response_id=f"R{n:05d}", answers={"age": n}, submitted_at=START + timedelta(seconds=n))
        for n in range(1200)
    )
    response = signed_in(officer).get(reverse("consult_staff:responses-csv", args=[consultation.slug]))
    chunks = list(response.streaming_content)
    assert len(chunks) > 2
    lines = b"".join(chunks).decode("utf-8-sig").split("\r\n")
    assert lines[0] == ",".join(HEADER)
    assert lines[1] == "R00000,,0,,,,,"
    assert lines[1200] == "R01199,,1199,,,,,"
    assert lines[1201] == ""
