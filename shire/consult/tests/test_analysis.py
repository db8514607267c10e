"""The results report's figures, from small hand-made questionnaires and answer sets."""
import json
import math
import random
import time
from collections import Counter
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from shire.consult import analysis
from shire.consult.analysis import (
    agreement_scale,
    analyse,
    frame_from_json,
    frame_from_records,
    order_by_net_agreement,
    percent,
    round_half_up,
    suppress_small,
)

AGREE = [
    {"name": "sa", "label": "Strongly agree"},
    {"name": "a", "label": "Agree"},
    {"name": "n", "label": "Neither agree nor disagree"},
    {"name": "d", "label": "Disagree"},
    {"name": "sd", "label": "Strongly disagree"},
    {"name": "dk", "label": "Don't know"},
]
BLOCKS = [{"name": name, "label": name.upper()} for name in "abcd"]


def question(name, kind, choices=None, **extra):
    item = {"name": name, "type": kind, "label": f"Question {name}", "required": False, "relevant": None}
    if choices is not None:
        item["choices"] = choices
    item.update(extra)
    return item


def definition(*pages):
    return {"form_id": "test", "title": "Test", "pages": [
        {"name": f"page{number}", "label": f"Page {number}", "items": list(items)} for number, items in enumerate(pages, start=1)
    ]}


def answers_for(name, tally):
    """[{name: value}, ...] with each value repeated as often as `tally` says, in tally order."""
    return [{name: value} for value, times in tally.items() for _ in range(times)]


# ------------------------------------------------------------------------------------ rounding

def test_round_half_up_is_not_bankers_rounding():
    assert percent(23, 90) == 25.6          # 25.555...
    assert percent(1, 16) == 6.3            # 6.25: round() would give 6.2
    assert percent(1, 8) == 12.5
    assert percent(5, 40) == 12.5
    assert round(0.125, 2) == 0.12 and round_half_up(Fraction(1, 8), 2) == 0.13
    assert round_half_up(2.675, 2) == 2.68  # the float is 2.67499999...; its decimal form is 2.675
    assert round_half_up(Fraction(-1, 16) * 100, 1) == -6.3  # halves go away from zero
    assert round_half_up(0.05, 1) == 0.1
    assert percent(3, 0) is None


# ------------------------------------------------------------------------------------ the frame

FRAME_DEFINITION = definition([
    question("intro", "note"),
    question("who", "select_one", [{"name": "ind", "label": "Individual"}, {"name": "org", "label": "Organisation"}]),
    question("ticks", "select_multiple", BLOCKS),
    question("order", "rank", BLOCKS),
    question("staff", "integer"),
    question("score", "decimal"),
    question("when", "date"),
    question("why", "text"),
])


def test_frame_has_one_typed_column_per_question_in_order():
    frame = frame_from_json(FRAME_DEFINITION, ['{"who": "ind", "ticks": ["a"], "order": ["b", "a", "c", "d"], "staff": 3, "score": 2, "when": "2017-03-01", "why": "Because"}'])
    assert frame.columns == ["who", "ticks", "order", "staff", "score", "when", "why"]
    assert frame.schema == pl.Schema({
        "who": pl.Categorical(), "ticks": pl.List(pl.Categorical()), "order": pl.List(pl.Categorical()), "staff": pl.Int64,
        "score": pl.Float64, "when": pl.String, "why": pl.String,
    })
    assert frame.row(0) == ("ind", ["a"], ["b", "a", "c", "d"], 3, 2.0, "2017-03-01", "Because")


def test_frame_treats_missing_blank_and_empty_answers_as_not_answered():
    texts = [
        '{"who": "org", "unknown_key": 5, "intro": "x"}',
        '{"who": "", "ticks": [], "why": "   "}',
        None,
        "{}",
        "",
        '{\n  "staff": 4.0,\n  "why": "two\\nlines"\n}',  # pretty-printed: raw line breaks between tokens
        {"who": "ind", "ticks": ["b", "c"]},                # a driver that decodes JSON itself
        b'{"score": 1.5}',
    ]
    frame = frame_from_json(FRAME_DEFINITION, texts)
    assert frame.height == 8
    assert frame["who"].to_list() == ["org", None, None, None, None, None, "ind", None]
    assert frame["ticks"].to_list() == [None, None, None, None, None, None, ["b", "c"], None]
    assert frame["why"].to_list() == [None, None, None, None, None, "two\nlines", None, None]
    assert frame["staff"].to_list() == [None, None, None, None, None, 4, None, None]
    assert frame["score"].to_list() == [None] * 7 + [1.5]


def test_frame_keeps_texts_that_start_with_spaces_and_drops_null_ticks():
    texts = ['{"why": "  Indented answer", "ticks": ["a", null, "c"]}', '{"why": "\\t", "ticks": [null]}', '{"why": "Plain"}']
    frame = frame_from_json(FRAME_DEFINITION, texts)
    assert frame["why"].to_list() == ["  Indented answer", None, "Plain"]
    assert frame["ticks"].to_list() == [["a", "c"], [], None]
    clean = frame_from_json(FRAME_DEFINITION, ['{"why": "Plain", "ticks": ["a"]}', '{"ticks": []}'])
    assert clean["why"].to_list() == ["Plain", None]
    assert clean["ticks"].to_list() == [["a"], None]


