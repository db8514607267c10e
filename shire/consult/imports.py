"""Importing responses and workshop results into a consultation (`shire consult import-responses`
and `shire consult import-workshops`).

Both imports read the whole file and check every cell before writing anything. If anything is
wrong they raise ImportProblems, which lists every problem as "FILE, row R, column C (name):
message" (rows and columns counted as a spreadsheet shows them: the header is row 1, the first
column is A) and nothing is imported. If everything is right the rows are written in one
transaction.

Responses file
    The format the officers' export writes: a `response_id` column (the export puts it first; any
    column will do), then one column a question, headed by the question's XLSForm name, in any
    order and any subset of the questionnaire's questions (notes have no column). `select_multiple`
    and `rank` answers are space-separated choice names (a ranking most preferred first, every
    option once); an empty cell is a question not answered. Headings and choice names may be
    written in any case, with spaces around them, unless two names differ only in case.

    Files exported by other survey tools are read too: a column headed by the question's whole
    label, and a choice given as its label (in the form's language, any case and spacing), several
    of them separated by ';' or by ',' (read only where one reading makes every part a choice:
    labels may hold commas), or one column an option headed "question/option" (1 or 0, or the
    option where ticked), as KoboToolbox, ODK and SurveyMonkey export them. A heading or cell that could mean two questions or choices (two
    labels, or one's name and another's label) is refused, naming the candidates. CSV files are UTF-8 (a byte-order mark is fine; any other
    encoding is refused, never guessed, naming the row and column of its first byte that is not
    UTF-8); XLSX files are read from their first sheet.

    Each row is checked as the answering pages would check it: choices, types, the questions'
    constraints and routing (`relevant` of the question and of its page). A question that routing
    shows to the respondent and that is required must be answered; a question that routing skips
    for the respondent must be empty. Routing and required-ness are only judged from the columns
    the file has: a question whose routing depends on a question the file leaves out (or on a cell
    that is itself wrong) is not judged, so one mistake is not reported many times over, and a
    required question with no column at all is not reported on every row.

    The rules are the answering pages' rules (shire.consult.questionnaire.clean_answers), and a
    test holds the two to the same verdicts. The import evaluates them itself, with each
    expression's result remembered by the values it refers to, because calling clean_answers for
    every row doubles the time of a 100,000-row import (docs/performance.md).

Workshops file
    Columns `workshop,question,option,votes`: the workshop's name, a question of the
    questionnaire that has choices, one of its choice names, and a whole number of votes (0 or
    more). Importing a workshop replaces all the votes held for it, so importing a file again
    changes nothing.
"""
import csv
import difflib
import gc
import math
import os
import re
from contextlib import contextmanager
from datetime import date, datetime, time

from django.db import IntegrityError, transaction
from django.utils import timezone

from shire.core import audit

from . import expressions
from .questionnaire import number_out_of_range, without_thousands
from .models import Questionnaire, Response, Workshop, WorkshopVote
from .services import ConsultationError

MAX_LISTED = 200  # problems listed in full; the rest are counted
BATCH_SIZE = 2000  # rows a database round trip when inserting responses
RESPONSE_ID = "response_id"
RESPONSE_ID_MAX = Response._meta.get_field("response_id").max_length
WORKSHOP_NAME_MAX = Workshop._meta.get_field("name").max_length
VOTES_MAX = 2_147_483_647  # the largest value every database keeps in a PositiveIntegerField
WORKSHOP_COLUMNS = ("workshop", "question", "option", "votes")
CHOICE_TYPES = ("select_one", "select_multiple", "rank")
ANSWER_TYPES = CHOICE_TYPES + ("text", "integer", "decimal", "date")

_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DOT_SEGMENT = re.compile(r"(^|/)\.{1,2}(/|$)")
_CACHE_LIMIT = 20_000  # distinct cell values remembered a column, and expression results


class ImportProblems(ConsultationError):
    """The file was refused: `problems` lists the first MAX_LISTED problems, `total` counts them all."""

    def __init__(self, filename, problems, total=None):
        self.filename = filename
        self.problems = list(problems)
        self.total = len(self.problems) if total is None else total
        super().__init__(self.message())

    def message(self):
        noun = "problem" if self.total == 1 else "problems"
        lines = [f"{self.filename}: nothing was imported, because of {self.total} {noun}:"]
        lines += self.problems
        if self.total > len(self.problems):
            lines.append(f"... and {self.total - len(self.problems)} more {'problem' if self.total - len(self.problems) == 1 else 'problems'} not listed.")
        return "\n".join(lines)


class _Problems:
    """Collects problems in the order they are found, keeping the first `limit` as text."""

    def __init__(self, filename, limit=MAX_LISTED):
        self.filename = filename
        self.limit = limit
        self.listed = []
        self.count = 0

    def add(self, message, row=None, column=None, name=None):
        self.count += 1
        if len(self.listed) >= self.limit:
            return
        where = self.filename
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column_letter(column)}"
            if name:
                where += f" ({name})"
        self.listed.append(f"{where}: {message}")

    def __bool__(self):
        return self.count > 0

    def check(self):
        if self.count:
            raise ImportProblems(self.filename, self.listed, self.count)


