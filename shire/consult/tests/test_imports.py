"""Importing responses and workshop results: good files import exactly, bad files import nothing
and say where each problem is (file, row, column)."""
from datetime import date, datetime

import pytest
from django.core.management import CommandError, call_command

from shire.consult import imports
from shire.consult.imports import ImportProblems, column_letter, import_responses, import_workshops
from shire.consult.models import Response, Workshop, WorkshopVote
from shire.consult.services import ConsultationError

from .import_helpers import (
    GOOD_ANSWERS,
    HEADER,
    definition,
    good_rows,
    make_consultation,
    one_row,
    page,
    question,
    write_csv,
    write_raw_xlsx,
    write_xlsx,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation():
    return make_consultation()


def stored(consultation):
    return {r.response_id: r.answers for r in Response.objects.filter(consultation=consultation)}


SEVERAL = (" Several choices are their names separated by spaces, or their names or labels separated by ';' "
           "or ','; or each option has a column of its own, headed question/option.")


def refused(consultation, path):
    """Import a bad file: it must raise ImportProblems and import nothing. Returns the problems."""
    before = Response.objects.count()
    with pytest.raises(ImportProblems) as caught:
        import_responses(consultation, path)
    assert Response.objects.count() == before
    assert isinstance(caught.value, ConsultationError)
    assert str(caught.value).startswith(f"{path}: nothing was imported")
    return caught.value.problems


# --- good files -------------------------------------------------------------------------------

def test_good_csv_imports_exactly_the_answers(consultation, tmp_path):
    path = write_csv(tmp_path, good_rows(), bom=True)
    assert import_responses(consultation, path) == 3
    assert stored(consultation) == GOOD_ANSWERS
    assert set(Response.objects.values_list("channel", flat=True)) == {Response.Channel.IMPORTED}


def test_good_xlsx_imports_exactly_the_answers(consultation, tmp_path):
    rows = good_rows()
    # As a spreadsheet holds them: numbers as numbers, the date as a date, an id typed as a number.
    rows[2][3], rows[2][4], rows[2][8], rows[2][9] = 12, 40.0, 2500.5, datetime(2016, 4, 1)
    rows[3][0] = 3
    rows[3] = [cell if cell != "" else None for cell in rows[3]]
    path = write_xlsx(tmp_path, rows)
    assert import_responses(consultation, path) == 3
    expected = dict(GOOD_ANSWERS)
    expected["3"] = expected.pop("R-003")
    assert stored(consultation) == expected


def test_columns_in_any_order_and_any_subset(consultation, tmp_path):
    rows = [
        ["response_id", "methods", "principle", "respondent_type"],
        ["A1", "social post", "disagree", "organisation"],
        ["A2", "", "agree", "individual"],
        ["", "", "", ""],  # blank rows, as spreadsheets leave them, are skipped
    ]
    assert import_responses(consultation, write_csv(tmp_path, rows)) == 2
    assert stored(consultation) == {
        # staff is required on the organisation page, but the file has no staff column at all
        "A1": {"methods": ["post", "social"], "principle": "disagree", "respondent_type": "organisation"},
        "A2": {"principle": "agree", "respondent_type": "individual"},
    }


def test_select_multiple_is_stored_in_choice_list_order_and_rank_in_given_order(consultation, tmp_path):
    path = write_csv(tmp_path, one_row(methods="social  website", order="engage funding communicate local"))
    import_responses(consultation, path)
    answers = stored(consultation)["R-001"]
    assert answers["methods"] == ["website", "social"]
    assert answers["order"] == ["engage", "funding", "communicate", "local"]


def test_header_only_is_refused(consultation, tmp_path):
    """A file with no rows is most likely the wrong file (or an export taken too early): say so."""
    path = write_csv(tmp_path, [HEADER, [""] * len(HEADER)])
    assert refused(consultation, path) == [
        f"{path}, row 2: there are no responses under the header: each response is a row below row 1."]


def test_the_import_is_audited_without_personal_data(consultation, tmp_path):
    from shire.core.models import AuditEvent

    import_responses(consultation, write_csv(tmp_path, good_rows()))
    event = AuditEvent.objects.get(action="responses.imported")
    assert event.detail == {"file": "responses.csv", "count": 3}


# --- the header -------------------------------------------------------------------------------

def test_missing_response_id_column(consultation, tmp_path):
    rows = [[column for column in HEADER if column != "response_id"], ["individual", "", "", "", "agree", "", "", "", "", ""]]
    path = write_csv(tmp_path, rows)
    problems = refused(consultation, path)
    assert f"{path}, row 1: no column is headed response_id; every response needs its own id in a column of that name." in problems


def test_columns_in_any_order_and_headings_and_choices_in_any_case(consultation, tmp_path):
    """Other people's files: response_id not first, headings and choice names in other cases, stray spaces."""
    rows = [["Principle", "ORDER", "Response_ID", "Ways_To_Help", "respondent_type"],
            [" Agree ", "LOCAL  Funding\tengage communicate", "R-1", "Volunteer ADVICE", "individual "]]
    path = write_csv(tmp_path, rows)
    assert import_responses(consultation, path) == 1
    assert stored(consultation) == {"R-1": {
        "principle": "agree", "order": ["local", "funding", "engage", "communicate"],
        "ways_to_help": ["advice", "volunteer"], "respondent_type": "individual"}}


def test_headings_differing_only_in_case_are_the_same_column(consultation, tmp_path):
    rows = [["response_id", "principle", "PRINCIPLE"], ["R-1", "agree", "agree"]]
    path = write_csv(tmp_path, rows)
    assert refused(consultation, path) == [
        f"{path}, row 1, column C (PRINCIPLE): the column principle appears twice (first in column B)."
    ]


def test_choices_differing_only_in_case_must_be_written_exactly(tmp_path):
    consultation = make_consultation(definition(page("p", question("size", "select_one", choice_names=["S", "s"]))))
    path = write_csv(tmp_path, [["response_id", "size"], ["R-1", "S"], ["R-2", "s"], ["R-3", " S "]])
    assert import_responses(consultation, path) == 3
    assert [stored(consultation)[r]["size"] for r in ("R-1", "R-2", "R-3")] == ["S", "s", "S"]
    bad = write_csv(tmp_path, [["response_id", "size"], ["R-4", "S"], ["R-5", "x"]], name="bad.csv")
    assert refused(consultation, bad) == [
        f"{bad}, row 3, column B (size): 'x' is not a choice of this question (its choices are: S, s)."
    ]


def test_duplicate_column(consultation, tmp_path):
    rows = [["response_id", "principle", "respondent_type", "principle"], ["R-1", "agree", "individual", "agree"]]
    path = write_csv(tmp_path, rows)
    assert refused(consultation, path) == [
        f"{path}, row 1, column D (principle): the column principle appears twice (first in column B)."
    ]


def test_duplicate_response_id_header(consultation, tmp_path):
    rows = [["response_id", "respondent_type", "principle", "response_id"], ["R-1", "individual", "agree", "R-1"]]
    path = write_csv(tmp_path, rows)
    assert f"{path}, row 1, column D (response_id): the column response_id appears twice (first in column A)." in refused(consultation, path)


def test_unknown_column_is_named_with_a_suggestion(consultation, tmp_path):
    rows = [["response_id", "respondent_type", "principal", "colour"], ["R-1", "individual", "agree", "blue"]]
    path = write_csv(tmp_path, rows)
    problems = refused(consultation, path)
    assert f"{path}, row 1, column C (principal): principal is not a question of this questionnaire (did you mean principle?)." in problems
    assert f"{path}, row 1, column D (colour): colour is not a question of this questionnaire." in problems


def test_note_column_is_refused(consultation, tmp_path):
    rows = [["response_id", "respondent_type", "principle", "intro"], ["R-1", "individual", "agree", "hello"]]
    path = write_csv(tmp_path, rows)
    assert refused(consultation, path) == [
        f"{path}, row 1, column D (intro): intro is a note in the questionnaire, which has no answers to import."
    ]


def test_value_in_a_column_without_a_name(consultation, tmp_path):
    rows = [["response_id", "respondent_type", "principle", ""], ["R-1", "individual", "agree", "stray"],
            ["R-2", "individual", "agree", "", "extra"]]
    path = write_csv(tmp_path, rows)
    assert refused(consultation, path) == [
        f"{path}, row 2, column D: this cell has a value but its column has no name in row 1.",
        f"{path}, row 3, column E: this cell has a value beyond the last named column.",
    ]


def test_semicolon_separated_file_is_named_as_such(consultation, tmp_path):
    path = tmp_path / "responses.csv"
    path.write_text("response_id;respondent_type;principle\nR-1;individual;agree\n", encoding="utf-8")
    assert refused(consultation, path)[0] == (
        f"{path}, row 1, column A: the columns are separated by ';', not commas: save the file as \"CSV UTF-8 (comma delimited)\"."
    )


def test_empty_file(consultation, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert refused(consultation, path) == [
        f"{path}, row 1: the file is empty: the first row must be the header, starting with response_id."
    ]


# --- cells ------------------------------------------------------------------------------------

def test_unknown_choice_for_select_one(consultation, tmp_path):
    path = write_csv(tmp_path, one_row(principle="agreee"))
    problems = refused(consultation, path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}, row 2, column F (principle): 'agreee' is not a choice of this question (its choices are: strongly_agree, agree,")


def test_unknown_choice_for_select_multiple(consultation, tmp_path):
    path = write_csv(tmp_path, one_row(methods="email fax"))
    assert refused(consultation, path) == [
        f"{path}, row 2, column H (methods): 'fax' is not a choice of this question (its choices are: website, email, newsletter, post, social)."
        f"{SEVERAL}"
    ]


def test_select_multiple_with_a_repeated_choice(consultation, tmp_path):
    path = write_csv(tmp_path, one_row(methods="email email"))
    assert refused(consultation, path) == [f"{path}, row 2, column H (methods): email is chosen more than once."]


def test_select_one_with_several_values(consultation, tmp_path):
    path = write_csv(tmp_path, one_row(principle="agree disagree"))
    problems = refused(consultation, path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}, row 2, column F (principle): 'agree disagree' gives 2 answers, but this question takes one choice")


def test_rank_with_a_repeated_option(consultation, tmp_path):
    path = write_csv(tmp_path, one_row(order="local local engage communicate funding"))
    assert refused(consultation, path) == [
        f"{path}, row 2, column G (order): a ranking must put each of the 4 options once, most preferred first: local is ranked more than once."
    ]


def test_rank_with_a_missing_option(consultation, tmp_path):
    path = write_csv(tmp_path, one_row(order="local engage"))
    assert refused(consultation, path) == [
        f"{path}, row 2, column G (order): a ranking must put each of the 4 options once, most preferred first: communicate, funding are missing."
    ]


def test_rank_with_an_unknown_option(consultation, tmp_path):
    path = write_csv(tmp_path, one_row(order="local engage communicate roads"))
    problems = refused(consultation, path)
    assert problems == [f"{path}, row 2, column G (order): 'roads' is not a choice of this question (its choices are: local, engage, communicate, funding).{SEVERAL}"]


def test_more_choices_than_the_constraint_allows(consultation, tmp_path):
    path = write_csv(tmp_path, one_row(methods="website email newsletter social"))
    assert refused(consultation, path) == [
        f"{path}, row 2, column H (methods): 4 choices given (website email newsletter social), which the question does not allow: Choose up to three."
    ]


def test_constraint_on_a_number(consultation, tmp_path):
    rows = one_row(respondent_type="organisation", ways_to_help="", staff="-3", volunteers="")
    path = write_csv(tmp_path, rows)
    assert refused(consultation, path) == [
        f"{path}, row 2, column D (staff): -3 is not allowed by the question: Give a number of staff from 0 to 100,000."
    ]


def test_constraint_that_refers_to_another_answer(consultation, tmp_path):
    rows = one_row(respondent_type="organisation", ways_to_help="", staff="2", volunteers="21")
    path = write_csv(tmp_path, rows)
    assert refused(consultation, path) == [
        f"{path}, row 2, column E (volunteers): 21 is not allowed by the question: Volunteers can be at most ten times the staff."
    ]


def test_constraint_without_a_message_quotes_the_rule(tmp_path):
    form = definition(page("p", question("age", "integer", constraint=". >= 16")))
    consultation = make_consultation(form, slug="ages")
    path = write_csv(tmp_path, [["response_id", "age"], ["A", "15"], ["B", "16"]])
    assert refused(consultation, path) == [
        f"{path}, row 2, column B (age): 15 is not allowed by the question: the answer must meet the rule . >= 16."
    ]


@pytest.mark.parametrize("column, letter, text, message", [
    ("staff", "D", "12.5", "'12.5' is not a whole number."),
    ("staff", "D", "twelve", "'twelve' is not a whole number."),
    ("budget", "I", "£2,500", "'£2,500' is not a number."),
    ("budget", "I", "1e999", "'1e999' is too large: an answer must be between -1,000,000,000,000 and 1,000,000,000,000."),
    ("budget", "I", "-1e13", "'-1e13' is too large: an answer must be between -1,000,000,000,000 and 1,000,000,000,000."),
    ("staff", "D", "99999999999999999999999",
     "'99999999999999999999999' is too large: an answer must be between -1,000,000,000,000 and 1,000,000,000,000."),
    ("started", "J", "01/04/2016", "'01/04/2016' is not a date written as YYYY-MM-DD (for example 2017-03-31)."),
    ("started", "J", "2016-02-30", "'2016-02-30' is not a date written as YYYY-MM-DD (for example 2017-03-31)."),
])
def test_value_of_the_wrong_type(consultation, tmp_path, column, letter, text, message):
    cells = {"respondent_type": "organisation", "ways_to_help": "", "staff": "12", "volunteers": "", column: text}
    path = write_csv(tmp_path, one_row(**cells))
    assert refused(consultation, path) == [f"{path}, row 2, column {letter} ({column}): {message}"]


# --- response ids -----------------------------------------------------------------------------

@pytest.mark.parametrize("response_id", [".", "..", "../x", "a/./b", "a/.."])
def test_a_response_id_a_browser_would_read_as_a_folder_is_refused(consultation, tmp_path, response_id):
    path = write_csv(tmp_path, [["response_id", "respondent_type"], [response_id, "individual"]])
    assert refused(consultation, path) == [
        f"{path}, row 2, column A (response_id): the response_id {response_id!r} cannot be used: '.' or '..' between "
        "slashes would lead its web address elsewhere; change it."]


def test_response_ids_with_slashes_dots_and_other_characters_are_kept(consultation, tmp_path):
    ids = ["R/1", "R 1", "<b>R</b>", "R?x=1", "%41", "R#1", "é", "v1.2", "...", "a..b/c"]
    path = write_csv(tmp_path, [["response_id", "respondent_type"], *[[i, "individual"] for i in ids]])
    assert import_responses(consultation, path) == len(ids)
    assert sorted(stored(consultation)) == sorted(ids)


def test_response_id_repeated_in_the_file(consultation, tmp_path):
    rows = good_rows()
    rows[3][0] = "R-001"
    path = write_csv(tmp_path, rows)
    assert refused(consultation, path) == [
        f"{path}, row 4, column A (response_id): the response_id 'R-001' is repeated (it is first used in row 2)."
    ]


def test_response_id_empty(consultation, tmp_path):
    rows = good_rows()
    rows[2][0] = "  "
    path = write_csv(tmp_path, rows)
    assert refused(consultation, path) == [f"{path}, row 3, column A (response_id): the response_id is empty; every response needs its own."]


def test_response_id_too_long(consultation, tmp_path):
    path = write_csv(tmp_path, one_row(response_id="X" * 65))
    assert refused(consultation, path) == [f"{path}, row 2, column A (response_id): the response_id is 65 characters long; the most is 64."]


def test_reimporting_the_same_response_ids_is_refused(consultation, tmp_path):
    path = write_csv(tmp_path, good_rows())
    import_responses(consultation, path)
    assert Response.objects.count() == 3
    problems = refused(consultation, path)
    assert problems == [
        f"{path}, row {row}, column A (response_id): the response_id '{rid}' is already in test-consultation: it was imported "
        "before, or is the reference of an online response; a response can be imported only once."
        for row, rid in ((2, "R-001"), (3, "R-002"), (4, "R-003"))
    ]
    assert stored(consultation) == GOOD_ANSWERS


def test_the_same_response_ids_may_be_imported_into_another_consultation(consultation, tmp_path):
    other = make_consultation(slug="other")
    path = write_csv(tmp_path, good_rows())
    assert import_responses(consultation, path) == 3
    assert import_responses(other, path) == 3
    assert stored(other) == GOOD_ANSWERS


# --- routing ----------------------------------------------------------------------------------

def test_required_question_left_empty_where_routing_asks_it(consultation, tmp_path):
    rows = one_row(respondent_type="organisation", ways_to_help="", staff="", volunteers="")
    path = write_csv(tmp_path, rows)
    assert refused(consultation, path) == [
        f"{path}, row 2, column D (staff): this question is required for this respondent (routing asks it), but the cell is empty."
    ]


def test_required_question_empty_where_routing_skips_it_is_fine(consultation, tmp_path):
    path = write_csv(tmp_path, one_row(respondent_type="individual", staff="", volunteers=""))
    assert import_responses(consultation, path) == 1


def test_required_question_without_routing_left_empty(consultation, tmp_path):
    path = write_csv(tmp_path, one_row(principle=""))
    assert refused(consultation, path) == [
        f"{path}, row 2, column F (principle): this question is required for this respondent (routing asks it), but the cell is empty."
    ]


def test_answer_on_a_page_routing_skips(consultation, tmp_path):
    path = write_csv(tmp_path, one_row(respondent_type="individual", staff="4"))
    assert refused(consultation, path) == [
        f"{path}, row 2, column D (staff): answered, but routing skips this question for this respondent (check the answers it depends on)."
    ]


def test_answer_to_a_question_routing_skips(consultation, tmp_path):
    rows = one_row(respondent_type="organisation", ways_to_help="donate", staff="3", volunteers="")
    path = write_csv(tmp_path, rows)
    assert refused(consultation, path) == [
        f"{path}, row 2, column C (ways_to_help): answered, but routing skips this question for this respondent (check the answers it depends on)."
    ]


def test_routing_uses_answers_left_after_earlier_routing(tmp_path):
    # `b` is only asked if `a` is yes; `c` is asked if `b` is yes. With a = no, b's answer does not
    # count, so c is skipped too: both answers are reported.
    yes_no = ["yes", "no"]
    form = definition(page(
        "p",
        question("a", "select_one", choice_names=yes_no, required=True),
        question("b", "select_one", choice_names=yes_no, relevant="${a} = 'yes'"),
        question("c", "text", relevant="${b} = 'yes'"),
    ))
    consultation = make_consultation(form, slug="chain")
    path = write_csv(tmp_path, [["response_id", "a", "b", "c"], ["1", "no", "yes", "why"], ["2", "yes", "yes", "because"]])
    problems = refused(consultation, path)
    assert [p.split(": ")[0] for p in problems] == [f"{path}, row 2, column C (b)", f"{path}, row 2, column D (c)"]


def test_routing_on_a_wrong_answer_is_not_reported_twice(consultation, tmp_path):
    # The unknown respondent type is the one mistake: staff's routing depends on it, so staff is not judged.
    path = write_csv(tmp_path, one_row(respondent_type="company", ways_to_help="", staff="4"))
    problems = refused(consultation, path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}, row 2, column B (respondent_type): 'company' is not a choice")


def test_routing_on_a_question_the_file_leaves_out_is_not_judged(consultation, tmp_path):
    rows = [["response_id", "staff", "ways_to_help", "principle"], ["1", "4", "donate", "agree"], ["2", "", "", "agree"]]
    assert import_responses(consultation, write_csv(tmp_path, rows)) == 2
    assert stored(consultation)["1"] == {"staff": 4, "ways_to_help": ["donate"], "principle": "agree"}


def test_required_given_as_an_expression(tmp_path):
    form = definition(page(
        "p",
        question("volunteers", "integer"),
        question("roles", "text", required="${volunteers} > 0"),
    ))
    consultation = make_consultation(form, slug="required-expression")
    path = write_csv(tmp_path, [["response_id", "volunteers", "roles"], ["1", "0", ""], ["2", "5", ""], ["3", "5", "drivers"]])
    assert refused(consultation, path) == [
        f"{path}, row 3, column C (roles): this question is required for this respondent (routing asks it), but the cell is empty."
    ]


# --- reporting every problem ------------------------------------------------------------------

def test_every_problem_is_listed_in_row_order(consultation, tmp_path):
    rows = good_rows()
    rows[1][5] = "maybe"        # row 2, F
    rows[2][6] = "local"        # row 3, G
    rows[3][7] = "fax"          # row 4, H
    rows.append(["R-001", "individual", "", "", "", "agree", "", "", "", "", ""])  # row 5, A
    path = write_csv(tmp_path, rows)
    problems = refused(consultation, path)
    assert [p.split(":")[0] for p in problems] == [
        f"{path}, row 2, column F (principle)",
        f"{path}, row 3, column G (order)",
        f"{path}, row 4, column H (methods)",
        f"{path}, row 5, column A (response_id)",
    ]


def test_a_huge_number_of_problems_is_capped(consultation, tmp_path):
    rows = [HEADER] + [[f"R{n}", "individual", "", "", "", "perhaps", "", "", "", "", ""] for n in range(250)]
    path = write_csv(tmp_path, rows)
    with pytest.raises(ImportProblems) as caught:
        import_responses(consultation, path)
    error = caught.value
    assert error.total == 250
    assert len(error.problems) == imports.MAX_LISTED == 200
    assert error.problems[-1].startswith(f"{path}, row 201, column F (principle):")
    assert str(error).splitlines()[0] == f"{path}: nothing was imported, because of 250 problems:"
    assert str(error).splitlines()[-1] == "... and 50 more problems not listed."
    assert Response.objects.count() == 0


# --- files ------------------------------------------------------------------------------------

def test_not_utf8_names_the_file_row_and_column_and_asks_for_csv_utf8(consultation, tmp_path):
    rows = one_row(comments="Café in the village hall")
    path = write_csv(tmp_path, rows, name="latin1.csv", encoding="latin-1")
    column = column_letter(HEADER.index("comments"))
    problems = refused(consultation, path)
    assert problems == [
        f"{path}, row 2, column {column}: the byte 0xE9 is not UTF-8: the file is not UTF-8 text (perhaps Latin-1 or "
        "Windows-1252, which cannot be told apart from other encodings, so it is never guessed). "
        "Save it as \"CSV UTF-8\" and import it again."
    ]


def test_not_utf8_counts_rows_as_the_csv_reader_does(consultation, tmp_path):
    # Windows-1252's curly apostrophe (0x92) in row 3, after a cell of row 2 that spans two lines.
    rows = good_rows()[:3]
    comments = HEADER.index("comments")
    rows[1][comments] = "two\nlines"
    rows[2][comments] = "the hall’s roof"
    path = write_csv(tmp_path, rows, name="cp1252.csv", encoding="cp1252")
    problems = refused(consultation, path)
    assert problems[0].startswith(f"{path}, row 3, column {column_letter(comments)}: the byte 0x92 is not UTF-8")


def test_missing_file(consultation, tmp_path):
    path = tmp_path / "nowhere.csv"
    assert refused(consultation, path) == [f"{path}: there is no such file."]


def test_a_file_named_xlsx_that_is_not_a_workbook(consultation, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("response_id,principle\nR,agree\n")
    assert refused(consultation, path) == [
        f"{path}: this is not an XLSX workbook (it may be damaged, or a different kind of file renamed)."
    ]


def test_bad_xlsx_cells_are_named_by_row_and_column(consultation, tmp_path):
    rows = good_rows()
    rows[2][3] = 12.5  # a decimal where a whole number of staff is wanted
    path = write_xlsx(tmp_path, rows)
    assert refused(consultation, path) == [f"{path}, row 3, column D (staff): '12.5' is not a whole number."]


def test_no_questionnaire(tmp_path):
    consultation = make_consultation(slug="no-form")
    consultation.questionnaire.delete()
    consultation.refresh_from_db()
    with pytest.raises(ConsultationError, match="no-form has no questionnaire yet"):
        import_responses(consultation, write_csv(tmp_path, good_rows()))


# --- the command line -------------------------------------------------------------------------

def test_cli_imports_responses(consultation, tmp_path, capsys):
    call_command("consult", "import-responses", consultation.slug, str(write_csv(tmp_path, good_rows())))
    assert "Imported 3 responses into test-consultation." in capsys.readouterr().out
    assert stored(consultation) == GOOD_ANSWERS


def test_cli_refuses_a_bad_file_with_row_and_column(consultation, tmp_path):
    path = write_csv(tmp_path, one_row(methods="website email newsletter social"))
    with pytest.raises(CommandError) as caught:
        call_command("consult", "import-responses", consultation.slug, str(path))
    assert f"{path}, row 2, column H (methods): 4 choices given" in str(caught.value)
    assert Response.objects.count() == 0


# --- workshops --------------------------------------------------------------------------------

WORKSHOP_HEADER = ["workshop", "question", "option", "votes"]


def good_workshop_rows():
    return [
        WORKSHOP_HEADER,
        ["LECG", "order", "local", "11"],
        ["LECG", "order", "funding", "1"],
        ["Staff", "order", "local", "7"],
        ["Staff", "order", "funding", "10"],
        ["Staff", "methods", "email", "0"],
    ]


def votes(consultation):
    return {
        (v.workshop.name, v.question, v.option): v.votes
        for v in WorkshopVote.objects.filter(workshop__consultation=consultation).select_related("workshop")
    }


def workshops_refused(consultation, path):
    before = (Workshop.objects.count(), WorkshopVote.objects.count())
    with pytest.raises(ImportProblems) as caught:
        import_workshops(consultation, path)
    assert (Workshop.objects.count(), WorkshopVote.objects.count()) == before
    return caught.value.problems


def test_workshops_import(consultation, tmp_path):
    path = write_csv(tmp_path, good_workshop_rows(), name="workshops.csv")
    assert import_workshops(consultation, path) == 5
    assert votes(consultation) == {
        ("LECG", "order", "local"): 11,
        ("LECG", "order", "funding"): 1,
        ("Staff", "order", "local"): 7,
        ("Staff", "order", "funding"): 10,
        ("Staff", "methods", "email"): 0,
    }
    assert list(consultation.workshops.values_list("name", flat=True)) == ["LECG", "Staff"]


def test_workshops_reimport_is_idempotent_and_replaces_only_those_workshops(consultation, tmp_path):
    path = write_csv(tmp_path, good_workshop_rows(), name="workshops.csv")
    import_workshops(consultation, path)
    import_workshops(consultation, path)
    assert Workshop.objects.count() == 2 and WorkshopVote.objects.count() == 5

    staff_again = write_csv(tmp_path, [WORKSHOP_HEADER, ["Staff", "order", "local", "8"]], name="staff.csv")
    assert import_workshops(consultation, staff_again) == 1
    assert votes(consultation) == {
        ("LECG", "order", "local"): 11,
        ("LECG", "order", "funding"): 1,
        ("Staff", "order", "local"): 8,
    }


def test_workshops_columns_in_any_order_and_xlsx(consultation, tmp_path):
    rows = [["votes", "option", "question", "workshop"], [15, "local", "order", "VCS"], [4, "agree", "principle", "VCS"]]
    assert import_workshops(consultation, write_xlsx(tmp_path, rows, name="w.xlsx")) == 2
    assert votes(consultation) == {("VCS", "order", "local"): 15, ("VCS", "principle", "agree"): 4}


def test_workshops_unknown_question(consultation, tmp_path):
    path = write_csv(tmp_path, [WORKSHOP_HEADER, ["LECG", "ordr", "local", "3"]], name="w.csv")
    assert workshops_refused(consultation, path) == [
        f"{path}, row 2, column B (question): 'ordr' is not a question of this questionnaire (did you mean order?)."
    ]


def test_workshops_question_without_choices(consultation, tmp_path):
    path = write_csv(tmp_path, [WORKSHOP_HEADER, ["LECG", "comments", "local", "3"]], name="w.csv")
    assert workshops_refused(consultation, path) == [
        f"{path}, row 2, column B (question): comments is a text question, which has no options to vote for."
    ]


def test_workshops_unknown_option(consultation, tmp_path):
    path = write_csv(tmp_path, [WORKSHOP_HEADER, ["LECG", "order", "roads", "3"]], name="w.csv")
    assert workshops_refused(consultation, path) == [
        f"{path}, row 2, column C (option): 'roads' is not a choice of order (its choices are: local, engage, communicate, funding)."
    ]


@pytest.mark.parametrize("text, message", [
    ("-2", "'-2' is not a number of votes: write a whole number, 0 or more."),
    ("2.5", "'2.5' is not a number of votes: write a whole number, 0 or more."),
    ("lots", "'lots' is not a number of votes: write a whole number, 0 or more."),
    ("", "the number of votes is empty (write 0 for none)."),
    ("99999999999", "99999999999 votes is more than can be recorded."),
])
def test_workshops_bad_votes(consultation, tmp_path, text, message):
    path = write_csv(tmp_path, [WORKSHOP_HEADER, ["LECG", "order", "local", text]], name="w.csv")
    assert workshops_refused(consultation, path) == [f"{path}, row 2, column D (votes): {message}"]


def test_workshops_duplicate_row(consultation, tmp_path):
    rows = good_workshop_rows() + [["Staff", "order", "local", "9"]]
    path = write_csv(tmp_path, rows, name="w.csv")
    assert workshops_refused(consultation, path) == [
        f"{path}, row 7, column C (option): the votes for local of order at Staff are given twice (first in row 4)."
    ]


def test_workshops_missing_and_unknown_columns(consultation, tmp_path):
    path = write_csv(tmp_path, [["workshop", "question", "choice", "votes"], ["LECG", "order", "local", "3"]], name="w.csv")
    assert workshops_refused(consultation, path) == [
        f"{path}, row 1, column C (choice): choice is not a column of a workshops file (the columns are workshop,question,option,votes).",
        f"{path}, row 1: the header has no option column (the columns are workshop,question,option,votes).",
    ]


def test_workshops_every_problem_is_listed_and_nothing_replaced(consultation, tmp_path):
    import_workshops(consultation, write_csv(tmp_path, good_workshop_rows(), name="first.csv"))
    rows = [WORKSHOP_HEADER, ["Staff", "order", "local", "8"], ["", "order", "local", "1"], ["LECG", "order", "roads", "x"]]
    path = write_csv(tmp_path, rows, name="w.csv")
    assert [p.split(":")[0] for p in workshops_refused(consultation, path)] == [
        f"{path}, row 3, column A (workshop)",
        f"{path}, row 4, column C (option)",
        f"{path}, row 4, column D (votes)",
    ]
    assert votes(consultation)[("Staff", "order", "local")] == 7


def test_cli_imports_workshops_and_refuses_bad_ones(consultation, tmp_path, capsys):
    call_command("consult", "import-workshops", consultation.slug, str(write_csv(tmp_path, good_workshop_rows(), name="w.csv")))
    assert "Imported 5 workshop results into test-consultation." in capsys.readouterr().out
    bad = write_csv(tmp_path, [WORKSHOP_HEADER, ["LECG", "order", "local", "-1"]], name="bad.csv")
    with pytest.raises(CommandError, match=r"row 2, column D \(votes\)"):
        call_command("consult", "import-workshops", consultation.slug, str(bad))
    assert WorkshopVote.objects.count() == 5


def test_column_letters():
    assert [imports.column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


def test_dates_from_xlsx_cells():
    assert imports._cell_text(datetime(2017, 3, 1)) == "2017-03-01"
    assert imports._cell_text(date(2017, 3, 1)) == "2017-03-01"
    assert imports._cell_text(3.0) == "3"
    assert imports._cell_text(None) == ""


# --- agreement with the answering pages -------------------------------------------------------

def _random_answers(form, rng):
    """Well-formed answers to every question of `form`, some left out, ignoring routing and rules."""
    answers = {}
    for page_ in form["pages"]:
        for item in page_["items"]:
            kind = item["type"]
            if kind == "note" or rng.random() < 0.35:
                continue
            names = [c["name"] for c in item.get("choices") or []]
            if kind == "select_one":
                answers[item["name"]] = rng.choice(names)
            elif kind == "select_multiple":
                chosen = set(rng.sample(names, rng.randint(1, len(names))))
                answers[item["name"]] = [n for n in names if n in chosen]
            elif kind == "rank":
                answers[item["name"]] = rng.sample(names, len(names))
            elif kind == "integer":
                answers[item["name"]] = rng.randint(-3, 60)
            elif kind == "decimal":
                answers[item["name"]] = round(rng.uniform(0, 100), 2)
            elif kind == "date":
                answers[item["name"]] = f"2017-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
            else:
                answers[item["name"]] = rng.choice(["Yes please", "No", "More buses"])
    return answers


def routing_definition():
    """Routing that chains across pages, a page shown by a select_multiple, required-if, and rules
    that refer to other answers."""
    return definition(
        page(
            "start",
            question("kind", "select_multiple", choice_names=["resident", "business", "charity"], required=True,
                     constraint="not(selected(., 'resident')) or count-selected(.) = 1"),
            question("employees", "integer", relevant="selected(${kind}, 'business')", constraint=". >= 1"),
        ),
        page(
            "charity",
            question("registered", "select_one", choice_names=["yes", "no"], required=True),
            question("number", "text", relevant="${registered} = 'yes'", required=True),
            relevant="selected(${kind}, 'charity')",
        ),
        page(
            "views",
            question("order", "rank", choice_names=["a", "b", "c"], required="count-selected(${kind}) > 1"),
            question("why", "text", relevant="${number} != '' or ${employees} > 10"),
            question("volunteers", "integer", constraint=". <= ${employees} * 2 or ${employees} = ''"),
        ),
    )


@pytest.mark.parametrize("form_builder", [pytest.param(None, id="small"), pytest.param(routing_definition, id="routing")])
def test_routing_and_rules_agree_with_the_answering_pages(tmp_path, form_builder):
    """Every answer the import refuses is one the answering pages (questionnaire.clean_answers) would
    refuse or drop, and the other way round, for answer sets that break routing, required and rules.

    The import judges routing with its own memoised evaluator, for speed (docs/performance.md);
    this test holds it to the answering pages' rules."""
    import random
    import re

    questionnaire = pytest.importorskip("shire.consult.questionnaire")
    if not hasattr(questionnaire, "clean_answers"):
        pytest.skip("questionnaire.clean_answers is not there yet")
    consultation = make_consultation(form_builder() if form_builder else None, slug="agreement")
    form = consultation.questionnaire.definition
    columns = [item["name"] for page_ in form["pages"] for item in page_["items"] if item["type"] != "note"]
    rng = random.Random(2017)
    rows, expected = [["response_id", *columns]], {}
    for n in range(40):
        answers = _random_answers(form, rng)
        if n % 2:  # every other answer set as the answering pages would keep it: mostly good ones
            answers = questionnaire.clean_answers(form, answers)[0]
        kept, errors = questionnaire.clean_answers(form, answers)
        refused_names = set(errors) | (set(answers) - set(kept))
        if refused_names:
            expected[n + 2] = refused_names
        rows.append([f"R{n}"] + [" ".join(v) if isinstance(v, list) else str(v) for v in (answers.get(c, "") for c in columns)])
    assert expected and len(expected) < 40  # the sample has good and bad answer sets
    with pytest.raises(ImportProblems) as caught:
        import_responses(consultation, write_csv(tmp_path, rows))
    assert caught.value.total <= imports.MAX_LISTED
    found = {}
    for problem in caught.value.problems:
        row, name = re.search(r", row (\d+), column [A-Z]+ \((\w+)\):", problem).groups()
        found.setdefault(int(row), set()).add(name)
    assert found == expected


def test_whole_numbers_and_thousands_as_spreadsheets_write_them(consultation, tmp_path):
    rows = one_row(respondent_type="organisation", ways_to_help="", staff="1,200", volunteers="30.0", budget="12,500.75")
    import_responses(consultation, write_csv(tmp_path, rows))
    answers = stored(consultation)["R-001"]
    assert (answers["staff"], answers["volunteers"], answers["budget"]) == (1200, 30, 12500.75)


def test_text_answers_are_stored_without_surrounding_spaces(consultation, tmp_path):
    import_responses(consultation, write_csv(tmp_path, one_row(comments="  More buses.  ")))
    assert stored(consultation)["R-001"]["comments"] == "More buses."


# --- reading XLSX ------------------------------------------------------------------------------

RAW_SHEET = (
    # header from shared strings; a gap in row numbers; cells without references; every cell kind
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
    '<c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c></row>'
    '<row r="2"><c r="A2"><v>1001</v></c><c r="B2" t="s"><v>6</v></c><c r="D2"><v>12</v></c>'
    '<c r="E2" s="1"><v>42461</v></c><c r="F2" t="inlineStr"><is><r><t>More </t></r><r><t>buses</t></r></is></c></row>'
    '<row r="4"><c t="str"><v>R-3</v></c><c t="s"><v>7</v></c><c t="b"><v>1</v></c><c s="2"><v>2500.5</v></c>'
    '<c t="e"><v>#N/A</v></c><c t="inlineStr"><is><t>  Café  </t></is></c></row>'
)
RAW_STRINGS = ["response_id", "respondent_type", "principle", "staff", "started", "comments", "organisation", "individual"]


def test_xlsx_cells_of_every_kind_are_read_as_a_spreadsheet_shows_them(tmp_path):
    path = write_raw_xlsx(tmp_path, RAW_SHEET, RAW_STRINGS)
    assert list(imports.read_rows(path)) == [
        (1, ["response_id", "respondent_type", "principle", "staff", "started", "comments"]),
        (2, ["1001", "organisation", "", "12", "2016-04-01", "More buses"]),
        (3, []),
        (4, ["R-3", "individual", "true", "2500.5", "#N/A", "  Café  "]),
    ]


def test_the_fast_xlsx_reader_reads_what_openpyxl_reads(tmp_path, monkeypatch):
    rows = good_rows()
    rows[2][3], rows[2][9] = 12, datetime(2016, 4, 1)
    workbooks = [
        write_raw_xlsx(tmp_path, RAW_SHEET, RAW_STRINGS),
        write_raw_xlsx(tmp_path, RAW_SHEET, RAW_STRINGS, name="1904.xlsx", date1904=True),
        write_xlsx(tmp_path, rows),
    ]
    fast = [list(imports.read_rows(path)) for path in workbooks]
    monkeypatch.setattr(imports, "_open_sheet_fast", lambda path, name: None)
    slow = [list(imports.read_rows(path)) for path in workbooks]
    assert fast == slow
    assert fast[1][1][1][4] == "2020-04-02"  # the same serial number in the 1904 date system


def test_an_xlsx_written_by_excel_imports(tmp_path):
    strings = ["response_id", "respondent_type", "principle", "staff", "started", "organisation", "agree"]
    sheet = (
        '<row r="1">' + "".join(f'<c t="s"><v>{i}</v></c>' for i in range(5)) + "</row>"
        '<row r="2"><c r="A2"><v>1001</v></c><c r="B2" t="s"><v>5</v></c><c r="C2" t="s"><v>6</v></c>'
        '<c r="D2"><v>12</v></c><c r="E2" s="1"><v>42461</v></c></row>'
    )
    consultation = make_consultation(slug="excel")
    assert import_responses(consultation, write_raw_xlsx(tmp_path, sheet, strings)) == 1
    assert stored(consultation) == {
        "1001": {"respondent_type": "organisation", "principle": "agree", "staff": 12, "started": "2016-04-01"}
    }


def test_a_damaged_sheet_is_reported_and_nothing_imported(consultation, tmp_path):
    path = write_raw_xlsx(tmp_path, '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>99</v></c></row>', ["response_id"])
    problems = refused(consultation, path)
    assert len(problems) == 1 and problems[0].startswith(f"{path}, row 2: the sheet cannot be read; the workbook may be damaged")


def test_an_old_xls_workbook_is_named(consultation, tmp_path):
    path = tmp_path / "responses.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    assert refused(consultation, path) == [
        f"{path}: this is an old Excel (.xls) workbook; save it as .xlsx or as CSV UTF-8 and import that."
    ]


def test_short_rows_are_read_as_empty_cells(consultation, tmp_path):
    rows = [HEADER, ["S1", "individual", "", "", "", "agree"]]  # a CSV writer that stops at the last value
    assert import_responses(consultation, write_csv(tmp_path, rows)) == 1
    assert stored(consultation) == {"S1": {"respondent_type": "individual", "principle": "agree"}}


def test_rows_checked_after_a_race_are_refused_whole(consultation, tmp_path, monkeypatch):
    # Someone else imports R-002 after this file was checked but before it is written.
    check = imports._check_responses

    def check_then_race(*args):
        result = check(*args)
        Response.objects.create(consultation=consultation, response_id="R-002", answers={})
        return result

    monkeypatch.setattr(imports, "_check_responses", check_then_race)
    path = write_csv(tmp_path, good_rows())
    with pytest.raises(ImportProblems) as caught:
        import_responses(consultation, path)
    assert "the database refused the responses" in caught.value.problems[0]
    assert list(Response.objects.values_list("response_id", flat=True)) == ["R-002"]


def test_workshops_a_note_is_not_a_question_to_vote_on(consultation, tmp_path):
    path = write_csv(tmp_path, [WORKSHOP_HEADER, ["LECG", "intro", "local", "3"]], name="w.csv")
    assert workshops_refused(consultation, path) == [
        f"{path}, row 2, column B (question): 'intro' is a note, which has no options to vote for."
    ]


def test_a_formula_with_an_empty_result_is_an_empty_cell_and_one_without_a_value_is_flagged(tmp_path):
    sheet = ('<row r="1"><c r="A1" t="inlineStr"><is><t>response_id</t></is></c></row>'
             '<row r="2"><c r="A2" t="str"><f>IF(1=1,"","x")</f><v></v></c><c r="B2"><f>1+1</f></c></row>')
    rows = list(imports.read_rows(write_raw_xlsx(tmp_path, sheet)))
    assert rows == [(1, ["response_id"]), (2, ["", "=1+1"])]
    assert type(rows[1][1][0]) is str and type(rows[1][1][1]) is imports.Formula


# --- other survey tools' exports: labels --------------------------------------------------------

def labelled_form():
    def labelled(name, kind, pairs):
        item = question(name, kind)
        item["choices"] = [{"name": n, "label": label} for n, label in pairs]
        return item

    return make_consultation(definition(page(
        "p",
        labelled("body", "select_one", [("parish", "Parish council"), ("district", "District council"), ("yes", "No"), ("no", "Yes")]),
        labelled("ways", "select_multiple", [("advice", "Give advice"), ("time", "Volunteer time"), ("money", "Give advice")]),
        labelled("order", "rank", [("local", "Local first"), ("funding", "Funding")]),
        {**question("comments", "text"), "label": "Comments"},
        {**question("more", "text"), "label": "comments "},
    )))


def test_labels_are_read_as_choices_and_headings_as_questions(tmp_path):
    consultation = labelled_form()
    rows = [["response_id", "  question BODY ", "Question ways", "question order"],
            ["R-1", "  parish   COUNCIL ", "volunteer time", "Funding; local first"],
            ["R-2", "District council", "volunteer TIME;", "local funding"],
            ["R-3", "yes", "", "funding;local"]]
    assert import_responses(consultation, write_csv(tmp_path, rows)) == 3
    answers = stored(consultation)
    assert [answers[r]["body"] for r in ("R-1", "R-2", "R-3")] == ["parish", "district", "yes"]  # a name written exactly is that name
    assert answers["R-1"]["ways"] == answers["R-2"]["ways"] == ["time"]
    assert [answers[r]["order"] for r in ("R-1", "R-2", "R-3")] == [["funding", "local"], ["local", "funding"], ["funding", "local"]]


def test_a_label_that_could_be_two_choices_or_questions_is_refused_naming_them(tmp_path):
    consultation = labelled_form()
    rows = [["response_id", "body", "ways", "COMMENTS"],
            ["R-1", "YES", "give advice", ""],
            ["R-2", "parish", "advice, volunteer, time", ""]]
    path = write_csv(tmp_path, rows)
    problems = refused(consultation, path)
    assert problems == [
        f"{path}, row 1, column D (COMMENTS): 'COMMENTS' could head any of the questions comments, more (as a name or a label); "
        "head the column with the question's name.",
        f"{path}, row 2, column B (body): 'YES' could be any of the choices yes, no (as a name or a label); write the choice's name instead.",
        f"{path}, row 2, column C (ways): 'give advice' could be any of the choices advice, money (as a name or a label); "
        "write the choice's name instead.",
        f"{path}, row 3, column C (ways): 'volunteer' is not a choice of this question (its choices are: advice, time, money).{SEVERAL}",
    ]
    assert Response.objects.count() == 0


def comma_form():
    def labelled(name, kind, pairs):
        return {**question(name, kind), "choices": [{"name": n, "label": label} for n, label in pairs]}

    return make_consultation(definition(page(
        "p",
        labelled("ways", "select_multiple", [("advice", "Advice, guidance and signposting"), ("time", "Volunteer time"),
                                             ("guidance", "Guidance"), ("money", "Money")]),
        labelled("order", "rank", [("local", "Local, first"), ("funding", "Funding"), ("first", "First")]),
    )))


def test_choices_separated_by_commas_are_read_where_only_one_reading_fits(tmp_path):
    """Google Forms writes several ticked labels joined by ", ", and labels may hold commas."""
    consultation = comma_form()
    rows = [["response_id", "ways", "order"],
            ["R-1", "Volunteer time, Money", "Funding, Local, first, First"],
            ["R-2", "Advice, guidance and signposting, Money", ""],
            ["R-3", "money,time", "first, funding, local, first"],
            ["R-4", "Advice, guidance and signposting", ""]]
    assert import_responses(consultation, write_csv(tmp_path, rows)) == 4
    answers = stored(consultation)
    assert answers["R-1"] == {"ways": ["time", "money"], "order": ["funding", "local", "first"]}
    assert answers["R-2"] == {"ways": ["advice", "money"]}
    assert answers["R-3"] == {"ways": ["time", "money"], "order": ["first", "funding", "local"]}
    assert answers["R-4"] == {"ways": ["advice"]}


def test_a_comma_list_with_two_readings_or_an_unknown_part_is_refused(tmp_path):
    consultation = comma_form()
    consultation.questionnaire.definition["pages"][0]["items"][0]["choices"].append(
        {"name": "signposting", "label": "Advice, guidance and signposting, Money"})
    consultation.questionnaire.save()
    rows = [["response_id", "ways"],
            ["R-1", "Advice, guidance and signposting, Money"],
            ["R-2", "Volunteer time, Fax"]]
    path = write_csv(tmp_path, rows)
    problems = refused(consultation, path)
    assert problems[0] == (
        f"{path}, row 2, column B (ways): 'Advice, guidance and signposting, Money' could be the choices "
        "(signposting) or (advice, money): a label holds a comma; separate the choices with ';' instead.")
    assert problems[1].startswith(f"{path}, row 3, column B (ways): 'Fax' is not a choice of this question")
    assert len(problems) == 2 and Response.objects.count() == 0


def option_form():
    def labelled(name, kind, pairs, **extra):
        return {**question(name, kind), "choices": [{"name": n, "label": label} for n, label in pairs], **extra}

    return make_consultation(definition(page(
        "p",
        labelled("ways", "select_multiple", [("advice", "Give advice"), ("time", "Volunteer time"), ("money", "Money")],
                 label="How could you help?"),
        labelled("why", "select_one", [("yes", "Yes"), ("no", "No")], relevant="selected(${ways}, 'time')",
                 required="yes"),
    )))


def test_one_column_an_option_gives_the_answer_as_kobo_and_surveymonkey_export_it(tmp_path):
    """KoboToolbox and ODK head each option's tick "question/option" (1 or 0); SurveyMonkey writes the
    option where it is ticked and nothing where not; by name or by label."""
    consultation = option_form()
    rows = [["response_id", "ways/advice", "ways/time", "How could you help?/Money", "why"],
            ["R-1", "1", "0", "1", ""],
            ["R-2", "0", "TRUE", "0", "yes"],
            ["R-3", "Give advice", "", "Money", ""],
            ["R-4", "", "", "", ""]]
    assert import_responses(consultation, write_csv(tmp_path, rows)) == 4
    answers = stored(consultation)
    assert answers["R-1"] == {"ways": ["advice", "money"]}
    assert answers["R-2"] == {"ways": ["time"], "why": "yes"}
    assert answers["R-3"] == {"ways": ["advice", "money"]}
    assert answers["R-4"] == {}


def test_option_columns_beside_the_question_must_agree_with_it(tmp_path):
    """Kobo writes both: the question's own column (names separated by spaces) and one column an option."""
    consultation = option_form()
    rows = [["response_id", "ways", "ways/advice", "ways/time", "ways/money", "why"],
            ["R-1", "advice money", "1", "0", "1", ""],
            ["R-2", "time", "0", "1", "0", "no"]]
    assert import_responses(consultation, write_csv(tmp_path, rows)) == 2
    assert stored(consultation)["R-1"] == {"ways": ["advice", "money"]}
    rows[1:] = [["R-3", "time", "0", "1", "0", "no"], ["R-4", "time", "1", "1", "0", "no"]]
    path = write_csv(tmp_path, rows)
    assert refused(consultation, path) == [
        f"{path}, row 3, column C (ways/advice): advice is chosen here, but column B (ways) does not list it."]


def test_option_columns_with_other_marks_or_routing_broken_are_refused_naming_the_column(tmp_path):
    consultation = option_form()
    rows = [["response_id", "ways/advice", "ways/time", "ways/money", "why"],
            ["R-1", "maybe", "0", "1", ""],
            ["R-2", "0", "1", "0", ""]]
    path = write_csv(tmp_path, rows)
    problems = refused(consultation, path)
    assert problems[0] == (f"{path}, row 2, column B (ways/advice): 'maybe' is not a tick: write 1 where the option is "
                           "chosen and 0, or nothing, where it is not.")
    assert problems[1].startswith(f"{path}, row 3, column E (why): ")  # required once time is chosen
    assert len(problems) == 2


def test_option_columns_in_a_workbook_take_numbers_and_true_or_false(tmp_path):
    consultation = option_form()
    rows = [["response_id", "ways/advice", "ways/time", "ways/money", "why"],
            ["R-1", 1, 0, 1.0, None], ["R-2", False, True, False, "no"]]
    assert import_responses(consultation, write_xlsx(tmp_path, rows)) == 2
    assert stored(consultation) == {"R-1": {"ways": ["advice", "money"]}, "R-2": {"ways": ["time"], "why": "no"}}
