"""The results report: counts, percentages and the other figures for every question.

Pure analysis: plain data in (a questionnaire definition, answer sets, workshop votes), plain data
out (a dict that serialises to JSON as it is). No ORM and no database: callers fetch the raw JSON
answer sets (``SELECT answers FROM ...``) and pass the strings to :func:`frame_from_json`, which
decodes them inside polars so that 100,000 responses never become 100,000 Python dicts.

The rules (bases, rounding, net agreement, suppression) are documented in docs/consultations.md,
"The results report: what is computed".
"""
from __future__ import annotations

import copy
import itertools
import json
import math
import re
from concurrent.futures import ThreadPoolExecutor
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction

import polars as pl

from .questionnaire import with_placeholders

CHOICE_TYPES = ("select_one", "select_multiple", "rank")
QUESTION_TYPES = ("select_one", "select_multiple", "rank", "text", "integer", "decimal", "date")
# Choices are categorical: each answer is a small code into the few texts a question's choices
# have. For 100,000 answer sets that decodes about a fifth faster, counts and groups several
# times faster, and takes a fraction of the memory of a string per answer.
_DTYPES = {
    "select_one": pl.Categorical(),
    "text": pl.String,
    "date": pl.String,
    "select_multiple": pl.List(pl.Categorical()),
    "rank": pl.List(pl.Categorical()),
    "integer": pl.Int64,
    "decimal": pl.Float64,
}


# --------------------------------------------------------------------------------------------
# Rounding
# --------------------------------------------------------------------------------------------

def round_half_up(value, places=1):
    """Round to ``places`` decimal places with halves rounded away from zero (as Excel's ROUND does).

    Python's ``round`` rounds halves to the even digit (``round(0.125, 2) == 0.12``) and works on
    the binary approximation of a float; this works on the exact value for ints and Fractions and
    on the shortest decimal form of a float, so ``round_half_up(2.675, 2) == 2.68`` and
    ``round_half_up(Fraction(-1, 8), 2) == -0.13``.
    """
    if value is None:
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return value  # an infinite figure is reported as it is
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            return float(value)
        # Enough digits for the whole part too (1e308 has 309), where the default context has 28.
        context = Context(prec=max(28, value.adjusted() + places + 2))
        return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=context))
    value = Fraction(value)
    scaled = abs(value) * 10**places
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    result = Fraction(whole, 10**places) * (1 if value >= 0 else -1)
    return float(result)


def percent(count, base, places=1):
    """``count`` as a percentage of ``base``, rounded half up to ``places``; None when the base is 0."""
    if not base:
        return None
    return round_half_up(Fraction(count * 100, base), places)


# --------------------------------------------------------------------------------------------
# The definition
# --------------------------------------------------------------------------------------------

def iter_questions(definition):
    """Yield (page, question) for every answerable question (every item but notes), in order."""
    for page in definition.get("pages", []):
        for item in page.get("items", []):
            if item.get("type") == "note":
                continue
            if item.get("type") not in QUESTION_TYPES:
                raise ValueError(f"Question {item.get('name')!r} has type {item.get('type')!r}, which the report cannot analyse.")
            yield page, item


def _questions(definition):
    return [question for _page, question in iter_questions(definition)]


def schema(definition):
    """The polars schema of a response frame: one column per question, in questionnaire order."""
    return {question["name"]: _DTYPES[question["type"]] for question in _questions(definition)}


# --------------------------------------------------------------------------------------------
# Building the response frame
# --------------------------------------------------------------------------------------------

# Answer sets decoded at a time: enough for polars' reader to use every core, few enough that
# the texts of only two slices are held at once.
_NDJSON_CHUNK = 10_000


