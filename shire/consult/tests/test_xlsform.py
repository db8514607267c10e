"""The XLSForm importer: the definition it builds, and a clear, located problem for each bad form."""
import pytest

from shire.consult.xlsform import XLSFormError, read_xlsform

from .xlsform_helpers import (
    CHOICES_HEADINGS,
    VALID_CHOICES,
    VALID_SETTINGS,
    VALID_SURVEY,
    YES_NO,
    make_xlsform,
    survey_rows,
)


def problems_of(data, filename="form.xlsx"):
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(data, filename)
    return caught.value.problems


def only_problem(data, filename="form.xlsx"):
    problems = problems_of(data, filename)
    assert len(problems) == 1, problems
    return problems[0]


def where(problem):
    return problem["sheet"], problem["row"], problem["column"]


# --- a good form ---------------------------------------------------------------------------------

def test_valid_form_round_trip():
    definition = read_xlsform(make_xlsform(VALID_SURVEY, VALID_CHOICES, VALID_SETTINGS), "parks.xlsx")

    assert definition["form_id"] == "parks_roads"
    assert definition["title"] == "Parks and roads survey"
    assert definition["version"] == "2024-05"
    assert set(definition) == {"form_id", "title", "version", "pages"}
    pages = definition["pages"]
    assert [p["name"] for p in pages] == ["about_you", "page_2", "grid"]
    assert [[q["name"] for q in p["items"]] for p in pages] == [
        ["respondent", "organisation", "staff"],
        ["intro", "colours", "colour_rank", "score", "visited"],
        ["grid_parks", "grid_roads"],
    ]
    about, loose, grid = pages
    assert (about["label"], about["hint"], about["relevant"]) == ("About you", "Tell us who you are", None)
    assert (loose["label"], loose["relevant"]) == (None, None)
    assert grid["label"] == "How much do you agree?"
    assert grid["relevant"] == "${respondent} != ''"

    respondent = about["items"][0]
    assert respondent == {
        "name": "respondent",
        "type": "select_one",
        "label": "Are you responding as…",
        "hint": None,
        "required": True,
        "required_message": None,
        "relevant": None,
        "constraint": None,
        "constraint_message": None,
        "appearance": None,
        "list_name": "respondent",
        "choices": [{"name": "individual", "label": "An individual"}, {"name": "organisation", "label": "An organisation"}],
        "row": 3,
    }
    staff = about["items"][2]
    assert (staff["type"], staff["relevant"], staff["constraint"], staff["constraint_message"], staff["row"]) == (
        "integer", "${respondent} = 'organisation'", ". >= 0", "Enter 0 or more", 5)
    assert (staff["list_name"], staff["choices"], staff["required"]) == (None, None, False)

    items = {q["name"]: q for p in pages for q in p["items"]}
    assert items["intro"]["type"] == "note"
    assert items["colours"]["type"] == "select_multiple"
    assert items["colours"]["constraint"] == "count-selected(.) <= 2"
    assert [c["name"] for c in items["colours"]["choices"]] == ["red", "green", "blue"]
    assert items["colour_rank"]["type"] == "rank"
    assert items["colour_rank"]["choices"] == items["colours"]["choices"]
    assert (items["score"]["type"], items["score"]["required"]) == ("decimal", True)
    assert items["visited"]["type"] == "date"
    assert [(q["appearance"], q["list_name"]) for q in grid["items"]] == [("likert", "agree"), ("likert", "agree")]


def test_defaults_come_from_the_filename():
    survey = survey_rows({"type": "text", "name": "a", "label": "A"})
    definition = read_xlsform(make_xlsform(survey), "/uploads/Library-Opening_hours 2024.xlsx")
    assert definition["title"] == "Library Opening hours 2024"
    assert definition["form_id"] == "library_opening_hours_2024"
    assert definition["version"] is None
    assert [p["name"] for p in definition["pages"]] == ["page_1"]


