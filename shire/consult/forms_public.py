"""What the public answering pages show: a page's questions as blocks for the templates, and the
one Django form the public pages use (the e-mail address for "Save and come back later").

The rules (what applies, what is valid) live in questionnaire.py; this module only arranges a
page's questions, their current values and their errors for GOV.UK Design System markup.
"""
from django import forms

from . import questionnaire as q


class ResumeEmailForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        error_messages={
            "required": "Enter an e-mail address",
            "invalid": "Enter an e-mail address in the correct format, like name@example.com",
        },
    )


def _display(item, value):
    """A raw or stored answer as what the fields show: strings, a set of names or parts."""
    kind = item.get("type")
    if value is None:
        value = ""
    if kind == "select_one":
        return {str(v) for v in value} if isinstance(value, (list, tuple)) else {str(value)}
    if kind == "select_multiple":
        return {str(v) for v in value} if isinstance(value, (list, tuple)) else set(str(value).split())
    if kind == "rank":
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items()}
        names = value.split() if isinstance(value, str) else [str(v) for v in value]
        return {name: str(i) for i, name in enumerate(names, start=1)}
    if kind == "date":
        if isinstance(value, dict):
            return {p: str(value.get(p) or "") for p in q.DATE_PARTS}
        text = str(value)
        try:
            year, month, day = text.split("-")
            return {"day": str(int(day)), "month": str(int(month)), "year": year}
        except ValueError:
            return {"day": "", "month": "", "year": ""}
    if kind in ("integer", "decimal") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return q.number_text(value)
    return str(value)


FIELD_TEMPLATES = {
    "select_one": "radios",
    "select_multiple": "checkboxes",
    "rank": "rank",
    "text": "textarea",
    "integer": "number",
    "decimal": "number",
    "date": "date",
    "note": "note",
    "likert": "likert",
}


def _choices(item, name, selected, first_id):
    choices = []
    for i, choice in enumerate(item.get("choices") or []):
        value = str(choice["name"])
        choices.append({
            "value": value,
            "label": choice.get("label") or value,
            "id": first_id if i == 0 else f"{first_id}-{i + 1}",
            "checked": value in selected,
        })
    return choices


def _question_block(item, value, error):
    kind, name = item["type"], item["name"]
    shown = _display(item, value)
    hint = item.get("hint") or ""
    block = {
        "kind": kind,
        "item": item,
        "name": name,
        "id": name,
        "label": item.get("label") or name,
        "hint": hint,
        "hint_id": f"{name}-hint",
        "error": error,
        "error_id": f"{name}-error",
        "error_href": name,
    }
    if kind in ("select_one", "select_multiple"):
        block["choices"] = _choices(item, name, shown, name)
        block["inline"] = q.is_likert(item) or "horizontal" in (item.get("appearance") or "").split()
        limit = q.max_selected(item) if kind == "select_multiple" else None
        if limit and not hint:
            block["hint"] = f"Select up to {q.number_words(limit)}" if limit > 1 else "Select one"
    elif kind == "rank":
        n = len(item.get("choices") or [])
        block["positions"] = [str(i) for i in range(1, n + 1)]
        block["rank_items"] = [
            {
                "value": str(choice["name"]),
                "label": choice.get("label") or str(choice["name"]),
                "name": q.field_name(item, str(choice["name"])),
                "id": name if i == 0 else f"{name}-{i + 1}",
                "position": shown.get(str(choice["name"]), ""),
            }
            for i, choice in enumerate(item.get("choices") or [])
        ]
        if not hint:
            block["hint"] = f"Give each option a number from 1 to {n}, with 1 for the one you prefer most. Use each number once."
            block["default_hint"] = True
    elif kind == "date":
        block["parts"] = [
            {"part": p, "label": p.capitalize(), "name": q.field_name(item, p), "id": f"{name}-{p}",
             "value": shown[p], "width": 4 if p == "year" else 2}
            for p in q.DATE_PARTS
        ]
        block["error_href"] = f"{name}-day"
        if not hint:
            block["hint"] = "For example, 27 3 2017"
    else:
        block["value"] = shown
    block["optional"] = item.get("required") in (None, False, "", "no", "false", "false()")
    block["described_by"] = " ".join(
        ref for ref, on in ((block["hint_id"], block["hint"]), (block["error_id"], block["error"])) if on
    )
    block["template"] = f"consult/public/fields/{FIELD_TEMPLATES[kind]}.html"
    return block


