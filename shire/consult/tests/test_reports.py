"""The results report (shire/consult/reports.py): every format written from a small consultation
whose figures are worked out by hand below, read back and checked."""
import csv
import io
import json
import re
import shutil
import subprocess
from datetime import date

import pytest
from django.core.management import call_command

from shire.consult import reports
from shire.consult.models import Consultation, Questionnaire, Response, Workshop, WorkshopVote
from shire.core.tests.factories import make_team

pytestmark = pytest.mark.django_db

AGREE = [
    {"name": "strongly_agree", "label": "Strongly agree"},
    {"name": "agree", "label": "Agree"},
    {"name": "neither", "label": "Neither agree nor disagree"},
    {"name": "disagree", "label": "Disagree"},
    {"name": "strongly_disagree", "label": "Strongly disagree"},
    {"name": "dont_know", "label": "Don't know"},
]


def q(name, type_, label, choices=None, list_name=None):
    item = {"name": name, "type": type_, "label": label, "hint": None, "required": False, "relevant": None,
            "constraint": None, "appearance": None, "row": 2}
    if choices is not None:
        item["choices"] = choices
        item["list_name"] = list_name or name
    return item


DEFINITION = {
    "form_id": "communities_small",
    "title": "Communities Strategy (small)",
    "version": "1",
    "pages": [
        {"name": "about_you", "label": "About you", "items": [
            {"name": "intro", "type": "note", "label": "About you", "row": 2},
            q("respondent_type", "select_multiple", "What type of organisation do you represent?", [
                {"name": "individual", "label": "Individual"},
                {"name": "voluntary", "label": "Voluntary sector organisation"},
                {"name": "parish", "label": "Town or parish council"},
            ]),
            q("age", "integer", "How old are you?"),
        ]},
        {"name": "principle", "label": "The principle", "items": [
            q("q5", "select_one", "Do you agree with the principle?", AGREE, "agree"),
        ]},
        {"name": "priorities", "label": "The three priorities", "items": [
            q("p1", "select_one", "Helping communities to support vulnerable people", AGREE, "agree"),
            q("p2", "select_one", "Helping communities to design and deliver services", AGREE, "agree"),
        ]},
        {"name": "investment", "label": "Investment", "items": [
            q("q10", "rank", "What is your order of priority for investment?", [
                {"name": "local", "label": "Understand local priorities"},
                {"name": "funding", "label": "Access to funding, support and training"},
                {"name": "hub", "label": "At least one community hub"},
                {"name": "champions", "label": "Network of community champions"},
            ]),
            q("q23", "select_multiple", "How would you like to hear from us?", [
                {"name": "website", "label": "On the website"},
                {"name": "email", "label": "By e-mail"},
                {"name": "post", "label": "By post"},
            ]),
            q("comments", "text", "Any other comments?"),
        ]},
    ],
}

# Ten responses. Worked by hand:
# respondent_type (base 10): individual 6, voluntary 4, parish 1.
# q5 (base 9): strongly agree 3 (33.3%), agree 4 (44.4%), neither 1 (11.1%), disagree 1 (11.1%);
#   net agreement (3 + 4 - 1) / 9 = 66.7%.
# p1 (base 10): SA 2, A 2, N 2, SD 4: net 0.0.   p2 (base 10): SA 5, A 3, D 2: net 60.0.
# q10 (base 8): first local 4, funding 2, hub 1, champions 1; last champions 5, hub 2, local 1, funding 0;
#   top three local 7, funding 8, hub 6, champions 3.
# q23 (base 9): email 7 (77.8%), website 5 (55.6%), post 2 (22.2%).
SA, A, N, D, SD = "strongly_agree", "agree", "neither", "disagree", "strongly_disagree"
RANKS = [
    ["local", "funding", "hub", "champions"],
    ["local", "hub", "funding", "champions"],
    ["local", "funding", "champions", "hub"],
    ["funding", "local", "hub", "champions"],
    ["funding", "hub", "local", "champions"],
    ["hub", "local", "funding", "champions"],
    ["local", "champions", "funding", "hub"],
    ["champions", "hub", "funding", "local"],
]
TYPES = [["individual"]] * 6 + [["voluntary"]] * 3 + [["voluntary", "parish"]]
Q5 = [SA, SA, SA, A, A, A, A, N, D, None]
P1 = [SA, SA, A, A, N, N, SD, SD, SD, SD]
P2 = [SA, SA, SA, SA, SA, A, A, A, D, D]
Q23 = [["website", "email"], ["email"], ["email"], ["website", "email", "post"], ["website"], ["email"],
       ["website", "email"], ["post"], ["website", "email"], None]