def frame_from_json(definition, json_texts):
    """A DataFrame of answers, one row per answer set and one column per question.

    ``json_texts`` is an iterable of JSON objects as text (the ``answers`` column as the database
    returns it); ``None`` stands for an empty answer set, and dicts are accepted too (some database
    drivers decode JSON themselves). Keys that are not questions are ignored. An empty string, an
    all-blank string or an empty list is treated as not answered (null), so it is not in the base.
    Raises ValueError naming the answer set (counting from 1) and question if a value has the
    wrong type.

    The answer sets are read a slice at a time, each slice joined into one newline-delimited JSON
    document and decoded by polars' multi-threaded NDJSON reader against a schema built from the
    definition (for 100,000 answer sets several times faster, and in a fraction of the memory, than
    decoding a Series of strings with ``str.json_decode``). A slice is decoded in a second thread
    while the next is taken from ``json_texts``, so a database cursor behind it fetches while
    polars decodes, and only two slices of text are held at once, never every answer set.
    """
    cols = schema(definition)
    # Integers are read as floats so that 3.0 is accepted as 3; non-whole values are refused below.
    read_as = {name: pl.Float64 if dtype == pl.Int64 else dtype for name, dtype in cols.items()}
    if not cols:
        return pl.DataFrame()
    frames, height = [], 0
    with ThreadPoolExecutor(max_workers=1) as decoder:
        decoding = None  # (future, lines, number of the slice's first answer set)
        for texts in itertools.batched(json_texts, _NDJSON_CHUNK):
            lines = [_one_line(text) for text in texts]
            if decoding:
                frames.append(_decoded(cols, *decoding))
            decoding = (decoder.submit(_read_lines, lines, read_as), lines, height + 1)
            height += len(lines)
        if decoding:
            frames.append(_decoded(cols, *decoding))
    if not frames:
        return pl.DataFrame(schema=cols)
    frame = pl.concat(frames, rechunk=False)
    if frame.height != height:  # cannot happen with one non-blank line per answer set; be sure
        raise ValueError(f"Read {frame.height} answer sets from {height} texts.")
    for name, dtype in cols.items():
        if dtype == pl.Int64:
            column = frame[name]
            fractional = (column != column.floor()).fill_null(False)
            if fractional.any():
                row = int(fractional.arg_max())
                raise ValueError(f"Answer set {row + 1}, question {name!r}: {column[row]!r} is not a whole number.")
    return frame.with_columns(_normalise(frame, name, dtype) for name, dtype in cols.items())


def _one_line(text):
    """One answer set as one line of JSON text."""
    if text is None:
        return "{}"
    if not isinstance(text, str):
        if isinstance(text, (bytes, bytearray, memoryview)):
            text = bytes(text).decode("utf-8")
        else:
            text = json.dumps(text, default=str)
    if "\n" in text or "\r" in text:
        # Raw line breaks can only be whitespace between JSON tokens (inside strings they are
        # escaped), so they can be replaced to keep one answer set a line.
        text = text.replace("\r", " ").replace("\n", " ")
    stripped = text.strip()
    return text if stripped and stripped != "null" else "{}"


def _read_lines(lines, read_as):
    document = "\n".join(lines).encode("utf-8")
    try:
        return pl.read_ndjson(document, schema=read_as)
    except pl.exceptions.PolarsError:
        # A number or true/false given for a choice (choice names can be "1", "2" ...) is read as
        # its text only into a String column: read the slice that way, then make it categorical.
        return pl.read_ndjson(document, schema={name: _as_text(dtype) for name, dtype in read_as.items()}).cast(read_as)


def _as_text(dtype):
    if dtype == pl.Categorical:
        return pl.String
    if dtype == pl.List(pl.Categorical):
        return pl.List(pl.String)
    return dtype


def _decoded(cols, future, lines, first_number):
    """The frame of one slice; if polars could not decode it, the error naming the bad answer set."""
    try:
        return future.result()
    except pl.exceptions.PolarsError as error:
        _raise_first_bad_answer(cols, lines, error, first_number)


def frame_from_records(definition, records):
    """The same frame from answer sets that are already dicts (tests, small imports)."""
    return frame_from_json(definition, [None if record is None else json.dumps(record, default=str) for record in records])


def _normalise(frame, name, dtype):
    """Column name as the analysis counts it: blank texts and empty lists are null (not answered),
    lists hold no null items and whole numbers are integers.

    Stripping every text and rebuilding every list took a tenth of the report's time for 100,000
    answer sets, so a column gets that only if it has a text that could be blank or a null item.
    """
    column = pl.col(name)
    if dtype == pl.Int64:
        return column.cast(pl.Int64)
    if dtype == pl.String:
        # A blank text is empty or starts with white space; most columns have neither.
        if (frame[name].str.slice(0, 1).str.strip_chars() == "").any():
            return pl.when(column.str.strip_chars() == "").then(None).otherwise(column).alias(name)
        return column
    if dtype == pl.Categorical:
        # A choice column holds a few distinct texts: a blank one is looked for among those.
        if (frame[name].unique().cast(pl.String).str.strip_chars() == "").any():
            return pl.when(column.cast(pl.String).str.strip_chars() == "").then(None).otherwise(column).alias(name)
        return column
    if isinstance(dtype, pl.List):
        lists = frame[name]
        has_null_items = lists.explode().count() < lists.list.len().sum()
        return pl.when(column.list.len() == 0).then(None).otherwise(
            column.list.drop_nulls() if has_null_items else column).alias(name)
    return column


