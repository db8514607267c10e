"""Building XLSForm workbooks in code for the importer's tests."""
import io

import openpyxl

SURVEY_HEADINGS = ["type", "name", "label", "hint", "required", "relevant", "constraint", "constraint_message", "appearance"]
CHOICES_HEADINGS = ["list_name", "name", "label"]


def make_xlsform(survey, choices=None, settings=None, survey_title="survey", extra_sheets=()):
    """An .xlsx as bytes. Each of survey/choices/settings is a list of rows, the first being the headings.

    Pass choices=None (or settings=None) to leave that sheet out.
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = survey_title
    for row in survey:
        sheet.append(list(row))
    for title, rows in (("choices", choices), ("settings", settings), *extra_sheets):
        if rows is None:
            continue
        extra = workbook.create_sheet(title)
        for row in rows:
            extra.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def survey_rows(*rows, headings=SURVEY_HEADINGS):
    """Survey rows given as dicts keyed by heading, laid out under `headings`."""
    return [list(headings)] + [[row.get(h) for h in headings] for row in rows]


YES_NO = [["yes_no", "yes", "Yes"], ["yes_no", "no", "No"]]

# A small form using every supported type, a routed question and an up-to-two rule.
VALID_SURVEY = survey_rows(
    {"type": "begin group", "name": "about_you", "label": "About you", "hint": "Tell us who you are"},
    {"type": "select_one respondent", "name": "respondent", "label": "Are you responding as…", "required": "yes"},
    {"type": "text", "name": "organisation", "label": "Name of your organisation", "relevant": "${respondent} = 'organisation'"},
    {"type": "integer", "name": "staff", "label": "How many staff?", "relevant": "${respondent} = 'organisation'",
     "constraint": ". >= 0", "constraint_message": "Enter 0 or more"},
    {"type": "end group"},
    {"type": "note", "name": "intro", "label": "Now some questions about your area."},
    {"type": "select_multiple colours", "name": "colours", "label": "Favourite colours", "hint": "Up to two",
     "constraint": "count-selected(.) <= 2", "constraint_message": "Choose up to two"},
    {"type": "rank colours", "name": "colour_rank", "label": "Rank the colours"},
    {"type": "decimal", "name": "score", "label": "Score", "required": "TRUE"},
    {"type": "date", "name": "visited", "label": "When did you last visit?"},
    {"type": "begin group", "name": "grid", "label": "How much do you agree?", "relevant": "${respondent} != ''"},
    {"type": "select_one agree", "name": "grid_parks", "label": "Parks", "appearance": "likert"},
    {"type": "select_one agree", "name": "grid_roads", "label": "Roads", "appearance": "likert"},
    {"type": "end group"},
)
VALID_CHOICES = [
    CHOICES_HEADINGS,
    ["respondent", "individual", "An individual"],
    ["respondent", "organisation", "An organisation"],
    ["colours", "red", "Red"],
    ["colours", "green", "Green"],
    ["colours", "blue", "Blue"],
    ["agree", "agree", "Agree"],
    ["agree", "disagree", "Disagree"],
]
VALID_SETTINGS = [["form_title", "form_id", "version"], ["Parks and roads survey", "parks_roads", "2024-05"]]
