"""Reading XLSForms into Shire's questionnaire definition (see docs/consultations.md).

`read_xlsform` is pure: it returns the definition or raises XLSFormError listing every problem
it found, each naming the sheet, row and column, so an officer can fix the whole form at once.
Two readers look at the workbook:

- our own pass with openpyxl, which knows the rows and columns, checks what Shire supports
  and collects every problem rather than stopping at the first;
- pyxform, the XLSForm reference implementation, which stops at its first error. Its error is
  added when our pass found nothing on that row, so a form Shire accepts is always a valid XLSForm.

Import rules beyond XLSForm's own:
- each top-level `begin group` ... `end group` is one page; consecutive questions outside any
  group share a page of their own (named page_N);
- a group inside a group is flattened into the outer page: its label and hint become a note
  (named after the inner group) and its `relevant` is and-ed into each of its items' `relevant`;
- names must be unique across the whole form, not just within a group, because answers are
  stored keyed by question name;
- `required` is yes or no, or an expression over other answers (required only when it is true);
- with several languages, the settings' default_language is used, else English
  (label::English (en)), else the plain `label` column, else the first language; where a row has
  no text in that language, another language's text is used;
- `or_other` after a choice list (select_one and select_multiple) is read as pyxform reads it: an
  "Other" choice named other, and a text question NAME_other asked when it is chosen;
- ODK's grids become Likert grids: a select_one with the `list-nolabel` appearance, or in a group
  with `table-list`, is a grid row, and the header row (appearance `label`), which takes no
  answer, is left out (kept as a note if it has wording);
- a formula cell saved without its value, a cell with a value under no heading, and question or
  choice names longer than the database keeps are refused, naming the cell.
"""
import io
import os
import re
import warnings
import zipfile
from datetime import datetime, time

from .expressions import ExpressionError, parse, references


class XLSFormError(Exception):
    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(describe(p) for p in problems))


def describe(problem):
    """One problem as a line: 'survey sheet, row 4, column type: ...'."""
    where = []
    if problem.get("sheet"):
        where.append(f"{problem['sheet']} sheet")
    if problem.get("row"):
        where.append(f"row {problem['row']}")
    if problem.get("column"):
        where.append(f"column {problem['column']}")
    return f"{', '.join(where)}: {problem['message']}" if where else problem["message"]


QUESTION_TYPES = ("select_one", "select_multiple", "rank", "text", "integer", "decimal", "date", "note")
SELECT_TYPES = ("select_one", "select_multiple", "rank")

# Spellings XLSForm (and pyxform) accept for the types Shire supports.
_TYPE_ALIASES = {
    "text": "text", "string": "text",
    "integer": "integer", "int": "integer",
    "decimal": "decimal",
    "date": "date",
    "note": "note",
}
_SELECT_ALIASES = {
    "select_one": "select_one", "select one": "select_one", "select1": "select_one",
    "select_multiple": "select_multiple", "select multiple": "select_multiple",
    "select all that apply": "select_multiple", "select_all_that_apply": "select_multiple",
    "select one from": "select_one", "select all that apply from": "select_multiple",
    "add select one prompt using": "select_one", "add select multiple prompt using": "select_multiple",
    "rank": "rank",
}
_BEGIN_GROUP = {"begin group", "begin_group"}
_OR_OTHER = {"or_other", "or other", "or specify other"}
_END_GROUP = {"end group", "end_group"}

# XLSForm types Shire knows about but does not run, with the reason an officer needs.
_UNSUPPORTED_TYPES = {
    "begin repeat": "repeats, which ask the same questions several times in one response",
    "begin_repeat": "repeats, which ask the same questions several times in one response",
    "end repeat": "repeats", "end_repeat": "repeats",
    "begin loop": "loops", "end loop": "loops",
    "geopoint": "map locations", "geotrace": "map lines", "geoshape": "map areas",
    "calculate": "calculated fields", "hidden": "hidden fields",
    "image": "photo or image uploads", "photo": "photo or image uploads",
    "audio": "audio recordings", "background-audio": "audio recordings", "video": "video uploads",
    "file": "file uploads", "barcode": "barcode scanning", "acknowledge": "acknowledge prompts",
    "time": "time answers", "datetime": "date-and-time answers", "range": "range sliders",
    "trigger": "trigger questions", "xml-external": "external data", "csv-external": "external data",
    "select_one_from_file": "choices from a file", "select_multiple_from_file": "choices from a file",
    "select one from file": "choices from a file", "select multiple from file": "choices from a file",
    "select_one_external": "external choices", "start-geopoint": "map locations",
    "start": "metadata fields: Shire records when each response was submitted",
    "end": "metadata fields: Shire records when each response was submitted",
    "today": "metadata fields: Shire records when each response was submitted",
    "deviceid": "metadata fields", "phonenumber": "metadata fields", "username": "metadata fields",
    "email": "metadata fields", "subscriberid": "metadata fields", "simserial": "metadata fields",
    "audit": "metadata fields",
}