def _raise_first_bad_answer(cols, texts, error, first_number=1):
    """Find, slowly, the answer set polars could not decode and say which one and why.

    ``texts`` are the answer sets of the slice that failed; ``first_number`` is the first one's number."""
    for number, text in enumerate(texts, start=first_number):
        try:
            answers = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"Answer set {number} is not valid JSON: {exc}") from error
        if not isinstance(answers, dict):
            raise ValueError(f"Answer set {number} is not a JSON object.") from error
        for name, dtype in cols.items():
            value = answers.get(name)
            if value is None:
                continue
            if isinstance(dtype, pl.List):
                ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
            else:
                # A number is read as text too (polars gives "3"); a text is not read as a number.
                kinds = (int, float) if dtype in (pl.Int64, pl.Float64) else (str, int, float)
                ok = isinstance(value, kinds) and not isinstance(value, bool)
            if not ok:
                raise ValueError(f"Answer set {number}, question {name!r}: {value!r} is not a valid answer of this type.") from error
    raise error


# --------------------------------------------------------------------------------------------
# Agreement scales
# --------------------------------------------------------------------------------------------

_SCALE_WORDS = {
    "strongly_agree": {
        "strongly agree", "agree strongly", "completely agree", "totally agree", "fully agree",
        "definitely agree", "very much agree",
    },
    "agree": {
        "agree", "tend to agree", "somewhat agree", "slightly agree", "mostly agree", "partly agree",
        "partially agree", "mainly agree", "agree somewhat", "agree a little",
    },
    "neither": {
        "neither agree nor disagree", "neither agree or disagree", "neither disagree nor agree",
        "neither", "neutral", "undecided", "neither nor",
    },
    "disagree": {
        "disagree", "tend to disagree", "somewhat disagree", "slightly disagree", "mostly disagree",
        "partly disagree", "partially disagree", "mainly disagree", "disagree somewhat", "disagree a little",
    },
    "strongly_disagree": {
        "strongly disagree", "disagree strongly", "completely disagree", "totally disagree",
        "fully disagree", "definitely disagree", "very much disagree",
    },
    "dont_know": {
        "dont know", "do not know", "not sure", "unsure", "dont know not sure", "not sure dont know",
        "no opinion", "cant say", "dont know cant say", "not applicable", "n a", "na",
        "prefer not to say",
    },
}
_WORD_TO_POINT = {words: point for point, all_words in _SCALE_WORDS.items() for words in all_words}


def _scale_point(text):
    if not isinstance(text, str):
        return None
    text = text.lower().replace("\u2019", "").replace("'", "")
    text = " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())
    return _WORD_TO_POINT.get(text)


def agreement_scale(choices):
    """If ``choices`` are an agreement scale, the choice names on each side of it; else None.

    Each choice is recognised from its label, or failing that its name ("strongly_agree",
    "Tend to disagree", "Don't know" ...). Every choice must be a point on the scale, and there must be
    at least one agreeing and one disagreeing point. Returns
    ``{"agree": [...], "neither": [...], "disagree": [...], "dont_know": [...]}`` with
    ``agree`` = strongly agree and agree (or tend to agree), ``disagree`` = disagree and strongly
    disagree, each list in choice order.
    """
    sides = {"agree": [], "neither": [], "disagree": [], "dont_know": []}
    side_of = {
        "strongly_agree": "agree", "agree": "agree", "neither": "neither",
        "disagree": "disagree", "strongly_disagree": "disagree", "dont_know": "dont_know",
    }
    if not choices:
        return None
    for choice in choices:
        point = _scale_point(choice.get("label")) or _scale_point(choice.get("name"))
        if point is None:
            return None
        sides[side_of[point]].append(choice["name"])
    if not sides["agree"] or not sides["disagree"]:
        return None
    return sides


