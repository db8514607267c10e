"""The consultation results report: computed from the responses, written as JSON, HTML, PDF,
Word (DOCX), Excel (XLSX) or CSV, and shown on the staff and public results pages.

`build_report` reads the answers straight from the database as JSON text (never as model
objects), hands them to `analysis` (pure functions over a polars frame) and adds a plain-English
summary of each question. `sections` turns a report into what people read: for each question a
table (or several), a chart and the summary sentences, in questionnaire order, with agreement
grids ordered by net agreement. Every output format is written from those sections, so the
formats cannot disagree.
"""
import csv
import io
import itertools
import json
import re
from pathlib import Path

from django.conf import settings
from django.db.models import TextField
from django.db.models.functions import Cast
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Response, Theme, WorkshopVote

FORMATS = {
    "json": ("application/json", "json"),
    "html": ("text/html; charset=utf-8", "html"),
    "pdf": ("application/pdf", "pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("text/csv; charset=utf-8", "csv"),
}
CHOICE_TYPES = ("select_one", "select_multiple", "rank")
GROUPABLE_TYPES = ("select_one", "select_multiple")
CSV_COLUMNS = ["question", "label", "group", "option", "option_label", "count", "percent", "base", "measure", "value"]
SUPPRESSED_TEXT = "fewer than 5"
CHUNK_SIZE = 2000
# Free-text answers listed in the HTML, PDF and Word reports (every one is in the XLSX and JSON):
# all of them for a consultation of hundreds, a readable sample for one of 100,000.
DOCUMENT_ANSWER_LIMIT = 250
# Agreement scales in charts run from dark green (strongly agree) to red (strongly disagree).
AGREEMENT_COLOURS = {
    "strongly_agree": "#00703c",
    "agree": "#85994b",
    "neither": "#b1b4b6",
    "disagree": "#f47738",
    "strongly_disagree": "#d4351c",
    "dont_know": "#505a5f",
}


class ReportError(Exception):
    """The report cannot be made; the message says why in words an officer can act on."""


# --------------------------------------------------------------------------------------------
# Computing the report
# --------------------------------------------------------------------------------------------


def definition_of(consultation):
    questionnaire = getattr(consultation, "questionnaire", None)
    if questionnaire is None:
        raise ReportError(f"{consultation.title} has no questionnaire yet, so there are no results to report.")
    return questionnaire.definition


def questions_of(definition):
    """The questions (not notes) of a definition, in order, each with its page."""
    for page in definition.get("pages", []):
        for item in page.get("items", []):
            if item.get("type") != "note":
                yield page, item


def group_questions(definition):
    """Questions that can split the respondents into groups: select_one and select_multiple."""
    return [q for _, q in questions_of(definition) if q.get("type") in GROUPABLE_TYPES]


def choice_questions(definition):
    return [q for _, q in questions_of(definition) if q.get("type") in CHOICE_TYPES]


def answer_texts(consultation):
    """Every response's answers as JSON text, in the order they came, streamed in chunks: no model
    objects are built."""
    return (
        Response.objects.filter(consultation=consultation)
        .order_by("id")
        .annotate(answers_text=Cast("answers", TextField()))
        .values_list("answers_text", flat=True)
        .iterator(chunk_size=CHUNK_SIZE)
    )


def workshop_results(consultation):
    """Workshop dot votes as rows {workshop, question, option, votes}, workshops in the order entered."""
    rows = (
        WorkshopVote.objects.filter(workshop__consultation=consultation)
        .order_by("workshop_id", "id")
        .values_list("workshop__name", "question", "option", "votes")
    )
    return [{"workshop": w, "question": q, "option": o, "votes": v} for w, q, o, v in rows]


def build_report(consultation, group_by=None, public=False):
    """The results of `consultation` as plain data: {"consultation": SLUG, "responses": N, "questions": {...}}
    (with "grids", and "group_by" when grouped, beside them; `json_report` gives the published shape).

    `group_by` names a select_one or select_multiple question whose answers split the report
    into groups. `public=True` suppresses small numbers (analysis.suppress_small) and leaves out
    free-text answers: a free-text question appears only if officers have coded it into themes,
    with its themes' counts (small ones suppressed too) and redacted quotes (coding.py).
    """
    from . import analysis, summaries

    definition = definition_of(consultation)
    if group_by is not None and group_by not in {q["name"] for q in group_questions(definition)}:
        raise ReportError(f"{group_by!r} is not a question with choices that can split the respondents into groups.")
    frame = analysis.frame_from_json(definition, answer_texts(consultation))
    workshops = workshop_results(consultation)
    computed = analysis.analyse(definition, frame, workshops=workshops or None, group_by=group_by)
    if public:
        computed = analysis.suppress_small(computed, threshold=5)
    add_themes(consultation, computed, public=public)
    if public:
        _make_public(computed)
    _add_summaries(computed, summaries.summarise)
    return {"consultation": consultation.slug, **computed}


def json_report(report):
    """The JSON report's shape: {"consultation", "responses", "questions"} (and "group_by" when grouped)."""
    keys = ["consultation", "responses", "questions"] + (["group_by"] if report.get("group_by") else [])
    return {key: report[key] for key in keys if key in report}


# Single answers that describe one person (the youngest and oldest age given, the first and last
# date): left out of public pages, with the sentences written from them.
_EXTREMES = ("min", "max", "earliest", "latest")


def add_themes(consultation, report, public=False):
    """Each free-text question with themes gets `themes` and `theme_coding` (coding.theme_figures)."""
    if not Theme.objects.filter(consultation=consultation).exists():
        # Nothing to add, so the theme engine (coding imports numpy and its model code) is not loaded.
        return report
    from . import coding

    return coding.add_themes_to_report(consultation, report, public=public)


def _make_public(report):
    """Leave out free-text answers (and free-text questions with no themes) and the highest and
    lowest single answers."""
    questions = report.get("questions", {})
    for name in [n for n, q in questions.items() if q.get("type") == "text" and not q.get("themes")]:
        del questions[name]
    for question in questions.values():
        for part in [question, *(question.get("groups") or {}).values()]:
            part.pop("answers", None)
            if part.get("type") in ("integer", "decimal", "date"):
                for key in _EXTREMES:
                    part.pop(key, None)


def _all_hidden(question):
    """True when suppression hid every answer given (no count above 0 is left to write about)."""
    counts = question.get("counts") or {}
    hidden = any(isinstance(v, str) for v in counts.values())
    return hidden and is_number(question.get("base")) and not any(is_number(v) and v > 0 for v in counts.values())


def _public_number_summary(question):
    base = question.get("base")
    if not is_number(base) or not base:
        return None
    if not is_number(question.get("mean")):
        return f"{format_count(base)} respondents answered this question."
    return (f"Of the {format_count(base)} respondents who answered, the average (mean) answer was "
            f"{format_number(question['mean'])} and the median {format_number(question.get('median'))}.")


def _add_summaries(report, summarise):
    for question in report.get("questions", {}).values():
        for part in [question, *(question.get("groups") or {}).values()]:
            if part.get("type") in ("integer", "decimal", "date") and "min" not in part and "earliest" not in part:
                part["summary"] = _sentences(_public_number_summary(part))  # extremes left out (public)
            elif _all_hidden(part):
                part["summary"] = [f"{format_count(part['base'])} respondents answered this question. The number "
                                   "giving each answer is too small to publish."]
            else:
                part["summary"] = _sentences(summarise(part))
            if part.get("themes"):
                part["summary"] += themes_summary(part)


def _sentences(summary):
    if not summary:
        return []
    if isinstance(summary, str):
        return [summary]
    return [str(s) for s in summary]


# --------------------------------------------------------------------------------------------
# Numbers as people read them
# --------------------------------------------------------------------------------------------


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def percent_of(count, base):
    """A count as a percentage of its base, to one decimal place (computed here, never stored)."""
    if not is_number(count) or not is_number(base) or not base:
        return None
    return round(count * 100.0 / base, 1)


def format_count(value):
    if value is None:
        return "–"
    if is_number(value):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return str(value)  # a suppressed count: "fewer than 5"


def format_percent(value, signed=False):
    if not is_number(value):
        return "–"  # not applicable, or hidden with its count
    text = f"{abs(value):.1f}%"
    if value < 0:
        return "−" + text
    return ("+" + text) if signed and value > 0 else text


def format_number(value):
    if value is None:
        return "–"
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def cell(kind, value):
    """One table cell: its raw value (for spreadsheets) and its text (for pages and documents)."""
    if kind == "pair":
        if value is None:
            return {"kind": kind, "value": (None, None), "count": "", "percent": "", "text": ""}
        count, percent = value
        if count is None:  # a percentage alone, such as net agreement
            text = format_percent(percent, signed=True)
            return {"kind": kind, "value": value, "count": "", "percent": text, "text": text}
        if not is_number(count):
            return {"kind": kind, "value": value, "count": format_count(count), "percent": "–", "text": format_count(count)}
        return {"kind": kind, "value": value, "count": format_count(count), "percent": format_percent(percent),
                "text": f"{format_count(count)} ({format_percent(percent)})"}
    text = {"count": format_count, "percent": format_percent, "net": lambda v: format_percent(v, signed=True),
            "number": format_number}.get(kind, lambda v: "" if v is None else str(v))(value)
    return {"kind": kind, "value": value, "text": text}


def table(caption, columns, rows, note=None):
    """columns: [(label, kind)]; rows: [value, ...] or {"cells": [...], "total": True, "kinds": [...]}.

    A row's "kinds" overrides the column kinds where not None (a net agreement row in a % column)."""
    built = []
    for row in rows:
        values = row["cells"] if isinstance(row, dict) else row
        kinds = [kind for _, kind in columns]
        if isinstance(row, dict) and row.get("kinds"):
            kinds = [override or kind for kind, override in zip(kinds, row["kinds"])]
        built.append({
            "cells": [cell(kind, value) for kind, value in zip(kinds, values)],
            "total": isinstance(row, dict) and row.get("total", False),
        })
    return {
        "caption": caption,
        "columns": [{"label": label, "kind": kind} for label, kind in columns],
        "rows": built,
        "has_pairs": any(kind == "pair" for _, kind in columns),
        # Many column pairs do not fit a page: print each pair in one cell, the % under the number.
        "compact": sum(kind == "pair" for _, kind in columns) > 4,
        "note": note,
    }


# --------------------------------------------------------------------------------------------
# Sections: what each format prints
# --------------------------------------------------------------------------------------------


def choice_labels(definition):
    return {
        q["name"]: {c["name"]: c.get("label") or c["name"] for c in q.get("choices") or []}
        for _, q in questions_of(definition)
    }


def _options(data, labels, measure="counts"):
    """The question's options in choice order, each with its label."""
    names = list(data.get("choices") or labels or {})
    names += [n for n in (data.get(measure) or {}) if n not in names]
    return names


def _label(data, labels, option):
    return (data.get("choices") or {}).get(option) or labels.get(option) or option


def _is_agreement(data):
    return "net_agreement" in data


def _base_text(base):
    return f"Base: {format_count(base)} who answered"


def _sort_key_count(value):
    return value if is_number(value) else -1


def _percent(data, option, measure="counts"):
    """The percentage analysis gave for option, else computed from the count and base."""
    table_name = {"counts": "percent", "top3": "top3_percent"}.get(measure)
    given = (data.get(table_name) or {}).get(option) if table_name else None
    if given is not None:
        return given
    return percent_of((data.get(measure) or {}).get(option, 0), data.get("base"))


def choice_section(name, data, labels):
    """select_one and select_multiple: counts and percentages of those who answered."""
    base = data.get("base")
    counts = data.get("counts") or {}
    order = _options(data, labels)
    multiple = data.get("type") == "select_multiple"
    if multiple:  # in order of count, as seed 003 prints Q19, Q22, Q23, Q29
        order = sorted(order, key=lambda o: -_sort_key_count(counts.get(o, 0)))
    rows = [[_label(data, labels, o), counts.get(o, 0), _percent(data, o)] for o in order]
    rows.append({"cells": ["Base: those who answered", base, None], "total": True})
    note = "Percentages add to more than 100 because people could choose more than one answer." if multiple else None
    if _is_agreement(data):
        rows.insert(-1, {"cells": ["Net agreement (agree − disagree)", None, data.get("net_agreement")], "total": True,
                         "kinds": [None, None, "net"]})
    tables = [table(data.get("label") or name, [("Response", "text"), ("Number", "count"), ("%", "percent")], rows, note)]
    values = [_percent(data, o) for o in order]
    chart = {
        "type": "bar",
        "labels": [_label(data, labels, o) for o in order],
        "series": [{"name": "% of those who answered", "values": values}],
        "annotations": [_annotation(counts.get(o, 0), p) for o, p in zip(order, values)],
        "percent": True,
        "limit": None if multiple else 100,
    }
    return {"kind": "agreement" if _is_agreement(data) else ("multiple" if multiple else "choice"),
            "tables": tables, "chart": chart}


def _annotation(count, percent):
    if not is_number(count):
        return format_count(count)
    return f"{format_count(count)} ({format_percent(percent)})"


def rank_section(name, data, labels):
    """rank: first, last, top three, bottom three, mean position; workshop votes beside them."""
    base = data.get("base")
    top3 = data.get("top3") or {}
    combined = data.get("combined_top3") or {}
    mean = data.get("mean_position") or {}

    def priority(option):
        lead = combined.get(option, top3.get(option, 0))
        position = mean.get(option)
        return (-_sort_key_count(lead), position if is_number(position) else 99)

    order = sorted(_options(data, labels, "top3"), key=priority)
    rows = [
        [_label(data, labels, o), (data.get("first") or {}).get(o, 0), (data.get("last") or {}).get(o, 0),
         (top3.get(o, 0), _percent(data, o, "top3")), (data.get("bottom3") or {}).get(o, 0), mean.get(o)]
        for o in order
    ]
    rows.append({"cells": ["Base: those who answered", base, None, None, None, None], "total": True})
    tables = [table(
        data.get("label") or name,
        [("Option", "text"), ("First choice", "count"), ("Last choice", "count"), ("In top three", "pair"),
         ("In bottom three", "count"), ("Mean position", "number")],
        rows,
        "Counts are of people who ranked the options online. Mean position: 1 is most preferred.",
    )]
    chart = {
        "type": "bar",
        "labels": [_label(data, labels, o) for o in order],
        "series": [{"name": "People who put it in their top three", "values": [top3.get(o, 0) for o in order]}],
        "annotations": [_annotation(top3.get(o, 0), _percent(data, o, "top3")) for o in order],
        "percent": False,
        "xlabel": "people who put the option in their top three",
    }
    workshops = {k: v for k, v in (data.get("workshops") or {}).items() if k != "total"}
    if workshops:
        total = data["workshops"].get("total") or {}
        names = list(workshops)
        columns = [("Option", "text")] + [(w, "count") for w in names] + [
            ("Workshop total", "count"), ("Online top three", "count"), ("Combined top three", "count")]
        rows = [
            [_label(data, labels, o)] + [workshops[w].get(o, 0) for w in names]
            + [total.get(o, 0), top3.get(o, 0), combined.get(o)]
            for o in order
        ]
        totals = data.get("workshop_totals") or {}
        rows.append({"cells": ["Total votes"] + [totals.get(w) for w in names] + [totals.get("total"), None, None], "total": True})
        tables.append(table(
            "Workshop votes beside the online top three",
            columns,
            rows,
            "Combined top three: people who put the option in their top three online plus the workshop votes for it.",
        ))
        chart = {
            "type": "stacked",
            "labels": [_label(data, labels, o) for o in order],
            "series": [
                {"name": "Online: in top three", "values": [top3.get(o, 0) for o in order]},
                {"name": "Workshop votes", "values": [total.get(o, 0) for o in order]},
            ],
            "percent": False,
            "xlabel": "online top-three choices plus workshop votes",
        }
    return {"kind": "rank", "tables": tables, "chart": chart}


def choice_workshop_table(data, labels):
    """Workshop votes on a select_one or select_multiple question, beside the online counts."""
    workshops = {k: v for k, v in (data.get("workshops") or {}).items() if k != "total"}
    if not workshops:
        return None
    total = data["workshops"].get("total") or {}
    order = _options(data, labels)
    names = list(workshops)
    counts = data.get("counts") or {}
    rows = [[_label(data, labels, o)] + [workshops[w].get(o, 0) for w in names] + [total.get(o, 0), counts.get(o, 0)] for o in order]
    totals = data.get("workshop_totals") or {}
    rows.append({"cells": ["Total votes"] + [totals.get(w) for w in names] + [totals.get("total"), None], "total": True})
    return table("Workshop votes beside the online answers",
                 [("Option", "text")] + [(w, "count") for w in names] + [("Workshop total", "count"), ("Online", "count")], rows)


def numeric_section(name, data, labels):
    stats = [(label, data[key]) for key, label in (("mean", "Mean"), ("median", "Median"), ("min", "Lowest"), ("max", "Highest"),
                                                    ("earliest", "Earliest"), ("latest", "Latest")) if key in data]
    tables = []
    if stats:
        rows = [[label, value] for label, value in stats] + [{"cells": ["Base: those who answered", data.get("base")], "total": True,
                                                              "kinds": [None, "count"]}]
        tables.append(table(data.get("label") or name, [("Measure", "text"), ("Value", "number")], rows))
    return {"kind": "numeric", "tables": tables, "chart": None}


THEME_NOTE = ("An answer counts once for its main theme, and once more for a second theme an officer confirmed, "
              "so percentages can add to more than 100. Percentages are of those who answered the question.")
SENTIMENT_LABELS = (("agree", "Agree"), ("disagree", "Disagree"), ("mixed", "Mixed"), ("unclear", "Unclear"))


def theme_coding_text(coding):
    """How much of the coding an officer has checked, in words."""
    if not coding:
        return ""
    text = (f"{format_count(coding.get('coded'))} of the {format_count(coding.get('answers'))} answers are coded "
            f"into themes; {format_count(coding.get('reviewed'))} of them checked by an officer.")
    if coding.get("workshop_notes"):
        text += f" {format_count(coding['workshop_notes'])} notes from workshops are coded with the same themes."
    return text


def themes_table(data):
    """A free-text question's themes: answers (number and %), second mentions, sentiment, workshop notes."""
    entries = data.get("themes") or []
    workshops = any(e.get("workshop_count") for e in entries) or bool((data.get("theme_coding") or {}).get("workshop_notes"))
    columns = [("Theme", "text"), ("Answers", "pair"), ("Of which as a second theme", "count")]
    columns += [(label, "count") for _, label in SENTIMENT_LABELS]
    if workshops:
        columns.append(("Workshop notes", "count"))
    rows = []
    for e in entries:
        row = [e.get("name") or e["theme"], (e.get("count"), e.get("percent")), e.get("second_mentions")]
        row += [(e.get("sentiment") or {}).get(key) for key, _ in SENTIMENT_LABELS]
        if workshops:
            row.append(e.get("workshop_count"))
        rows.append(row)
    total = ["Base: those who answered", (data.get("base"), None), None] + [None] * len(SENTIMENT_LABELS)
    if workshops:
        total.append((data.get("theme_coding") or {}).get("workshop_notes"))
    rows.append({"cells": total, "total": True})
    note = THEME_NOTE + " Sentiment is towards the proposal: agree, disagree, mixed or unclear."
    coding_text = theme_coding_text(data.get("theme_coding"))
    if coding_text:
        note += " " + coding_text
    return table("Themes in the answers", columns, rows, note)


def themes_summary(data):
    """A sentence naming the most common themes (never one whose count is hidden)."""
    shown = [e for e in data.get("themes") or [] if is_number(e.get("count")) and e["count"] > 0][:3]
    if not shown:
        return []
    parts = [f"{e.get('name') or e['theme']} ({format_count(e['count'])}, {format_percent(e.get('percent'))})" for e in shown]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    word = "theme was" if len(parts) == 1 else "themes were"
    return [f"The most common {word} {listed}."]


def text_section(name, data, labels):
    answers = data.get("answers") or []  # strings, from analysis
    section = {"kind": "text", "tables": [], "chart": None, "answers": answers, "themes": None}
    entries = data.get("themes")
    if entries:
        section["tables"].append(themes_table(data))
        section["themes"] = [{"theme": e["theme"], "name": e.get("name") or e["theme"], "description": e.get("description") or "",
                              "quotes": list(e.get("quotes") or [])} for e in entries]
        section["chart"] = {
            "type": "bar",
            "labels": [e.get("name") or e["theme"] for e in entries],
            "series": [{"name": "% of those who answered", "values": [e.get("percent") for e in entries]}],
            "annotations": [_annotation(e.get("count"), e.get("percent")) for e in entries],
            "percent": True,
            "limit": None,
        }
    return section


SECTION_BUILDERS = {
    "select_one": choice_section,
    "select_multiple": choice_section,
    "rank": rank_section,
    "text": text_section,
}


def question_section(name, data, labels):
    builder = SECTION_BUILDERS.get(data.get("type"), numeric_section)
    section = builder(name, data, labels.get(name, {}))
    if data.get("type") in ("select_one", "select_multiple"):
        extra = choice_workshop_table(data, labels.get(name, {}))
        if extra:
            section["tables"].append(extra)
    section.setdefault("answers", None)
    section.setdefault("themes", None)
    section.update({
        "name": name, "label": data.get("label") or name, "type": data.get("type"),
        "base": data.get("base"), "summary": list(data.get("summary") or []),
        "net_agreement": data.get("net_agreement"),
    })
    return section


def scale_colours(data):
    """Colours for an agreement scale's options: greens for agreeing, orange and red for disagreeing."""
    scale = data.get("scale") or {}
    colours = {}
    agree = scale.get("agree") or []
    for index, option in enumerate(agree):
        colours[option] = AGREEMENT_COLOURS["strongly_agree" if index == 0 and len(agree) > 1 else "agree"]
    disagree = scale.get("disagree") or []
    for index, option in enumerate(disagree):
        colours[option] = AGREEMENT_COLOURS["strongly_disagree" if index == len(disagree) - 1 and len(disagree) > 1 else "disagree"]
    for option in scale.get("neither") or []:
        colours[option] = AGREEMENT_COLOURS["neither"]
    for option in scale.get("dont_know") or []:
        colours[option] = AGREEMENT_COLOURS["dont_know"]
    return colours


def grid_section(grid, questions, labels):
    """Agreement questions asked together, one row each, in order of net agreement (seed 003, Q8)."""
    members = grid["questions"]
    first = questions[members[0]]
    scale = _options(first, labels.get(members[0], {}))
    columns = [("Statement", "text")] + [(_label(first, labels.get(members[0], {}), o), "pair") for o in scale] + [
        ("Net agreement", "net"), ("Base", "count")]
    rows = []
    for n in members:
        q = questions[n]
        rows.append([q.get("label") or n] + [((q.get("counts") or {}).get(o, 0), _percent(q, o)) for o in scale]
                    + [q.get("net_agreement"), q.get("base")])
    note = ("Each cell: number (percentage of those who answered). Net agreement: strongly agree plus agree minus "
            "disagree minus strongly disagree, as a percentage of those who answered. Rows in order of net agreement.")
    colours = scale_colours(first)
    series = [{"name": _label(first, labels.get(members[0], {}), o), "colour": colours.get(o),
               "values": [_percent(questions[n], o) for n in members]} for o in scale]
    chart = {"type": "stacked", "labels": [questions[n].get("label") or n for n in members], "series": series, "percent": True}
    net_table = table(
        "In order of net agreement",
        [("Statement", "text"), ("Net agreement", "net"), ("Base", "count")],
        [[questions[n].get("label") or n, questions[n].get("net_agreement"), questions[n].get("base")] for n in members],
    )
    return {
        "name": grid.get("page") or members[0], "label": grid.get("label") or first.get("label") or members[0],
        "type": "grid", "kind": "grid", "members": members, "base": None, "net_agreement": None, "answers": None,
        "tables": [table(grid.get("label") or "Agreement", columns, rows, note), net_table], "chart": chart,
        "summary": [f"{questions[n].get('label') or n}: {s}" for n in members for s in questions[n].get("summary") or []],
    }


def sections(report, definition):
    """The report as a list of sections in questionnaire order; a grid stands where its first question was."""
    questions = report.get("questions", {})
    labels = choice_labels(definition)
    grids = {}
    for grid in report.get("grids") or []:
        members = [m for m in grid.get("questions") or [] if m in questions]
        if len(members) >= 2:
            first = next(q["name"] for _, q in questions_of(definition) if q["name"] in members)
            grids[first] = {**grid, "questions": members}
    in_grid = {m for g in grids.values() for m in g["questions"]}
    names = [q["name"] for _, q in questions_of(definition) if q["name"] in questions]
    names += [n for n in questions if n not in names]
    out = []
    for name in names:
        if name in grids:
            out.append(grid_section(grids[name], questions, labels))
        elif name not in in_grid:
            out.append(question_section(name, questions[name], labels))
    return out


# --------------------------------------------------------------------------------------------
# Groups side by side (seed 003, Q25/Q26)
# --------------------------------------------------------------------------------------------


def report_groups(report):
    """[(choice, label, responses)] of a grouped report, in choice order."""
    grouping = report.get("group_by") or {}
    return [(choice, g.get("label") or choice, g.get("responses")) for choice, g in (grouping.get("groups") or {}).items()]


def group_sections(report, definition):
    """For each question with choices, one table with a number and % column pair for each group and
    for all respondents, and a grouped chart. Other questions are shown as usual."""
    labels = choice_labels(definition)
    groups = report_groups(report)
    out = []
    names = [q["name"] for _, q in questions_of(definition) if q["name"] in report.get("questions", {})]
    for name in names:
        data = report["questions"][name]
        if data.get("type") not in CHOICE_TYPES:
            out.append(question_section(name, data, labels))
            continue
        option_labels = labels.get(name, {})
        measure = "top3" if data.get("type") == "rank" else "counts"
        order = _options(data, option_labels, measure)
        if data.get("type") == "select_multiple":
            order = sorted(order, key=lambda o: -_sort_key_count((data.get("counts") or {}).get(o, 0)))
        sources = [(label, (data.get("groups") or {}).get(choice) or {}) for choice, label, _ in groups]
        sources.append(("All respondents", data))
        columns = [("Response", "text")] + [(f"{label} (base {format_count(g.get('base'))})", "pair") for label, g in sources]
        rows = [[_label(data, option_labels, o)] + [((g.get(measure) or {}).get(o, 0), _percent(g, o, measure)) for _, g in sources]
                for o in order]
        if _is_agreement(data):
            rows.append({"cells": ["Net agreement (agree − disagree)"] + [(None, g.get("net_agreement")) for _, g in sources], "total": True})
        note = "In top three: people who put the option in their first three places." if measure == "top3" else None
        if data.get("type") == "select_multiple":
            note = "Percentages add to more than 100 because people could choose more than one answer."
        caption = (data.get("label") or name) + (" — in top three" if measure == "top3" else "")
        series = [{"name": label, "values": [_percent(g, o, measure) for o in order]} for label, g in sources]
        summary = list(data.get("summary") or [])
        for label, g in sources[:-1]:
            summary += [f"{label}: {sentence}" for sentence in g.get("summary") or []]
        out.append({
            "name": name, "label": data.get("label") or name, "type": data.get("type"), "kind": "grouped",
            "base": data.get("base"), "summary": summary, "net_agreement": data.get("net_agreement"),
            "tables": [table(caption, columns, rows, note)], "answers": None,
            "chart": {"type": "grouped", "labels": [_label(data, option_labels, o) for o in order], "series": series, "percent": True},
        })
    return out


# --------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------


def render_chart(spec, fmt="svg", alt=""):
    """Draw a section's chart with matplotlib: fmt "svg" (inline in HTML and PDF) or "png" (Word)."""
    from . import charts

    if not spec or not spec.get("labels"):
        return None
    xlabel = spec.get("xlabel") or ("% of those who answered" if spec.get("percent") else "number")
    if spec["type"] == "bar":
        return charts.bar_chart(spec["labels"], spec["series"][0]["values"], annotations=spec.get("annotations"),
                                xlabel=xlabel, fmt=fmt, alt=alt, limit=spec.get("limit"))
    if spec["type"] == "stacked":
        return charts.stacked_bar_chart(spec["labels"], [(s["name"], s["values"], s.get("colour")) for s in spec["series"]],
                                        xlabel=xlabel, fmt=fmt, alt=alt, percent=spec.get("percent", True))
    return charts.grouped_bar_chart(spec["labels"], [(s["name"], s["values"]) for s in spec["series"]], xlabel=xlabel, fmt=fmt, alt=alt)


def css_chart(spec):
    """A chart drawn with HTML and CSS bars (for the web pages): widths as percentages of the axis."""
    if not spec or not spec.get("labels"):
        return None
    if spec["type"] == "stacked":
        totals = [sum(v for v in values if is_number(v)) for values in zip(*[s["values"] for s in spec["series"]])]
        scale = 100.0 if spec.get("percent") else max([*totals, 1])
        rows = []
        for index, label in enumerate(spec["labels"]):
            segments = []
            for number, s in enumerate(spec["series"]):
                value = s["values"][index]
                if is_number(value) and value > 0:
                    segments.append({"width": round(value * 100.0 / scale, 2), "colour": s.get("colour"), "series": number,
                                     "text": format_percent(value) if spec.get("percent") else format_count(value), "name": s["name"]})
            rows.append({"label": label, "segments": segments})
        return {"type": "stacked", "rows": rows, "legend": [{"name": s["name"], "colour": s.get("colour"), "series": i} for i, s in enumerate(spec["series"])]}
    values = [v for s in spec["series"] for v in s["values"] if is_number(v)]
    scale = spec.get("limit") or max([*values, 1])
    rows = []
    for index, label in enumerate(spec["labels"]):
        bars = []
        for number, s in enumerate(spec["series"]):
            value = s["values"][index]
            text = (spec.get("annotations") or [None] * len(spec["labels"]))[index] if spec["type"] == "bar" else None
            bars.append({"width": round((value if is_number(value) else 0) * 100.0 / scale, 2), "series": number, "name": s["name"],
                         "text": text or (format_percent(value) if spec.get("percent") else format_count(value))})
        rows.append({"label": label, "bars": bars})
    legend = [{"name": s["name"], "series": i} for i, s in enumerate(spec["series"])] if len(spec["series"]) > 1 else []
    return {"type": spec["type"], "rows": rows, "legend": legend}


# --------------------------------------------------------------------------------------------
# The document context shared by the web pages and the HTML/PDF report
# --------------------------------------------------------------------------------------------


def context(consultation, report, chart_format="svg", answer_limit=None):
    """Everything the results templates need. chart_format: "svg" (matplotlib, inline), "css" or None."""
    definition = definition_of(consultation)
    group_by = (report.get("group_by") or {}).get("question")
    parts = group_sections(report, definition) if group_by else sections(report, definition)
    for part in parts:
        alt = f"Chart of the results for: {part['label']}."
        part["chart_svg"] = render_chart(part["chart"], "svg", alt) if chart_format == "svg" else None
        part["chart_css"] = css_chart(part["chart"]) if chart_format == "css" else None
        answers = part.get("answers")
        if answers is not None:
            part["answers_total"] = len(answers)
            if answer_limit is not None and len(answers) > answer_limit:
                part["answers"] = answers[:answer_limit]
    group_question = next((q for q in group_questions(definition) if q["name"] == group_by), None)
    return {
        "consultation": consultation,
        "report": report,
        "sections": parts,
        "responses": report.get("responses"),
        "group_by": group_by,
        "group_question": group_question,
        "groups": [{"name": c, "label": label, "responses": n} for c, label, n in report_groups(report)],
        "public": False,
        "council_name": settings.COUNCIL_NAME,
        "generated_at": timezone.localtime(),
        "workshop_count": len({w for q in report.get("questions", {}).values() for w in (q.get("workshops") or {}) if w != "total"}),
    }


# --------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean_text(value):
    """Text safe for XML-based documents (Word, Excel): no control characters."""
    return _CONTROL.sub("", str(value))


def neutralise(value):
    """A spreadsheet cell that cannot run as a formula: text starting = + - @ (or a tab or CR) gets a leading '."""
    if isinstance(value, str):
        value = clean_text(value)
        if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
            return "'" + value
    return value


def render_json(consultation, report):
    out = io.BytesIO()
    write_json(json_report(report), out)
    return out.getvalue()


_json_string = json.encoder.encode_basestring  # json.dumps's own (C) string encoder
_JSON_WRITE_SIZE = 1 << 20


def write_json(value, out):
    """Write value to the binary file out as json.dumps(value, ensure_ascii=False, indent=2) and a
    line break would, byte for byte, about a megabyte at a time. Returns the number of bytes written.

    For 100,000 responses the listed free-text answers are most of a 65 MB report. json.dumps
    with an indent encodes every answer in Python code and builds the whole report as one string
    (then again as bytes); here each list of answers goes through json's C encoder in one call.
    """
    pending, size, written = [], 0, 0
    for piece in itertools.chain(_json_pieces(value, 0), ["\n"]):
        pending.append(piece)
        size += len(piece)
        if size >= _JSON_WRITE_SIZE:
            written += _write_text(out, pending)
            pending, size = [], 0
    return written + _write_text(out, pending)


def _write_text(out, pieces):
    data = "".join(pieces).encode("utf-8")
    out.write(data)
    return len(data)


def _json_pieces(value, depth):
    """json.dumps(value, ensure_ascii=False, indent=2) for a value nested depth levels down, in pieces."""
    indent = "\n" + "  " * depth
    if isinstance(value, dict) and value and all(isinstance(key, str) for key in value):
        yield "{"
        for position, (key, item) in enumerate(value.items()):
            yield ("," if position else "") + indent + "  " + _json_string(key) + ": "
            yield from _json_pieces(item, depth + 1)
        yield indent + "}"
    elif isinstance(value, list) and value and set(map(type, value)) == {str}:
        # A list of texts (free-text answers): json's C encoder with the indented separator.
        items = json.dumps(value, ensure_ascii=False, separators=("," + indent + "  ", ": "))
        yield "[" + indent + "  " + items[1:-1] + indent + "]"
    else:
        # Raw line breaks in json.dumps's output are only its indentation (in strings they are escaped).
        yield json.dumps(value, ensure_ascii=False, indent=2).replace("\n", indent)


def render_html(consultation, report):
    ctx = context(consultation, report, chart_format="svg", answer_limit=DOCUMENT_ANSWER_LIMIT)
    return render_to_string("consult/results/report_document.html", ctx).encode("utf-8")


def _no_network(url, *args, **kwargs):
    raise ValueError(f"The report is rendered offline; it does not fetch {url!r}.")


def pdf_document(consultation, report):
    """The WeasyPrint document of the HTML report (its pages; write_pdf() gives the bytes)."""
    import logging

    from weasyprint import HTML

    html = render_html(consultation, report).decode("utf-8")
    log = logging.getLogger("weasyprint")
    level = log.level
    log.setLevel(logging.ERROR)  # not a warning for each CSS property it does not print
    try:
        return HTML(string=html, url_fetcher=_no_network).render()
    finally:
        log.setLevel(level)


def render_pdf(consultation, report):
    return pdf_document(consultation, report).write_pdf()


def tidy_rows(report, definition):
    """The report as a tidy long table, one row a figure, with the columns CSV_COLUMNS.

    measure says what the row counts: "count" (people who gave that answer), "first", "last",
    "top3", "bottom3" (rank questions), "mean_position", "net_agreement", "workshop_votes" (group is
    then the workshop's name), "workshop_total" and "combined_top3". percent is of base; value is
    the row's figure (the count, the mean position or the net agreement). group is "all", or
    QUESTION=CHOICE for a group of respondents when the report is grouped.
    Free-text questions with themes give "theme" (answers mentioning the theme; option is its key),
    "theme_second" (of those, as a second theme), "theme_sentiment" (group is the sentiment) and
    "theme_workshop_notes" (group "workshops").
    """
    labels = choice_labels(definition)
    names = [q["name"] for _, q in questions_of(definition)]
    groups = report_groups(report)
    group_question = (report.get("group_by") or {}).get("question")
    rows = []

    def add(name, data, group, option, count, percent, measure, value, base=None):
        rows.append({
            "question": name, "label": data.get("label") or name, "group": group, "option": option,
            "option_label": _label(data, labels.get(name, {}), option) if option else "",
            "count": count, "percent": percent, "base": data.get("base") if base is None else base,
            "measure": measure, "value": value,
        })

    for name in [n for n in names if n in report.get("questions", {})]:
        question = report["questions"][name]
        if question.get("type") == "text":
            for e in question.get("themes") or []:
                data = {"label": question.get("label"), "base": question.get("base"), "choices": {e["theme"]: e.get("name")}}
                add(name, data, "all", e["theme"], e.get("count"), e.get("percent"), "theme", e.get("count"))
                add(name, data, "all", e["theme"], e.get("second_mentions"), None, "theme_second", e.get("second_mentions"))
                for sentiment, _ in SENTIMENT_LABELS:
                    value = (e.get("sentiment") or {}).get(sentiment)
                    add(name, data, sentiment, e["theme"], value, None, "theme_sentiment", value)
                if e.get("workshop_count") or (question.get("theme_coding") or {}).get("workshop_notes"):
                    add(name, data, "workshops", e["theme"], e.get("workshop_count"), None, "theme_workshop_notes",
                        e.get("workshop_count"), base="")
            continue
        sources = [("all", question)] + [(f"{group_question}={c}", (question.get("groups") or {}).get(c) or {}) for c, _, _ in groups]
        for group, data in sources:
            data = {"choices": question.get("choices"), "label": question.get("label"), **data}
            if data.get("type") == "rank":
                order = _options(data, labels.get(name, {}), "top3")
                for measure in ("first", "last", "top3", "bottom3"):
                    for o in order:
                        count = (data.get(measure) or {}).get(o, 0)
                        add(name, data, group, o, count, _percent(data, o, measure) if measure in ("top3",) else percent_of(count, data.get("base")), measure, count)
                for o in order:
                    position = (data.get("mean_position") or {}).get(o)
                    add(name, data, group, o, None, None, "mean_position", position)
            elif data.get("type") in ("select_one", "select_multiple"):
                for o in _options(data, labels.get(name, {})):
                    count = (data.get("counts") or {}).get(o, 0)
                    add(name, data, group, o, count, _percent(data, o), "count", count)
                if _is_agreement(data):
                    add(name, data, group, "", None, data.get("net_agreement"), "net_agreement", data.get("net_agreement"))
            else:
                for key in ("mean", "median", "min", "max", "earliest", "latest"):
                    if key in data:
                        add(name, data, group, "", None, None, key, data[key])
        workshops = question.get("workshops") or {}
        order = _options(question, labels.get(name, {}), "top3" if question.get("type") == "rank" else "counts")
        for workshop, votes in workshops.items():
            if workshop != "total":
                for o in order:
                    add(name, question, workshop, o, votes.get(o, 0), None, "workshop_votes", votes.get(o, 0), base="")
        if workshops:
            for o in order:
                total = (workshops.get("total") or {}).get(o, 0)
                add(name, question, "all", o, total, None, "workshop_total", total, base="")
            for o in order if question.get("combined_top3") else []:
                combined = question["combined_top3"].get(o)
                add(name, question, "all", o, combined, None, "combined_top3", combined, base="")
    return rows


def render_csv(consultation, report):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in tidy_rows(report, definition_of(consultation)):
        writer.writerow({k: ("" if v is None else neutralise(v)) for k, v in row.items()})
    return out.getvalue().encode("utf-8")


def _sheet_title(name, used):
    title = re.sub(r"[\[\]:*?/\\']", "_", str(name))[:31] or "Question"
    candidate, n = title, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = title[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def render_xlsx(consultation, report):
    """A summary sheet, one sheet a question (its tables and any free-text answers) and a tidy
    Data sheet with every figure. Percentages are numbers of percent (25.5 means 25.5%)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    ctx = context(consultation, report, chart_format=None)
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="F3F2F1")
    wb = Workbook()
    summary = wb.active
    summary.title = "Summary"
    used = {"summary", "data"}
    summary.append([neutralise(consultation.title)])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append(["Consultation", neutralise(consultation.slug)])
    summary.append(["Responses", report.get("responses")])
    if ctx["group_question"]:
        summary.append(["Respondents grouped by", neutralise(ctx["group_question"].get("label") or ctx["group_by"])])
    summary.append(["Report made", timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    summary.append([])
    summary.append(["Question", "Label", "Type", "Base", "Summary", "Sheet"])
    for c in summary[summary.max_row]:
        c.font, c.fill = bold, header_fill
    for section in ctx["sections"]:
        title = _sheet_title(section["name"], used)
        summary.append([neutralise(section["name"]), neutralise(section["label"]), section["type"], section["base"],
                        neutralise(" ".join(section["summary"])), title])
        ws = wb.create_sheet(title)
        ws.append([neutralise(section["label"])])
        ws["A1"].font = Font(bold=True, size=12)
        if section.get("base") is not None:
            ws.append(["Base (who answered)", section["base"]])
        for sentence in section["summary"]:
            ws.append([neutralise(sentence)])
        for tab in section["tables"]:
            ws.append([])
            ws.append([neutralise(tab["caption"])])
            ws.cell(ws.max_row, 1).font = bold
            headers = []
            for column in tab["columns"]:
                if column["kind"] == "pair":
                    headers += [neutralise(column["label"] + ": number"), neutralise(column["label"] + ": %")]
                else:
                    headers.append(neutralise(column["label"]))
            ws.append(headers)
            for c in ws[ws.max_row]:
                c.font, c.fill = bold, header_fill
                c.alignment = Alignment(wrap_text=True, vertical="top")
            for row in tab["rows"]:
                values = []
                for c in row["cells"]:
                    if c["kind"] == "pair":
                        values += list(c["value"])
                    elif c["kind"] == "text":
                        values.append(neutralise(c["value"]))
                    else:
                        values.append(c["value"] if is_number(c["value"]) else (neutralise(c["text"]) if c["value"] is not None else None))
                ws.append(values)
                if row["total"]:
                    for c in ws[ws.max_row]:
                        c.font = bold
            if tab.get("note"):
                ws.append([neutralise(tab["note"])])
        if section.get("themes"):
            ws.append([])
            ws.append(["Quotes for each theme (personal details removed)"])
            ws.cell(ws.max_row, 1).font = bold
            for theme in section["themes"]:
                for quote in theme["quotes"]:
                    ws.append([neutralise(theme["name"]), neutralise(quote)])
        if section.get("answers") is not None:
            ws.append([])
            ws.append([f"Answers ({len(section['answers'])})"])
            ws.cell(ws.max_row, 1).font = bold
            for answer in section["answers"]:
                ws.append([neutralise(answer)])
        ws.column_dimensions["A"].width = 60
        for letter in "BCDEFGHIJKLMNOP":
            ws.column_dimensions[letter].width = 14
    summary.column_dimensions["A"].width = 24
    summary.column_dimensions["B"].width = 60
    summary.column_dimensions["E"].width = 80
    data = wb.create_sheet("Data")
    data.append(CSV_COLUMNS)
    for c in data[1]:
        c.font, c.fill = bold, header_fill
    for row in tidy_rows(report, definition_of(consultation)):
        data.append([neutralise(row[k]) for k in CSV_COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def render_docx(consultation, report):
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm, Pt, RGBColor

    ctx = context(consultation, report, chart_format=None, answer_limit=DOCUMENT_ANSWER_LIMIT)
    doc = Document()
    for section in doc.sections:
        section.left_margin = section.right_margin = Cm(2)
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10.5)
    doc.add_heading(clean_text(consultation.title), level=0)
    doc.add_paragraph(clean_text(f"Consultation results. {format_count(report.get('responses'))} responses."
                                 f" Report made {timezone.localtime():%d %B %Y}."))
    if ctx["group_question"]:
        doc.add_paragraph(clean_text(f"Respondents are grouped by their answer to: {ctx['group_question']['label']}"))
    doc.add_paragraph("Every percentage is of those who answered the question (its base).")
    for section in ctx["sections"]:
        title = section["label"] if section["kind"] == "grid" else f"{section['name']}. {section['label']}"
        doc.add_heading(clean_text(title), level=1)
        if section.get("base") is not None:
            p = doc.add_paragraph()
            run = p.add_run(clean_text(_base_text(section["base"])))
            run.italic = True
            run.font.color.rgb = RGBColor(0x50, 0x5A, 0x5F)
        for sentence in section["summary"]:
            doc.add_paragraph(clean_text(sentence))
        for tab in section["tables"]:
            caption = doc.add_paragraph()
            caption.add_run(clean_text(tab["caption"])).bold = True
            columns = []
            for column in tab["columns"]:
                columns += [column["label"] + " (number)", column["label"] + " (%)"] if column["kind"] == "pair" else [column["label"]]
            t = doc.add_table(rows=1, cols=len(columns))
            t.style = "Table Grid"
            t.alignment = WD_TABLE_ALIGNMENT.LEFT
            for c, label in zip(t.rows[0].cells, columns):
                c.text = ""
                c.paragraphs[0].add_run(clean_text(label)).bold = True
            for row in tab["rows"]:
                texts = []
                for c in row["cells"]:
                    texts += [c["count"], c["percent"]] if c["kind"] == "pair" else [c["text"]]
                cells = t.add_row().cells
                for c, text in zip(cells, texts):
                    c.text = ""
                    run = c.paragraphs[0].add_run(clean_text(text))
                    run.bold = row["total"]
            for r in t.rows:
                for c in r.cells:
                    for p in c.paragraphs:
                        for run in p.runs:
                            run.font.size = Pt(8.5)
            if tab.get("note"):
                note = doc.add_paragraph()
                run = note.add_run(clean_text(tab["note"]))
                run.italic = True
                run.font.size = Pt(8.5)
        png = render_chart(section.get("chart"), "png", section["label"])
        if png:
            doc.add_picture(io.BytesIO(png), width=Cm(16))
        if section.get("themes"):
            doc.add_heading("What people said, theme by theme", level=2)
            for theme in section["themes"]:
                doc.add_paragraph().add_run(clean_text(theme["name"])).bold = True
                if theme["description"]:
                    doc.add_paragraph(clean_text(theme["description"]))
                for quote in theme["quotes"]:
                    doc.add_paragraph(clean_text(f"“{quote}”"), style="Quote")
        if section.get("answers") is not None:
            doc.add_paragraph().add_run(clean_text(f"Answers ({section['answers_total']})")).bold = True
            for answer in section["answers"]:
                doc.add_paragraph(clean_text(answer), style="List Bullet")
            if section["answers_total"] > len(section["answers"]):
                doc.add_paragraph(f"The first {len(section['answers'])} of {section['answers_total']} answers. "
                                  "Every answer is in the Excel (XLSX) and JSON reports.")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


RENDERERS = {
    "json": render_json,
    "html": render_html,
    "pdf": render_pdf,
    "docx": render_docx,
    "xlsx": render_xlsx,
    "csv": render_csv,
}


def render_report(consultation, fmt, group_by=None, public=False):
    """The report as bytes in format fmt (json, html, pdf, docx, xlsx or csv)."""
    if fmt not in RENDERERS:
        raise ReportError(f"{fmt!r} is not a report format; use one of {', '.join(RENDERERS)}.")
    report = build_report(consultation, group_by=group_by, public=public)
    return RENDERERS[fmt](consultation, report)


def write_report(consultation, fmt, output, group_by=None, public=False):
    """Write the report in format fmt to output: a path, or a binary file object. Returns its size in bytes."""
    if fmt != "json":
        data = render_report(consultation, fmt, group_by=group_by, public=public)
        if hasattr(output, "write"):
            output.write(data)
        else:
            Path(output).write_bytes(data)
        return len(data)
    # JSON is written as it is encoded, never held whole: for 100,000 responses it is tens of megabytes.
    report = json_report(build_report(consultation, group_by=group_by, public=public))
    if hasattr(output, "write"):
        return write_json(report, output)
    with open(output, "wb") as out:
        return write_json(report, out)


def filename(consultation, fmt, group_by=None):
    stamp = timezone.localdate().isoformat()
    suffix = f"-by-{group_by}" if group_by else ""
    return f"{consultation.slug}-results{suffix}-{stamp}.{FORMATS[fmt][1]}"
