"""The runtime rules of a questionnaire: which pages and questions apply, and which answers are valid.

Pure functions over a normalised definition (docs/consultations.md) and plain answer dicts; no
database, no requests. The public answering pages, the check-answers page, the submission and
the response importer all call these, so an answer set is judged the same way wherever it comes from.

Values go through two shapes:

* raw answers, as `read_page` makes them from a posted page: the stored format where the input
  could be read as such, otherwise what was typed, kept so it can be shown again with its error
  (an integer that is not a number stays a string; a date that is not a real date is a dict of its
  `day`, `month` and `year` parts; a rank whose positions are not each used once is a dict of
  choice name -> position as typed);
* stored answers (docs/consultations.md, "Stored answers"), which `clean_answers` returns.

`clean_answers` also accepts what an importer reads from a spreadsheet: numbers as strings,
select_multiple and rank answers as space-separated names.
"""
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from . import expressions

ANSWERABLE_TYPES = ("select_one", "select_multiple", "rank", "text", "integer", "decimal", "date")
CHOICE_TYPES = ("select_one", "select_multiple", "rank")
DATE_PARTS = ("day", "month", "year")
# The largest number an answer may be (either sign): far beyond any count or sum of money a
# consultation asks for, and small enough that the report adds up 100,000 answers exactly.
NUMBER_LIMIT = 10**12


_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


def without_thousands(text):
    """1,250.5 -> 1250.5; a comma anywhere else (2,5 written for two and a half) is left for the
    number check to refuse, rather than read as 25."""
    return text.replace(",", "") if _THOUSANDS.fullmatch(text) else text


def number_out_of_range(number):
    """The problem with a number too large to be an answer, or None."""
    if abs(number) > NUMBER_LIMIT:
        return f"must be between -{NUMBER_LIMIT:,} and {NUMBER_LIMIT:,}"
    return None


# --- walking the definition -----------------------------------------------------------------

def pages(definition):
    return list(definition.get("pages") or [])


def iter_questions(definition, include_notes=False):
    """Every item of the questionnaire in order, as (page, item); notes only if asked for."""
    for page in pages(definition):
        for item in page.get("items") or []:
            if include_notes or item.get("type") != "note":
                yield page, item


def questions(definition):
    """The answerable questions in order."""
    return [item for _, item in iter_questions(definition)]


def question_map(definition):
    return {item["name"]: item for item in questions(definition)}


def page_of(definition, name):
    """The 0-based index of the page holding question `name`, or None."""
    for index, page in enumerate(pages(definition)):
        if any(item.get("name") == name for item in page.get("items") or []):
            return index
    return None


# XLSForm's piping: ${name} in a label or hint is the answer to the question `name`.
_REFERENCE = re.compile(r"\$\{\s*([A-Za-z_][\w.\-]*)\s*\}")


def with_placeholders(text):
    """A label with each ${name} as a readable placeholder, [name], where no one answer fills it
    (the report, the staff pages)."""
    return _REFERENCE.sub(lambda match: f"[{match.group(1)}]", text) if text else text


def piped_page(definition, index, answers):
    """Page `index` with each ${name} in its labels and hints filled with this person's answer,
    where that question is on an earlier page; else the placeholder [name]. The answer is put in as
    text (the templates escape it)."""
    earlier = {}
    for page in pages(definition)[:index]:
        for item in page.get("items") or []:
            if item.get("name") in answers and answers[item["name"]] not in (None, "", []):
                earlier[item["name"]] = _shown(item, answers[item["name"]])

    def fill(text):
        if not text or "${" not in text:
            return text
        return _REFERENCE.sub(lambda match: earlier.get(match.group(1), f"[{match.group(1)}]"), text)

    page = pages(definition)[index]
    items = [{**item, "label": fill(item.get("label")), "hint": fill(item.get("hint"))} for item in page.get("items") or []]
    return {**page, "label": fill(page.get("label")), "hint": fill(page.get("hint")), "items": items}


def _shown(item, value):
    if item.get("type") in ("select_one", "select_multiple", "rank"):
        return ", ".join(choice_label(item, name) for name in (value if isinstance(value, list) else [value]))
    return str(value)


def choice_names(item):
    return [str(choice["name"]) for choice in item.get("choices") or []]


def choice_label(item, name):
    for choice in item.get("choices") or []:
        if str(choice["name"]) == str(name):
            return choice.get("label") or str(name)
    return str(name)


def is_likert(item):
    """A grid row: Enketo's `likert`, or ODK's `list-nolabel` (which a `table-list` group gives its questions)."""
    appearance = (item.get("appearance") or "").split()
    return item.get("type") == "select_one" and ("likert" in appearance or "list-nolabel" in appearance)


