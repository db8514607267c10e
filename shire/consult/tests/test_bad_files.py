"""Bad files, for every consultation input: refused with a message naming the file, the row and
the column or field, nothing changed (rows counted before and after), never a traceback or a 500.

The inputs: `shire consult import-responses`, `import-workshops` and `import-form` (and the form's
upload page), and the CSV files of `suggest-themes` / `discover-themes` (theme_files.py).
"""
import io
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from shire.consult.models import Consultation, Questionnaire, Response, Workshop, WorkshopVote
from shire.core.tests.factories import make_officer, make_team

pytestmark = pytest.mark.django_db

FORM = Path(__file__).resolve().parents[3] / "shire" / "demo" / "forms" / "communities_strategy_2017.xlsx"
SLUG = "bad-files"

RESPONSES = "response_id,q01_respondent_type,q05_priorities_principle,q33_general_comments\r\nR1,individual,agree,Fine\r\n"
WORKSHOPS = "workshop,question,option,votes\r\nLECG,q10_building_blocks_rank,priorities,3\r\n"


def xlsx(rows, title="Sheet"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def counts():
    return (Consultation.objects.count(), Questionnaire.objects.count(), Response.objects.count(),
            Workshop.objects.count(), WorkshopVote.objects.count())


@pytest.fixture
def consultation():
    call_command("consult", "import-form", str(FORM), "--slug", SLUG, stdout=StringIO())
    return Consultation.objects.get(slug=SLUG)


def refused(tmp_path, command, name, data):
    """Run the command on a file holding `data`: it must refuse, change nothing, and say where."""
    path = tmp_path / name
    path.write_bytes(data)
    before = counts()
    with pytest.raises(CommandError) as error:
        call_command("consult", command, SLUG, str(path), stdout=StringIO())
    assert counts() == before
    message = str(error.value)
    assert message.startswith(f"{path}: nothing was imported")
    assert "Traceback" not in message
    return message.replace(f"{path}", name)


# --- responses and workshop votes: what both files share --------------------------------------

BOTH = [
    # (file name, {command: contents}, expected words in the message)
    ("empty.csv", {"responses": b"", "workshops": b""}, "empty.csv, row 1: the file is empty"),
    ("header.csv", {"responses": RESPONSES.split("\r\n")[0].encode(), "workshops": WORKSHOPS.split("\r\n")[0].encode()},
     "header.csv, row 2: there are no"),
    ("latin1.csv", {"responses": RESPONSES.replace("Fine", "Café").encode("latin-1"),
                    "workshops": WORKSHOPS.replace("LECG", "Café").encode("latin-1")},
     "latin1.csv, row 2, column "),
    ("utf16.csv", {"responses": RESPONSES.encode("utf-16"), "workshops": WORKSHOPS.encode("utf-16")},
     "utf16.csv: the file is UTF-16 text"),
    ("utf16-no-bom.csv", {"responses": RESPONSES.encode("utf-16-le"), "workshops": WORKSHOPS.encode("utf-16-le")},
     "utf16-no-bom.csv, row 1: the file contains a NUL character"),
    ("nul.csv", {"responses": RESPONSES.replace("Fine", "Fi\x00ne").encode(), "workshops": WORKSHOPS.replace("LECG", "LE\x00CG").encode()},
     "nul.csv, row 2: the file contains a NUL character"),
    ("really-a-csv.xlsx", {"responses": RESPONSES.encode(), "workshops": WORKSHOPS.encode()},
     "really-a-csv.xlsx: this is not an XLSX workbook"),
    ("corrupt.xlsx", {"responses": xlsx([["response_id"], ["R1"]])[:300], "workshops": xlsx([["workshop"]])[:300]},
     "corrupt.xlsx: the workbook cannot be opened"),
    ("old.xls", {"responses": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "workshops": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)},
     "old.xls: this is an old Excel (.xls) workbook"),
    ("huge.csv", {"responses": RESPONSES.replace("Fine", "x" * 200_000).encode(), "workshops": WORKSHOPS.replace("LECG", "x" * 200_000).encode()},
     "huge.csv, row 2: the CSV cannot be read: a cell is longer than 131,072 characters"),
    ("quote.csv", {"responses": RESPONSES.replace("R1,", 'R1,"').encode(), "workshops": WORKSHOPS.replace("LECG,", 'LECG,"').encode()},
     'quote.csv, row 2: the CSV cannot be read: unexpected end of data: a quotation mark (") opens a cell but is not closed'),
    ("too-many.csv", {"responses": RESPONSES.replace("Fine", "Fine,extra").encode(), "workshops": WORKSHOPS.replace(",3", ",3,extra").encode()},
     "too-many.csv, row 2, column E: this cell has a value"),
    ("semicolons.csv", {"responses": RESPONSES.replace(",", ";").encode(), "workshops": WORKSHOPS.replace(",", ";").encode()},
     "semicolons.csv, row 1, column A"),
]