def test_consecutive_ungrouped_questions_share_a_page_between_groups():
    survey = survey_rows(
        {"type": "text", "name": "a", "label": "A"},
        {"type": "text", "name": "b", "label": "B"},
        {"type": "begin group", "name": "g", "label": "G"},
        {"type": "text", "name": "c", "label": "C"},
        {"type": "end group"},
        {"type": "text", "name": "d", "label": "D"},
    )
    pages = read_xlsform(make_xlsform(survey), "f.xlsx")["pages"]
    assert [(p["name"], [q["name"] for q in p["items"]]) for p in pages] == [
        ("page_1", ["a", "b"]), ("g", ["c"]), ("page_3", ["d"])]


def test_english_label_is_taken_from_several_languages():
    headings = ["type", "name", "label::French (fr)", "label::English (en)", "hint::French (fr)", "hint::English (en)",
                "required", "required_message::English (en)", "constraint", "constraint_message::English (en)"]
    survey = [headings, ["integer", "age", "Âge", "Age", "En années", "In years", "true", "Please give your age", ". > 0", "Must be positive"]]
    choices = [["list_name", "name", "label::French (fr)", "label::English (en)"]]
    definition = read_xlsform(make_xlsform(survey, choices), "f.xlsx")
    age = definition["pages"][0]["items"][0]
    assert (age["label"], age["hint"], age["required"]) == ("Age", "In years", True)
    assert (age["required_message"], age["constraint_message"]) == ("Please give your age", "Must be positive")


@pytest.mark.parametrize("value,expected", [("yes", True), ("true", True), ("TRUE", True), (True, True), ("no", False), (None, False), ("FALSE", False)])
def test_required_spellings(value, expected):
    survey = survey_rows({"type": "text", "name": "a", "label": "A", "required": value})
    assert read_xlsform(make_xlsform(survey), "f.xlsx")["pages"][0]["items"][0]["required"] is expected


def test_nested_group_is_flattened_into_the_outer_page():
    survey = survey_rows(
        {"type": "begin group", "name": "outer", "label": "Outer", "relevant": "${a} = 'yes'"},
        {"type": "select_one yes_no", "name": "b", "label": "B"},
        {"type": "begin group", "name": "inner", "label": "Inner heading", "relevant": "${b} = 'yes'"},
        {"type": "text", "name": "c", "label": "C", "relevant": "${a} != ''"},
        {"type": "text", "name": "d", "label": "D"},
        {"type": "end group"},
        {"type": "end group"},
    )
    survey.insert(1, ["select_one yes_no", "a", "A"] + [None] * 6)
    pages = read_xlsform(make_xlsform(survey, [CHOICES_HEADINGS, *YES_NO]), "f.xlsx")["pages"]
    assert [p["name"] for p in pages] == ["page_1", "outer"]
    outer = pages[1]
    assert outer["relevant"] == "${a} = 'yes'"
    assert [(q["name"], q["type"], q["relevant"]) for q in outer["items"]] == [
        ("b", "select_one", None),
        ("inner", "note", "${b} = 'yes'"),
        ("c", "text", "(${b} = 'yes') and (${a} != '')"),
        ("d", "text", "${b} = 'yes'"),
    ]
    assert outer["items"][1]["label"] == "Inner heading"


# --- bad files -----------------------------------------------------------------------------------

def test_not_an_xlsx_file():
    problem = only_problem(b"name,label\nfoo,bar\n", "answers.csv")
    assert where(problem) == (None, None, None)
    assert "answers.csv is not an Excel workbook (.xlsx)" in problem["message"]


def test_old_xls_file_is_refused_with_its_own_message():
    problem = only_problem(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "old.xls")
    assert "old-style Excel file (.xls)" in problem["message"]


def test_empty_file():
    assert "empty.xlsx is empty" in only_problem(b"", "empty.xlsx")["message"]


def test_missing_survey_sheet():
    problem = only_problem(make_xlsform([["type", "name", "label"]], survey_title="questions"))
    assert where(problem) == ("survey", None, None)
    assert "no sheet called 'survey'" in problem["message"]
    assert "'questions'" in problem["message"]