_MAX_SELECTED = re.compile(r"^\s*count-selected\(\s*\.\s*\)\s*(<=|<)\s*(\d+)\s*$")


def max_selected(item):
    """N when the constraint is `count-selected(.) <= N` (or `< N+1`): the "select up to N" rule."""
    match = _MAX_SELECTED.match(item.get("constraint") or "")
    if not match:
        return None
    limit = int(match.group(2))
    return limit if match.group(1) == "<=" else limit - 1


def same_page_references(page, item):
    """Questions on `page` that `item`'s relevance refers to (answers that can change it on the page)."""
    expression = item.get("relevant")
    if not _has_expression(expression):
        return set()
    names = {other.get("name") for other in page.get("items") or [] if other is not item}
    return expressions.references(expression) & names


# --- relevance, requirement -----------------------------------------------------------------

def _has_expression(expression):
    return isinstance(expression, str) and expression.strip() != ""


def is_relevant(expression, context):
    """An empty `relevant` means always; otherwise the expression over the answers in `context`."""
    if not _has_expression(expression):
        return True
    return expressions.is_true(expression, context)


def is_required(item, context):
    required = item.get("required")
    if isinstance(required, str):
        text = required.strip()
        if text.lower() in ("", "no", "false", "false()"):
            return False
        if text.lower() in ("yes", "true", "true()"):
            return True
        return expressions.is_true(text, context)
    return bool(required)


# --- reading a posted page ------------------------------------------------------------------

def _getlist(data, key):
    if hasattr(data, "getlist"):
        return [str(v) for v in data.getlist(key)]
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def _first(data, key):
    values = _getlist(data, key)
    return values[0] if values else ""


def field_name(item, part=None):
    """The name of the form field holding `item`'s answer, or one part of it (date part, rank choice)."""
    if part is None:
        return item["name"]
    if item.get("type") == "rank":
        return f"{item['name']}-position-{part}"
    return f"{item['name']}-{part}"


def read_page(page, data):
    """The raw answers a posted page gives, keyed by question name; blank fields are left out.

    `data` is a QueryDict (or any mapping of name to value or list of values).
    """
    raw = {}
    for item in page.get("items") or []:
        kind, name = item.get("type"), item.get("name")
        if kind == "select_one":
            values = [v.strip() for v in _getlist(data, name) if v.strip()]
            if values:
                raw[name] = values[0] if len(values) == 1 else values
        elif kind == "select_multiple":
            values = []
            for v in _getlist(data, name):
                v = v.strip()
                if v and v not in values:
                    values.append(v)
            if values:
                known = choice_names(item)
                raw[name] = [c for c in known if c in values] + [v for v in values if v not in known]
        elif kind == "rank":
            positions = {c: _first(data, field_name(item, c)).strip() for c in choice_names(item)}
            if any(positions.values()):
                raw[name] = _rank_from_positions(positions)
        elif kind == "text":
            text = _first(data, name).replace("\r\n", "\n").strip()
            if text:
                raw[name] = text
        elif kind in ("integer", "decimal"):
            text = _first(data, name).strip()
            if text:
                number, error = _number(item, text)
                raw[name] = text if error else number
        elif kind == "date":
            parts = {p: _first(data, field_name(item, p)).strip() for p in DATE_PARTS}
            if any(parts.values()):
                value, error = _date_from_parts(item, parts)
                raw[name] = parts if error else value
    return raw


def _rank_from_positions(positions):
    """The ordered list when positions are exactly 1..N once each, else the positions as typed."""
    n = len(positions)
    try:
        numbers = {c: int(p) for c, p in positions.items()}
    except ValueError:
        return dict(positions)
    if sorted(numbers.values()) != list(range(1, n + 1)):
        return dict(positions)
    return sorted(numbers, key=numbers.get)


# --- checking one answer --------------------------------------------------------------------

def _quoted(item):
    return f"“{(item.get('label') or item.get('name') or '').strip()}”"


def required_message(item):
    if item.get("required_message"):
        return item["required_message"]
    kind, q = item.get("type"), _quoted(item)
    if kind == "select_one":
        return f"Select an answer for {q}"
    if kind == "select_multiple":
        return f"Select at least one answer for {q}"
    if kind == "rank":
        return f"Put every option in order for {q}"
    if kind == "integer":
        return f"Enter a whole number for {q}"
    if kind == "decimal":
        return f"Enter a number for {q}"
    if kind == "date":
        return f"Enter a date for {q}"
    return f"Enter an answer for {q}"