# --------------------------------------------------------------------------------------------
# Per-question figures
# --------------------------------------------------------------------------------------------

def _value_counts(series):
    """{value: count} for the non-null values of a Series."""
    counted = series.drop_nulls().value_counts()
    return dict(zip(counted.to_series(0).to_list(), counted.to_series(1).to_list()))


def _by_choice(names, tally):
    return {name: int(tally.get(name, 0)) for name in names}


def _percents(counts, base):
    return {name: percent(count, base) for name, count in counts.items()}


def question_figures(question, series):
    """The figures for one question from its column (a polars Series) of answers."""
    kind = question["type"]
    choices = question.get("choices") or []
    names = [choice["name"] for choice in choices]
    report = {"type": kind, "label": with_placeholders(question.get("label"))}
    if kind in CHOICE_TYPES:
        report["choices"] = {choice["name"]: choice.get("label") or choice["name"] for choice in choices}
    answered = series.drop_nulls()
    base = len(answered)
    report["base"] = base

    if kind == "select_one":
        counts = _by_choice(names, _value_counts(answered))
        report["counts"] = counts
        report["percent"] = _percents(counts, base)
        scale = agreement_scale(choices)
        if scale:
            agree = sum(counts[name] for name in scale["agree"])
            disagree = sum(counts[name] for name in scale["disagree"])
            report["scale"] = scale
            report["agree_percent"] = percent(agree, base)
            report["disagree_percent"] = percent(disagree, base)
            report["net_agreement"] = percent(agree - disagree, base)
    elif kind == "select_multiple":
        # Everyone who ticked a choice counts once for it, whatever else they ticked.
        counts = _by_choice(names, _value_counts(answered.list.unique().explode()))
        report["counts"] = counts
        report["percent"] = _percents(counts, base)
    elif kind == "rank":
        report.update(_rank_figures(names, answered, base))
    elif kind in ("integer", "decimal"):
        report["counts"], report["percent"] = {}, {}
        report.update(_number_figures(kind, answered))
    elif kind == "date":
        report["counts"], report["percent"] = {}, {}
        dates = answered.str.to_date("%Y-%m-%d", strict=False).drop_nulls()
        report["earliest"] = dates.min().isoformat() if len(dates) else None
        report["latest"] = dates.max().isoformat() if len(dates) else None
    elif kind == "text":
        report["counts"], report["percent"] = {}, {}
        report["answers"] = answered.to_list()
    return report


def _rank_figures(names, rankings, base):
    longest = int(rankings.list.len().max() or 0)
    at_position = {name: [0] * longest for name in names}
    for position in range(longest):
        for name, count in _value_counts(rankings.list.get(position, null_on_oob=True)).items():
            if name in at_position:
                at_position[name][position] = count
    first = {name: at_position[name][0] if longest else 0 for name in names}
    top3 = {name: sum(at_position[name][:3]) for name in names}
    last = _by_choice(names, _value_counts(rankings.list.last()))
    bottom3 = _by_choice(names, _value_counts(rankings.list.tail(3).explode()))
    mean_position = {}
    for name in names:
        ranked = sum(at_position[name])
        weighted = sum((position + 1) * count for position, count in enumerate(at_position[name]))
        mean_position[name] = round_half_up(Fraction(weighted, ranked), 2) if ranked else None
    return {
        # For a rank question `counts` are first preferences, so a rank question reads like any
        # other in a table of counts; `top3_percent` gives the share putting each in their top three.
        "counts": first,
        "percent": _percents(first, base),
        "first": dict(first),
        "last": last,
        "top3": top3,
        "top3_percent": _percents(top3, base),
        "bottom3": bottom3,
        "mean_position": mean_position,
    }


def _median(numbers):
    median = float(numbers.median())
    if math.isfinite(median) or not numbers.is_finite().all():
        return median
    # The two middle answers' float sum overflowed: halve them before adding.
    ordered = numbers.sort()
    middle = len(ordered) // 2
    return float(ordered[middle]) / 2 + float(ordered[middle - 1]) / 2


