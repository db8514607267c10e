"""Themes in the results report: JSON, HTML, PDF, DOCX, XLSX and CSV, and the public page.

The codings are an officer's (reviewed), made here directly, so every figure is known:
q33 has 25 answers. Libraries: 12 answers (48.0%). Transport: 8 as the main theme plus 2 libraries
answers whose second theme the officer confirmed: 10 (40.0%), 2 of them second mentions.
Volunteers: 3 answers (12.0%). Two answers are not coded. Workshop notes: 2 libraries, 1 transport.
"""
import csv
import io
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from shire.consult import coding, reports
from shire.consult.models import AnswerCoding, Response, WorkshopNote
from shire.consult.tests.test_coding import add_codebook, make_text_consultation
from shire.consult.tests.test_reports import _box_text, pdf_text
from shire.core.tests.factories import make_officer, make_team

pytestmark = pytest.mark.django_db

LIBRARIES = [
    "Please keep our village library open, it is the only public space we have.",
    "Closing the branch library would be a disaster for children and older readers.",
    "Mobile library visits are a lifeline for housebound people in the villages.",
    "The library is where I go to use a computer and get help with forms.",
    "Our library runs a baby rhyme time that new parents depend on every week.",
    "Do not close the library in Market Harborough; it is always busy.",
    "The library van brings large print books to my mother once a fortnight.",
    "Libraries are the heart of the community and must stay open.",
    "I would volunteer a few hours a week to keep our library going.",
    "Keep the library open in the evenings so working people can use it.",
    "The library has the only free wifi in our village.",
    "Please do not cut library opening hours any further.",
]
TRANSPORT = [
    "The bus only comes every two hours and not at all on Sundays.",
    "Without the community minibus my neighbour cannot get to hospital.",
    "Rural bus routes must be protected or villages will be cut off.",
    "Older people in our village cannot drive and rely on the bus.",
    "The evening bus service has gone so young people cannot get to college.",
    "Community transport schemes need funding to keep their drivers.",
    "Dial-a-ride is a lifeline for disabled residents like me.",
    "More buses between the villages and the market town, please.",
]
VOLUNTEERS = [
    "You can't run services on goodwill; unpaid helpers are no substitute for trained staff.",
    "The same few volunteers already do everything and they are exhausted. Write to me at jane.doe@example.com.",
    "Volunteers <script>alert('x')</script> cannot replace paid professional staff in care.",
]
UNCODED = ["No comment on this one really.", "I am not sure what this strategy means for me."]
ANSWERS = LIBRARIES + TRANSPORT + VOLUNTEERS + UNCODED


@pytest.fixture
def team():
    return make_team("Communities Team")


@pytest.fixture
def officer(team):
    return make_officer("officer", team=team)


@pytest.fixture
def consultation(team, officer):
    consultation = make_text_consultation(team=team, answers=ANSWERS)
    themes = add_codebook(consultation)
    responses = list(Response.objects.filter(consultation=consultation).order_by("pk"))

    def code(response, theme, second=None, sentiment="unclear"):
        AnswerCoding.objects.create(consultation=consultation, question="q33", response=response, theme=theme,
                                    second_theme=second, confidence=0.9, sentiment=sentiment, reviewed=True,
                                    reviewed_by=officer)

    for i, response in enumerate(responses[:12]):
        second = themes["transport"] if i in (2, 6) else None
        code(response, themes["libraries"], second, "disagree" if i in (1, 5, 11) else "agree")
    for response in responses[12:20]:
        code(response, themes["transport"], sentiment="unclear")
    for response in responses[20:23]:
        code(response, themes["volunteers"], sentiment="disagree")
    notes = coding.add_workshop_notes(consultation, "q33", officer, "LECG", "Keep libraries\nLibrary hours\nBuses")
    for note, key in zip(notes, ("libraries", "libraries", "transport")):
        AnswerCoding.objects.create(consultation=consultation, question="q33", note=note, theme=themes[key], confidence=0.8)
    # Shire's runner-up suggestion on an unreviewed answer is not counted.
    AnswerCoding.objects.filter(response=responses[12]).update(reviewed=False, second_theme=themes["volunteers"],
                                                              second_confidence=0.45)
    return consultation


def write(consultation, fmt, tmp_path, **kwargs):
    path = tmp_path / f"report.{fmt}"
    reports.write_report(consultation, fmt, path, **kwargs)
    return path


