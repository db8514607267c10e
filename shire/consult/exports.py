"""Responses as a table: one row a response, for spreadsheets, scripts and the command line.

Columns: `response_id`, then one column for every question that is not a note, named by its
XLSForm name, in questionnaire order (page by page, question by question).

Cells:
- `select_one`, `text`, `date`: the stored string (a choice name, the text typed, an ISO 8601 date);
- `select_multiple`: the chosen choice names separated by single spaces, in choice-list order;
- `rank`: every choice name separated by single spaces, most preferred first;
- `integer`, `decimal`: numbers (numeric cells in XLSX);
- a question not answered, or skipped by routing: an empty cell.

Formula injection (CSV only). Spreadsheet programs run a CSV cell that begins with `=`, `+`, `-`
or `@` (or a tab or carriage return) as a formula, and residents' free text may begin that way.
In the CSV, such a *text* answer - any string answer to a question that is not a choice question,
in practice the `text` questions - is written with one extra apostrophe in front, which
spreadsheets show as plain text. A text answer that already begins with apostrophes followed by
one of those characters gets one more, so the rule can be undone exactly: a reader of this CSV
removes one leading apostrophe from a text cell matching `'+[=+\\-@\\t\\r]...`. Numbers (including
negative numbers), choice names, dates and `response_id` are never changed. The XLSX needs no
such guard: every string is written as a typed text cell, never as a formula, so it keeps the
answer as given - except for control characters that the XLSX format cannot hold at all (other
than tab, line feed and carriage return), which are left out of the XLSX. The CSV keeps them.

Rows come straight from the database with `values_list(...).iterator()`, so a download of
100,000 responses never holds model objects or the whole table in memory.
"""
import csv
import json
import re

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

CHOICE_TYPES = frozenset({"select_one", "select_multiple", "rank"})
NUMBER_TYPES = frozenset({"integer", "decimal"})
_FORMULA_START = re.compile(r"'*[=+\-@\t\r]")
_CHUNK_ROWS = 500


def questions(definition):
    """(name, type) of every question that is not a note, in questionnaire order."""
    if not definition:
        return []
    return [
        (item["name"], item["type"])
        for page in definition.get("pages", [])
        for item in page.get("items", [])
        if item.get("type") != "note"
    ]


def consultation_questions(consultation):
    questionnaire = getattr(consultation, "questionnaire", None)
    return questions(questionnaire.definition if questionnaire else None)


def header(consultation):
    return ["response_id", *(name for name, _ in consultation_questions(consultation))]


def cell_value(question_type, value):
    """The plain value of one answer in the table: None (not answered), a string or a number."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, bool):  # JSON true/false: not expected, shown as words rather than 1/0
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def guard_formula(text):
    """`text` made safe to open in a spreadsheet (see the module's note); reversible."""
    return "'" + text if _FORMULA_START.match(text) else text


def rows(consultation):
    """The header, then one list of plain cell values a response, in the order responses arrived."""
    cols = consultation_questions(consultation)
    yield ["response_id", *(name for name, _ in cols)]
    answers_sets = (
        consultation.responses.order_by("submitted_at", "id")
        .values_list("response_id", "answers")
        .iterator(chunk_size=2000)
    )
    for response_id, answers in answers_sets:
        answers = answers or {}
        yield [response_id, *(cell_value(qtype, answers.get(name)) for name, qtype in cols)]


def csv_rows(consultation):
    """Rows for the CSV: empty strings for unanswered questions, text answers guarded."""
    cols = consultation_questions(consultation)
    guarded = [qtype not in CHOICE_TYPES for _, qtype in cols]
    source = rows(consultation)
    yield next(source)
    for row in source:
        out = [row[0]]
        for value, guard in zip(row[1:], guarded):
            if value is None:
                out.append("")
            elif guard and isinstance(value, str):
                out.append(guard_formula(value))
            else:
                out.append(value)
        yield out


def responses_csv(consultation, stream):
    """Write the responses as CSV (RFC 4180, CRLF line ends) to the text `stream`; return how many.

    Open a file for it with `newline=""`. The text is not encoded here: the web download adds a
    UTF-8 byte order mark so that Excel reads accented letters and £ signs correctly.
    """
    writer = csv.writer(stream)
    count = -1
    for count, row in enumerate(csv_rows(consultation)):
        writer.writerow(row)
    return count


class _Echo:
    def write(self, value):
        return value


def csv_chunks(consultation):
    """The CSV as strings of a few hundred rows each, for a streaming HTTP response."""
    writer = csv.writer(_Echo())
    chunk = []
    for row in csv_rows(consultation):
        chunk.append(writer.writerow(row))
        if len(chunk) >= _CHUNK_ROWS:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def responses_xlsx(consultation, path_or_stream):
    """Write the responses as an Excel workbook (one sheet, `responses`) to a path or binary stream; return how many."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("responses")
    count = -1
    for count, row in enumerate(rows(consultation)):
        cells = []
        for value in row:
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
                cell.data_type = "s"  # text, never a formula, whatever it begins with
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    workbook.save(path_or_stream)
    return count