def _number_figures(kind, numbers):
    if not len(numbers):
        return {"mean": None, "median": None, "min": None, "max": None}
    if kind == "integer":
        mean = round_half_up(Fraction(int(numbers.sum()), len(numbers)), 2)
        low, high = int(numbers.min()), int(numbers.max())
    else:
        total = float(numbers.sum())
        if math.isfinite(total) or not numbers.is_finite().all():
            mean = round_half_up(Decimal(repr(total)) / len(numbers), 2)
        else:  # finite answers whose float sum overflows (near 1e308): summed exactly
            mean = round_half_up(sum(map(Fraction, numbers), Fraction(0)) / len(numbers), 2)
        low, high = float(numbers.min()), float(numbers.max())
    median = round_half_up(_median(numbers), 2)
    if kind == "integer" and median == int(median):
        median = int(median)
    return {"mean": mean, "median": median, "min": low, "max": high}


# --------------------------------------------------------------------------------------------
# Workshops
# --------------------------------------------------------------------------------------------

def _row_value(row, key):
    return row[key] if isinstance(row, dict) else getattr(row, key)


def workshop_tables(definition, workshops):
    """{question: {"workshops": {W: {choice: votes}, "total": {...}}, "workshop_totals": {W: n, "total": n}}}.

    ``workshops`` are rows {workshop, question, option, votes}; repeated rows add up. Workshops are
    listed in the order they first appear; every choice is listed for every workshop (0 if no votes).
    """
    by_name = {question["name"]: question for question in _questions(definition)}
    tables = {}
    for number, row in enumerate(workshops or [], start=1):
        workshop = str(_row_value(row, "workshop"))
        name = _row_value(row, "question")
        option = _row_value(row, "option")
        votes = int(_row_value(row, "votes"))
        question = by_name.get(name)
        if question is None or question["type"] not in CHOICE_TYPES:
            raise ValueError(f"Workshop row {number}: {name!r} is not a choice question of this questionnaire.")
        names = [choice["name"] for choice in question["choices"]]
        if option not in names:
            raise ValueError(f"Workshop row {number}: {option!r} is not an option of question {name!r}.")
        if workshop == "total":
            raise ValueError(f"Workshop row {number}: a workshop cannot be called 'total'.")
        if votes < 0:
            raise ValueError(f"Workshop row {number}: votes cannot be negative.")
        table = tables.setdefault(name, {})
        table.setdefault(workshop, dict.fromkeys(names, 0))[option] += votes
    result = {}
    for name, table in tables.items():
        names = [choice["name"] for choice in by_name[name]["choices"]]
        total = {option: sum(votes[option] for votes in table.values()) for option in names}
        result[name] = {
            "workshops": {**table, "total": total},
            "workshop_totals": {
                **{workshop: sum(votes.values()) for workshop, votes in table.items()},
                "total": sum(total.values()),
            },
        }
    return result


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------

def _group_masks(question, frame):
    """(choice name, label, boolean mask) for each group of a grouping question."""
    name = question["name"]
    for choice in question["choices"]:
        if question["type"] == "select_one":
            mask = frame[name] == choice["name"]
        else:
            mask = frame[name].list.contains(choice["name"])
        yield choice["name"], choice.get("label") or choice["name"], mask.fill_null(False)


def analyse(definition, frame, workshops=None, group_by=None):
    """The results report as a plain dict (see docs/consultations.md for its shape).

    ``frame`` comes from :func:`frame_from_json`; ``workshops`` is a list of
    {workshop, question, option, votes} rows; ``group_by`` names a select_one or select_multiple
    question whose choices split the respondents into groups (a respondent who ticked several
    choices of a select_multiple is in each of those groups).
    """
    questions = _questions(definition)
    report = {"responses": frame.height, "questions": {}}
    for question in questions:
        report["questions"][question["name"]] = question_figures(question, frame[question["name"]])

    for name, tables in workshop_tables(definition, workshops).items():
        entry = report["questions"][name]
        entry.update(tables)
        if entry["type"] == "rank":
            total = tables["workshops"]["total"]
            entry["combined_top3"] = {option: entry["top3"][option] + total[option] for option in entry["top3"]}

    if group_by is not None:
        grouping = next((question for question in questions if question["name"] == group_by), None)
        if grouping is None or grouping["type"] not in ("select_one", "select_multiple"):
            raise ValueError(f"Cannot group by {group_by!r}: it must be a select_one or select_multiple question.")
        report["group_by"] = {"question": group_by, "label": with_placeholders(grouping.get("label")), "groups": {}}
        for choice, label, mask in _group_masks(grouping, frame):
            subset = frame.filter(mask)
            report["group_by"]["groups"][choice] = {"label": label, "responses": subset.height}
            for question in questions:
                entry = report["questions"][question["name"]]
                entry.setdefault("groups", {})[choice] = question_figures(question, subset[question["name"]])

    report["grids"] = grids(definition, report)
    return report