COMMENTS = ["<script>alert('x')</script> & more", '=HYPERLINK("http://evil.example")', None, "Plain comment", None,
            None, None, None, None, None]
AGES = [34, 56, 71, 45, None, 29, 62, 50, 41, 38]


def answers(i):
    values = {
        "respondent_type": TYPES[i], "age": AGES[i], "q5": Q5[i], "p1": P1[i], "p2": P2[i],
        "q10": RANKS[i] if i < len(RANKS) else None, "q23": Q23[i], "comments": COMMENTS[i],
    }
    return {k: v for k, v in values.items() if v is not None}


def make_consultation(team=None, slug="communities-small", workshops=True, responses=10):
    team = team or make_team("Communities Team")
    consultation = Consultation.objects.create(
        slug=slug, title="Communities Strategy & you", summary="What should we focus on?",
        opens_on=date(2026, 1, 5), closes_on=date(2026, 3, 30), contact_name="Communities Team",
        contact_email="communities@example.gov.uk", team=team,
    )
    Questionnaire.objects.create(consultation=consultation, title=DEFINITION["title"], form_id=DEFINITION["form_id"],
                                 definition=DEFINITION)
    Response.objects.bulk_create(
        Response(consultation=consultation, response_id=f"R{i:03d}", answers=answers(i), channel="imported")
        for i in range(responses)
    )
    if workshops:
        lecg = Workshop.objects.create(consultation=consultation, name="LECG")
        staff = Workshop.objects.create(consultation=consultation, name="Staff")
        for workshop, votes in ((lecg, {"local": 11, "funding": 9, "hub": 0, "champions": 1}),
                                (staff, {"local": 7, "funding": 0, "hub": 3, "champions": 0})):
            for option, count in votes.items():
                WorkshopVote.objects.create(workshop=workshop, question="q10", option=option, votes=count)
    return consultation


@pytest.fixture
def consultation():
    return make_consultation()


def write(consultation, fmt, tmp_path, **kwargs):
    path = tmp_path / f"report.{fmt}"
    reports.write_report(consultation, fmt, path, **kwargs)
    return path


# ---------------------------------------------------------------------------------------- build