def test_a_choice_given_as_a_number_counts_as_its_text():
    form = definition([question("size", "select_one", [{"name": "1", "label": "One"}, {"name": "2", "label": "Two"}]),
                       question("picks", "select_multiple", [{"name": "1", "label": "One"}, {"name": "2", "label": "Two"}])])
    frame = frame_from_json(form, ['{"size": 1, "picks": [1, 2]}', '{"size": "2", "picks": ["2"]}', '{"size": " "}'])
    assert frame["size"].to_list() == ["1", "2", None]
    questions = analyse(form, frame)["questions"]
    assert questions["size"]["counts"] == {"1": 1, "2": 1} and questions["size"]["base"] == 2
    assert questions["picks"]["counts"] == {"1": 1, "2": 2}


def test_frame_is_the_same_read_in_one_slice_or_many(monkeypatch):
    texts = [json.dumps({"who": "ind" if n % 3 else "org", "staff": n, "why": f"Answer {n}"}) for n in range(25)]
    whole = frame_from_json(FRAME_DEFINITION, iter(texts))
    monkeypatch.setattr(analysis, "_NDJSON_CHUNK", 4)
    assert frame_from_json(FRAME_DEFINITION, iter(texts)).equals(whole)
    texts[21] = '{"staff": "many"}'
    with pytest.raises(ValueError, match="Answer set 22, question 'staff'"):
        frame_from_json(FRAME_DEFINITION, iter(texts))


def test_frame_from_records_matches_frame_from_json():
    records = [{"who": "ind", "ticks": ["a", "d"], "staff": 7}, {}, {"order": ["d", "c", "b", "a"], "when": "2017-01-31"}]
    from_records = frame_from_records(FRAME_DEFINITION, records)
    from_json = frame_from_json(FRAME_DEFINITION, [json.dumps(record) for record in records])
    assert from_records.equals(from_json)
    assert frame_from_records(FRAME_DEFINITION, []).height == 0
    assert frame_from_records(FRAME_DEFINITION, []).columns == from_json.columns


@pytest.mark.parametrize("bad, message", [
    ('{"staff": 3.5}', "Answer set 2, question 'staff': 3.5 is not a whole number."),
    ('{"staff": "three"}', "Answer set 2, question 'staff'"),
    ('{"ticks": "a"}', "Answer set 2, question 'ticks'"),
    ('{"who": ', "Answer set 2 is not valid JSON"),
    ('[1, 2]', "Answer set 2 is not a JSON object."),
])
def test_frame_names_the_answer_set_with_a_bad_value(bad, message):
    with pytest.raises(ValueError) as error:
        frame_from_json(FRAME_DEFINITION, ['{"staff": 2}', bad, "{}"])
    assert message in str(error.value)


def test_unknown_question_type_is_refused():
    with pytest.raises(ValueError, match="geopoint"):
        analysis.schema(definition([question("where", "geopoint")]))


# ------------------------------------------------------------------------------------ select_one and agreement

def test_select_one_counts_percent_of_base_and_net_agreement():
    form = definition([question("q5", "select_one", AGREE, list_name="agree")])
    records = answers_for("q5", {"sa": 23, "a": 48, "n": 8, "d": 5, "sd": 5, "dk": 1}) + [{}, {"q5": ""}]
    report = analyse(form, frame_from_records(form, records))
    q5 = report["questions"]["q5"]
    assert report["responses"] == 92
    assert q5["type"] == "select_one" and q5["label"] == "Question q5"
    assert q5["base"] == 90
    assert list(q5["counts"]) == ["sa", "a", "n", "d", "sd", "dk"]
    assert q5["counts"] == {"sa": 23, "a": 48, "n": 8, "d": 5, "sd": 5, "dk": 1}
    assert q5["percent"] == {"sa": 25.6, "a": 53.3, "n": 8.9, "d": 5.6, "sd": 5.6, "dk": 1.1}
    assert q5["choices"]["dk"] == "Don't know"
    assert q5["scale"] == {"agree": ["sa", "a"], "neither": ["n"], "disagree": ["d", "sd"], "dont_know": ["dk"]}
    assert q5["agree_percent"] == 78.9      # 71 / 90
    assert q5["disagree_percent"] == 11.1   # 10 / 90
    assert q5["net_agreement"] == 67.8      # 61 / 90 = 67.77..., from the counts, not the rounded percents


def test_net_agreement_can_be_negative_and_rounds_away_from_zero():
    form = definition([question("q", "select_one", AGREE)])
    records = answers_for("q", {"sa": 1, "a": 4, "n": 5, "d": 6})  # base 16: (5 - 6) / 16 = -6.25%
    q = analyse(form, frame_from_records(form, records))["questions"]["q"]
    assert q["net_agreement"] == -6.3
    assert q["agree_percent"] == 31.3 and q["disagree_percent"] == 37.5