def column_letter(index):
    """The spreadsheet letter of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# --- reading files ----------------------------------------------------------------------------

def _display_name(path):
    return os.fspath(path)


def read_rows(path):
    """Yield (row number, list of cell texts) for every row of a CSV or XLSX file.

    Cells are strings ("" for an empty cell). Raises ImportProblems naming the file if it cannot be
    read: missing, not UTF-8, an old .xls workbook, or a damaged workbook.
    """
    name = _display_name(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except FileNotFoundError:
        raise ImportProblems(name, [f"{name}: there is no such file."]) from None
    except IsADirectoryError:
        raise ImportProblems(name, [f"{name}: is a folder, not a CSV or XLSX file."]) from None
    except OSError as error:
        raise ImportProblems(name, [f"{name}: the file cannot be read ({error.strerror})."]) from None
    if head.startswith(b"PK\x03\x04"):
        return _xlsx_rows(path, name)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportProblems(name, [f"{name}: this is an old Excel (.xls) workbook; save it as .xlsx or as CSV UTF-8 and import that."])
    if str(path).lower().endswith((".xlsx", ".xlsm")):
        raise ImportProblems(name, [f"{name}: this is not an XLSX workbook (it may be damaged, or a different kind of file renamed)."])
    problem = not_utf8_text(head)
    if problem:
        raise ImportProblems(name, [f"{name}: {problem}"])
    line = _line_with_nul(path)
    if line:
        raise ImportProblems(name, [f"{name}, row {line}: the file contains a NUL character (byte 0x00), which text never "
                                    "holds: is it really a CSV file? Save it as \"CSV UTF-8\" and import that."])
    return _csv_rows(path, name)


def not_utf8_text(head):
    """Why a file starting with the bytes `head` is not a UTF-8 CSV file, or None if it may be one."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ("the file is UTF-16 text (Excel's \"Unicode Text\"), not UTF-8. "
                "Save it as \"CSV UTF-8 (comma delimited)\" and import it again.")
    if head.startswith(b"PK\x03\x04"):
        return "this is an Excel workbook (.xlsx), not a CSV file. Save it as \"CSV UTF-8 (comma delimited)\" and import that."
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "this is an old Excel (.xls) workbook, not a CSV file. Save it as \"CSV UTF-8 (comma delimited)\" and import that."
    return None


def _line_with_nul(path, chunk=1 << 20):
    """The line number of the first NUL byte in the file, or None: a fast scan, done before parsing."""
    lines = 1
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            at = block.find(b"\x00")
            if at >= 0:
                return lines + block.count(b"\n", 0, at)
            lines += block.count(b"\n")
    return None


def _csv_rows(path, name):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        row = 0
        try:
            for row, cells in enumerate(reader, 1):
                yield row, cells
        except UnicodeDecodeError:
            raise ImportProblems(name, [f"{name}, {_first_bad_byte(path)} is not UTF-8: the file is not UTF-8 text (perhaps "
                                        "Latin-1 or Windows-1252, which cannot be told apart from other encodings, so it is "
                                        "never guessed). Save it as \"CSV UTF-8\" and import it again."]) from None
        except csv.Error as error:
            raise ImportProblems(name, [f"{name}, row {row + 1}: the CSV cannot be read: {csv_problem(error)}."]) from None


def csv_problem(error):
    """A csv module error in an officer's words."""
    text = str(error)
    if "field larger than field limit" in text:
        return f"a cell is longer than {csv.field_size_limit():,} characters, the most one cell may hold"
    if "unexpected end of data" in text or "expected after" in text:
        return (f"{text}: a quotation mark (\") opens a cell but is not closed as CSV expects (a quote inside a "
                "cell is written twice, \"\")")
    return text