def test_report_does_not_build_response_objects(consultation, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the report built a Response object")

    monkeypatch.setattr(Response, "__init__", refuse)
    report = reports.build_report(consultation)
    assert report["responses"] == 10


def test_report_without_questionnaire_says_so():
    team = make_team("Other")
    bare = Consultation.objects.create(slug="bare", title="Bare", summary="x", opens_on=date(2026, 1, 1),
                                       closes_on=date(2026, 2, 1), contact_name="x", contact_email="x@example.org", team=team)
    with pytest.raises(reports.ReportError, match="no questionnaire"):
        reports.build_report(bare)


def test_group_by_must_be_a_choice_question(consultation):
    with pytest.raises(reports.ReportError):
        reports.build_report(consultation, group_by="comments")


# ---------------------------------------------------------------------------------------- JSON


def test_json_report_figures(consultation, tmp_path):
    data = json.loads(write(consultation, "json", tmp_path).read_text())
    assert list(data) == ["consultation", "responses", "questions"]
    assert data["consultation"] == "communities-small"
    assert data["responses"] == 10
    questions = data["questions"]
    assert questions["respondent_type"]["counts"] == {"individual": 6, "voluntary": 4, "parish": 1}
    assert questions["respondent_type"]["base"] == 10
    q5 = questions["q5"]
    assert q5["type"] == "select_one" and q5["base"] == 9
    assert q5["counts"] == {SA: 3, A: 4, N: 1, D: 1, SD: 0, "dont_know": 0}
    assert q5["percent"][SA] == 33.3 and q5["percent"][A] == 44.4 and q5["percent"][N] == 11.1
    assert q5["net_agreement"] == 66.7
    assert q5["summary"] and "77.8%" in q5["summary"][0]
    assert questions["p1"]["net_agreement"] == 0.0 and questions["p2"]["net_agreement"] == 60.0
    q10 = questions["q10"]
    assert q10["base"] == 8
    assert q10["first"] == {"local": 4, "funding": 2, "hub": 1, "champions": 1}
    assert q10["last"] == {"local": 1, "funding": 0, "hub": 2, "champions": 5}
    assert q10["top3"] == {"local": 7, "funding": 8, "hub": 6, "champions": 3}
    assert q10["workshops"]["LECG"] == {"local": 11, "funding": 9, "hub": 0, "champions": 1}
    assert q10["workshops"]["total"] == {"local": 18, "funding": 9, "hub": 3, "champions": 1}
    assert q10["combined_top3"] == {"local": 25, "funding": 17, "hub": 9, "champions": 4}
    assert questions["q23"]["counts"] == {"website": 5, "email": 7, "post": 2}
    assert questions["q23"]["percent"] == {"website": 55.6, "email": 77.8, "post": 22.2}
    assert questions["comments"]["answers"][0] == "<script>alert('x')</script> & more"


# (PostgreSQL's jsonb cannot hold the character U+0000, so it is only in the test of write_json below.)
ODD_TEXTS = ['Quote " and backslash \\ and tab \t and a\nline break', "\x01\x1f\x7f controls",
             "café – “curly” \u2028 \U0001F600 ✓", "{\"t\":\"looks like JSON\"}\n{\"t\":", "}\n{"]


@pytest.mark.parametrize("group_by", [None, "respondent_type"])
def test_json_report_is_the_bytes_json_dumps_gives(consultation, tmp_path, group_by):
    # The report is written as it is encoded, answers in bulk: it must still be exactly json.dumps's text.
    Response.objects.bulk_create(
        Response(consultation=consultation, response_id=f"ODD{n}", answers={"comments": text, "respondent_type": ["parish"]},
                 channel="imported") for n, text in enumerate(ODD_TEXTS))
    report = reports.json_report(reports.build_report(consultation, group_by=group_by))
    assert [a for a in report["questions"]["comments"]["answers"] if a in ODD_TEXTS] == ODD_TEXTS
    expected = (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    assert write(consultation, "json", tmp_path, group_by=group_by).read_bytes() == expected


@pytest.mark.parametrize("value", [
    {}, [], {"a": [], "b": {}, "c": None}, {"n": [1, 2.5, True, None], "s": ["x"], "mixed": ["x", 1]},
    {1: "a non-text key", "k": {"deep": {"texts": ["a", "b"], "empty": ""}}}, ["only", "texts"], "text", 3, None,
    {"nested": [{"texts": ["a\nb"]}, ["c"]]}, {"texts": ["\x00\x01\x1f\x7f", '"\\', "\u2028 \U0001F600"]},
])
def test_write_json_matches_json_dumps(value):
    out = io.BytesIO()
    size = reports.write_json(value, out)
    assert out.getvalue() == (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    assert size == len(out.getvalue())


def test_cli_report_json(consultation, tmp_path):
    path = tmp_path / "cli.json"
    call_command("consult", "report", consultation.slug, "--format", "json", "--output", str(path))
    assert json.loads(path.read_text())["questions"]["q5"]["net_agreement"] == 66.7


# ---------------------------------------------------------------------------------------- HTML


def test_html_report(consultation, tmp_path):
    page = write(consultation, "html", tmp_path).read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "Communities Strategy &amp; you" in page
    # q5's table: counts, percentages and the base.
    section = page[page.index('id="question-q5"'):page.index('id="question-priorities"')]
    assert re.search(r"Strongly agree</th><td[^>]*>3</td><td[^>]*>33.3%</td>", section)
    assert re.search(r"Agree</th><td[^>]*>4</td><td[^>]*>44.4%</td>", section)
    assert "Base: 9 who answered" in section
    assert "+66.7%" in section
    assert "<svg" in section and 'role="img"' in section  # the chart, inline
    # The grid, ordered by net agreement: p2 (60.0) before p1 (0.0).
    grid = page[page.index('id="question-priorities"'):page.index('id="question-q10"')]
    assert grid.index("design and deliver services") < grid.index("support vulnerable people")
    assert re.search(r">5<br><span[^>]*>50.0%</span>", grid)  # strongly agree with p2: 5 of 10
    assert "Helping communities to design and deliver services: 80% of the 10 respondents" in grid
    # The rank question and the workshop table with the combined top three.
    rank = page[page.index('id="question-q10"'):page.index('id="question-q23"')]
    assert ">LECG<" in rank and ">Staff<" in rank and ">Combined top three<" in rank
    assert re.search(r"Understand local priorities</th>(<td[^>]*>\d+</td>){2}<td[^>]*>18</td><td[^>]*>7</td><td[^>]*>25</td>", rank)
    # select_multiple in order of count: e-mail (7) before website (5) before post (2).
    multiple = page[page.index('id="question-q23"'):page.index('id="question-comments"')]
    assert multiple.index("By e-mail") < multiple.index("On the website") < multiple.index("By post")
    # Free text escaped, never raw.
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in page
    assert "Plain comment" in page


# ---------------------------------------------------------------------------------------- PDF


def pdf_text(path):
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return None


def test_pdf_report(consultation, tmp_path):
    path = write(consultation, "pdf", tmp_path)
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    document = reports.pdf_document(consultation, reports.build_report(consultation))
    assert len(document.pages) >= 2
    text = pdf_text(path)
    if text is None:  # no poppler here: read the laid-out text from WeasyPrint's document instead
        text = " ".join(_box_text(page._page_box) for page in document.pages)
    assert "Communities Strategy & you" in text
    assert "33.3%" in text and "+66.7%" in text and "Base: 9 who answered" in text
    assert "Combined top three" in text


def _box_text(box):
    text = getattr(box, "text", "") or ""
    for child in getattr(box, "children", []) or []:
        text += " " + _box_text(child)
    return text


# ---------------------------------------------------------------------------------------- DOCX


def test_docx_report(consultation, tmp_path):
    from docx import Document

    doc = Document(str(write(consultation, "docx", tmp_path)))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading") or p.style.name == "Title"]
    assert "Communities Strategy & you" in headings
    assert "q5. Do you agree with the principle?" in headings
    texts = "\n".join(p.text for p in doc.paragraphs)
    assert "Base: 9 who answered" in texts
    assert "<script>alert('x')</script> & more" in texts  # free text kept as text, not markup
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    q5 = next(t for t in tables if t[0] == ["Response", "Number", "%"] and t[1][0] == "Strongly agree")
    assert q5[1] == ["Strongly agree", "3", "33.3%"]
    assert q5[-1] == ["Base: those who answered", "9", "–"]
    workshop = next(t for t in tables if "Combined top three" in t[0])
    row = next(r for r in workshop if r[0] == "Understand local priorities")
    assert row[-3:] == ["18", "7", "25"]
    assert len(doc.inline_shapes) >= 5  # a chart for each question with figures


# ---------------------------------------------------------------------------------------- XLSX


def test_xlsx_report(consultation, tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(write(consultation, "xlsx", tmp_path))
    assert wb.sheetnames[0] == "Summary" and wb.sheetnames[-1] == "Data"
    summary = wb["Summary"]
    assert summary["A1"].value == "Communities Strategy & you"
    assert summary["B3"].value == 10
    q5 = [[c.value for c in row] for row in wb["q5"].iter_rows()]
    assert ["Strongly agree", 3, 33.3] == q5[q5.index(["Response", "Number", "%"] + [None] * (len(q5[0]) - 3)) + 1][:3]
    data = [[c.value for c in row] for row in wb["Data"].iter_rows()]
    assert data[0] == reports.CSV_COLUMNS
    assert ["q5", "Do you agree with the principle?", "all", "agree", "Agree", 4, 44.4, 9, "count", 4] in data
    comments = [row[0] for row in wb["comments"].iter_rows(values_only=True)]
    assert "'=HYPERLINK(\"http://evil.example\")" in comments  # neutralised: not a formula
    assert all(c.data_type != "f" for ws in wb for row in ws.iter_rows() for c in row)


# ---------------------------------------------------------------------------------------- CSV


def test_csv_report(consultation, tmp_path):
    rows = list(csv.reader(io.StringIO(write(consultation, "csv", tmp_path).read_text())))
    assert rows[0] == reports.CSV_COLUMNS
    q5 = [r for r in rows if r[0] == "q5"]
    assert q5 == [
        ["q5", "Do you agree with the principle?", "all", SA, "Strongly agree", "3", "33.3", "9", "count", "3"],
        ["q5", "Do you agree with the principle?", "all", A, "Agree", "4", "44.4", "9", "count", "4"],
        ["q5", "Do you agree with the principle?", "all", N, "Neither agree nor disagree", "1", "11.1", "9", "count", "1"],
        ["q5", "Do you agree with the principle?", "all", D, "Disagree", "1", "11.1", "9", "count", "1"],
        ["q5", "Do you agree with the principle?", "all", SD, "Strongly disagree", "0", "0.0", "9", "count", "0"],
        ["q5", "Do you agree with the principle?", "all", "dont_know", "Don't know", "0", "0.0", "9", "count", "0"],
        ["q5", "Do you agree with the principle?", "all", "", "", "", "66.7", "9", "net_agreement", "66.7"],
    ]
    top3 = {r[3]: r[5] for r in rows if r[0] == "q10" and r[8] == "top3"}
    assert top3 == {"local": "7", "funding": "8", "hub": "6", "champions": "3"}
    lecg = {r[3]: r[5] for r in rows if r[0] == "q10" and r[8] == "workshop_votes" and r[2] == "LECG"}
    assert lecg == {"local": "11", "funding": "9", "hub": "0", "champions": "1"}
    combined = {r[3]: r[5] for r in rows if r[0] == "q10" and r[8] == "combined_top3"}
    assert combined == {"local": "25", "funding": "17", "hub": "9", "champions": "4"}
    assert not [r for r in rows if r[0] == "comments"]  # free text is not a figure


def test_csv_neutralises_formulas(tmp_path):
    team = make_team("Formula Team")
    consultation = make_consultation(team=team, slug="formulas", workshops=False)
    Workshop.objects.create(consultation=consultation, name="=cmd|' /C calc'!A0")
    WorkshopVote.objects.create(workshop=consultation.workshops.get(), question="q10", option="local", votes=3)
    rows = list(csv.reader(io.StringIO(write(consultation, "csv", tmp_path).read_text())))
    groups = {r[2] for r in rows if r[8] == "workshop_votes"}
    assert groups == {"'=cmd|' /C calc'!A0"}


def test_grouped_csv_has_a_row_set_per_group(consultation, tmp_path):
    rows = list(csv.reader(io.StringIO(write(consultation, "csv", tmp_path, group_by="respondent_type").read_text())))
    email = {r[2]: (r[5], r[6], r[7]) for r in rows if r[0] == "q23" and r[3] == "email"}
    # Individuals are responses 0-5: e-mail ticked by 0, 1, 2, 3, 5 of the 6 who answered.
    assert email["all"] == ("7", "77.8", "9")
    assert email["respondent_type=individual"] == ("5", "83.3", "6")
    assert email["respondent_type=voluntary"] == ("2", "66.7", "3")


# ---------------------------------------------------------------------------------------- public


def test_public_report_suppresses_small_numbers_and_free_text(consultation):
    report = reports.build_report(consultation, public=True)
    assert "comments" not in report["questions"]
    assert all("answers" not in q for q in report["questions"].values())
    assert report["questions"]["respondent_type"]["counts"]["parish"] == "fewer than 5"
    assert report["questions"]["q5"]["counts"][SA] == "fewer than 5"
    page = reports.render_html(consultation, report).decode()
    assert "fewer than 5" in page and "Plain comment" not in page


def test_labels_are_escaped_in_tables_and_charts(tmp_path):
    import copy

    consultation = make_consultation(team=make_team("Escaping"), slug="escaping", workshops=False)
    definition = copy.deepcopy(DEFINITION)
    definition["pages"][3]["items"][1]["choices"][1]["label"] = '<img src=x onerror="alert(1)"> & $x$'
    consultation.questionnaire.definition = definition
    consultation.questionnaire.save()
    page = write(consultation, "html", tmp_path).read_text()
    assert "<img src=x" not in page
    assert page.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; $x$") >= 2  # the table, and the chart's text