def test_plain_select_one_has_no_agreement_figures():
    form = definition([question("q", "select_one", [{"name": "yes", "label": "Yes"}, {"name": "no", "label": "No"}])])
    q = analyse(form, frame_from_records(form, answers_for("q", {"yes": 2, "no": 1})))["questions"]["q"]
    assert q["counts"] == {"yes": 2, "no": 1} and q["percent"] == {"yes": 66.7, "no": 33.3}
    assert "net_agreement" not in q and "scale" not in q


@pytest.mark.parametrize("choices, expected", [
    (AGREE, {"agree": ["sa", "a"], "neither": ["n"], "disagree": ["d", "sd"], "dont_know": ["dk"]}),
    ([{"name": "1", "label": "Strongly agree"}, {"name": "2", "label": "Tend to agree"},
      {"name": "3", "label": "Neither agree nor disagree"}, {"name": "4", "label": "Tend to disagree"},
      {"name": "5", "label": "Strongly disagree"}, {"name": "6", "label": "Don’t know / not sure"}],
     {"agree": ["1", "2"], "neither": ["3"], "disagree": ["4", "5"], "dont_know": ["6"]}),
    ([{"name": "strongly_agree", "label": "Tout à fait d'accord"}, {"name": "agree", "label": "D'accord"},
      {"name": "disagree", "label": "Pas d'accord"}, {"name": "strongly_disagree", "label": "Pas du tout"}],
     {"agree": ["strongly_agree", "agree"], "neither": [], "disagree": ["disagree", "strongly_disagree"], "dont_know": []}),
    ([{"name": "yes", "label": "Yes"}, {"name": "no", "label": "No"}], None),
    (AGREE + [{"name": "other", "label": "Other"}], None),
    ([{"name": "sa", "label": "Strongly agree"}, {"name": "a", "label": "Agree"}], None),
    ([], None),
])
def test_agreement_scales_are_recognised_from_labels_or_names(choices, expected):
    assert agreement_scale(choices) == expected


# ------------------------------------------------------------------------------------ select_multiple

def test_select_multiple_percent_of_those_who_answered_the_question():
    form = definition([question("m", "select_multiple", BLOCKS)])
    records = [{"m": ["a", "b"]}, {"m": ["a"]}, {"m": ["a", "c", "d"]}, {"m": ["b", "b"]}, {"m": []}, {}]
    q = analyse(form, frame_from_records(form, records))["questions"]["m"]
    assert q["base"] == 4
    assert q["counts"] == {"a": 3, "b": 2, "c": 1, "d": 1}  # a repeated tick counts once
    assert q["percent"] == {"a": 75.0, "b": 50.0, "c": 25.0, "d": 25.0}
    assert sum(q["percent"].values()) > 100


# ------------------------------------------------------------------------------------ rank and workshops

RANKINGS = [["a", "b", "c", "d"], ["a", "c", "b", "d"], ["b", "a", "d", "c"], ["c", "a", "b", "d"], ["a", "d", "b", "c"]]


def test_rank_first_last_top3_bottom3_and_mean_position():
    form = definition([question("r", "rank", BLOCKS)])
    q = analyse(form, frame_from_records(form, [{"r": order} for order in RANKINGS] + [{}]))["questions"]["r"]
    assert q["base"] == 5
    assert q["first"] == {"a": 3, "b": 1, "c": 1, "d": 0}
    assert q["counts"] == q["first"] and q["percent"] == {"a": 60.0, "b": 20.0, "c": 20.0, "d": 0.0}
    assert q["last"] == {"a": 0, "b": 0, "c": 2, "d": 3}
    assert q["top3"] == {"a": 5, "b": 5, "c": 3, "d": 2}
    assert q["top3_percent"] == {"a": 100.0, "b": 100.0, "c": 60.0, "d": 40.0}
    assert q["bottom3"] == {"a": 2, "b": 4, "c": 4, "d": 5}
    assert q["mean_position"] == {"a": 1.4, "b": 2.4, "c": 2.8, "d": 3.4}
    assert "workshops" not in q and "combined_top3" not in q


def test_mean_position_rounds_to_two_places():
    form = definition([question("r", "rank", BLOCKS[:2])])
    q = analyse(form, frame_from_records(form, [{"r": ["a", "b"]}, {"r": ["a", "b"]}, {"r": ["b", "a"]}]))["questions"]["r"]
    assert q["mean_position"] == {"a": 1.33, "b": 1.67}