def test_json_report_has_theme_counts_percentages_sentiment_and_redacted_quotes(consultation, tmp_path):
    data = json.loads(write(consultation, "json", tmp_path).read_text())
    q33 = data["questions"]["q33"]
    assert q33["base"] == 25
    themes = q33["themes"]
    assert [t["theme"] for t in themes] == ["libraries", "transport", "volunteers"]  # ordered by count
    libraries, transport, volunteers = themes
    assert set(libraries) == {"theme", "name", "description", "count", "percent", "second_mentions", "sentiment",
                              "quotes", "workshop_count"}
    assert (libraries["name"], libraries["description"]) == ("Libraries", "Keeping libraries and mobile libraries open")
    assert (libraries["count"], libraries["percent"], libraries["second_mentions"]) == (12, 48.0, 0)
    assert (transport["count"], transport["percent"], transport["second_mentions"]) == (10, 40.0, 2)
    assert (volunteers["count"], volunteers["percent"]) == (3, 12.0)
    assert libraries["sentiment"] == {"agree": 9, "disagree": 3, "mixed": 0, "unclear": 0}
    assert transport["sentiment"] == {"agree": 2, "disagree": 0, "mixed": 0, "unclear": 8}
    assert volunteers["sentiment"] == {"agree": 0, "disagree": 3, "mixed": 0, "unclear": 0}
    assert (libraries["workshop_count"], transport["workshop_count"], volunteers["workshop_count"]) == (2, 1, 0)
    assert q33["theme_coding"] == {"answers": 25, "coded": 23, "reviewed": 22, "workshop_notes": 3,
                                   "workshop_notes_coded": 3}
    # Two or three typical answers per theme, personal details redacted.
    for theme in themes:
        assert 2 <= len(theme["quotes"]) <= 3
        assert all(isinstance(q, str) for q in theme["quotes"])
    assert len(volunteers["quotes"]) == 3  # every volunteers answer is quoted, so the e-mail's too
    quoted = next(q for q in volunteers["quotes"] if "exhausted" in q)
    assert quoted == "The same few volunteers already do everything and they are exhausted. Write to me at [email]."
    assert "jane.doe@example.com" not in json.dumps(q33["themes"])
    assert set(libraries["quotes"]) <= set(LIBRARIES)
    # The summary names the most common themes.
    assert "The most common themes were Libraries (12, 48.0%), Transport (10, 40.0%) and Over-reliance on volunteers (3, 12.0%)." \
        in q33["summary"]


def test_html_report_has_a_themes_table_and_escaped_quotes(consultation, tmp_path):
    page = write(consultation, "html", tmp_path).read_text()
    section = page[page.index('id="question-q33"'):page.index('id="question-q34"')]
    assert "Themes in the answers" in section
    assert re.search(r"Libraries</th><td[^>]*>12</td><td[^>]*>48.0%</td><td[^>]*>0</td><td[^>]*>9</td><td[^>]*>3</td>"
                     r"<td[^>]*>0</td><td[^>]*>0</td><td[^>]*>2</td>", section)
    assert re.search(r"Transport</th><td[^>]*>10</td><td[^>]*>40.0%</td><td[^>]*>2</td>", section)
    assert "What people said, theme by theme" in section
    quotes = section[section.index("What people said"):section.index("Answers (")]
    assert "Write to me at [email]." in quotes and "jane.doe@example.com" not in quotes
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in section and "<script>alert" not in page
    assert "<svg" in section  # a chart of the themes


def test_pdf_report_has_the_themes(consultation, tmp_path):
    path = write(consultation, "pdf", tmp_path)
    text = pdf_text(path)
    if text is None:
        document = reports.pdf_document(consultation, reports.build_report(consultation))
        text = " ".join(_box_text(page._page_box) for page in document.pages)
    text = " ".join(text.split())
    assert "Themes in the answers" in text and "48.0%" in text
    assert "What people said, theme by theme" in text and "[email]" in text


def test_docx_report_has_a_themes_table_and_quotes(consultation, tmp_path):
    from docx import Document

    doc = Document(str(write(consultation, "docx", tmp_path)))
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    themes = next(t for t in tables if t[0][0] == "Theme")
    assert themes[0][:3] == ["Theme", "Answers (number)", "Answers (%)"]
    assert themes[1][:4] == ["Libraries", "12", "48.0%", "0"]
    assert themes[2][:4] == ["Transport", "10", "40.0%", "2"]
    assert themes[-1][:2] == ["Base: those who answered", "25"]
    quotes = [p.text for p in doc.paragraphs if p.style.name == "Quote"]
    assert any("Write to me at [email]." in q for q in quotes)
    assert not any("jane.doe@example.com" in q for q in quotes)