def test_missing_choices_sheet_when_a_select_needs_one():
    survey = survey_rows(
        {"type": "text", "name": "a", "label": "A"},
        {"type": "select_one yes_no", "name": "b", "label": "B"},
        {"type": "rank yes_no", "name": "c", "label": "C"},
    )
    problem = only_problem(make_xlsform(survey))  # reported once, not once per question
    assert where(problem) == ("choices", None, None)
    assert "There is no choices sheet" in problem["message"]
    assert "survey row 3" in problem["message"]


@pytest.mark.parametrize("column", ["type", "name"])
def test_missing_required_column(column):
    headings = [h for h in ["type", "name", "label"] if h != column]
    row = {"type": "text", "name": "a", "label": "A"}
    problem = only_problem(make_xlsform([headings, [row[h] for h in headings]]))
    assert where(problem) == ("survey", 1, column)
    assert f"The survey sheet has no '{column}' column" in problem["message"]


@pytest.mark.parametrize("kind,explains", [
    ("geopoint", "map locations"),
    ("calculate", "calculated fields"),
    ("begin repeat", "repeats"),
    ("image", "photo or image uploads"),
    ("start", "metadata"),
])
def test_unsupported_types(kind, explains):
    survey = survey_rows({"type": "text", "name": "a", "label": "A"}, {"type": kind, "name": "b", "label": "B"})
    if kind == "begin repeat":
        survey.append(["end repeat"])
    problems = problems_of(make_xlsform(survey))
    assert where(problems[0]) == ("survey", 3, "type")
    assert f"Shire does not support the question type '{kind}'" in problems[0]["message"]
    assert explains in problems[0]["message"]


def test_unknown_type():
    survey = survey_rows({"type": "txt", "name": "a", "label": "A"})
    problem = only_problem(make_xlsform(survey))
    assert where(problem) == ("survey", 2, "type")
    assert "Shire does not support the question type 'txt'" in problem["message"]
    assert "check its spelling" in problem["message"]


def test_or_other_adds_an_other_choice_and_a_specify_question_as_pyxform_does():
    survey = survey_rows({"type": "select_multiple yes_no or_other", "name": "a", "label": "A",
                          "relevant": "${b} = 'yes'"},
                         {"type": "select_one yes_no or specify other", "name": "b", "label": "B"})
    items = read_xlsform(make_xlsform(survey, [CHOICES_HEADINGS, *YES_NO]), "f.xlsx")["pages"][0]["items"]
    assert [(i["name"], i["type"]) for i in items] == [("a", "select_multiple"), ("a_other", "text"),
                                                      ("b", "select_one"), ("b_other", "text")]
    assert [c["name"] for c in items[0]["choices"]] == ["yes", "no", "other"]
    assert items[1]["relevant"] == "(${b} = 'yes') and (selected(${a}, 'other'))"
    assert items[1]["row"] == 2
    assert items[3]["relevant"] == "selected(${b}, 'other')"


def test_or_other_is_refused_on_a_ranking_and_where_its_question_name_is_taken():
    survey = survey_rows({"type": "rank yes_no or_other", "name": "a", "label": "A"},
                         {"type": "select_one yes_no or_other", "name": "b", "label": "B"},
                         {"type": "text", "name": "b_other", "label": "Other"})
    problems = problems_of(make_xlsform(survey, [CHOICES_HEADINGS, *YES_NO]))
    assert [(p["row"], p["column"]) for p in problems] == [(2, "type"), (4, "name")]
    assert "or_other goes only with select_one and select_multiple" in problems[0]["message"]
    assert "The name 'b_other' is already used on row 3" in problems[1]["message"]


def test_select_without_a_list_name():
    problem = only_problem(make_xlsform(survey_rows({"type": "select_multiple", "name": "a", "label": "A"}), [CHOICES_HEADINGS, *YES_NO]))
    assert where(problem) == ("survey", 2, "type")
    assert "needs the name of its choice list" in problem["message"]


def test_missing_name():
    survey = survey_rows({"type": "text", "name": "a", "label": "A"}, {"type": "integer", "label": "How many?"})
    problem = only_problem(make_xlsform(survey))
    assert where(problem) == ("survey", 3, "name")
    assert "This question has no name" in problem["message"]