def test_workshop_votes_beside_and_combined_with_online_top3():
    form = definition([question("r", "rank", BLOCKS), question("m", "select_multiple", BLOCKS)])
    workshops = [
        {"workshop": "LECG", "question": "r", "option": "a", "votes": 3},
        {"workshop": "LECG", "question": "r", "option": "b", "votes": 1},
        {"workshop": "Staff", "question": "r", "option": "a", "votes": 2},
        {"workshop": "Staff", "question": "r", "option": "c", "votes": 4},
        {"workshop": "LECG", "question": "r", "option": "a", "votes": 1},  # a second sheet for the same table: adds up
        {"workshop": "VCS", "question": "m", "option": "d", "votes": 7},
    ]
    report = analyse(form, frame_from_records(form, [{"r": order} for order in RANKINGS]), workshops=workshops)
    r = report["questions"]["r"]
    assert r["workshops"] == {
        "LECG": {"a": 4, "b": 1, "c": 0, "d": 0},
        "Staff": {"a": 2, "b": 0, "c": 4, "d": 0},
        "total": {"a": 6, "b": 1, "c": 4, "d": 0},
    }
    assert list(r["workshops"]) == ["LECG", "Staff", "total"]
    assert r["workshop_totals"] == {"LECG": 5, "Staff": 6, "total": 11}
    # online top three (5, 5, 3, 2) plus workshop votes: as seed 003's 62 + 59 = 121
    assert r["combined_top3"] == {"a": 11, "b": 6, "c": 7, "d": 2}
    m = report["questions"]["m"]
    assert m["workshops"]["total"] == {"a": 0, "b": 0, "c": 0, "d": 7}
    assert "combined_top3" not in m


@pytest.mark.parametrize("row, message", [
    ({"workshop": "W", "question": "nope", "option": "a", "votes": 1}, "not a choice question"),
    ({"workshop": "W", "question": "r", "option": "z", "votes": 1}, "not an option"),
    ({"workshop": "total", "question": "r", "option": "a", "votes": 1}, "cannot be called 'total'"),
    ({"workshop": "W", "question": "r", "option": "a", "votes": -2}, "negative"),
])
def test_bad_workshop_rows_are_refused(row, message):
    form = definition([question("r", "rank", BLOCKS)])
    with pytest.raises(ValueError, match=message):
        analyse(form, frame_from_records(form, []), workshops=[row])


# ------------------------------------------------------------------------------------ numbers, dates, text

def test_numbers_dates_and_text():
    form = definition([question("n", "integer"), question("x", "decimal"), question("d", "date"), question("t", "text")])
    records = [
        {"n": 1, "x": 0.1, "d": "2017-03-01", "t": "First"},
        {"n": 1, "x": 0.2, "d": "2016-12-25", "t": ""},
        {"n": 1, "x": 0.4, "t": "Second"},
        {"n": 1, "d": "2017-11-05"},
        {"n": 1}, {"n": 1}, {"n": 1}, {"n": 2, "t": "Third"}, {},
    ]
    questions = analyse(form, frame_from_records(form, records))["questions"]
    assert questions["n"] == {"type": "integer", "label": "Question n", "base": 8, "counts": {}, "percent": {},
                              "mean": 1.13, "median": 1, "min": 1, "max": 2}  # mean 9/8 = 1.125, half up
    assert questions["x"]["base"] == 3
    assert (questions["x"]["mean"], questions["x"]["median"], questions["x"]["min"], questions["x"]["max"]) == (0.23, 0.2, 0.1, 0.4)
    assert questions["d"]["base"] == 3
    assert (questions["d"]["earliest"], questions["d"]["latest"]) == ("2016-12-25", "2017-11-05")
    assert questions["t"]["base"] == 3
    assert questions["t"]["answers"] == ["First", "Second", "Third"]


def test_nobody_answered():
    form = definition([question("n", "integer"), question("q", "select_one", AGREE), question("r", "rank", BLOCKS), question("d", "date")])
    questions = analyse(form, frame_from_records(form, [{}, {}]))["questions"]
    assert questions["n"]["base"] == 0 and questions["n"]["mean"] is None
    assert questions["q"]["counts"]["sa"] == 0 and questions["q"]["percent"]["sa"] is None
    assert questions["q"]["net_agreement"] is None
    assert questions["r"]["first"] == {"a": 0, "b": 0, "c": 0, "d": 0} and questions["r"]["mean_position"]["a"] is None
    assert questions["d"]["earliest"] is None


# ------------------------------------------------------------------------------------ groups

TYPES = [{"name": "ind", "label": "Individual"}, {"name": "org", "label": "Organisation"}]
YES_NO = [{"name": "yes", "label": "Yes"}, {"name": "no", "label": "No"}]


def test_group_by_select_multiple_puts_a_respondent_in_every_group_they_ticked():
    form = definition([question("type", "select_multiple", TYPES), question("q", "select_one", YES_NO), question("n", "integer")])
    records = [
        {"type": ["ind"], "q": "yes", "n": 2},
        {"type": ["org"], "q": "no", "n": 10},
        {"type": ["ind", "org"], "q": "yes", "n": 4},
        {"q": "no"},
    ]
    report = analyse(form, frame_from_records(form, records), group_by="type")
    assert report["group_by"] == {"question": "type", "label": "Question type", "groups": {
        "ind": {"label": "Individual", "responses": 2}, "org": {"label": "Organisation", "responses": 2}}}
    q = report["questions"]["q"]
    assert q["counts"] == {"yes": 2, "no": 2}
    assert q["groups"]["ind"]["counts"] == {"yes": 2, "no": 0} and q["groups"]["ind"]["percent"] == {"yes": 100.0, "no": 0.0}
    assert q["groups"]["org"]["counts"] == {"yes": 1, "no": 1} and q["groups"]["org"]["base"] == 2
    assert report["questions"]["n"]["groups"]["org"]["mean"] == 7.0
    assert report["questions"]["n"]["groups"]["ind"]["mean"] == 3.0