def order_by_net_agreement(report, names):
    """``names`` (agreement questions in ``report``) from highest net agreement to lowest.

    Ties keep questionnaire order; questions nobody answered come last.
    """
    questions = report["questions"]
    order = {name: position for position, name in enumerate(questions)}

    def key(name):
        net = questions[name].get("net_agreement")
        return (net is None, -(net or 0), order.get(name, 0))

    return sorted(names, key=key)


def grids(definition, report):
    """Likert grids: runs of two or more consecutive agreement questions on one page sharing a list.

    Each grid lists its questions ordered by net agreement (as seed 003 orders its building blocks).
    Notes between the questions do not break a run; any other question does.
    """
    found = []
    for page in definition.get("pages", []):
        run = []

        def close(run=run):
            if len(run) >= 2:
                names = order_by_net_agreement(report, [question["name"] for question in run])
                found.append({
                    "page": page.get("name"),
                    "label": with_placeholders(page.get("label")),
                    "list_name": run[0].get("list_name"),
                    "questions": names,
                    "net_agreement": {name: report["questions"][name]["net_agreement"] for name in names},
                })
            run.clear()

        for item in page.get("items", []):
            if item.get("type") == "note":
                continue
            is_agreement = item.get("type") == "select_one" and agreement_scale(item.get("choices")) is not None
            if run and not (is_agreement and _same_list(run[0], item)):
                close()
            if is_agreement:
                run.append(item)
        close()
    return found


def _same_list(one, other):
    if one.get("list_name") and other.get("list_name"):
        return one["list_name"] == other["list_name"]
    return [c["name"] for c in one.get("choices", [])] == [c["name"] for c in other.get("choices", [])]


# --------------------------------------------------------------------------------------------
# Small-number suppression for public pages
# --------------------------------------------------------------------------------------------

# Tables of people counted per choice; each is checked for small numbers. `combined_top3` is not
# checked on its own: it is suppressed wherever `top3` is (otherwise combined minus the public
# workshop votes would give the top-three count back). Workshop dot votes are not suppressed:
# they are counts of votes cast in public meetings, not of respondents.
_COUNT_TABLES = ("counts", "first", "last", "top3", "bottom3")
_PERCENT_OF = {"percent": "counts", "top3_percent": "top3", "combined_top3": "top3"}
_DERIVED_FROM_BASE = ("mean", "median", "min", "max", "earliest", "latest", "mean_position",
                      "agree_percent", "disagree_percent", "net_agreement")


NOT_SHOWN = "not shown"


def _is_small(value, threshold):
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value < threshold


def suppress_small(report, threshold=5, questions=None):
    """A copy of ``report`` for public pages with every count from 1 to threshold−1 hidden.

    Each such count, and its percentage, becomes the string "fewer than 5" (for threshold 5); a
    count hidden only so that a small one cannot be worked out by subtraction becomes "not shown".
    ``questions`` limits this to some questions (for example the demographic ones); None means all.
    """
    marker = f"fewer than {threshold}"
    public = copy.deepcopy(report)
    hidden_groups = set()
    if _is_small(public.get("responses"), threshold):
        public["responses"] = marker
    group_by = public.get("group_by")
    if group_by:
        for choice, group in group_by["groups"].items():
            if _is_small(group["responses"], threshold):
                hidden_groups.add(choice)
    for name, question in public["questions"].items():
        if questions is not None and name not in questions:
            continue
        sections = {None: question, **question.get("groups", {})}
        marks = _suppression_marks(sections, threshold)
        for section_name, section in sections.items():
            _apply_marks(section, marks[section_name], marker, threshold)
        if group_by and name == group_by["question"]:
            # A group's size is its count in the grouping question: hide it wherever that count is
            # hidden (first or second suppression), so the size cannot be used for the subtraction.
            # The group's own tables are still shown; where everyone in a hidden-size group answered a
            # single-choice question its cells add up to the size, so publish grouped tables only for
            # groupings whose groups are all of a safe size.
            hidden_groups.update(marks[None]["counts"])
    if group_by:
        for choice, group in group_by["groups"].items():
            if choice in hidden_groups:
                group["responses"] = marker if _is_small(group["responses"], threshold) else NOT_SHOWN
                for name, question in public["questions"].items():
                    if questions is not None and name not in questions:
                        continue
                    section = question.get("groups", {}).get(choice)
                    if section is not None and not isinstance(section.get("base"), str) and section.get("base"):
                        section["base"] = marker if _is_small(section["base"], threshold) else NOT_SHOWN
                        _blank_derived(section)
    for grid in public.get("grids", []):
        # A grid repeats its questions' net agreement; it must not show one that was dropped.
        for name in grid["net_agreement"]:
            grid["net_agreement"][name] = public["questions"][name].get("net_agreement")
    return public