def page_blocks(page, values, errors, relevant, keep_shown=()):
    """The blocks to render for a page: notes, questions and likert grids, in order.

    `values` are the answers to show (raw or stored), `errors` {name: message}, `relevant` the
    names of the items that apply. An item whose relevance depends on answers on this page is
    rendered even when it does not apply yet, hidden (`hidden`), so that consult-relevance.js
    can show it as soon as those answers make it apply; without JavaScript it stays hidden and
    the server shows it after Continue. Items named in `keep_shown` are never hidden by the script.
    """
    blocks = []
    items = []
    for item in page.get("items") or []:
        conditional = bool(q.same_page_references(page, item))
        if item.get("name") in relevant or conditional:
            items.append((item, conditional, item.get("name") not in relevant))
    i = 0
    while i < len(items):
        item, conditional, hidden = items[i]
        if item.get("type") == "note":
            block = {
                "kind": "note",
                "item": item,
                "name": item.get("name"),
                "paragraphs": [p.strip() for p in (item.get("label") or "").split("\n\n") if p.strip()],
                "hint": item.get("hint") or "",
                "inset": "inset" in (item.get("appearance") or "").split(),
                "template": "consult/public/fields/note.html",
            }
            size = 1
        else:
            run = [item]
            if q.is_likert(item) and not conditional:
                while (i + len(run) < len(items) and q.is_likert(items[i + len(run)][0]) and not items[i + len(run)][1]
                       and items[i + len(run)][0].get("list_name") == item.get("list_name")):
                    run.append(items[i + len(run)][0])
            if len(run) > 1:
                block = _likert_block(run, values, errors)
            else:
                block = _question_block(item, values.get(item["name"]), errors.get(item["name"]))
            size = len(run)
        block["names"] = [entry.get("name") for entry, _, _ in items[i:i + size]]
        block["conditional"] = conditional
        block["relevant_expression"] = item.get("relevant") if conditional else ""
        block["hidden"] = hidden
        block["keep_shown"] = item.get("name") in keep_shown
        blocks.append(block)
        i += size
    return blocks


def question_types(page):
    """{name: type} of the page's questions, for consult-relevance.js to read their answers."""
    return {item["name"]: item.get("type") for item in page.get("items") or [] if item.get("name")}


def _likert_block(run, values, errors):
    rows = []
    for item in run:
        name = item["name"]
        rows.append({
            "item": item,
            "name": name,
            "id": name,
            "label": item.get("label") or name,
            "label_id": f"{name}-label",
            "hint": item.get("hint") or "",
            "optional": item.get("required") in (None, False, "", "no", "false", "false()"),
            "error": errors.get(name),
            "error_id": f"{name}-error",
            "error_href": name,
            "choices": _choices(item, name, _display(item, values.get(name)), name),
        })
    first = run[0]
    return {
        "kind": "likert",
        "id": f"{first['name']}-grid",
        "columns": [choice.get("label") or str(choice["name"]) for choice in first.get("choices") or []],
        "rows": rows,
        "has_error": any(row["error"] for row in rows),
        "template": "consult/public/fields/likert.html",
    }


def error_summary(blocks):
    """[(message, "#field-id")] in the order the fields appear, for core/_error_summary.html."""
    summary = []
    for block in blocks:
        if block.get("hidden"):
            continue
        if block["kind"] == "likert":
            summary.extend((row["error"], f"#{row['error_href']}") for row in block["rows"] if row["error"])
        elif block.get("error"):
            summary.append((block["error"], f"#{block['error_href']}"))
    return summary