def test_group_by_select_one():
    form = definition([question("type", "select_one", TYPES), question("m", "select_multiple", BLOCKS)])
    records = [{"type": "ind", "m": ["a", "b"]}, {"type": "ind", "m": ["a"]}, {"type": "org", "m": ["c"]}, {"m": ["d"]}]
    report = analyse(form, frame_from_records(form, records), group_by="type")
    groups = report["questions"]["m"]["groups"]
    assert groups["ind"]["counts"] == {"a": 2, "b": 1, "c": 0, "d": 0} and groups["ind"]["percent"]["b"] == 50.0
    assert groups["org"]["counts"] == {"a": 0, "b": 0, "c": 1, "d": 0}
    assert report["questions"]["m"]["counts"] == {"a": 2, "b": 1, "c": 1, "d": 1}


def test_group_by_must_be_a_select_question():
    form = definition([question("t", "text")])
    with pytest.raises(ValueError, match="Cannot group by 't'"):
        analyse(form, frame_from_records(form, []), group_by="t")


# ------------------------------------------------------------------------------------ grids

def test_piped_names_in_grid_and_grouping_labels_are_placeholders_in_the_report():
    """${name} fills with one person's answer on their pages; a report of everyone shows [name]."""
    who = question("who", "select_one", [{"name": "ind", "label": "Individual"}, {"name": "org", "label": "Group"}],
                   label="Are you answering for ${club}?")
    form = definition([question("club", "text"), who],
                      [question("g1", "select_one", AGREE, list_name="agree"),
                       question("g2", "select_one", AGREE, list_name="agree")])
    form["pages"][1]["label"] = "What ${club} thinks"
    records = [{"club": "Ramblers", "who": "ind", "g1": "a", "g2": "sa"}, {"club": "Choir", "who": "org", "g1": "d"}]
    report = analyse(form, frame_from_records(form, records), group_by="who")
    assert report["grids"][0]["label"] == "What [club] thinks"
    assert report["group_by"]["label"] == "Are you answering for [club]?"
    assert "${" not in json.dumps(report)


def test_consecutive_agreement_questions_sharing_a_list_form_a_grid_ordered_by_net_agreement():
    form = definition(
        [
            question("intro", "note"),
            question("b1", "select_one", AGREE, list_name="agree"),
            question("b2", "select_one", AGREE, list_name="agree"),
            question("b3", "select_one", AGREE, list_name="agree"),
            question("b4", "select_one", AGREE, list_name="agree"),
            question("why", "text"),
            question("lonely", "select_one", AGREE, list_name="agree"),
        ],
        [question("p1", "select_one", AGREE, list_name="agree"), question("p2", "select_one", AGREE, list_name="agree2")],
    )
    tallies = {
        "b1": {"sa": 2, "a": 2, "d": 2},         # net (4 - 2) / 6 = 33.3
        "b2": {"sa": 5, "a": 1},                 # 100
        "b3": {"a": 1, "d": 1, "sd": 1},         # -33.3
        "b4": {"sa": 1, "a": 1, "n": 1},         # (2 - 0) / 3 = 66.7
        "lonely": {"sa": 1}, "p1": {"a": 1}, "p2": {"a": 1},
    }
    size = max(sum(tally.values()) for tally in tallies.values())
    records = [{} for _ in range(size)]
    for name, tally in tallies.items():
        for record, value in zip(records, [v for v, times in tally.items() for _ in range(times)]):
            record[name] = value
    report = analyse(form, frame_from_records(form, records))
    assert report["grids"] == [{
        "page": "page1", "label": "Page 1", "list_name": "agree",
        "questions": ["b2", "b4", "b1", "b3"],
        "net_agreement": {"b2": 100.0, "b4": 66.7, "b1": 33.3, "b3": -33.3},
    }]
    assert order_by_net_agreement(report, ["b3", "lonely", "b1"]) == ["lonely", "b1", "b3"]


def test_ties_keep_questionnaire_order_and_unanswered_come_last():
    form = definition([question(name, "select_one", AGREE, list_name="agree") for name in ("x", "y", "z")])
    report = analyse(form, frame_from_records(form, [{"x": "a", "z": "sa"}]))
    assert report["grids"][0]["questions"] == ["x", "z", "y"]


# ------------------------------------------------------------------------------------ suppression

def small_report(counts, kind="select_one", **extra):
    base = sum(counts.values())
    return {"responses": base + 1, "questions": {"q": {
        "type": kind, "label": "Q", "base": base, "counts": dict(counts),
        "percent": {name: percent(value, base) for name, value in counts.items()}, **extra}}}