def _suppression_marks(sections, threshold):
    """Which cells to hide: {section: {table: set(choice)}}.

    Primary suppression hides every count from 1 to threshold−1. Secondary suppression then stops a
    hidden count being worked out by subtraction: the cells of a `counts`, `first` or `last` table add
    up to the base that is shown (and `top3`/`bottom3` to three times the base), so where exactly one
    cell of a table is hidden, the smallest other cell (a zero if there is one) is hidden too. The
    same is done across groups: where exactly one group's cell for a choice is hidden, the smallest
    other group's cell for that choice is hidden, since the groups may add up to the overall figure.
    Hiding a cell can leave another table with exactly one hidden cell, so this repeats until no
    table or group column has exactly one.
    """
    marks = {key: {table: set() for table in _COUNT_TABLES} for key in sections}
    for key, section in sections.items():
        for table in _COUNT_TABLES:
            for choice, value in (section.get(table) or {}).items():
                if _is_small(value, threshold):
                    marks[key][table].add(choice)
    group_keys = [key for key in sections if key is not None]
    changed = True
    while changed:
        changed = False
        for key, section in sections.items():
            for table in _COUNT_TABLES:
                cells = section.get(table) or {}
                hidden = marks[key][table]
                if len(hidden) == 1 and len(cells) > 1:
                    visible = [(value, position, choice) for position, (choice, value) in enumerate(cells.items())
                               if choice not in hidden and isinstance(value, int)]
                    if visible:
                        hidden.add(min(visible)[2])
                        changed = True
        if len(group_keys) > 1:
            for table in _COUNT_TABLES:
                choices = list((sections[None].get(table) or {}).keys())
                for choice in choices:
                    hidden = [key for key in group_keys if choice in marks[key][table]]
                    if len(hidden) == 1:
                        visible = [((sections[key].get(table) or {}).get(choice), position, key)
                                   for position, key in enumerate(group_keys)
                                   if key not in hidden and isinstance((sections[key].get(table) or {}).get(choice), int)]
                        if visible:
                            marks[min(visible)[2]][table].add(choice)
                            changed = True
    return marks


def _apply_marks(section, marks, marker, threshold):
    # A cell hidden only so that a small one cannot be worked out may hold any number: it is "not
    # shown", never labelled "fewer than 5", which would be untrue of it.
    shown_as = {
        table: {choice: marker if _is_small(section[table][choice], threshold) else NOT_SHOWN for choice in marks[table]}
        for table in _COUNT_TABLES
    }
    for table in _COUNT_TABLES:
        for choice, text in shown_as[table].items():
            section[table][choice] = text
    for table, source in _PERCENT_OF.items():
        for choice, text in shown_as.get(source, {}).items():
            if choice in (section.get(table) or {}):
                section[table][choice] = text
    scale = section.get("scale")
    if scale:
        hidden = marks["counts"]
        agree_hidden = any(choice in hidden for choice in scale["agree"])
        disagree_hidden = any(choice in hidden for choice in scale["disagree"])
        # A total of several cells with one of them hidden would give that cell back by subtraction.
        if agree_hidden:
            section["agree_percent"] = None
        if disagree_hidden:
            section["disagree_percent"] = None
        if agree_hidden or disagree_hidden:
            section["net_agreement"] = None
    if _is_small(section.get("base"), threshold):
        section["base"] = marker
        _blank_derived(section)


def _blank_derived(section):
    """Averages and ranges over fewer than threshold people could describe individuals: drop them."""
    for key in _DERIVED_FROM_BASE:
        if key in section:
            section[key] = {choice: None for choice in section[key]} if isinstance(section[key], dict) else None