@pytest.mark.parametrize("command", ["responses", "workshops"])
@pytest.mark.parametrize("name,contents,expected", BOTH, ids=[case[0] for case in BOTH])
def test_bad_files_are_refused_and_change_nothing(tmp_path, consultation, command, name, contents, expected):
    assert expected in refused(tmp_path, f"import-{command}", name, contents[command])


@pytest.mark.parametrize("command,contents", [("responses", RESPONSES), ("workshops", WORKSHOPS)])
def test_utf8_with_a_byte_order_mark_and_crlf_line_ends_is_accepted(tmp_path, consultation, command, contents):
    path = tmp_path / "good.csv"
    path.write_bytes(b"\xef\xbb\xbf" + contents.encode())
    call_command("consult", f"import-{command}", SLUG, str(path), stdout=StringIO())
    assert (Response.objects.count(), WorkshopVote.objects.count()) == ((1, 0) if command == "responses" else (0, 1))


def test_responses_formulas_without_values_are_refused_naming_the_cell(tmp_path, consultation):
    data = xlsx([["response_id", "q01_respondent_type", "q05_priorities_principle", "q33_general_comments"],
                 ["R1", "individual", '="agree"', "=1+1"], ["=A2", "individual", "agree", "ok"]])
    message = refused(tmp_path, "import-responses", "formulas.xlsx", data)
    assert "formulas.xlsx, row 2, column C (q05_priorities_principle): this cell holds the formula =\"agree\" with no value" in message
    assert "formulas.xlsx, row 2, column D (q33_general_comments): this cell holds the formula =1+1" in message
    assert "formulas.xlsx, row 3, column A (response_id): this cell holds the formula =A2" in message


def test_responses_unknown_question_option_duplicate_column_and_id(tmp_path, consultation):
    header = "response_id,q01_respondent_type,q05_prorities,q05_priorities_principle,q01_respondent_type\n"
    data = header + "R1,individual,,agreed,individual\nR1,individual,,agree,individual\n"
    message = refused(tmp_path, "import-responses", "bad.csv", data.encode())
    assert "bad.csv, row 1, column C (q05_prorities): q05_prorities is not a question of this questionnaire" in message
    assert "bad.csv, row 1, column E (q01_respondent_type): the column q01_respondent_type appears twice (first in column B)" in message
    assert "bad.csv, row 2, column D (q05_priorities_principle): 'agreed' is not a choice of this question" in message
    assert "bad.csv, row 3, column A (response_id): the response_id 'R1' is repeated (it is first used in row 2)" in message


def test_responses_a_number_where_a_date_is_expected(tmp_path):
    from .import_helpers import definition, make_consultation, page, question

    make_consultation(definition(page("p", question("started", "date"))), slug=SLUG)
    data = xlsx([["response_id", "started"], ["R1", 43000], ["R2", "31/03/2017"]])
    message = refused(tmp_path, "import-responses", "dates.xlsx", data)
    assert "dates.xlsx, row 2, column B (started): '43000' is not a date written as YYYY-MM-DD" in message
    assert "dates.xlsx, row 3, column B (started): '31/03/2017' is not a date written as YYYY-MM-DD" in message


def test_workshop_votes_negative_fractional_formula_unknown_and_repeated(tmp_path, consultation):
    data = xlsx([["Votes", "Workshop", "Question", "Option"],
                 [-3, "LECG", "q10_building_blocks_rank", "priorities"],
                 [2.5, "LECG", "q10_building_blocks_rank", "services"],
                 ["=1+2", "LECG", "q10_building_blocks_rank", "hub"],
                 [1, "LECG", "q10_building_blocks_rank", "prioritise"],
                 [1, "LECG", "q99", "priorities"],
                 [4, "LECG", "q10_building_blocks_rank", "services"]])
    message = refused(tmp_path, "import-workshops", "votes.xlsx", data)
    assert "votes.xlsx, row 2, column A (votes): '-3' is not a number of votes: write a whole number, 0 or more." in message
    assert "votes.xlsx, row 3, column A (votes): '2.5' is not a number of votes" in message
    assert "votes.xlsx, row 4, column A (votes): this cell holds the formula =1+2 with no value" in message
    assert "votes.xlsx, row 5, column D (option): 'prioritise' is not a choice of q10_building_blocks_rank" in message
    assert "votes.xlsx, row 6, column C (question): 'q99' is not a question of this questionnaire" in message
    assert "votes.xlsx, row 7, column D (option): the votes for services of q10_building_blocks_rank at LECG are given twice" in message