def _first_bad_byte(path):
    """Where the first byte that is not UTF-8 is, as "row R, column C: the byte 0xNN".

    The file is read again with each such byte kept as a stand-in character, so the CSV reader
    counts rows and columns as it would have (a quoted cell may span lines).
    """
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        try:
            for row, cells in enumerate(csv.reader(handle, strict=True), 1):
                for column, cell in enumerate(cells):
                    bad = next((c for c in cell if "\udc80" <= c <= "\udcff"), None)
                    if bad is not None:
                        return f"row {row}, column {column_letter(column)}: the byte 0x{ord(bad) - 0xDC00:02X}"
        except csv.Error:  # the reader stopped before the byte: at least its row
            pass
    with open(path, "rb") as handle:
        for row, line in enumerate(handle, 1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as error:
                return f"row {row}: the byte 0x{line[error.start]:02X}"
    return "row 1: a byte"


def _xlsx_rows(path, name):
    try:
        opened = _open_sheet_fast(path, name)
        if opened is None:  # no lxml, or an openpyxl whose insides differ: openpyxl's own, slower reader
            opened = _open_sheet_openpyxl(path, name)
    except ImportProblems:
        raise
    except Exception as error:  # zipfile, XML and openpyxl's own errors all mean the same to an officer
        raise ImportProblems(name, [f"{name}: the workbook cannot be opened ({type(error).__name__}: {error})."]) from None
    rows, close = opened
    row = 0
    try:
        for row, cells in rows:
            yield row, cells
    except Exception as error:
        raise ImportProblems(name, [
            f"{name}, row {row + 1}: the sheet cannot be read; the workbook may be damaged ({type(error).__name__}: {error})."
        ]) from None
    finally:
        close()


def _open_sheet_openpyxl(path, name):
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    if not workbook.worksheets:
        workbook.close()
        raise ImportProblems(name, [f"{name}: the workbook has no sheets."])
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()  # some writers record a wrong size; read every row there is
    rows = ((n, [_cell_text(value) for value in values]) for n, values in enumerate(sheet.iter_rows(values_only=True), 1))
    return rows, workbook.close


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE, _INLINE, _TEXT, _RUN, _FORMULA = (_MAIN + tag for tag in ("row", "c", "v", "is", "t", "r", "f"))


class Formula(str):
    """A cell holding a formula with no value saved with it (written by a program, or never
    recalculated): its text is the formula, and the checks refuse it rather than read it as empty."""

    def problem(self):
        return (f"this cell holds the formula {self} with no value saved with it; open the file in a spreadsheet, "
                "save it there (which works out the value) or type the value itself, and import it again.")


def _open_sheet_fast(path, name):
    """(rows, close) for the first sheet, read with lxml; None if that cannot be done here.

    openpyxl reads the workbook's parts (which sheet comes first, the shared strings, which styles
    are dates) as `load_workbook(read_only=True)` does, but not the sheets themselves:
    load_workbook would parse a whole sheet just to learn its size when the file does not record
    it (openpyxl's write-only mode, which the responses export uses, does not), and its cell reader
    is slow. The sheet's rows are parsed here with lxml, about three times faster, giving the same
    texts as openpyxl's reader (a test holds the two to that).
    """
    try:
        from lxml import etree  # noqa: F401 (only checking it is there)
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.styles.stylesheet import apply_stylesheet
    except ImportError:
        return None
    reader = ExcelReader(path, read_only=True, data_only=True, keep_links=False)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        workbook = reader.wb
        styles = (workbook._date_formats, workbook._timedelta_formats, workbook.epoch)
        target = next((rel.target for _, rel in reader.parser.find_sheets()
                       if rel.target in reader.valid_files and "chartsheet" not in (rel.Type or "")), None)
    except AttributeError:
        reader.archive.close()
        return None
    except BaseException:
        reader.archive.close()
        raise
    if target is None:
        reader.archive.close()
        raise ImportProblems(name, [f"{name}: the workbook has no sheets."])
    return _lxml_rows(lambda: reader.archive.open(target), reader.shared_strings, *styles), reader.archive.close


def _lxml_rows(open_source, shared, dates, timedeltas, epoch):
    """Yield (row number, cell texts) from a worksheet's XML; rows it leaves out come as empty rows."""
    from lxml import etree
    from openpyxl.utils.cell import column_index_from_string
    from openpyxl.utils.datetime import from_excel, from_ISO8601

    columns = {}

    def column_of(reference):
        letters = reference.rstrip("0123456789")
        index = columns.get(letters)
        if index is None:
            index = columns[letters] = column_index_from_string(letters) - 1
        return index

    def text_of(cell):
        kind = cell.get("t")
        if kind == "inlineStr":
            node = cell.find(_INLINE)
            if node is None:
                return ""
            return "".join((part.text or "") if part.tag == _TEXT else (part.findtext(_TEXT) or "")
                           for part in node if part.tag in (_TEXT, _RUN))
        value = cell.findtext(_VALUE)
        if not value:
            # A formula whose result is empty text is saved as text (t="str") with an empty value; one
            # saved without its value has no value, or an empty one not marked as text (openpyxl's way).
            formula = cell.findtext(_FORMULA) if kind != "str" or value is None else None
            return Formula("=" + formula) if formula else ""
        if kind is None or kind == "n":
            style = cell.get("s")
            style = int(style) if style else 0
            number = int(value) if value.isdigit() else float(value)
            if style and style in dates:
                try:
                    return _cell_text(from_excel(number, epoch, timedelta=style in timedeltas))
                except (OverflowError, ValueError):
                    return "#VALUE!"
            return value if value.isdigit() else _cell_text(number)
        if kind == "s":
            return str(shared[int(value)])
        if kind == "b":
            return "true" if int(value) else "false"
        if kind == "d":
            return _cell_text(from_ISO8601(value))
        return value  # "str" (a formula's text) and "e" (an error such as #N/A)

    expected = 1
    with open_source() as source:
        for _, element in etree.iterparse(source, events=("end",), tag=_ROW, resolve_entities=False, no_network=True):
            number = element.get("r")
            number = int(number) if number else expected
            while expected < number:  # rows a spreadsheet leaves out are empty rows
                yield expected, []
                expected += 1
            cells, next_column = [], 0
            for cell in element.iterchildren(_CELL):
                reference = cell.get("r")
                index = column_of(reference) if reference else next_column
                if index >= len(cells):
                    cells.extend([""] * (index - len(cells) + 1))
                cells[index] = text_of(cell)
                next_column = index + 1
            yield number, cells
            expected = number + 1
            element.clear()
            while element.getprevious() is not None:  # keep memory flat on huge sheets
                del element.getparent()[0]


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


# --- the questionnaire ------------------------------------------------------------------------

def _definition(consultation):
    try:
        return consultation.questionnaire.definition
    except Questionnaire.DoesNotExist:
        raise ConsultationError(
            f"{consultation.slug} has no questionnaire yet: import its form first with "
            f"`shire consult import-form FORM.xlsx --slug {consultation.slug}`."
        ) from None


class _Unknown(Exception):
    """An expression depends on an answer the file does not give, or gives wrongly."""


class _Rule:
    """A compiled `relevant`, `constraint` or `required` expression.

    Results are remembered by the values of the answers the expression refers to (and of `.`), so
    evaluating routing for 100,000 respondents costs a dictionary look-up for most of them.
    """

    def __init__(self, text, missing):
        self.text = text
        tree = expressions.parse(text)
        self.refs = tuple(sorted(expressions.references(tree)))
        self.single = self.refs[0] if len(self.refs) == 1 else None
        self.uses_self = expressions.uses_self(text)
        self.refset = frozenset(self.refs)
        self.static_unknown = bool(self.refset & missing)  # refers to a question the file has no column for
        self.cache = {}

    def __call__(self, answers, current=None, bad=None):
        if self.static_unknown or (bad and not self.refset.isdisjoint(bad)):
            raise _Unknown
        if self.single is not None:
            key = answers.get(self.single)
            if key.__class__ is list:
                key = tuple(key)
        else:
            key = tuple([_freeze(answers.get(ref)) for ref in self.refs])
        if self.uses_self:
            key = (key, tuple(current) if current.__class__ is list else current)
        result = self.cache.get(key)
        if result is None:
            result = expressions.is_true(self.text, answers, current=current)
            if len(self.cache) < _CACHE_LIMIT:
                self.cache[key] = result
        return result


def _by_folded_name(names):
    """Each name by its case-folded form, leaving out names that differ from another only in case."""
    folded = {}
    for name in names:
        folded.setdefault(name.casefold(), []).append(name)
    return {key: found[0] for key, found in folded.items() if len(found) == 1}


def _words(text):
    """A label or heading as a key: any case, runs of spaces as one space."""
    return " ".join(text.split()).casefold()


def _has_text(value):
    return isinstance(value, str) and value.strip() != ""


def _freeze(value):
    return tuple(value) if value.__class__ is list else value


def _required(value, make_rule):
    """True, False or a _Rule: XLSForm's `required` is yes/no/true/false, or an expression."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, (int, float)):
        return bool(value)
    text = str(value).strip()
    lowered = text.lower()
    if lowered in ("", "no", "false", "false()", "0"):
        return False
    if lowered in ("yes", "true", "true()", "1"):
        return True
    return make_rule(text)


# A select_multiple cell with more commas than this is not read as a list of choices.
MAX_COMMA_PARTS = 64


class _Question:
    """One question of the form, with everything the row loop needs worked out once."""

    def __init__(self, item, page_index, page_rule):
        self.name = item["name"]
        self.type = item["type"]
        self.page_index = page_index
        self.page_rule = page_rule if isinstance(page_rule, str) and page_rule.strip() else None
        self.rule = None
        self.constraint = None
        self.required = False
        self.constraint_text = item.get("constraint")
        self.constraint_message = item.get("constraint_message")
        self.choices = [c["name"] for c in item.get("choices") or []] if self.type in CHOICE_TYPES else []
        self.order = {choice: i for i, choice in enumerate(self.choices)}
        # A choice written in another case is that choice, unless two choices differ only in case.
        self.folded = _by_folded_name(self.choices)
        # Other survey tools export the choices' labels ("Strongly agree"): label -> choice names.
        self.labels = {}
        for choice in item.get("choices") or [] if self.choices else []:
            if choice.get("label"):
                self.labels.setdefault(_words(choice["label"]), []).append(choice["name"])
        self.column = None
        self.cacheable = self.type != "text"
        # Cell text -> parsed answer, filled as cells are read (select_one starts with its choices).
        self.known = {choice: choice for choice in self.choices} if self.type == "select_one" else {}
        self.item = item

    def compile(self, make_rule):
        item = self.item
        if _has_text(item.get("relevant")):
            self.rule = make_rule(item["relevant"])
        if _has_text(item.get("constraint")):
            self.constraint = make_rule(item["constraint"])
        self.required = _required(item.get("required"), make_rule)

    @property
    def needs_check(self):
        return bool(self.page_rule or self.rule or (self.column is not None and (self.constraint or self.required)))

    def choice_list(self, limit=12):
        shown = ", ".join(self.choices[:limit])
        if len(self.choices) > limit:
            shown += f" and {len(self.choices) - limit} more"
        return shown

    def parse(self, text):
        """The stored answer for a non-empty cell, or None for a blank one; ValueError says what is wrong."""
        kind = self.type
        if text.__class__ is Formula:
            raise ValueError(text.problem())
        stripped = text.strip()
        if kind == "text":
            return stripped or None
        if not stripped:
            return None
        if kind == "select_one":
            choice = self.named(stripped)
            if choice is not None:
                return choice
            parts = stripped.split()
            if len(parts) > 1:
                raise ValueError(f"{stripped!r} gives {len(parts)} answers, but this question takes one choice (one of: {self.choice_list()}).")
            raise ValueError(self._unknown(parts[0]))
        if kind in ("select_multiple", "rank"):
            parts = self._parts(stripped)
        if kind == "select_multiple":
            unknown = [p for p in parts if p not in self.order]
            if unknown:
                raise ValueError(self._unknown(*unknown))
            repeated = sorted({p for p in parts if parts.count(p) > 1}, key=self.order.get)
            if repeated:
                raise ValueError(f"{', '.join(repeated)} {'is' if len(repeated) == 1 else 'are'} chosen more than once.")
            return sorted(parts, key=self.order.get)
        if kind == "rank":
            unknown = [p for p in parts if p not in self.order]
            if unknown:
                raise ValueError(self._unknown(*unknown))
            problems = []
            repeated = [c for c in self.choices if parts.count(c) > 1]
            if repeated:
                problems.append(f"{', '.join(repeated)} {'is' if len(repeated) == 1 else 'are'} ranked more than once")
            left_out = [c for c in self.choices if c not in parts]
            if left_out:
                problems.append(f"{', '.join(left_out)} {'is' if len(left_out) == 1 else 'are'} missing")
            if problems:
                raise ValueError(f"a ranking must put each of the {len(self.choices)} options once, most preferred first: " + "; ".join(problems) + ".")
            return parts
        if kind in ("integer", "decimal"):
            number = self._number(stripped)
            problem = number_out_of_range(number)
            if problem:
                raise ValueError(f"{stripped!r} is too large: an answer {problem}.")
            return number
        if kind == "date":
            try:
                if not _ISO_DATE.fullmatch(stripped):
                    raise ValueError
                return date.fromisoformat(stripped).isoformat()
            except ValueError:
                raise ValueError(f"{stripped!r} is not a date written as YYYY-MM-DD (for example 2017-03-31).") from None
        raise ValueError(f"questions of type {kind} cannot be imported.")

    def _number(self, stripped):
        digits = without_thousands(stripped)
        if self.type == "integer":
            if _INTEGER.fullmatch(digits):
                return int(digits)
            if _DECIMAL.fullmatch(digits) and math.isfinite(float(digits)) and float(digits).is_integer():
                return int(float(digits))  # 12.0, as spreadsheets sometimes write whole numbers
            raise ValueError(f"{stripped!r} is not a whole number.")
        if not _DECIMAL.fullmatch(digits):
            raise ValueError(f"{stripped!r} is not a number.")
        return float(digits)

    def choice(self, text):
        """The choice name `text` gives (written in any case), or None."""
        return text if text in self.order else self.folded.get(text.casefold())

    def named(self, text):
        """The choice `text` names by its name or its label (any case and spacing), or None.

        ValueError if it could be two choices: the label of two, or one's name and another's label.
        """
        if text in self.order:
            return text
        candidates = {*self.labels.get(_words(text), ())}
        by_name = self.folded.get(text.casefold())
        if by_name is not None:
            candidates.add(by_name)
        if len(candidates) > 1:
            shown = ", ".join(sorted(candidates, key=self.order.get))
            raise ValueError(f"{text.strip()!r} could be any of the choices {shown} (as a name or a label); "
                             "write the choice's name instead.")
        return candidates.pop() if candidates else None

    def _parts(self, text):
        """The choices of a select_multiple or rank cell: names separated by spaces, or names or labels
        separated by ';' or ',' (as other survey tools export several labels); one label alone is one choice."""
        if ";" in text:
            return [self.named(p) or p.strip() for p in text.split(";") if p.strip()]
        if "," in text:
            readings = self._comma_readings(text)
            if len(readings) == 1:
                return readings[0]
            if len(readings) > 1:
                shown = " or ".join("(" + ", ".join(reading) + ")" for reading in readings[:3])
                raise ValueError(f"{text!r} could be the choices {shown}: a label holds a comma; "
                                 "separate the choices with ';' instead.")
            return [self.named(p) or p.strip() for p in text.split(",") if p.strip()]  # the parts not choices are named
        words = text.split()
        names = [self.choice(w) for w in words]
        whole = self.named(text) if len(words) > 1 else None
        if whole is not None:
            if all(names):
                raise ValueError(f"{text!r} could be the choices {', '.join(names)} or the one choice {whole} (by its "
                                 "label); write names separated by spaces, or labels separated by ';'.")
            return [whole]
        return [self.named(w) or w for w in words]

    def _comma_readings(self, text):
        """Every way to read `text` as choices (names or labels) separated by commas, as Google Forms
        writes several labels: labels may hold commas themselves, so a cell is read only if exactly
        one reading has every part a choice."""
        pieces = text.split(",")
        if len(pieces) > MAX_COMMA_PARTS:  # not a list of choices; reading it would take long
            return []
        readings = {0: [[]]}  # pieces used -> the readings of those pieces
        for end in range(1, len(pieces) + 1):
            found = []
            for start in range(end):
                part = ",".join(pieces[start:end]).strip()
                choice = self.named(part) if part and start in readings else None
                if choice is not None:  # a choice ticked twice is not a reading of a list of choices
                    found += [reading + [choice] for reading in readings[start] if choice not in reading]
            if found:
                readings[end] = found[:8]
        return readings.get(len(pieces), [])

    def _unknown(self, *names):
        quoted = ", ".join(repr(n) for n in names)
        noun = "is not a choice" if len(names) == 1 else "are not choices"
        expected = ""
        if self.type != "select_one":
            # Label exports write several choices in other ways; say what this import reads.
            expected = (" Several choices are their names separated by spaces, or their names or labels separated by "
                        "';' or ','; or each option has a column of its own, headed question/option.")
        return f"{quoted} {noun} of this question (its choices are: {self.choice_list()}).{expected}"


class _Form:
    def __init__(self, definition):
        self.questions = {}
        self.order = []  # answerable questions, in the order the form asks them
        self.notes = set()
        self.folded = None  # lower-cased names, made when a heading is not written exactly
        self.labels = {}  # a question's label as a key -> the names of the questions it labels
        for page_index, page in enumerate(definition.get("pages") or []):
            page_relevant = page.get("relevant")
            for item in page.get("items") or []:
                if item.get("type") == "note":
                    self.notes.add(item["name"])
                    continue
                if item.get("label"):
                    self.labels.setdefault(_words(item["label"]), []).append(item["name"])
                question = _Question(item, page_index, page_relevant)
                self.questions[question.name] = question
                self.order.append(question)

    def compile(self, columns):
        """Attach columns and compile the expressions, knowing which questions the file leaves out."""
        for index, name in columns.items():
            self.questions[name].column = index
        missing = frozenset(q.name for q in self.order if q.column is None)
        rules = {}

        def make_rule(text):
            # One rule a distinct expression, so questions that share routing share its results.
            text = text.strip()
            if text not in rules:
                rules[text] = _Rule(text, missing)
            return rules[text]

        for question in self.order:
            if question.page_rule:
                question.page_rule = make_rule(question.page_rule)
            question.compile(make_rule)

    def column_name(self, heading):
        """The question (or response_id) a column heading names: exactly, else ignoring case, or by the
        question's whole label (as other survey tools head columns), if only one question matches."""
        if heading in self.questions or heading in self.notes or heading == RESPONSE_ID:
            return heading
        candidates = self.candidates(heading)
        return candidates[0] if len(candidates) == 1 else heading

    def candidates(self, heading):
        """The names of the questions a heading could name by name (any case) or by label."""
        if self.folded is None:
            self.folded = _by_folded_name([RESPONSE_ID, *self.questions, *self.notes])
        candidates = list(self.labels.get(_words(heading), ()))
        by_name = self.folded.get(heading.casefold())
        if by_name is not None and by_name not in candidates:
            candidates.insert(0, by_name)
        return candidates

    def suggest(self, name):
        close = difflib.get_close_matches(name, list(self.questions), n=1)
        return f" (did you mean {close[0]}?)" if close else ""


# --- responses --------------------------------------------------------------------------------

def import_responses(consultation, path):
    """Check a responses file against the consultation's questionnaire and, if all is well, import it.

    Returns the number of responses imported. Raises ImportProblems (a ConsultationError) listing
    every problem, and imports nothing, if any row or column is wrong.
    """
    definition = _definition(consultation)
    with _collector_paused():
        return _import_responses(consultation, definition, path)


@contextmanager
def _collector_paused():
    """Pause Python's cyclic garbage collector for a bulk import.

    An import holds hundreds of thousands of small objects for its whole run, and the collector
    would walk them all again and again as model instances are made: about 40% of the time of a
    100,000-row import. Nothing an import makes is cyclic garbage (plain reference counting frees
    it), so the collector is paused and put back as it was.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _import_responses(consultation, definition, path):
    name = _display_name(path)
    problems = _Problems(name)
    rows = read_rows(path)
    names, pending = _check_responses(consultation, definition, rows, problems)
    problems.check()
    if not pending:
        return 0
    now = timezone.now()
    try:
        with transaction.atomic():
            for start in range(0, len(pending), BATCH_SIZE):
                Response.objects.bulk_create(
                    [
                        Response(
                            consultation=consultation,
                            response_id=response_id,
                            answers={n: v for n, v in zip(names, values) if v is not None},
                            channel=Response.Channel.IMPORTED,
                            submitted_at=now,
                        )
                        for response_id, values in pending[start:start + BATCH_SIZE]
                    ],
                    batch_size=BATCH_SIZE,
                )
            audit.record(None, "responses.imported", consultation, file=os.path.basename(name), count=len(pending))
    except IntegrityError as error:
        raise ImportProblems(name, [
            f"{name}: the database refused the responses ({error}). Most likely some of these response_ids were "
            f"imported into {consultation.slug} by someone else while this file was being checked; import the file "
            "again to see which."
        ]) from None
    return len(pending)


def _check_responses(consultation, definition, rows, problems):
    """Check every row.

    Returns (question names, [(response_id, answers)]), each row's answers a tuple of stored values
    (None for not answered) in the order of the names: far smaller than 100,000 dicts, and choice
    answers are shared between rows. Rows are kept only while the file has no problems.
    """
    form = _Form(definition)
    try:
        _, header = next(rows)
    except StopIteration:
        problems.add("the file is empty: the first row must be the header, starting with response_id.", row=1)
        return [], []

    header = [cell.strip() for cell in header]
    id_column, columns, ignored, options = _check_header(header, form, problems)
    width = len(header)
    # A question given only by its options' columns is read from a column made for each row after
    # the file's own (reported at its first option's column).
    main_columns = {name: index for index, name in columns.items()}
    option_groups = []
    for name, group in options.items():
        alone = name not in main_columns
        option_groups.append(_OptionColumns(form.questions[name], group, alone))
        if alone:
            columns[width + len(option_groups) - 1] = name
    form.compile(columns)
    for group in option_groups:
        if group.alone:
            group.question.column = group.columns[0][0]
    column_list = sorted((index, form.questions[q]) for index, q in columns.items())
    checks = [q for q in form.order if q.needs_check]

    existing = set(consultation.responses.values_list("response_id", flat=True))
    first_row = {}
    pending = []
    add = problems.add
    names = [q.name for q in form.order if q.column is not None]  # the form's order

    answered = 0
    for row, cells in rows:
        count = len(cells)
        if not any(cell.strip() for cell in cells):  # a blank row, as spreadsheets leave at the end
            continue
        answered += 1

        response_id = ""
        if id_column is not None:
            response_id = cells[id_column].strip() if id_column < count else ""
            if cells[id_column].__class__ is Formula:
                add(cells[id_column].problem(), row, id_column, RESPONSE_ID)
            elif not response_id:
                add("the response_id is empty; every response needs its own.", row, id_column, RESPONSE_ID)
            elif len(response_id) > RESPONSE_ID_MAX:
                add(f"the response_id is {len(response_id)} characters long; the most is {RESPONSE_ID_MAX}.", row, id_column, RESPONSE_ID)
            elif _DOT_SEGMENT.search(response_id):
                # A browser reads . and .. between slashes in the response's web address as folders.
                add(f"the response_id {response_id!r} cannot be used: '.' or '..' between slashes would lead its web address "
                    "elsewhere; change it.", row, id_column, RESPONSE_ID)
            elif response_id in first_row:
                add(f"the response_id {response_id!r} is repeated (it is first used in row {first_row[response_id]}).", row, id_column, RESPONSE_ID)
            elif response_id in existing:
                add(f"the response_id {response_id!r} is already in {consultation.slug}: it was imported before, or is the "
                    "reference of an online response; a response can be imported only once.", row, id_column, RESPONSE_ID)
            else:
                first_row[response_id] = row
        if count > width or ignored:
            _check_unnamed(cells, width, ignored, row, problems)
        answers = {}
        bad = None
        chosen = []
        if option_groups:
            chosen = [group.read(cells, row, add) for group in option_groups]
            cells = cells[:width] + [""] * (width - count) + [
                " ".join(ticked) if ticked and group.alone else "" for group, ticked in zip(option_groups, chosen)]
            count = len(cells)
            bad = {group.question.name for group, ticked in zip(option_groups, chosen)
                   if ticked is None and group.alone} or None
        for index, question in column_list:
            if index >= count:
                break
            text = cells[index]
            if not text:
                continue
            value = question.known.get(text)
            if value is None:
                try:
                    value = question.parse(text)
                except ValueError as error:
                    add(str(error), row, question.column, question.name)
                    if bad is None:
                        bad = set()
                    bad.add(question.name)
                    continue
                if value is None:
                    continue
                if question.cacheable and len(question.known) < _CACHE_LIMIT:
                    question.known[text] = value
            answers[question.name] = value

        for group, ticked in zip(option_groups, chosen):
            if not group.alone and ticked is not None and group.question.name not in (bad or ()):
                group.check(ticked, answers, main_columns[group.question.name], row, add)

        if checks:
            _check_routing(answers, checks, bad, row, add)

        if not problems:
            # Only kept while the file is good so far; a bad file keeps nothing.
            pending.append((response_id, tuple([answers.get(name) for name in names])))
    if not answered and not problems:
        problems.add("there are no responses under the header: each response is a row below row 1.", row=2)
    return names, pending


def _check_header(header, form, problems):
    """Return (response_id column index or None, {column index: question name}, set of unnamed column
    indexes, {question name: {column index: choice}} of columns holding one option each)."""
    if len(header) == 1:
        separator = next((sep for sep in (";", "\t", "|") if sep in header[0]), None)
        if separator:  # a spreadsheet saved with another list separator: one column holding every name
            shown = "a tab" if separator == "\t" else repr(separator)
            problems.add(f"the columns are separated by {shown}, not commas: save the file as \"CSV UTF-8 (comma delimited)\".",
                         1, 0, None)
            return None, {}, set(), {}
    id_column = None
    columns = {}
    seen = {}
    ignored = set()
    options = {}  # question name -> {column index: choice}, for columns of one option each
    for index, cell in enumerate(header):
        if not cell:
            ignored.add(index)  # allowed only if every cell under it is empty
            continue
        written, cell = cell, form.column_name(cell)
        if cell in seen:
            problems.add(f"the column {cell} appears twice (first in column {column_letter(seen[cell])}).", 1, index, written)
            continue
        seen[cell] = index
        if cell == RESPONSE_ID:
            id_column = index
        elif cell in form.notes:
            problems.add(f"{cell} is a note in the questionnaire, which has no answers to import.", 1, index, cell)
        elif cell in form.questions:
            if form.questions[cell].type not in ANSWER_TYPES:
                problems.add(f"{cell} is a {form.questions[cell].type} question, which cannot be imported.", 1, index, cell)
            else:
                columns[index] = cell
        elif len(form.candidates(cell)) > 1:
            problems.add(f"{cell!r} could head any of the questions {', '.join(form.candidates(cell))} (as a name or a "
                         "label); head the column with the question's name.", 1, index, cell)
        elif (option := _option_heading(cell, form)) is not None:
            options.setdefault(option[0], {})[index] = option[1]
        else:
            problems.add(f"{cell} is not a question of this questionnaire{form.suggest(cell)}.", 1, index, cell)
    if id_column is None:
        problems.add("no column is headed response_id; every response needs its own id in a column of that name.", row=1)
    return id_column, columns, ignored, options


def _option_heading(heading, form):
    """(question, choice) for a column of one option of a select_multiple question, headed
    "question/option" by name or label (as KoboToolbox and ODK export each option's tick), or None."""
    question_part, slash, choice_part = heading.rpartition("/")
    question = form.questions.get(form.column_name(question_part.strip())) if slash else None
    if question is None or question.type != "select_multiple":
        return None
    try:
        choice = question.named(choice_part.strip())
    except ValueError:
        return None
    return (question.name, choice) if choice is not None else None


_TICKED = frozenset({"1", "1.0", "true", "yes", "x", "✓", "✔"})
_NOT_TICKED = frozenset({"", "0", "0.0", "false", "no"})


def _ticked(text, question, choice):
    """Whether a cell of an option's column ticks it: 1 or 0 (and their kin), or the option's own name or
    label where ticked and nothing where not, as SurveyMonkey writes them. ValueError otherwise."""
    if text.__class__ is Formula:
        raise ValueError(text.problem())
    value = text.strip()
    if value.casefold() in _NOT_TICKED:
        return False
    if value.casefold() in _TICKED or question.named(value) == choice:
        return True
    raise ValueError(f"{value!r} is not a tick: write 1 where the option is chosen and 0, or nothing, where it is not.")


class _OptionColumns:
    """The columns of one select_multiple question's options. Without the question's own column they
    give its answer (the chosen options' names, read as that column would be); beside it, they must
    agree with it."""

    def __init__(self, question, columns, alone):
        self.question = question
        self.columns = sorted(columns.items())  # [(column index, choice)]
        self.alone = alone

    def read(self, cells, row, add):
        """The chosen options of a row, or None where a cell is not a tick (reported)."""
        chosen, good = [], True
        for index, choice in self.columns:
            try:
                if index < len(cells) and _ticked(cells[index], self.question, choice):
                    chosen.append(choice)
            except ValueError as error:
                add(str(error), row, index, f"{self.question.name}/{choice}")
                good = False
        return chosen if good else None

    def check(self, chosen, answers, main_column, row, add):
        """Beside the question's own column: each option's tick must say what that column says."""
        given = set(answers.get(self.question.name) or ())
        for index, choice in self.columns:
            if (choice in chosen) != (choice in given):
                state = "chosen" if choice in chosen else "not chosen"
                says = "does not list" if choice in chosen else "lists"
                add(f"{choice} is {state} here, but column {column_letter(main_column)} ({self.question.name}) {says} it.",
                    row, index, f"{self.question.name}/{choice}")
                return


def _check_unnamed(cells, width, ignored, row, problems):
    for index in sorted(ignored):
        if index < len(cells) and cells[index].strip():
            problems.add("this cell has a value but its column has no name in row 1.", row, index)
    for index in range(width, len(cells)):
        if cells[index].strip():
            problems.add("this cell has a value beyond the last named column.", row, index)


def _check_routing(answers, checks, bad, row, add):
    """Routing, required and constraints for one row, in the order the form asks the questions.

    A question routing skips loses its answer from `answers` before later questions' routing is
    worked out, as on the answering pages; its answer is reported as a problem.
    """
    pages = {}
    for question in checks:
        name = question.name
        relevant = True  # True, False, or None when it cannot be judged from this file
        try:
            if question.page_rule is not None:
                relevant = pages.get(question.page_index)
                if relevant is None:
                    relevant = pages[question.page_index] = question.page_rule(answers, bad=bad)
            if relevant and question.rule is not None:
                relevant = question.rule(answers, bad=bad)
        except _Unknown:
            relevant = None
        if relevant is False:
            if name in answers:
                del answers[name]
                add("answered, but routing skips this question for this respondent (check the answers it depends on).",
                    row, question.column, name)
            continue
        if question.column is None or (bad and name in bad):
            continue
        if name in answers:
            if question.constraint is not None:
                value = answers[name]
                try:
                    allowed = question.constraint(answers, current=value, bad=bad)
                except _Unknown:
                    allowed = True
                if not allowed:
                    add(_constraint_problem(question, value), row, question.column, name)
        elif relevant:
            required = question.required
            if isinstance(required, _Rule):
                try:
                    required = required(answers, bad=bad)
                except _Unknown:
                    required = False
            if required:
                add("this question is required for this respondent (routing asks it), but the cell is empty.",
                    row, question.column, name)


def _constraint_problem(question, value):
    rule = (question.constraint_message or f"the answer must meet the rule {question.constraint_text}").strip().rstrip(".")
    if question.type == "select_multiple":
        return f"{len(value)} choices given ({' '.join(value)}), which the question does not allow: {rule}."
    if isinstance(value, list):
        value = " ".join(value)
    return f"{value!r} is not allowed by the question: {rule}."


# --- workshops --------------------------------------------------------------------------------

def import_workshops(consultation, path):
    """Import workshop results; returns the number of rows imported.

    Each row gives the votes one option of one question received at one workshop. Every row is
    checked first; then, in one transaction, the workshops are created if new and all their earlier
    votes are replaced by the file's, so importing the same file again changes nothing.
    """
    definition = _definition(consultation)
    name = _display_name(path)
    problems = _Problems(name)
    form = _Form(definition)
    rows = read_rows(path)
    try:
        _, header = next(rows)
    except StopIteration:
        problems.add("the file is empty: the first row must be the header workshop,question,option,votes.", row=1)
        problems.check()
    positions = _workshop_header(header, problems)
    problems.check()

    votes = []
    first_row = {}
    given = 0
    for row, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        given += 1
        checked = _check_workshop_row(row, cells, positions, form, problems)
        if checked is None:
            continue
        key, number = checked
        if key in first_row:
            workshop, question, option = key
            problems.add(f"the votes for {option} of {question} at {workshop} are given twice (first in row {first_row[key]}).",
                         row, positions["option"], "option")
            continue
        first_row[key] = row
        if number is not None:
            votes.append((*key, number))
    if not given:
        problems.add("there are no votes under the header: each row gives one option's votes at one workshop.", row=2)
    problems.check()

    with transaction.atomic():
        workshops = {}
        for workshop_name in dict.fromkeys(v[0] for v in votes):
            workshops[workshop_name], _ = Workshop.objects.get_or_create(consultation=consultation, name=workshop_name)
        WorkshopVote.objects.filter(workshop__in=list(workshops.values())).delete()
        WorkshopVote.objects.bulk_create(
            [WorkshopVote(workshop=workshops[w], question=q, option=o, votes=n) for w, q, o, n in votes],
            batch_size=BATCH_SIZE,
        )
        audit.record(None, "workshops.imported", consultation, file=os.path.basename(name),
                     workshops=len(workshops), rows=len(votes))
    return len(votes)


def _workshop_header(header, problems):
    """{column name: index} for the four columns, in any order and any case."""
    expected = ",".join(WORKSHOP_COLUMNS)
    positions = {}
    for index, cell in enumerate(header):
        text = cell.strip()
        key = text.lower()
        if not key:
            continue
        if key in positions:
            problems.add(f"the column {key} appears twice (first in column {column_letter(positions[key])}).", 1, index, text)
        elif key in WORKSHOP_COLUMNS:
            positions[key] = index
        else:
            problems.add(f"{text} is not a column of a workshops file (the columns are {expected}).", 1, index, text)
    for column in WORKSHOP_COLUMNS:
        if column not in positions:
            problems.add(f"the header has no {column} column (the columns are {expected}).", row=1)
    return positions


def _check_workshop_row(row, cells, positions, form, problems):
    """((workshop, question, option), votes or None) for a row whose names are right, else None."""
    named = set(positions.values())
    for index, text in enumerate(cells):
        if index not in named and text.strip():
            problems.add("this cell has a value but its column is not one of workshop,question,option,votes.", row, index)

    ok = True

    def cell(column):
        nonlocal ok
        index = positions[column]
        if index < len(cells) and cells[index].__class__ is Formula:
            problems.add(cells[index].problem(), row, index, column)
            ok = False
            return None
        return cells[index].strip() if index < len(cells) else ""

    workshop, question_name, option, count_text = (cell(column) for column in WORKSHOP_COLUMNS)
    if not ok:
        return None

    def problem(column, message):
        nonlocal ok
        problems.add(message, row, positions[column], column)
        if column != "votes":
            ok = False

    workshop = " ".join(workshop.split())  # as the workshop page keeps names: one space between words
    if not workshop:
        problem("workshop", "the workshop's name is empty.")
    elif workshop.lower() == "total":
        problem("workshop", "a workshop cannot be called 'total', which the report uses for the totals; give it another name.")
    elif len(workshop) > WORKSHOP_NAME_MAX:
        problem("workshop", f"the workshop's name is {len(workshop)} characters long; the most is {WORKSHOP_NAME_MAX}.")

    question = form.questions.get(question_name)
    if not question_name:
        problem("question", "the question is empty.")
    elif question_name in form.notes:
        problem("question", f"{question_name!r} is a note, which has no options to vote for.")
    elif question is None:
        problem("question", f"{question_name!r} is not a question of this questionnaire{form.suggest(question_name)}.")
    elif question.type not in CHOICE_TYPES:
        problem("question", f"{question_name} is a {question.type} question, which has no options to vote for.")
        question = None

    if not option:
        problem("option", "the option is empty.")
    elif question is not None and option not in question.order:
        problem("option", f"{option!r} is not a choice of {question_name} (its choices are: {question.choice_list()}).")

    number = None
    if not count_text:
        problem("votes", "the number of votes is empty (write 0 for none).")
    elif not (count_text.isascii() and count_text.isdigit()):
        problem("votes", f"{count_text!r} is not a number of votes: write a whole number, 0 or more.")
    elif int(count_text) > VOTES_MAX:
        problem("votes", f"{count_text} votes is more than can be recorded.")
    else:
        number = int(count_text)
    return ((workshop, question_name, option), number) if ok else None