@pytest.mark.parametrize("name", ["2nd_question", "my question", "what?"])
def test_invalid_name(name):
    problem = only_problem(make_xlsform(survey_rows({"type": "text", "name": name, "label": "A"})))
    assert where(problem) == ("survey", 2, "name")
    assert f"The name '{name}' is not valid" in problem["message"]


def test_duplicate_name_even_in_different_groups():
    survey = survey_rows(
        {"type": "begin group", "name": "one", "label": "One"},
        {"type": "text", "name": "comments", "label": "A"},
        {"type": "end group"},
        {"type": "begin group", "name": "two", "label": "Two"},
        {"type": "text", "name": "comments", "label": "B"},
        {"type": "end group"},
    )
    problem = only_problem(make_xlsform(survey))
    assert where(problem) == ("survey", 6, "name")
    assert "The name 'comments' is already used on row 3" in problem["message"]


def test_choice_list_that_does_not_exist():
    survey = survey_rows({"type": "select_one yesno", "name": "a", "label": "A"})
    problem = only_problem(make_xlsform(survey, [CHOICES_HEADINGS, *YES_NO]))
    assert where(problem) == ("survey", 2, "type")
    assert "The choice list 'yesno' is not on the choices sheet" in problem["message"]


def test_duplicate_choice_name_within_a_list():
    survey = survey_rows({"type": "select_one yes_no", "name": "a", "label": "A"})
    choices = [CHOICES_HEADINGS, *YES_NO, ["yes_no", "yes", "Yes please"], ["other_list", "yes", "Fine in another list"]]
    problem = only_problem(make_xlsform(survey, choices))
    assert where(problem) == ("choices", 4, "name")
    assert "The choice name 'yes' is used twice in the list 'yes_no' (also on row 2)" in problem["message"]


def test_choice_without_label_and_with_a_space_in_its_name():
    survey = survey_rows({"type": "select_multiple places", "name": "a", "label": "A"})
    problems = problems_of(make_xlsform(survey, [CHOICES_HEADINGS, ["places", "town hall", "Town hall"], ["places", "park", None]]))
    assert [where(p) for p in problems] == [("choices", 2, "name"), ("choices", 3, "label")]
    assert "contains a space" in problems[0]["message"]
    assert "The choice 'park' in the list 'places' has no label" in problems[1]["message"]


def test_missing_choices_columns():
    survey = survey_rows({"type": "select_one yes_no", "name": "a", "label": "A"})
    problems = problems_of(make_xlsform(survey, [["list_name", "value", "label"], ["yes_no", "yes", "Yes"]]))
    assert ("choices", 1, "name") in [where(p) for p in problems]


def test_group_never_closed():
    survey = survey_rows({"type": "begin group", "name": "g", "label": "G"}, {"type": "text", "name": "a", "label": "A"})
    problem = only_problem(make_xlsform(survey))
    assert where(problem) == ("survey", 2, "type")
    assert "The group 'g' begun on this row is never closed" in problem["message"]


def test_end_group_without_begin():
    survey = survey_rows({"type": "text", "name": "a", "label": "A"}, {"type": "end group"})
    problem = only_problem(make_xlsform(survey))
    assert where(problem) == ("survey", 3, "type")
    assert "'end group' has no matching 'begin group'" in problem["message"]


def test_empty_group():
    survey = survey_rows({"type": "begin group", "name": "g", "label": "G"}, {"type": "end group"}, {"type": "text", "name": "a", "label": "A"})
    problem = only_problem(make_xlsform(survey))
    assert where(problem) == ("survey", 2, "type")
    assert "The group 'g' has no questions" in problem["message"]


def test_broken_relevant_expression():
    survey = survey_rows({"type": "text", "name": "a", "label": "A"}, {"type": "text", "name": "b", "label": "B", "relevant": "${a} = = 'x'"})
    problem = only_problem(make_xlsform(survey))
    assert where(problem) == ("survey", 3, "relevant")
    assert "The relevant expression \"${a} = = 'x'\" is not valid" in problem["message"]