def test_a_workshop_called_total_is_refused_and_names_are_spaced_as_the_workshop_page_spaces_them(tmp_path, consultation):
    message = refused(tmp_path, "import-workshops", "total.csv", b"workshop,question,option,votes\nTotal,q10_building_blocks_rank,hub,1\n")
    assert "total.csv, row 2, column A (workshop): a workshop cannot be called 'total'" in message
    path = tmp_path / "spaced.csv"
    path.write_bytes(b"workshop,question,option,votes\n Staff   workshop ,q10_building_blocks_rank,hub,1\n")
    call_command("consult", "import-workshops", SLUG, str(path), stdout=StringIO())
    assert list(Workshop.objects.values_list("name", flat=True)) == ["Staff workshop"]


def test_workshop_missing_and_duplicate_columns(tmp_path, consultation):
    message = refused(tmp_path, "import-workshops", "cols.csv", b"workshop,question,option,vote,option\nLECG,q10_building_blocks_rank,hub,1,hub\n")
    assert "cols.csv, row 1, column D (vote): vote is not a column of a workshops file" in message
    assert "cols.csv, row 1, column E (option): the column option appears twice (first in column C)" in message
    assert "cols.csv, row 1: the header has no votes column" in message


# --- the form ----------------------------------------------------------------------------------

SURVEY = ["type", "name", "label"]
FORMS = [
    ("empty.xlsx", b"", "empty.xlsx is empty", "The selected file is empty (empty.xlsx)"),
    ("really-a-csv.xlsx", b"type,name,label\ntext,a,A\n", "really-a-csv.xlsx is not an Excel workbook (.xlsx) that can be read",
     "The selected file is not a valid .xlsx file (really-a-csv.xlsx is not an Excel workbook)"),
    ("corrupt.xlsx", FORM.read_bytes()[:500], "corrupt.xlsx is not an Excel workbook (.xlsx) that can be read"),
    ("header.xlsx", xlsx([SURVEY], "survey"), "survey sheet: The survey sheet has no questions."),
    ("formula.xlsx", xlsx([SURVEY, ["text", "a", "=1+1"]], "survey"),
     "survey sheet, row 2, column label: This cell holds the formula =1+1 with no value saved with it"),
    ("too-many.xlsx", xlsx([SURVEY, ["text", "a", "A", "stray"]], "survey"),
     "survey sheet, row 2, column D: This cell has a value but its column has no heading in row 1"),
    ("long-name.xlsx", xlsx([SURVEY, ["text", "a" * 121, "A"]], "survey"),
     "survey sheet, row 2, column name: The name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is 121 characters long"),
    ("duplicate.xlsx", xlsx([SURVEY + ["Label"], ["text", "a", "A", "B"]], "survey"),
     "survey sheet, row 1, column Label: The column heading 'Label' appears more than once"),
    ("x" * 196 + ".xlsx", xlsx([SURVEY, ["text", "a", "A"]], "survey"), "is 201 characters long; Shire keeps at most 200"),
]


@pytest.mark.parametrize("name,data,expected,on_the_page", [(*case, case[2])[:4] for case in FORMS],
                         ids=[case[0][:20] for case in FORMS])
def test_bad_forms_are_refused_on_the_command_line_and_the_upload_page(tmp_path, name, data, expected, on_the_page):
    """The upload page checks an empty file and one that is not a workbook itself, in its own words."""
    path = tmp_path / name
    path.write_bytes(data)
    before = counts()
    with pytest.raises(CommandError) as error:
        call_command("consult", "import-form", str(path), "--slug", SLUG)
    assert expected in str(error.value)
    assert counts() == before

    team = make_team("Forms Team")
    consultation = Consultation.objects.create(slug="upload", title="Upload", team=team, summary="",
                                               opens_on="2026-01-01", closes_on="2026-02-01")
    client = Client()
    client.force_login(make_officer("officer", team=team))
    before = counts()
    page = client.post(reverse("consult_staff:questionnaire", args=[consultation.slug]),
                       {"form_file": SimpleUploadedFile(name, data)})
    assert page.status_code == 200
    assert on_the_page.replace("'", "&#x27;") in page.content.decode()
    assert counts() == before