def test_small_counts_are_hidden_and_a_lone_hidden_cell_gets_a_partner():
    report = small_report({"a": 10, "b": 3, "c": 7, "d": 0})
    public = suppress_small(report)
    q = public["questions"]["q"]
    # b (3) is hidden; with only b hidden it would be 20 - 10 - 7 - 0, so the smallest other cell (d, 0) is hidden too
    assert q["counts"] == {"a": 10, "b": "fewer than 5", "c": 7, "d": "not shown"}
    assert q["percent"] == {"a": 50.0, "b": "fewer than 5", "c": 35.0, "d": "not shown"}
    assert q["base"] == 20
    assert report["questions"]["q"]["counts"]["b"] == 3  # the report itself is not changed


def test_two_small_cells_need_no_partner_and_the_threshold_is_a_parameter():
    public = suppress_small(small_report({"a": 10, "b": 3, "c": 2, "d": 6}))
    assert public["questions"]["q"]["counts"] == {"a": 10, "b": "fewer than 5", "c": "fewer than 5", "d": 6}
    public = suppress_small(small_report({"a": 10, "b": 3, "c": 2, "d": 6}), threshold=10)
    assert public["questions"]["q"]["counts"] == {"a": 10, "b": "fewer than 10", "c": "fewer than 10", "d": "fewer than 10"}


def test_agreement_figures_built_on_a_hidden_cell_are_dropped():
    form = definition([question("q", "select_one", AGREE, list_name="agree"), question("r", "select_one", AGREE, list_name="agree")])
    records = answers_for("q", {"sa": 10, "a": 3, "n": 6, "d": 6, "dk": 5})
    for record, answer in zip(records, ["a"] * 20 + ["d"] * 10):
        record["r"] = answer
    report = analyse(form, frame_from_records(form, records))
    assert report["grids"][0]["net_agreement"] == {"r": 33.3, "q": 23.3}
    public = suppress_small(report)
    q = public["questions"]["q"]
    assert q["counts"] == {"sa": 10, "a": "fewer than 5", "n": 6, "d": 6, "sd": "not shown", "dk": 5}
    assert q["agree_percent"] is None and q["disagree_percent"] is None and q["net_agreement"] is None
    assert public["questions"]["r"]["net_agreement"] == 33.3  # its zeros are not hidden: no cell is small
    assert public["grids"][0]["net_agreement"] == {"r": 33.3, "q": None}
    # only the questions asked for are suppressed
    assert suppress_small(report, questions=["other"])["questions"]["q"]["counts"]["a"] == 3


def test_small_bases_are_hidden_with_the_figures_that_describe_individuals():
    form = definition([question("age", "integer"), question("r", "rank", BLOCKS)])
    report = analyse(form, frame_from_records(form, [{"age": 34, "r": RANKINGS[0]}, {"age": 71, "r": RANKINGS[1]}]))
    public = suppress_small(report)
    assert public["responses"] == "fewer than 5"
    assert public["questions"]["age"]["base"] == "fewer than 5"
    assert public["questions"]["age"]["min"] is None and public["questions"]["age"]["max"] is None
    assert public["questions"]["r"]["mean_position"] == {"a": None, "b": None, "c": None, "d": None}
    assert public["questions"]["r"]["first"]["a"] == "fewer than 5"


def test_rank_tables_and_combined_top3_are_suppressed_together():
    form = definition([question("r", "rank", BLOCKS[:3])])
    orders = [["a", "b", "c"]] * 6 + [["b", "a", "c"]] * 2 + [["c", "a", "b"]] * 6
    report = analyse(form, frame_from_records(form, [{"r": order} for order in orders]),
                     workshops=[{"workshop": "W", "question": "r", "option": "b", "votes": 9}])
    r = suppress_small(report)["questions"]["r"]
    # b was first for 2 people; the partner is the smallest other cell, on a tie the first in choice order
    assert report["questions"]["r"]["first"] == {"a": 6, "b": 2, "c": 6}
    assert r["first"] == {"a": "not shown", "b": "fewer than 5", "c": 6}
    assert r["counts"] == r["first"]
    assert r["percent"] == {"a": "not shown", "b": "fewer than 5", "c": 42.9}
    assert r["last"] == {"a": 0, "b": 6, "c": 8}
    assert r["top3"] == {"a": 14, "b": 14, "c": 14}  # all three in everyone's top three: nothing small
    assert r["workshops"]["W"]["b"] == 9              # votes at a public meeting are not suppressed


def test_groups_are_suppressed_so_that_overall_minus_group_does_not_give_the_hidden_cell():
    report = small_report({"a": 12, "b": 8})
    report["questions"]["q"]["groups"] = {
        "ind": {"type": "select_one", "base": 17, "counts": {"a": 9, "b": 8}, "percent": {"a": 52.9, "b": 47.1}},
        "org": {"type": "select_one", "base": 3, "counts": {"a": 3, "b": 0}, "percent": {"a": 100.0, "b": 0.0}},
    }
    q = suppress_small(report)["questions"]["q"]
    assert q["counts"] == {"a": 12, "b": 8}
    assert q["groups"]["org"]["counts"] == {"a": "fewer than 5", "b": "not shown"}
    assert q["groups"]["org"]["base"] == "fewer than 5"
    # 12 - 9 would give org's 3 back, so ind's cells are hidden as well
    assert q["groups"]["ind"]["counts"] == {"a": "not shown", "b": "not shown"}