def test_unsupported_function_in_constraint():
    survey = survey_rows({"type": "text", "name": "a", "label": "A", "constraint": "jr:choice-name(., 'x')"})
    problem = only_problem(make_xlsform(survey))
    assert where(problem) == ("survey", 2, "constraint")
    assert "The constraint expression" in problem["message"] and "is not valid" in problem["message"]


def test_unknown_function():
    survey = survey_rows({"type": "integer", "name": "a", "label": "A", "constraint": "pow(., 2) < 100"})
    problem = only_problem(make_xlsform(survey))
    assert where(problem) == ("survey", 2, "constraint")
    assert "the function pow() is not supported" in problem["message"]


def test_reference_to_a_question_that_does_not_exist():
    survey = survey_rows(
        {"type": "begin group", "name": "g", "label": "G", "relevant": "${respondant} = 'x'"},
        {"type": "text", "name": "a", "label": "A"},
        {"type": "end group"},
    )
    problems = problems_of(make_xlsform(survey))
    assert where(problems[0]) == ("survey", 2, "relevant")
    assert "refers to ${respondant}, but there is no question named 'respondant'" in problems[0]["message"]


def test_missing_label():
    survey = survey_rows({"type": "text", "name": "a", "label": None})
    problem = only_problem(make_xlsform(survey))
    assert where(problem) == ("survey", 2, "label")
    assert "The question 'a' has no label" in problem["message"]


def test_required_may_be_a_condition_on_other_answers():
    survey = survey_rows({"type": "select_one yes_no", "name": "b", "label": "B"},
                         {"type": "text", "name": "a", "label": "A", "required": "${b} = 'yes'"})
    items = read_xlsform(make_xlsform(survey, [CHOICES_HEADINGS, *YES_NO]), "f.xlsx")["pages"][0]["items"]
    assert items[1]["required"] == "${b} = 'yes'"


@pytest.mark.parametrize("required, message", [
    ("maybe", "The required expression 'maybe' is not valid"),
    ("${c} = 'yes'", "The required expression refers to ${c}, but there is no question named 'c' in the form."),
])
def test_required_must_be_yes_no_or_a_valid_condition(required, message):
    survey = survey_rows({"type": "text", "name": "a", "label": "A", "required": required})
    problem = only_problem(make_xlsform(survey))
    assert where(problem) == ("survey", 2, "required")
    assert message in problem["message"]


def test_column_shire_would_ignore_is_refused():
    survey = [["type", "name", "label", "choice_filter"], ["select_one yes_no", "a", "A", "name != 'no'"]]
    problem = only_problem(make_xlsform(survey, [CHOICES_HEADINGS, *YES_NO]))
    assert where(problem) == ("survey", 2, "choice_filter")
    assert "Shire does not support the 'choice_filter' column" in problem["message"]


def test_problem_only_pyxform_finds_is_reported_with_its_row():
    # A ${reference} inside a label: our pass does not read labels, pyxform does.
    survey = survey_rows({"type": "text", "name": "a", "label": "A"}, {"type": "note", "name": "n", "label": "You said ${nobody}"})
    problem = only_problem(make_xlsform(survey))
    assert where(problem) == ("survey", 3, "label")
    assert problem["message"].startswith("pyxform (the XLSForm reference reader) rejects the form:")
    assert "Could not find the name 'nobody'" in problem["message"]


def test_every_problem_is_listed_at_once_in_sheet_and_row_order():
    survey = survey_rows(
        {"type": "geopoint", "name": "where", "label": "Where?"},
        {"type": "text", "name": "a", "label": "A", "relevant": "${zzz} = 1"},
        {"type": "text", "name": "a", "label": "Again"},
        {"type": "select_one nope", "name": "b", "label": "B"},
    )
    choices = [CHOICES_HEADINGS, *YES_NO, ["yes_no", "no", "No again"]]
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(make_xlsform(survey, choices), "f.xlsx")
    problems = caught.value.problems
    assert [where(p) for p in problems] == [
        ("survey", 2, "type"), ("survey", 3, "relevant"), ("survey", 4, "name"), ("survey", 5, "type"), ("choices", 4, "name")]
    lines = str(caught.value).splitlines()
    assert len(lines) == 5
    assert lines[0].startswith("survey sheet, row 2, column type: Shire does not support the question type 'geopoint'")
    assert lines[4].startswith("choices sheet, row 4, column name: The choice name 'no' is used twice")