def test_csv_and_xlsx_have_theme_rows(consultation, tmp_path):
    rows = list(csv.DictReader(io.StringIO(write(consultation, "csv", tmp_path).read_text(encoding="utf-8"))))
    theme_rows = {r["option"]: r for r in rows if r["question"] == "q33" and r["measure"] == "theme"}
    assert theme_rows["libraries"]["count"] == "12" and theme_rows["libraries"]["percent"] == "48.0"
    assert theme_rows["libraries"]["option_label"] == "Libraries" and theme_rows["libraries"]["base"] == "25"
    second = next(r for r in rows if r["measure"] == "theme_second" and r["option"] == "transport")
    assert second["count"] == "2"
    disagree = next(r for r in rows if r["measure"] == "theme_sentiment" and r["option"] == "libraries" and r["group"] == "disagree")
    assert disagree["count"] == "3"
    notes = next(r for r in rows if r["measure"] == "theme_workshop_notes" and r["option"] == "libraries")
    assert notes["count"] == "2"
    from openpyxl import load_workbook

    wb = load_workbook(write(consultation, "xlsx", tmp_path))
    values = [c for row in wb["q33"].iter_rows(values_only=True) for c in row if c is not None]
    assert "Themes in the answers" in values and "Quotes for each theme (personal details removed)" in values
    assert any(isinstance(v, str) and "[email]" in v for v in values)


def test_public_report_shows_themes_with_small_counts_suppressed_and_no_identifiers(consultation):
    report = reports.build_report(consultation, public=True)
    q33 = report["questions"]["q33"]
    assert "answers" not in q33 and "q34" not in report["questions"]  # no free text; no themes, no question
    libraries, transport, volunteers = q33["themes"]
    assert (libraries["count"], libraries["percent"]) == (12, 48.0) and libraries["quotes"]
    assert (volunteers["count"], volunteers["percent"], volunteers["quotes"]) == ("fewer than 5", "fewer than 5", [])
    # With exactly one count hidden, the next smallest is hidden too, so it cannot be worked out.
    assert transport["count"] == "not shown" and transport["sentiment"]["unclear"] == "not shown"
    assert libraries["sentiment"]["disagree"] == "fewer than 5"
    dumped = json.dumps(report)
    assert "jane.doe@example.com" not in dumped and not re.search(r"\bR0\d\d\b", dumped)


def test_public_page_shows_themes_and_quotes(consultation, officer):
    staff = Client()
    staff.force_login(officer)
    staff.post(reverse("consult_results:publish", args=[consultation.slug]), {"results_summary": "We listened."})
    page = Client().get(reverse("consult_results:public", args=[consultation.slug])).content.decode()
    section = page[page.index('id="question-q33"'):]
    assert "Themes in the answers" in section and "What people said, theme by theme" in section
    assert re.search(r"Libraries</th><td[^>]*>12</td><td[^>]*>48.0%</td>", section)
    assert "fewer than 5" in section
    assert "exhausted" not in section  # the volunteers theme is too small to quote
    assert "No comment on this one really" not in page  # answers are never listed
    assert not re.search(r"\bR0\d\d\b", page)


def test_staff_results_page_shows_themes(consultation, officer):
    staff = Client()
    staff.force_login(officer)
    page = staff.get(reverse("consult_results:staff", args=[consultation.slug])).content.decode()
    section = page[page.index('id="question-q33"'):page.index('id="question-q34"')]
    assert "Themes in the answers" in section and "Write to me at [email]." in section
    assert reverse("consult_results:themes", args=[consultation.slug]) in page
    grouped = staff.get(reverse("consult_results:staff", args=[consultation.slug]) + "?group=respondent_type")
    assert grouped.status_code == 200 and "Themes in the answers" in grouped.content.decode()


def test_a_codebook_with_no_coded_answers_stays_off_the_public_report(consultation):
    AnswerCoding.objects.filter(consultation=consultation, response__isnull=False).delete()
    staff_report = reports.build_report(consultation)
    assert staff_report["questions"]["q33"]["theme_coding"]["coded"] == 0  # officers see the codebook
    assert "q33" not in reports.build_report(consultation, public=True)["questions"]


def test_report_without_themes_is_unchanged(team):
    consultation = make_text_consultation(team=team, slug="plain", answers=ANSWERS[:3])
    report = reports.build_report(consultation)
    assert "themes" not in report["questions"]["q33"]
    assert "q33" not in reports.build_report(consultation, public=True)["questions"]
    assert not WorkshopNote.objects.filter(consultation=consultation).exists()


def test_a_report_chooses_its_quotes_with_the_smallest_model_only():
    # Reports are drawn in the web process: choosing quotes must not load nomic (half a gigabyte).
    from shire.consult import themes

    embedder = themes.Embedder(threads=1)
    comments = [(f"l{i}", text) for i, text in enumerate(LIBRARIES)]
    quotes = themes.representative_quotes(comments, {i: "libraries" for i, _ in comments}, k=3, embedder=embedder)
    assert len(quotes["libraries"]) == 3
    assert set(embedder._encoders) == {themes.MODELS[0][0]}