def test_form_problems_are_escaped_on_the_upload_page(tmp_path):
    team = make_team("Forms Team")
    consultation = Consultation.objects.create(slug="upload", title="Upload", team=team, summary="",
                                               opens_on="2026-01-01", closes_on="2026-02-01")
    client = Client()
    client.force_login(make_officer("officer", team=team))
    data = xlsx([SURVEY, ["select_one <b>x</b>", "<script>alert(1)</script>", "A"]], "survey")
    page = client.post(reverse("consult_staff:questionnaire", args=[consultation.slug]),
                       {"form_file": SimpleUploadedFile("<i>form</i>.xlsx", data)}).content.decode()
    assert "<script>alert(1)</script>" not in page and "<b>x</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- themes' CSV files --------------------------------------------------------------------------

CODEBOOK = "theme,name,description\nroads,Roads,Potholes\nbuses,Buses,Bus services\n"
COMMENTS = "id,text\n1,The roads are full of potholes\n2,More buses please\n"
THEME_FILES = [
    ("empty", b"", "the file is empty"),
    ("header", b"id,text\n", "there are no comments under the header"),
    ("wrong-column", b"id,txt\n1,a\n", "row 1: missing column text"),
    ("duplicate-column", b"id,text,text\n1,a,b\n", "row 1: the column text appears twice"),
    ("duplicate-id", (COMMENTS + "1,again\n").encode(), "row 4: the id '1' appears again (first at row 2)"),
    ("latin1", COMMENTS.replace("please", "café").encode("latin-1"), "row 3: the text is not UTF-8 (byte 0xe9)"),
    ("utf16", COMMENTS.encode("utf-16"), "the file is UTF-16 text"),
    ("xlsx", xlsx([["id", "text"], [1, "a"]]), "this is an Excel workbook (.xlsx), not a CSV file"),
    ("huge", ("id,text\n1," + "x" * 200_000 + "\n").encode(), "row 2: cannot be read as CSV (a cell is longer than 131,072 characters"),
    ("too-many", (COMMENTS + "3,a,b\n").encode(), "row 4: 3 values but the header has 2 columns"),
    ("quote", b'id,text\n1,"abc\n', "row 2: cannot be read as CSV (unexpected end of data"),
    ("nul", b"id,text\n1,a\x00b\n", "row 2: the file contains a NUL character"),
]


@pytest.mark.parametrize("name,data,expected", THEME_FILES, ids=[case[0] for case in THEME_FILES])
@pytest.mark.parametrize("command", ["suggest-themes", "discover-themes"])
def test_bad_comments_files_are_refused_and_nothing_is_written(tmp_path, command, name, data, expected):
    comments = tmp_path / f"{name}.csv"
    comments.write_bytes(data)
    codebook = tmp_path / "codebook.csv"
    codebook.write_text(CODEBOOK)
    output = tmp_path / "out.csv"
    args = ["--comments", str(comments), "--output", str(output)]
    if command == "suggest-themes":
        args += ["--codebook", str(codebook)]
    with pytest.raises(CommandError) as error:
        call_command("consult", command, *args, stdout=StringIO())
    assert str(error.value).startswith(f"{comments}: ")
    assert expected in str(error.value)
    assert not output.exists()


@pytest.mark.parametrize("name,text,expected", [
    ("unknown-theme", "id,theme\n1,trains\n", "row 2: unknown theme 'trains' (the codebook has buses, roads)"),
    ("unknown-id", "id,theme\n9,roads\n", "row 2: the id '9' is not in the comments file"),
    ("repeated-id", "id,theme\n1,roads\n1,buses\n", "row 3: the id '1' appears again (first at row 2)"),
])
def test_bad_coded_files_are_refused(tmp_path, name, text, expected):
    files = {"codebook": CODEBOOK, "comments": COMMENTS, "coded": text}
    for key, value in files.items():
        (tmp_path / f"{key}.csv").write_text(value)
    with pytest.raises(CommandError) as error:
        call_command("consult", "suggest-themes", *[arg for key in files for arg in (f"--{key}", str(tmp_path / f"{key}.csv"))],
                     "--output", str(tmp_path / "out.csv"), stdout=StringIO())
    assert str(error.value) == f"{tmp_path / 'coded.csv'}: {expected}."
    assert not (tmp_path / "out.csv").exists()