def test_group_sizes_follow_the_grouping_question():
    form = definition([question("type", "select_one", TYPES + [{"name": "other", "label": "Other"}]), question("q", "select_one", YES_NO)])
    records = answers_for("type", {"ind": 20, "org": 6, "other": 2})
    for record, answer in zip(records, ["yes"] * 14 + ["no"] * 14):
        record["q"] = answer
    report = analyse(form, frame_from_records(form, records), group_by="type")
    public = suppress_small(report)
    assert public["questions"]["type"]["counts"] == {"ind": 20, "org": "not shown", "other": "fewer than 5"}
    assert public["group_by"]["groups"]["other"]["responses"] == "fewer than 5"
    assert public["group_by"]["groups"]["org"]["responses"] == "not shown"  # its count (6) is hidden as a partner
    assert public["group_by"]["groups"]["ind"]["responses"] == 20


@hypothesis_settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=12), min_size=2, max_size=7),
    st.lists(st.integers(min_value=0, max_value=12), min_size=2, max_size=7),
)
def test_no_table_is_left_with_exactly_one_hidden_cell(row_one, row_two):
    names = [f"c{i}" for i in range(min(len(row_one), len(row_two)))]
    ind = dict(zip(names, row_one))
    org = dict(zip(names, row_two))
    report = small_report({name: ind[name] + org[name] for name in names})
    report["questions"]["q"]["groups"] = {
        "ind": {"type": "select_one", "base": sum(ind.values()), "counts": ind, "percent": {}},
        "org": {"type": "select_one", "base": sum(org.values()), "counts": org, "percent": {}},
    }
    q = suppress_small(report)["questions"]["q"]
    tables = [q["counts"], q["groups"]["ind"]["counts"], q["groups"]["org"]["counts"]]
    originals = [report["questions"]["q"]["counts"], ind, org]
    for table, original in zip(tables, originals):
        hidden = [name for name, value in table.items() if value in ("fewer than 5", "not shown")]
        assert len(hidden) != 1
        for name, value in original.items():
            if 1 <= value <= 4:
                assert table[name] == "fewer than 5"
            elif name not in hidden:
                assert table[name] == value
    for name in names:
        hidden_groups = [table for table in tables[1:] if table[name] in ("fewer than 5", "not shown")]
        assert len(hidden_groups) != 1


# ------------------------------------------------------------------------------------ scale

def _large_definition():
    agree = [question(f"agree{i}", "select_one", AGREE, list_name="agree") for i in range(10)]
    ones = [question(f"one{i}", "select_one", [{"name": f"c{j}", "label": f"C{j}"} for j in range(4)]) for i in range(5)]
    multis = [question(f"multi{i}", "select_multiple", [{"name": f"m{j}", "label": f"M{j}"} for j in range(10)]) for i in range(5)]
    ranks = [question(f"rank{i}", "rank", [{"name": f"b{j}", "label": f"B{j}"} for j in range(8)]) for i in range(2)]
    others = [question("age", "integer"), question("score", "decimal"), question("when", "date")]
    texts = [question(f"text{i}", "text") for i in range(4)]
    who = [question("rtype", "select_multiple", [{"name": f"t{j}", "label": f"T{j}"} for j in range(6)])]
    return definition(who + agree + ones, multis + ranks, others + texts)


def _large_answers(form, size, seed=2017):
    """`size` JSON answer sets, built from pre-rendered fragments, with the expected tallies."""
    rnd = random.Random(seed)
    columns, expected = [], {}
    for _page, item in analysis.iter_questions(form):
        name, kind = item["name"], item["type"]
        names = [choice["name"] for choice in item.get("choices", [])]
        if kind == "select_one":
            pool = names
        elif kind == "select_multiple":
            pool = [[c for c in names if rnd.random() < 0.35] for _ in range(25)]
        elif kind == "rank":
            pool = [rnd.sample(names, len(names)) for _ in range(25)]
        elif kind == "integer":
            pool = list(range(16, 96))
        elif kind == "decimal":
            pool = [round(rnd.uniform(0, 10), 2) for _ in range(30)]
        elif kind == "date":
            pool = [f"2017-{month:02d}-{day:02d}" for month in range(1, 13) for day in (1, 15, 28)]
        else:
            pool = ["", "   ", "Short answer", "Two\nlines", 'Said "more" \u2013 with é', "x" * 150]
        pool = pool + [None]  # not answered
        fragments = [None if value is None else f"{json.dumps(name)}: {json.dumps(value)}" for value in pool]
        picks = rnd.choices(range(len(pool)), k=size)
        columns.append([fragments[pick] for pick in picks])
        expected[name] = (pool, Counter(picks))
    texts = []
    for row, parts in enumerate(zip(*columns)):
        separator = ",\n " if row % 97 == 0 else ", "  # some answer sets spread over lines
        texts.append("{" + separator.join(part for part in parts if part is not None) + "}")
    return texts, expected