# Survey columns whose behaviour Shire does not run: a value there would be silently ignored.
_UNSUPPORTED_COLUMNS = ("choice_filter", "calculation", "default", "read_only", "repeat_count", "trigger", "parameters")

# Other spellings of column headings that pyxform accepts.
_HEADING_ALIASES = {
    "list name": "list_name", "relevance": "relevant", "caption": "label",
    "constraint message": "constraint_message", "constraining_message": "constraint_message",
    "required message": "required_message", "requiredmsg": "required_message",
    "readonly": "read_only", "calculate": "calculation", "count": "repeat_count", "jr:count": "repeat_count",
}
_TRANSLATABLE = ("label", "hint", "required_message", "constraint_message", "guidance_hint")

# The lengths the database keeps: question and choice names are stored with workshop votes and
# themes (120 characters), the file's name with the questionnaire (200).
NAME_MAX = 120
SOURCE_NAME_MAX = 200

_YES = {"yes", "true", "true()", "1"}
_NO = {"no", "false", "false()", "0", ""}

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_PYXFORM_ROW = re.compile(r"^\s*\[row\s*:\s*(\d+)\]\s*")
_PYXFORM_WHERE = re.compile(r"On the '(\w+)' sheet, the '([^']+)' value")


def read_xlsform(data, filename):
    """Read an XLSForm (.xlsx bytes) into a questionnaire definition, or raise XLSFormError."""
    reader = _Reader(data, filename)
    definition = reader.read()
    if reader.problems:
        raise XLSFormError(_sorted(reader.problems))
    return definition


def _sorted(problems):
    order = {None: 0, "survey": 1, "choices": 2, "settings": 3}
    return sorted(problems, key=lambda p: (order.get(p["sheet"], 4), p["row"] or 0))


def _cell_text(value):
    """A cell as pyxform sees it: text, with whole numbers without '.0' and booleans as TRUE/FALSE."""
    if value is None:
        return ""
    if value is True:
        return "TRUE"
    if value is False:
        return "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time(0, 0):
        return value.date().isoformat()  # a date typed into a cell, which Excel keeps as midnight
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).replace("\u00a0", " ").strip()


def _heading_key(heading):
    """A heading as a lower-case key: aliases resolved, and label:English written label::english."""
    key = " ".join(heading.split()).lower()
    base, sep, language = key.partition("::")
    if not sep and ":" in key and key.split(":", 1)[0].strip() in _TRANSLATABLE:
        base, language = key.split(":", 1)
        sep = "::"
    base = _HEADING_ALIASES.get(base.strip(), base.strip())
    return f"{base}::{language.strip()}" if sep else base


def _column_letter(index):
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _stem(filename):
    base = os.path.basename(str(filename).replace("\\", "/"))
    return os.path.splitext(base)[0] or "form"


class _Sheet:
    """One worksheet: its headings (row 1) and its non-empty rows as {heading: text}."""

    def __init__(self, worksheet, formulas):
        self.title = worksheet.title
        rows = list(worksheet.iter_rows(values_only=True))
        self.headers = []  # (heading as written, lower-cased key)
        self.duplicates = []
        seen = set()
        for value in rows[0] if rows else ():
            heading = _cell_text(value)
            key = _heading_key(heading)
            if key and key in seen:
                self.duplicates.append(heading)
            seen.add(key)
            self.headers.append((heading, key))
        self.rows = []
        self.unheaded = []  # (row, column letter) of values under no heading
        self.formulas = [(row, self.column_name(column), formula) for (row, column), formula in sorted(formulas.items())]
        for number, values in enumerate(rows[1:], start=2):
            cells = {}
            for index, value in enumerate(values):
                key = self.headers[index][1] if index < len(self.headers) else ""
                if not key:
                    if _cell_text(value):
                        self.unheaded.append((number, _column_letter(index)))
                elif key not in cells:
                    cells[key] = _cell_text(value)
            if any(cells.values()):
                self.rows.append((number, cells))

    def column_name(self, index):
        """A column as messages name it: its heading, or its letter if it has none."""
        heading = self.headers[index][0] if index < len(self.headers) else ""
        return heading or _column_letter(index)

    def has(self, key):
        return any(k == key for _, k in self.headers)

    def heading(self, key):
        return next((h for h, k in self.headers if k == key), key)

    def language_columns(self, base):
        """{language or None: key} for `base` and `base::Language` columns."""
        found = {}
        for _, key in self.headers:
            if key == base:
                found.setdefault(None, key)
            elif key.startswith(base + "::"):
                found.setdefault(key[len(base) + 2:].strip(), key)
        return found