_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def number_words(n):
    """GOV.UK style: numbers below ten in words."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def constraint_message(item):
    if item.get("constraint_message"):
        return item["constraint_message"]
    limit = max_selected(item)
    if limit is not None:
        if limit == 1:
            return f"Select only one answer for {_quoted(item)}"
        return f"Select no more than {number_words(limit)} answers for {_quoted(item)}"
    return f"Your answer to {_quoted(item)} is not accepted. Check it and try again"


def _is_blank(value):
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, (list, tuple)):
        return len(value) == 0
    if isinstance(value, dict):
        return all(_is_blank(v) for v in value.values())
    return False


def _number(item, value):
    number, error = _parse_number(item, value)
    if error is None and number_out_of_range(number):
        return None, f"{_quoted(item)} {number_out_of_range(number)}"
    return number, error


def _parse_number(item, value):
    q = _quoted(item)
    whole = item.get("type") == "integer"
    if isinstance(value, bool):
        return None, f"{q} must be a number"
    if isinstance(value, int):
        return (value, None) if whole else (float(value), None)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None, f"{q} must be a number"
        if whole:
            return (int(value), None) if value.is_integer() else (None, f"{q} must be a whole number")
        return value, None
    text = without_thousands(str(value).strip())
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, f"{q} must be a number"
    if not number.is_finite() or not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
        return None, f"{q} must be a number"
    if whole:
        if number != number.to_integral_value():
            return None, f"{q} must be a whole number"
        return int(number), None
    return float(number), None


def _date_from_parts(item, parts):
    q = _quoted(item)
    missing = [p for p in DATE_PARTS if not str(parts.get(p) or "").strip()]
    if len(missing) == 3:
        return None, required_message(item)
    if missing:
        return None, f"The date for {q} must include a {' and '.join(missing)}"
    day, month, year = (str(parts[p]).strip() for p in DATE_PARTS)
    if not (day.isdecimal() and month.isdecimal() and year.isdecimal()) or len(year) != 4:
        return None, f"The date for {q} must be a real date, with a 4-digit year"
    try:
        return date(int(year), int(month), int(day)).isoformat(), None
    except (ValueError, OverflowError):  # a day of 99999999999 overflows date()
        return None, f"The date for {q} must be a real date"


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _names(value):
    if isinstance(value, str):
        return value.split()
    if isinstance(value, (list, tuple)):
        return [_choice_string(v) for v in value]
    return [_choice_string(value)]


def _choice_string(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def coerce(item, value):
    """(the answer in stored format, None) or (None, error message) for a non-blank answer."""
    kind, q = item.get("type"), _quoted(item)
    known = choice_names(item)
    if kind == "select_one":
        if isinstance(value, (list, tuple)):
            if len(value) != 1:
                return None, f"Select only one answer for {q}"
            value = value[0]
        name = _choice_string(value)
        if name not in known:
            return None, f"Select one of the options given for {q}"
        return name, None
    if kind == "select_multiple":
        names = []
        for name in _names(value):
            if name not in names:
                names.append(name)
        if any(name not in known for name in names):
            return None, f"Select only the options given for {q}"
        return [c for c in known if c in names], None
    if kind == "rank":
        return _coerce_rank(item, value)
    if kind == "text":
        return (number_text(value) if isinstance(value, (int, float)) else str(value)).strip(), None
    if kind in ("integer", "decimal"):
        return _number(item, value)
    if kind == "date":
        if isinstance(value, datetime):  # a spreadsheet's date cell
            return value.date().isoformat(), None
        if isinstance(value, date):
            return value.isoformat(), None
        if isinstance(value, dict):
            return _date_from_parts(item, value)
        text = str(value).strip()
        if _ISO_DATE.match(text):
            try:
                return date.fromisoformat(text).isoformat(), None
            except ValueError:
                pass
        return None, f"The date for {q} must be a real date"
    return None, f"{q} does not take an answer"


def _coerce_rank(item, value):
    q = _quoted(item)
    known = choice_names(item)
    labels = {c: choice_label(item, c) for c in known}
    if isinstance(value, dict):  # positions as typed
        n = len(known)
        positions = {c: str(value.get(c) or "").strip() for c in known}
        unplaced = [labels[c] for c in known if not positions[c]]
        if unplaced:
            return None, f"Give every option a position for {q}; {_and_list(unplaced)} {'has' if len(unplaced) == 1 else 'have'} none"
        if any(not p.isdecimal() or not 1 <= int(p) <= n for p in positions.values()):
            return None, f"Positions for {q} must be numbers from 1 to {n}"
        by_position = {}
        for c in known:
            by_position.setdefault(int(positions[c]), []).append(labels[c])
        clashes = [f"{_and_list(names)} are all number {p}" if len(names) > 2 else f"{_and_list(names)} are both number {p}"
                   for p, names in sorted(by_position.items()) if len(names) > 1]
        if clashes:
            return None, f"Use each position only once for {q}: {'; '.join(clashes)}"
        return sorted(known, key=lambda c: int(positions[c])), None
    names = _names(value)
    if any(name not in known for name in names):
        return None, f"Rank only the options given for {q}"
    repeated = [labels[c] for c in known if names.count(c) > 1]
    if repeated:
        return None, f"Use each option only once for {q}: {_and_list(repeated)} {'is' if len(repeated) == 1 else 'are'} given more than one position"
    missing = [labels[c] for c in known if c not in names]
    if missing:
        return None, f"Put every option in order for {q}; {_and_list(missing)} {'is' if len(missing) == 1 else 'are'} missing"
    return names, None


def _and_list(words):
    words = [f"“{w}”" for w in words]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


# --- checking pages and whole answer sets ---------------------------------------------------

@dataclass
class PageCheck:
    """The outcome of checking one page of a questionnaire against an answer set."""

    index: int  # 0-based position in the definition
    page: dict
    visible: bool = False  # the page is relevant and at least one of its items is
    relevant: list = field(default_factory=list)  # names of the items that apply (notes included)
    kept: dict = field(default_factory=dict)  # the page's valid, relevant answers in stored format
    errors: dict = field(default_factory=dict)  # question name -> message


def _check_page(index, page, source, context):
    """Check one page's answers from `source`; `context` is updated in place for later pages."""
    check = PageCheck(index=index, page=page)
    items = page.get("items") or []
    if not is_relevant(page.get("relevant"), context):
        for item in items:
            context.pop(item.get("name"), None)
        return check
    for item in items:
        name = item.get("name")
        if not is_relevant(item.get("relevant"), context):
            context.pop(name, None)
            continue
        check.relevant.append(name)
        if item.get("type") not in ANSWERABLE_TYPES:
            context.pop(name, None)
            continue
        value = source.get(name)
        if _is_blank(value):
            context.pop(name, None)
            if is_required(item, context):
                check.errors[name] = required_message(item)
            continue
        value, error = coerce(item, value)
        if error:
            context.pop(name, None)
            check.errors[name] = error
            continue
        context[name] = value
        constraint = item.get("constraint")
        if _has_expression(constraint) and not expressions.is_true(constraint, context, current=value):
            check.errors[name] = constraint_message(item)
            continue
        check.kept[name] = value
    check.visible = bool(check.relevant)
    return check