def test_hundred_thousand_responses_give_consistent_totals():
    form = _large_definition()
    assert len(analysis.schema(form)) == 30
    size = 100_000
    texts, expected = _large_answers(form, size)
    started = time.perf_counter()
    frame = frame_from_json(form, texts)
    report = analyse(form, frame, group_by="one0")
    elapsed = time.perf_counter() - started
    print(f"frame_from_json + analyse (grouped by one0) for {size:,} responses: {elapsed:.2f}s")

    assert report["responses"] == size
    assert list(report["questions"]) == list(analysis.schema(form))
    for name, (pool, picks) in expected.items():
        q = report["questions"][name]
        # not answered: absent, an empty list of ticks, or a blank text
        answered = {index: times for index, times in picks.items()
                    if pool[index] is not None and pool[index] != [] and not (isinstance(pool[index], str) and not pool[index].strip())}
        assert q["base"] == sum(answered.values()), name
        if q["type"] == "select_one":
            assert q["counts"] == {c: sum(t for i, t in answered.items() if pool[i] == c) for c in q["counts"]}
            assert sum(q["counts"].values()) == q["base"]
        elif q["type"] == "select_multiple":
            assert q["counts"] == {c: sum(t for i, t in answered.items() if c in pool[i]) for c in q["counts"]}
        elif q["type"] == "rank":
            assert q["first"] == {c: sum(t for i, t in answered.items() if pool[i][0] == c) for c in q["first"]}
            assert q["last"] == {c: sum(t for i, t in answered.items() if pool[i][-1] == c) for c in q["last"]}
            assert q["top3"] == {c: sum(t for i, t in answered.items() if c in pool[i][:3]) for c in q["top3"]}
            assert sum(q["bottom3"].values()) == 3 * q["base"]
            positions = {c: sum(t * (pool[i].index(c) + 1) for i, t in answered.items()) for c in q["first"]}
            assert q["mean_position"] == {c: round_half_up(Fraction(positions[c], q["base"]), 2) for c in positions}
        elif q["type"] == "integer":
            total = sum(pool[i] * t for i, t in answered.items())
            assert q["mean"] == round_half_up(Fraction(total, q["base"]), 2)
            assert (q["min"], q["max"]) == (16, 95)
        elif q["type"] == "date":
            assert (q["earliest"], q["latest"]) == ("2017-01-01", "2017-12-28")
        elif q["type"] == "text":
            assert len(q["answers"]) == q["base"]
            assert Counter(q["answers"])["Two\nlines"] == picks[pool.index("Two\nlines")]
    groups = report["group_by"]["groups"]
    for choice, group in groups.items():
        assert group["responses"] == report["questions"]["one0"]["counts"][choice]
        assert report["questions"]["one0"]["groups"][choice]["counts"][choice] == group["responses"]
    # single-choice groups partition those who answered the grouping question
    grouped = sum(group["responses"] for group in groups.values())
    assert grouped == report["questions"]["one0"]["base"]
    for name, q in report["questions"].items():
        assert sum(q["groups"][choice]["base"] for choice in groups) <= q["base"], name
        for table in ("counts", "first", "top3"):
            for option, value in q.get(table, {}).items():
                assert sum(q["groups"][choice][table][option] for choice in groups) <= value, (name, table, option)
    assert [grid["questions"] for grid in report["grids"]] == [
        order_by_net_agreement(report, [f"agree{i}" for i in range(10)])
    ]
    json.dumps(report)  # plain data throughout


def test_decimals_near_the_largest_float_are_reported_not_crashed_on():
    # Their float sum overflows to infinity; the figures are worked out without it.
    form = definition([question("x", "decimal"), question("y", "decimal")])
    records = [{"x": 1.7e308, "y": -1.7e308}, {"x": 1.7e308, "y": -1.7e308}, {"x": 1.5e308, "y": 0.5}]
    questions = analyse(form, frame_from_records(form, records))["questions"]
    x = questions["x"]
    assert (x["base"], x["min"], x["max"]) == (3, 1.5e308, 1.7e308)
    assert x["mean"] == float((Fraction(1.7e308) * 2 + Fraction(1.5e308)) / 3)
    assert x["median"] == 1.7e308
    y = questions["y"]
    assert (y["min"], y["max"], y["median"]) == (-1.7e308, 0.5, -1.7e308)
    assert y["mean"] == float((Fraction(-1.7e308) * 2 + Fraction(0.5)) / 3)
    assert all(math.isfinite(y[figure]) for figure in ("mean", "median", "min", "max"))
    two = analyse(form, frame_from_records(form, [{"x": 1.7e308}, {"x": 1.6e308}]))["questions"]["x"]
    assert two["mean"] == pytest.approx(1.65e308, rel=1e-15) and two["median"] == pytest.approx(1.65e308, rel=1e-15)