def test_settings_too_long_for_the_model():
    problem = only_problem(make_xlsform(survey_rows({"type": "text", "name": "a", "label": "A"}), None, [["form_id"], ["x" * 121]]))
    assert where(problem) == ("settings", 2, "form_id")


def test_older_heading_and_type_spellings_pyxform_accepts():
    survey = [["type", "name", "label:English", "relevance"],
              ["select one from yes_no", "a", "A", None],
              ["select all that apply from yes_no", "b", "B", "${a} = 'yes'"]]
    choices = [["list name", "name", "label:English"], *YES_NO]
    items = read_xlsform(make_xlsform(survey, choices), "f.xlsx")["pages"][0]["items"]
    assert [(q["type"], q["label"], q["relevant"]) for q in items] == [
        ("select_one", "A", None), ("select_multiple", "B", "${a} = 'yes'")]
    assert items[0]["choices"] == [{"name": "yes", "label": "Yes"}, {"name": "no", "label": "No"}]


def test_form_without_questions():
    problem = only_problem(make_xlsform([["type", "name", "label"]]))
    assert where(problem) == ("survey", None, None)
    assert problem["message"] == "The survey sheet has no questions."


def test_repeat_rows_are_refused_without_asking_end_repeat_for_a_name():
    survey = survey_rows({"type": "begin repeat", "name": "children", "label": "Each child"},
                         {"type": "text", "name": "child", "label": "Name"}, {"type": "end repeat"})
    problems = problems_of(make_xlsform(survey))
    assert [where(p) for p in problems] == [("survey", 2, "type"), ("survey", 4, "type")]
    assert all("Shire does not support the question type" in p["message"] for p in problems)


def test_odk_grids_table_list_and_label_header_rows_become_grid_rows():
    agree = [["agree", "agree", "Agree"], ["agree", "disagree", "Disagree"]]
    survey = survey_rows(
        {"type": "begin group", "name": "grid", "label": "Grid", "appearance": "field-list"},
        {"type": "select_one agree", "name": "header", "label": "", "appearance": "label"},
        {"type": "select_one agree", "name": "parks", "label": "Parks", "appearance": "list-nolabel"},
        {"type": "end group"},
        {"type": "begin group", "name": "table", "label": "Table", "appearance": "table-list"},
        {"type": "select_one agree", "name": "roads", "label": "Roads"},
        {"type": "select_multiple agree", "name": "many", "label": "Many"},
        {"type": "end group"},
        {"type": "select_one agree", "name": "heading", "label": "How much do you agree?", "appearance": "label"},
    )
    pages = read_xlsform(make_xlsform(survey, [CHOICES_HEADINGS, *agree]), "f.xlsx")["pages"]
    items = [(i["name"], i["type"], i["appearance"]) for page in pages for i in page["items"]]
    assert items == [("parks", "select_one", "list-nolabel"), ("roads", "select_one", "list-nolabel"),
                     ("many", "select_multiple", None), ("heading", "note", None)]


def test_a_missing_translation_falls_back_to_another_language():
    survey = [["type", "name", "label::English (en)", "label::Welsh (cy)", "hint::English (en)", "hint::Welsh (cy)"],
              ["select_one yes_no", "a", "", "Ydych chi?", "", "Dewiswch un"],
              ["text", "b", "Why?", "", "", ""]]
    choices = [["list_name", "name", "label::English (en)", "label::Welsh (cy)"], ["yes_no", "yes", "Yes", "Ydw"],
               ["yes_no", "no", "", "Nac ydw"]]
    items = read_xlsform(make_xlsform(survey, choices), "f.xlsx")["pages"][0]["items"]
    assert [(i["label"], i["hint"]) for i in items] == [("Ydych chi?", "Dewiswch un"), ("Why?", None)]
    assert [c["label"] for c in items[0]["choices"]] == ["Yes", "Nac ydw"]