def check_pages(definition, answers):
    """Check every page in order, applying routing as it goes; returns a PageCheck per page.

    Each page's relevance, and each question's, is worked out from the answers kept on the
    pages before it (and earlier on the same page); an answer that routing skipped, or that is
    not valid, never counts towards a later page's routing. A reference to a question further
    on sees that question's answer as given.
    """
    context = dict(answers)
    return [_check_page(index, page, answers, context) for index, page in enumerate(pages(definition))]


def visible_pages(definition, answers):
    """The pages a person with these answers is shown, in order."""
    return [check.page for check in check_pages(definition, answers) if check.visible]


def validate_page(page, answers_so_far):
    """Errors for one page, {question name: message}.

    `answers_so_far` holds the answers kept from earlier pages and this page's raw answers (from
    `read_page`); questions made irrelevant by them are not checked.
    """
    return _check_page(0, page, answers_so_far, dict(answers_so_far)).errors


def clean_answers(definition, answers):
    """(the answers to store, errors): every answer routing skipped, every unknown name and every
    note removed; errors keyed by question name for every answer that is invalid or missing."""
    kept, errors = {}, {}
    for check in check_pages(definition, answers):
        kept.update(check.kept)
        errors.update(check.errors)
    return kept, errors


# --- showing answers ------------------------------------------------------------------------

def format_answer(item, value):
    """A stored answer as lines of text for people: choice labels, dates in words."""
    if _is_blank(value):
        return []
    kind = item.get("type")
    if kind == "select_one":
        return [choice_label(item, value)]
    if kind == "select_multiple":
        return [choice_label(item, v) for v in _names(value)]
    if kind == "rank":
        return [f"{i}. {choice_label(item, v)}" for i, v in enumerate(_names(value), start=1)]
    if kind == "date":
        try:
            d = date.fromisoformat(str(value))
        except ValueError:
            return [str(value)]
        return [f"{d.day} {d:%B} {d.year}"]
    if kind in ("integer", "decimal"):
        return [number_text(value)]
    return [str(value)]


def number_text(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