def _in_language(cells, key, keys):
    """A cell in the chosen language's column or, where its translation is missing, in the first
    other language's that has one (as ODK shows a form whose translation is incomplete)."""
    text = cells.get(key, "") if key else ""
    return text or next((cells[k] for k in keys if cells.get(k)), "")


def _choose_language(languages, preferred):
    """The label language to use: the settings' default, else English, else untagged, else the first."""
    tagged = [lang for lang in languages if lang is not None]
    if preferred:
        for lang in tagged:
            if lang.lower() == preferred.lower():
                return lang
    for lang in tagged:
        if "english" in lang or re.search(r"\(en\)", lang):
            return lang
    if None in languages:
        return None
    return tagged[0] if tagged else None


class _Reader:
    def __init__(self, data, filename):
        self.data = data
        self.filename = filename
        self.problems = []
        self.missing_choices_reported = False

    def problem(self, sheet, row, column, message):
        self.problems.append({"sheet": sheet, "row": row, "column": column, "message": message})

    # -- the workbook ------------------------------------------------------------------------

    def read(self):
        workbook = self.open_workbook()
        if workbook is None:
            return None
        formulas = self.formulas_without_values()
        sheets = {ws.title.strip().lower(): _Sheet(ws, formulas.get(ws.title, {})) for ws in workbook.worksheets}
        names = ", ".join(repr(title) for title in workbook.sheetnames)
        workbook.close()
        name = os.path.basename(str(self.filename).replace("\\", "/"))
        if len(name) > SOURCE_NAME_MAX:
            self.problem(None, None, None, f"The file name {name!r} is {len(name)} characters long; Shire keeps at most {SOURCE_NAME_MAX}. Give the file a shorter name.")
        survey = sheets.get("survey")
        if survey is None:
            self.problem("survey", None, None, f"The workbook has no sheet called 'survey' (its sheets are: {names}). The questions go on a sheet named survey.")
            return None
        for sheet in (sheets.get(title) for title in ("survey", "choices", "settings")):
            for heading in sheet.duplicates if sheet else ():
                self.problem(sheet.title.lower(), 1, heading, f"The column heading '{heading}' appears more than once; keep one.")
            for row, column, formula in sheet.formulas if sheet else ():
                self.problem(sheet.title.lower(), row, column, f"This cell holds the formula {formula} with no value saved with it. Open the form in a spreadsheet and save it (which works out the value), or type the text itself.")
            for row, column in sheet.unheaded if sheet else ():
                self.problem(sheet.title.lower(), row, column, "This cell has a value but its column has no heading in row 1, so Shire would ignore it: add the heading, or clear the cell.")

        settings = self.read_settings(sheets.get("settings"))
        self.language = _choose_language(survey.language_columns("label"), settings.get("default_language"))
        choices = self.read_choices(sheets.get("choices"))
        pages = self.read_survey(survey, choices, sheets.get("choices") is not None)
        self.run_pyxform()

        stem = _stem(self.filename)
        words = " ".join(re.split(r"[_\s-]+", stem)).strip()
        title = settings.get("form_title") or (words[:1].upper() + words[1:])
        form_id = settings.get("form_id") or (re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_") or "form")
        # The lengths the Questionnaire model stores.
        for key, value, limit in (("form_title", title, 200), ("form_id", form_id, 120), ("version", settings.get("version", ""), 60)):
            if len(value) > limit:
                self.problem("settings", settings.get("row"), key, f"The {key} is {len(value)} characters long; Shire keeps at most {limit}.")
        return {"form_id": form_id, "title": title, "version": settings.get("version") or None, "pages": pages}

    def formulas_without_values(self):
        """{sheet title: {(row, column): formula}} for formula cells saved without their value.

        The workbook is read for its values, and such a cell reads as empty: without this, a label
        or name typed as a formula by a program that writes no values would look missing.
        """
        import openpyxl

        try:
            with zipfile.ZipFile(io.BytesIO(bytes(self.data))) as archive:
                if not any(b"<f" in archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")):
                    return {}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                book = openpyxl.load_workbook(io.BytesIO(bytes(self.data)), data_only=False)
                values = openpyxl.load_workbook(io.BytesIO(bytes(self.data)), data_only=True)
        except Exception:  # the workbook was read once already; a second reading adds nothing to report
            return {}
        found = {}
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f" and values[sheet.title].cell(cell.row, cell.column).value is None:
                        found.setdefault(sheet.title, {})[(cell.row, cell.column - 1)] = str(cell.value)
        return found

    def open_workbook(self):
        import openpyxl

        name = os.path.basename(str(self.filename)) or "The file"
        if not isinstance(self.data, (bytes, bytearray)) or not self.data:
            self.problem(None, None, None, f"{name} is empty.")
            return None
        if self.data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            self.problem(None, None, None, f"{name} is an old-style Excel file (.xls) or a password-protected workbook. Save it as an Excel Workbook (.xlsx), without a password, and upload that.")
            return None
        try:
            with warnings.catch_warnings():  # e.g. "Data Validation extension is not supported": harmless here
                warnings.simplefilter("ignore", UserWarning)
                return openpyxl.load_workbook(io.BytesIO(bytes(self.data)), data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as error:
            self.problem(None, None, None, f"{name} is not an Excel workbook (.xlsx) that can be read ({error.__class__.__name__}: {error}). Save the form as an Excel Workbook (.xlsx) and upload that.")
            return None
        except Exception as error:  # openpyxl raises its own types for damaged parts of the zip
            self.problem(None, None, None, f"{name} could not be read as an Excel workbook (.xlsx): {error}")
            return None

    # -- settings ----------------------------------------------------------------------------

    def read_settings(self, sheet):
        if sheet is None or not sheet.rows:
            return {}
        row, cells = sheet.rows[0]  # XLSForm settings are one row of values under the headings
        values = {key: cells.get(key, "") for key in ("form_title", "form_id", "version", "default_language")}
        values["row"] = row
        return values

    # -- choices -----------------------------------------------------------------------------

    def read_choices(self, sheet):
        """{list_name: [{"name", "label"}]}; problems are recorded for bad rows."""
        lists = {}
        if sheet is None:
            return lists
        missing = False
        for key in ("list_name", "name"):
            if not sheet.has(key):
                self.problem("choices", 1, key, f"The choices sheet has no '{key}' column.")
                missing = True
        labels = sheet.language_columns("label")
        if not labels:
            self.problem("choices", 1, "label", "The choices sheet has no 'label' column.")
            missing = True
        if missing:
            return lists
        label_key = labels.get(self.language, labels.get(_choose_language(labels, self.language)))
        first_row = {}
        for row, cells in sheet.rows:
            list_name, name = cells.get("list_name", ""), cells.get("name", "")
            label = _in_language(cells, label_key, labels.values())
            if not list_name:
                self.problem("choices", row, "list_name", f"The choice '{name or label}' has no list_name.")
                continue
            choices = lists.setdefault(list_name, [])
            if not name:
                self.problem("choices", row, "name", f"A choice in the list '{list_name}' has no name.")
                continue
            if len(name) > NAME_MAX:
                self.problem("choices", row, "name", f"The choice name '{name[:40]}...' is {len(name)} characters long; choice names may have at most {NAME_MAX}.")
            if re.search(r"\s", name):
                self.problem("choices", row, "name", f"The choice name '{name}' contains a space; choice names must be single words (use _ instead), because several chosen answers are stored separated by spaces.")
            if (list_name, name) in first_row:
                self.problem("choices", row, "name", f"The choice name '{name}' is used twice in the list '{list_name}' (also on row {first_row[list_name, name]}); each choice in a list needs its own name.")
                continue
            first_row[list_name, name] = row
            if not label:
                self.problem("choices", row, sheet.heading(label_key), f"The choice '{name}' in the list '{list_name}' has no label.")
            choices.append({"name": name, "label": label or name})
        return lists

    # -- survey ------------------------------------------------------------------------------

    def column(self, sheet, base):
        """The key of the `base` column in the chosen language, if the sheet has one."""
        columns = sheet.language_columns(base)
        if not columns:
            return None
        if self.language in columns:
            return columns[self.language]
        return columns.get(None) or next(iter(columns.values()))

    def read_survey(self, sheet, choices, has_choices_sheet):
        for key in ("type", "name"):
            if not sheet.has(key):
                self.problem("survey", 1, key, f"The survey sheet has no '{key}' column; row 1 must hold the column headings, including type, name and label.")
        if not sheet.has("type"):
            return []
        has_name = sheet.has("name")
        label_key = self.column(sheet, "label")
        if label_key is None:
            self.problem("survey", 1, "label", "The survey sheet has no 'label' column, so no question has any wording.")
        hint_key = self.column(sheet, "hint")
        required_message_key = self.column(sheet, "required_message")
        constraint_message_key = self.column(sheet, "constraint_message")
        languages = {base: sheet.language_columns(base).values() for base in ("label", "hint", "required_message", "constraint_message")}
        heading = sheet.heading

        pages = []
        self.loose_page = None  # the page collecting questions outside any group
        stack = []  # open groups: dicts with name, row, relevant, page (top level only)
        names = {}  # name -> (row, kind)
        expressions = []  # (row, column, kind, text) checked once every name is known

        for row, cells in sheet.rows:
            raw_type = " ".join(cells.get("type", "").split())
            name = cells.get("name", "") if has_name else ""
            if not raw_type:
                self.problem("survey", row, "type", "This row has no type" + (f" (its name is '{name}')." if name else "."))
                continue
            lowered = raw_type.lower()
            for column in _UNSUPPORTED_COLUMNS:
                if cells.get(column):
                    self.problem("survey", row, heading(column), f"Shire does not support the '{column}' column; clear it (it would be ignored).")

            if lowered in _END_GROUP:
                if not stack:
                    self.problem("survey", row, "type", "This 'end group' has no matching 'begin group' above it.")
                else:
                    group = stack.pop()
                    if group["page"] is not None and not group["page"]["items"]:
                        self.problem("survey", group["row"], "type", f"The group '{group['name']}' has no questions, so its page would be empty.")
                continue

            is_group = lowered in _BEGIN_GROUP
            kind, list_name, or_other = None, None, False
            if not is_group:
                kind, list_name, or_other = self.question_type(row, raw_type, lowered, choices, has_choices_sheet, heading("type"))

            if has_name and not re.match(r"end[ _]", lowered):  # end repeat/loop rows need no name
                self.check_name(row, name, names, "group" if is_group else "question", heading("name"))

            relevant = cells.get("relevant", "") or None
            constraint = cells.get("constraint", "") or None
            if relevant:
                expressions.append((row, heading("relevant"), "relevant", relevant))
            if constraint and not is_group:
                expressions.append((row, heading("constraint"), "constraint", constraint))
            label = _in_language(cells, label_key, languages["label"])
            hint = _in_language(cells, hint_key, languages["hint"]) or None

            if is_group:
                group = {"name": name, "row": row, "relevant": relevant, "page": None,
                         "table": "table-list" in cells.get("appearance", "").lower().split()}
                if not stack:
                    self.loose_page = None
                    group["page"] = {"name": name, "label": label or None, "hint": hint, "relevant": relevant, "items": []}
                    pages.append(group["page"])
                else:
                    # A group inside a group joins the outer page; its label survives as a note.
                    if label or hint:
                        stack[0]["page"]["items"].append(self.item(
                            name, "note", label or "", hint, False, None, self.combined_relevant(stack[1:], None, relevant),
                            None, None, None, None, {}, row))
                stack.append(group)
                continue

            if kind is None:
                continue  # an unsupported type, already reported
            appearance = cells.get("appearance", "").split()
            if kind in SELECT_TYPES and "label" in appearance:
                # The header row of an ODK grid: it shows the choices' labels and takes no answer.
                # Shire's grid shows them itself; any wording it has is kept as a note.
                if label or hint:
                    item = self.item(name, "note", label, hint, False, None, self.combined_relevant(stack[1:], relevant, None),
                                     None, None, None, None, {}, row)
                    self.place(item, stack, pages)
                continue
            if kind == "select_one" and stack and stack[-1]["table"] and "list-nolabel" not in appearance:
                appearance.append("list-nolabel")  # a table-list group is a grid, as pyxform lays it out
            if label_key and not label and (kind != "note" or not hint):
                self.problem("survey", row, heading(label_key), f"The question '{name}' has no label (the question's wording).")
            required_text = cells.get("required", "")
            required = False
            if required_text.lower() in _YES:
                required = True
            elif required_text.lower() not in _NO and kind != "note":
                # Required only for some respondents: an expression over other answers, run as routing is.
                required = required_text
                expressions.append((row, heading("required"), "required", required_text))
            item = self.item(
                name, kind, label, hint, required,
                _in_language(cells, required_message_key, languages["required_message"]) or None,
                self.combined_relevant(stack[1:], relevant, None),
                constraint,
                _in_language(cells, constraint_message_key, languages["constraint_message"]) or None,
                " ".join(appearance) or None,
                list_name, choices, row,
            )
            self.place(item, stack, pages)
            if or_other:
                self.add_specify_other(item, row, names, stack, pages, heading("name"))

        if not any(page["items"] for page in pages) and not self.problems:
            self.problem("survey", None, None, "The survey sheet has no questions.")
        for group in stack:
            self.problem("survey", group["row"], "type", f"The group '{group['name']}' begun on this row is never closed: add an 'end group' row after its last question.")

        # Without a name column every reference would look unknown: that is one problem, already listed.
        known = {name for name, (_, kind) in names.items() if kind == "question"} if has_name else None
        for row, column, kind, text in expressions:
            self.check_expression(row, column, kind, text, known)

        used = set(names)
        for number, page in enumerate(pages, start=1):
            if page["name"] is None:
                candidate = f"page_{number}"
                while candidate in used:
                    candidate += "_"
                page["name"] = candidate
                used.add(candidate)
        return pages

    def place(self, item, stack, pages):
        """Put an item on its group's page, or on the page of the questions outside any group."""
        if stack:
            stack[0]["page"]["items"].append(item)
            return
        if self.loose_page is None:
            self.loose_page = {"name": None, "label": None, "hint": None, "relevant": None, "items": []}
            pages.append(self.loose_page)
        self.loose_page["items"].append(item)

    def add_specify_other(self, item, row, names, stack, pages, column):
        """`or_other`, as pyxform reads it: an "Other" choice, then a text question NAME_other asked when it is chosen."""
        if not any(choice["name"] == "other" for choice in item["choices"]):
            item["choices"].append({"name": "other", "label": "Other"})
        other = f"{item['name']}_other"
        if other in names:
            self.problem("survey", row, column, f"or_other adds a question named '{other}' for the other answer, but row {names[other][0]} already uses that name; rename one of them.")
            return
        names[other] = (row, "question")
        self.place(self.item(other, "text", "Please specify", None, False, None,
                             self.combined_relevant([], f"selected(${{{item['name']}}}, 'other')", item["relevant"]),
                             None, None, None, None, {}, row), stack, pages)

    def question_type(self, row, raw_type, lowered, choices, has_choices_sheet, column):
        """(kind, list_name, or_other) for a supported type; (None, None, False) after recording a problem."""
        if lowered in _TYPE_ALIASES:
            return _TYPE_ALIASES[lowered], None, False
        words = lowered.split()
        reason = next((_UNSUPPORTED_TYPES[" ".join(words[:n])] for n in (len(words), 3, 2, 1)
                       if " ".join(words[:n]) in _UNSUPPORTED_TYPES), None)
        if reason:
            self.problem("survey", row, column, f"Shire does not support the question type '{raw_type}' ({reason}). Supported types: {', '.join(QUESTION_TYPES)}, begin group and end group.")
            return None, None, False
        for spelling, kind in sorted(_SELECT_ALIASES.items(), key=lambda kv: -len(kv[0])):
            if lowered == spelling or lowered.startswith(spelling + " "):
                rest = raw_type[len(spelling):].split()
                if not rest:
                    self.problem("survey", row, column, f"'{raw_type}' needs the name of its choice list after it, e.g. '{kind} yes_no'.")
                    return None, None, False
                or_other = False
                if len(rest) > 1:
                    extra = " ".join(rest[1:])
                    if extra.lower() not in _OR_OTHER or kind == "rank":
                        self.problem("survey", row, column, f"Shire does not support '{extra}' after the choice list in '{raw_type}'" + (" (or_other goes only with select_one and select_multiple)." if extra.lower() in _OR_OTHER else "."))
                        return None, None, False
                    or_other = True
                list_name = rest[0]
                if not has_choices_sheet:
                    if not self.missing_choices_reported:  # one problem, not one per question
                        self.problem("choices", None, None, f"There is no choices sheet, but the question on survey row {row} ('{raw_type}') needs its choice list. Add a sheet named choices with the columns list_name, name and label.")
                        self.missing_choices_reported = True
                    return kind, list_name, or_other
                if list_name not in choices:
                    self.problem("survey", row, column, f"The choice list '{list_name}' is not on the choices sheet (check its spelling in the list_name column there).")
                    return None, None, False
                return kind, list_name, or_other
        self.problem("survey", row, column, f"Shire does not support the question type '{raw_type}': it is not a type Shire knows (check its spelling). Supported types: {', '.join(QUESTION_TYPES)}, begin group and end group.")
        return None, None, False

    def check_name(self, row, name, names, kind, column):
        if not name:
            self.problem("survey", row, column, f"This {kind} has no name; every question and group needs a name, which is how its answers are stored.")
        elif not _NAME.match(name):
            self.problem("survey", row, column, f"The name '{name}' is not valid: names start with a letter or _ and contain only letters, digits, _, - and . (no spaces).")
        elif len(name) > NAME_MAX:
            self.problem("survey", row, column, f"The name '{name[:40]}...' is {len(name)} characters long; names may have at most {NAME_MAX}.")
        elif name in names:
            self.problem("survey", row, column, f"The name '{name}' is already used on row {names[name][0]}; every question and group needs its own name.")
        else:
            names[name] = (row, kind)

    def check_expression(self, row, column, kind, text, known):
        try:
            tree = parse(text)
        except ExpressionError as error:
            self.problem("survey", row, column, f"The {kind} expression {text!r} is not valid: {error}.")
            return
        for ref in sorted(references(tree)):
            if known is not None and ref not in known:
                self.problem("survey", row, column, f"The {kind} expression refers to ${{{ref}}}, but there is no question named '{ref}' in the form.")

    @staticmethod
    def combined_relevant(outer_groups, own, extra):
        parts = [g["relevant"] for g in outer_groups if g["relevant"]] + [p for p in (extra, own) if p]
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return " and ".join(f"({p})" for p in parts)

    @staticmethod
    def item(name, kind, label, hint, required, required_message, relevant, constraint, constraint_message, appearance, list_name, choices, row):
        return {
            "name": name,
            "type": kind,
            "label": label,
            "hint": hint,
            "required": required,
            "required_message": required_message,
            "relevant": relevant,
            "constraint": constraint,
            "constraint_message": constraint_message,
            "appearance": appearance,
            "list_name": list_name if kind in SELECT_TYPES else None,
            "choices": [dict(c) for c in choices.get(list_name, [])] if kind in SELECT_TYPES else None,
            "row": row,
        }

    # -- the reference reader ----------------------------------------------------------------

    def run_pyxform(self):
        """Add pyxform's verdict unless our own pass already flagged the same row."""
        from pyxform.errors import PyXFormError
        from pyxform.xls2xform import convert

        try:
            convert(io.BytesIO(bytes(self.data)), file_type=".xlsx", warnings=[])
            return
        except PyXFormError as error:
            message = str(error)
            context = getattr(error, "context", None) or {}
        except Exception as error:  # pyxform's own crash on odd input still means "not a valid form"
            message = f"{error.__class__.__name__}: {error}"
            context = {}
        row = context.get("row")
        match = _PYXFORM_ROW.match(message)
        if match:
            row = row or int(match.group(1))
            message = message[match.end():]
        where = _PYXFORM_WHERE.search(message)
        sheet = context.get("sheet") or (where.group(1) if where else "survey")
        column = context.get("column") or (where.group(2) if where else None)
        if row is None:
            if self.problems:
                return  # most likely a restatement of a problem already listed
        elif any(p["sheet"] == sheet and p["row"] in (row, 1, None) for p in self.problems):
            return  # the same row, or the whole sheet (a missing column), is already listed
        self.problem(sheet, int(row) if row else None, column, f"pyxform (the XLSForm reference reader) rejects the form: {message.strip()}")
