"""The runtime rules of a questionnaire (questionnaire.py), over small hand-written definitions."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.http import QueryDict

from shire.consult import questionnaire as q

from .answering_helpers import choices, question


def page(name, *items, relevant=None, label=None):
    return {"name": name, "label": label, "hint": None, "relevant": relevant, "items": list(items)}


def form(*pages):
    return {"form_id": "test", "title": "Test", "version": "1", "pages": list(pages)}


def post(**fields):
    data = QueryDict(mutable=True)
    for key, value in fields.items():
        if isinstance(value, list):
            data.setlist(key, value)
        else:
            data[key] = value
    return data


YES_NO = choices(("yes", "Yes"), ("no", "No"))
COLOURS = choices(("red", "Red"), ("green", "Green"), ("blue", "Blue"), ("white", "White"))
RANKED = choices(("a", "Apples"), ("b", "Bananas"), ("c", "Cherries"))

ROUTED = form(
    page("p1", question("kind", "select_one", "Who are you?", required=True,
                        choices=choices(("person", "A person"), ("org", "An organisation")))),
    page("p2", question("org_name", "text", "Organisation name", required=True), relevant="${kind} = 'org'"),
    page("p3",
         question("likes", "select_multiple", "Colours you like", required=True, choices=COLOURS,
                  constraint="count-selected(.) <= 3"),
         question("why_white", "text", "Why white?", required=True, relevant="selected(${likes}, 'white')"),
         question("age", "integer", "Your age", relevant="${kind} = 'person'", constraint=". >= 16",
                  constraint_message="You must be 16 or over")),
)


# --- walking the definition ------------------------------------------------------------------

def test_iter_questions_and_lookups():
    assert [item["name"] for item in q.questions(ROUTED)] == ["kind", "org_name", "likes", "why_white", "age"]
    assert q.page_of(ROUTED, "age") == 2
    assert q.page_of(ROUTED, "nope") is None
    note_form = form(page("p", question("intro", "note", "Hello"), question("x", "text", "X")))
    assert [i["name"] for _, i in q.iter_questions(note_form)] == ["x"]
    assert [i["name"] for _, i in q.iter_questions(note_form, include_notes=True)] == ["intro", "x"]


def test_max_selected_reads_up_to_n_constraints():
    assert q.max_selected({"constraint": "count-selected(.) <= 3"}) == 3
    assert q.max_selected({"constraint": "count-selected( . )<4"}) == 3
    assert q.max_selected({"constraint": ". > 3"}) is None
    assert q.max_selected({"constraint": None}) is None


# --- routing --------------------------------------------------------------------------------

def test_visible_pages_follow_page_level_routing():
    names = lambda answers: [p["name"] for p in q.visible_pages(ROUTED, answers)]  # noqa: E731
    assert names({}) == ["p1", "p3"]
    assert names({"kind": "person"}) == ["p1", "p3"]
    assert names({"kind": "org"}) == ["p1", "p2", "p3"]


def test_a_page_whose_questions_are_all_irrelevant_is_not_shown():
    definition = form(
        page("p1", question("kind", "select_one", "Who?", choices=YES_NO)),
        page("p2", question("only_yes", "text", "Why yes?", relevant="${kind} = 'yes'")),
    )
    assert [p["name"] for p in q.visible_pages(definition, {"kind": "no"})] == ["p1"]
    assert [p["name"] for p in q.visible_pages(definition, {"kind": "yes"})] == ["p1", "p2"]


def test_clean_answers_drops_routed_out_answers_and_unknown_names():
    answers = {"kind": "person", "org_name": "Sneaky Ltd", "likes": ["red"], "age": 40, "not_a_question": "x"}
    kept, errors = q.clean_answers(ROUTED, answers)
    assert errors == {}
    assert kept == {"kind": "person", "likes": ["red"], "age": 40}


def test_clean_answers_applies_routing_from_answers_kept_earlier_only():
    # org_name is required for organisations, and age only applies to people.
    kept, errors = q.clean_answers(ROUTED, {"kind": "org", "likes": ["blue"], "age": 3})
    assert errors == {"org_name": "Enter an answer for “Organisation name”"}
    assert kept == {"kind": "org", "likes": ["blue"]}


def test_an_invalid_answer_does_not_count_for_later_routing():
    definition = form(
        page("p1", question("kind", "select_one", "Who?", choices=YES_NO)),
        page("p2", question("follow", "text", "Follow up", required=True), relevant="${kind} = 'yes'"),
    )
    # "maybe" is not a choice: it is refused, and the page routed on it does not apply.
    kept, errors = q.clean_answers(definition, {"kind": "maybe", "follow": "text"})
    assert kept == {}
    assert set(errors) == {"kind"}


def test_question_made_irrelevant_on_the_same_page_is_dropped():
    kept, errors = q.clean_answers(ROUTED, {"kind": "person", "likes": ["red"], "why_white": "Because"})
    assert errors == {}
    assert "why_white" not in kept
    kept, errors = q.clean_answers(ROUTED, {"kind": "person", "likes": ["white"]})
    assert errors == {"why_white": "Enter an answer for “Why white?”"}


def test_validate_page_uses_earlier_answers_and_same_page_answers():
    p3 = ROUTED["pages"][2]
    assert q.validate_page(p3, {"kind": "org", "likes": ["white"]}) == {"why_white": "Enter an answer for “Why white?”"}
    assert q.validate_page(p3, {"kind": "org", "likes": ["red"], "age": 3}) == {}  # age is not asked of organisations
    assert q.validate_page(p3, {"kind": "person", "likes": ["red"], "age": 3}) == {"age": "You must be 16 or over"}


# --- required, types, choices ---------------------------------------------------------------

def test_required_messages_are_gov_uk_style_and_overridable():
    definition = form(page(
        "p",
        question("one", "select_one", "Pick one", required=True, choices=YES_NO),
        question("many", "select_multiple", "Pick some", required=True, choices=COLOURS),
        question("words", "text", "Say something", required=True, required_message="Tell us what you think"),
        question("num", "integer", "How many?", required=True),
        question("when", "date", "When?", required=True),
        question("order", "rank", "Order these", required=True, choices=RANKED),
        question("optional", "text", "Anything else?"),
        question("info", "note", "Just so you know"),
    ))
    kept, errors = q.clean_answers(definition, {})
    assert kept == {}
    assert errors == {
        "one": "Select an answer for “Pick one”",
        "many": "Select at least one answer for “Pick some”",
        "words": "Tell us what you think",
        "num": "Enter a whole number for “How many?”",
        "when": "Enter a date for “When?”",
        "order": "Put every option in order for “Order these”",
    }


def test_required_may_be_an_expression():
    definition = form(page(
        "p",
        question("kind", "select_one", "Who?", choices=YES_NO),
        question("why", "text", "Why?", required="${kind} = 'yes'"),
    ))
    assert q.clean_answers(definition, {"kind": "no"})[1] == {}
    assert set(q.clean_answers(definition, {"kind": "yes"})[1]) == {"why"}


def test_unknown_choices_are_refused():
    definition = form(page(
        "p",
        question("one", "select_one", "Pick one", choices=YES_NO),
        question("many", "select_multiple", "Pick some", choices=COLOURS),
    ))
    kept, errors = q.clean_answers(definition, {"one": "perhaps", "many": ["red", "purple"]})
    assert kept == {}
    assert errors == {
        "one": "Select one of the options given for “Pick one”",
        "many": "Select only the options given for “Pick some”",
    }


def test_select_one_with_two_values_is_refused():
    definition = form(page("p", question("one", "select_one", "Pick one", choices=YES_NO)))
    raw = q.read_page(definition["pages"][0], post(one=["yes", "no"]))
    assert raw == {"one": ["yes", "no"]}
    assert q.clean_answers(definition, raw)[1] == {"one": "Select only one answer for “Pick one”"}


def test_select_multiple_is_stored_in_choice_list_order_without_repeats():
    definition = form(page("p", question("many", "select_multiple", "Pick some", choices=COLOURS)))
    raw = q.read_page(definition["pages"][0], post(many=["white", "red", "white"]))
    assert raw == {"many": ["red", "white"]}
    # An importer's space-separated names are read the same way.
    assert q.clean_answers(definition, {"many": "white red"}) == ({"many": ["red", "white"]}, {})


def test_up_to_three_constraint():
    p3 = ROUTED["pages"][2]
    four = q.read_page(p3, post(likes=["red", "green", "blue", "white"], why_white="Clean"))
    errors = q.validate_page(p3, {"kind": "org", **four})
    assert errors == {"likes": "Select no more than three answers for “Colours you like”"}
    kept, errors = q.clean_answers(ROUTED, {"kind": "org", "org_name": "X", "likes": ["red", "green", "blue", "white"], "why_white": "Clean"})
    assert "likes" not in kept and "likes" in errors
    kept, errors = q.clean_answers(ROUTED, {"kind": "org", "org_name": "X", "likes": ["red", "green", "white"], "why_white": "Clean"})
    assert errors == {}
    assert kept["likes"] == ["red", "green", "white"]


def test_integer_and_decimal_are_parsed_and_checked():
    definition = form(page(
        "p",
        question("n", "integer", "How many?"),
        question("x", "decimal", "How much?"),
    ))
    p = definition["pages"][0]
    assert q.read_page(p, post(n=" 1,200 ", x="2.5")) == {"n": 1200, "x": 2.5}
    assert q.read_page(p, post(n="twelve", x="")) == {"n": "twelve"}
    assert q.validate_page(p, {"n": "twelve"}) == {"n": "“How many?” must be a number"}
    assert q.validate_page(p, {"n": "2.5"}) == {"n": "“How many?” must be a whole number"}
    assert q.validate_page(p, {"n": True}) == {"n": "“How many?” must be a number"}
    assert q.validate_page(p, {"x": "NaN"}) == {"x": "“How much?” must be a number"}
    assert q.clean_answers(definition, {"n": "7", "x": "3"}) == ({"n": 7, "x": 3.0}, {})
    assert q.clean_answers(definition, {"n": 7.0, "x": 0.25}) == ({"n": 7, "x": 0.25}, {})


def test_constraint_uses_dot_for_the_answer_with_default_message():
    definition = form(page("p", question("n", "integer", "How many?", constraint=". > 0 and . < 100")))
    assert q.clean_answers(definition, {"n": 50}) == ({"n": 50}, {})
    kept, errors = q.clean_answers(definition, {"n": 150})
    assert kept == {}
    assert errors == {"n": "Your answer to “How many?” is not accepted. Check it and try again"}


def test_constraint_can_refer_to_other_answers():
    definition = form(page(
        "p",
        question("adults", "integer", "Adults"),
        question("people", "integer", "People", constraint=". >= ${adults}", constraint_message="People must include the adults"),
    ))
    assert q.clean_answers(definition, {"adults": 3, "people": 5})[1] == {}
    assert q.clean_answers(definition, {"adults": 6, "people": 5})[1] == {"people": "People must include the adults"}


def test_dates_from_gov_uk_date_input():
    definition = form(page("p", question("when", "date", "When?")))
    p = definition["pages"][0]
    assert q.read_page(p, post(**{"when-day": "7", "when-month": "3", "when-year": "2017"})) == {"when": "2017-03-07"}
    assert q.read_page(p, post(**{"when-day": "", "when-month": "", "when-year": ""})) == {}
    bad = q.read_page(p, post(**{"when-day": "31", "when-month": "2", "when-year": "2017"}))
    assert bad == {"when": {"day": "31", "month": "2", "year": "2017"}}
    assert q.validate_page(p, bad) == {"when": "The date for “When?” must be a real date"}
    partial = q.read_page(p, post(**{"when-day": "3", "when-month": "", "when-year": ""}))
    assert q.validate_page(p, partial) == {"when": "The date for “When?” must include a month and year"}
    short_year = q.read_page(p, post(**{"when-day": "3", "when-month": "4", "when-year": "17"}))
    assert q.validate_page(p, short_year) == {"when": "The date for “When?” must be a real date, with a 4-digit year"}
    assert q.clean_answers(definition, {"when": "2017-03-07"}) == ({"when": "2017-03-07"}, {})
    assert q.clean_answers(definition, {"when": "07/03/2017"})[1] == {"when": "The date for “When?” must be a real date"}


def test_date_constraint_compares_with_today():
    definition = form(page("p", question("when", "date", "When?", constraint=". <= today()",
                                         constraint_message="The date must be today or in the past")))
    assert q.clean_answers(definition, {"when": "2001-01-01"})[1] == {}
    assert q.clean_answers(definition, {"when": "2999-01-01"})[1] == {"when": "The date must be today or in the past"}


# --- rank -----------------------------------------------------------------------------------

RANK_FORM = form(page("p", question("order", "rank", "Order these", required=True, choices=RANKED)))
RANK_PAGE = RANK_FORM["pages"][0]


def rank_post(a, b, c):
    return post(**{"order-position-a": a, "order-position-b": b, "order-position-c": c})


def test_rank_positions_become_the_ordered_list():
    raw = q.read_page(RANK_PAGE, rank_post("2", "3", "1"))
    assert raw == {"order": ["c", "a", "b"]}
    assert q.clean_answers(RANK_FORM, raw) == ({"order": ["c", "a", "b"]}, {})


def test_rank_duplicates_are_refused_naming_them():
    raw = q.read_page(RANK_PAGE, rank_post("1", "1", "2"))
    assert raw == {"order": {"a": "1", "b": "1", "c": "2"}}
    assert q.validate_page(RANK_PAGE, raw) == {
        "order": "Use each position only once for “Order these”: “Apples” and “Bananas” are both number 1"
    }


def test_rank_must_be_complete_and_in_range():
    assert q.validate_page(RANK_PAGE, q.read_page(RANK_PAGE, rank_post("1", "", "2"))) == {
        "order": "Give every option a position for “Order these”; “Bananas” has none"
    }
    assert q.validate_page(RANK_PAGE, q.read_page(RANK_PAGE, rank_post("1", "2", "9"))) == {
        "order": "Positions for “Order these” must be numbers from 1 to 3"
    }
    # Stored-format lists (as an importer gives them) are checked too.
    assert q.clean_answers(RANK_FORM, {"order": ["a", "a", "b"]})[1] == {
        "order": "Use each option only once for “Order these”: “Apples” is given more than one position"
    }
    assert q.clean_answers(RANK_FORM, {"order": "c a"})[1] == {
        "order": "Put every option in order for “Order these”; “Bananas” is missing"
    }
    assert q.clean_answers(RANK_FORM, {"order": ["a", "b", "z"]})[1] == {"order": "Rank only the options given for “Order these”"}
    assert q.clean_answers(RANK_FORM, {"order": "b c a"}) == ({"order": ["b", "c", "a"]}, {})


# --- reading pages and showing answers ------------------------------------------------------

def test_read_page_reads_only_this_pages_questions_and_trims_text():
    p1 = form(page("p", question("t", "text", "Tell us"), question("info", "note", "Note")))["pages"][0]
    assert q.read_page(p1, post(t="  hello\r\nworld  ", other="ignored", info="x")) == {"t": "hello\nworld"}
    assert q.read_page(p1, {"t": "plain dicts work too"}) == {"t": "plain dicts work too"}
    assert q.read_page(p1, post(t="   ")) == {}


def test_format_answer():
    assert q.format_answer({"type": "select_one", "choices": YES_NO}, "yes") == ["Yes"]
    assert q.format_answer({"type": "select_multiple", "choices": COLOURS}, ["red", "blue"]) == ["Red", "Blue"]
    assert q.format_answer({"type": "rank", "choices": RANKED}, ["c", "a", "b"]) == ["1. Cherries", "2. Apples", "3. Bananas"]
    assert q.format_answer({"type": "date"}, "2017-03-07") == ["7 March 2017"]
    assert q.format_answer({"type": "decimal"}, 3.0) == ["3"]
    assert q.format_answer({"type": "text"}, None) == []


def test_definitions_without_routing_or_with_empty_expressions():
    definition = form(page("p", question("t", "text", "T", relevant="", constraint="  ")))
    assert q.clean_answers(definition, {"t": "x"}) == ({"t": "x"}, {})
    assert q.clean_answers({"pages": []}, {"t": "x"}) == ({}, {})


def test_values_as_a_spreadsheet_reader_gives_them():
    from datetime import datetime

    definition = form(page(
        "p",
        question("when", "date", "When?"),
        question("n", "integer", "How many?"),
        question("t", "text", "Tell us"),
        question("one", "select_one", "Pick one", choices=choices(("1", "One"), ("2", "Two"))),
    ))
    answers = {"when": datetime(2017, 3, 7, 0, 0), "n": 12.0, "t": 2017.0, "one": 2.0}
    assert q.clean_answers(definition, answers) == ({"when": "2017-03-07", "n": 12, "t": "2017", "one": "2"}, {})


# --- the browser's evaluator agrees with the server's ---------------------------------------

PARITY_CASES = [
    ("${kind} = 'org'", {"kind": "org"}),
    ("${kind} = 'org'", {"kind": "person"}),
    ("${kind} = 'org'", {}),
    ("${kind} != 'org'", {}),
    ("selected(${likes}, 'white')", {"likes": ["red", "white"]}),
    ("selected(${likes}, 'white')", {"likes": ["red"]}),
    ("count-selected(${likes}) > 0 and not(selected(${likes}, 'individual'))", {"likes": ["community_group"]}),
    ("count-selected(${likes}) > 0 and not(selected(${likes}, 'individual'))", {"likes": ["individual", "other"]}),
    ("count-selected(${likes}) > 0 and not(selected(${likes}, 'individual'))", {}),
    ("${age} >= 16", {"age": 16}),
    ("${age} >= 16", {"age": 15}),
    ("${age} >= 16", {}),
    ("${age} > '9'", {"age": 10}),
    ("${n} + 2 * 3 = 10", {"n": 4}),
    ("${n} div 0 > 1000", {"n": 3}),
    ("${n} mod 3 = 1", {"n": 7}),
    ("-${n} < 0", {"n": 2}),
    ("${when} < '2017-01-01'", {"when": "2016-12-31"}),
    ("${when} < '2017-01-01'", {"when": "2017-06-01"}),
    ("${when} <= today()", {"when": "2001-01-01"}),
    ("string-length(${t}) > 3", {"t": "four"}),
    ("string-length(${t}) > 3", {"t": "abc"}),
    ("contains(${t}, 'park') or starts-with(${t}, 'The')", {"t": "The hall"}),
    ("ends-with(${t}, 'hall') and regex(${t}, '^[A-Z]')", {"t": "The hall"}),
    ("if(${kind} = 'org', ${n} > 5, ${n} > 50)", {"kind": "org", "n": 6}),
    ("if(${kind} = 'org', ${n} > 5, ${n} > 50)", {"kind": "person", "n": 6}),
    ("coalesce(${t}, 'none') = 'none'", {}),
    ("concat(${a}, '-', ${b}) = 'x-y'", {"a": "x", "b": "y"}),
    ("number(${t}) = 12", {"t": "12"}),
    ("number(${t}) = 12", {"t": "twelve"}),
    ("int(${n}) = 3", {"n": 3.7}),
    ("boolean(${t})", {"t": ""}),
    ("string(${n}) = '3'", {"n": 3.0}),
    ("${likes} = 'red white'", {"likes": ["red", "white"]}),
    ("true() and not(false())", {}),
    ("(${a} = 'x' or ${b} = 'x') and ${c} != ''", {"a": "x", "c": "z"}),
    ("${n} = 1 or ${n} = 2", {"n": "2"}),
    ("${yes} = true()", {"yes": "yes"}),
]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the browser's evaluator")
def test_browser_relevance_evaluator_agrees_with_the_server(tmp_path):
    from shire.consult import expressions

    script = Path(settings.BASE_DIR) / "shire" / "core" / "static" / "shire" / "consult-relevance.js"
    module = tmp_path / "relevance.mjs"
    module.write_text(script.read_text(encoding="utf-8"), encoding="utf-8")
    runner = tmp_path / "run.mjs"
    runner.write_text(
        "import { isRelevant } from './relevance.mjs'\n"
        "import { readFileSync } from 'node:fs'\n"
        "const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'))\n"
        "console.log(JSON.stringify(cases.map(([e, a]) => isRelevant(e, a))))\n",
        encoding="utf-8",
    )
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps(PARITY_CASES), encoding="utf-8")
    result = subprocess.run(["node", str(runner), str(cases)], capture_output=True, text=True, timeout=30, check=True)
    browser = json.loads(result.stdout)
    server = [expressions.is_true(expression, answers) for expression, answers in PARITY_CASES]
    disagreements = [case for case, b, s in zip(PARITY_CASES, browser, server) if b != s]
    assert disagreements == []
    assert True in server and False in server
