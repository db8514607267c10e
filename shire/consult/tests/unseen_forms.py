"""XLSForms Shire's authors did not write the importer against, built with openpyxl for the tests.

Each form is realistic for a county council (library hours, a parish survey, a bilingual form, a
youth services form ...) and between them they use what the XLSForm spec offers: choices with
`or_other`, routing of individuals and organisations, groups inside groups, Likert grids laid out
ODK's ways (`label` + `list-nolabel` in a `field-list` group, `table-list`, Enketo's `likert`),
"up to three" constraints, numbers, dates, notes, hints, required questions, several languages, a
settings sheet, headings in other cases and spacing, blank rows and dotted list names. A few use
what Shire does not run (repeats, calculations), which must be refused naming the row.

`UNSEEN_FORMS` maps a name to (workbook bytes, expected): expected is either the names of every
question the form must yield, or ("refused", sheet, row, words the message must contain).
"""
import io

import openpyxl


def workbook(survey, choices=None, settings=None, blank_rows_after=()):
    """An .xlsx as bytes from lists of rows (the first row of each sheet its headings).

    `blank_rows_after` lists indexes of survey rows after which an empty row is left, as people do.
    """
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    for index, row in enumerate(survey):
        sheet.append(list(row))
        if index in blank_rows_after:
            sheet.append([])
    for title, rows in (("choices", choices), ("settings", settings)):
        if rows is not None:
            extra = book.create_sheet(title)
            for row in rows:
                extra.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


AGREE = [
    ("strongly_agree", "Strongly agree"), ("agree", "Agree"), ("neither", "Neither agree nor disagree"),
    ("disagree", "Disagree"), ("strongly_disagree", "Strongly disagree"),
]


def choice_rows(list_name, pairs):
    return [[list_name, name, label] for name, label in pairs]


# --- 1. Library opening hours: or_other, numbers, a date, a note, a settings sheet ---------------

LIBRARY_SURVEY = [
    ["type", "name", "label", "hint", "required", "relevant", "constraint", "constraint_message"],
    ["note", "intro", "We are reviewing the opening hours of Melton Mowbray library.", "", "", "", "", ""],
    ["select_one library or_other", "library", "Which library do you use most?", "", "yes", "", "", ""],
    ["select_multiple days", "days", "On which days do you visit?", "Tick all that apply", "yes", "", "", ""],
    ["integer", "visits", "How many times did you visit in the last month?", "", "", "",
     ". >= 0 and . <= 31", "Enter a number from 0 to 31"],
    ["decimal", "travel_miles", "How far do you travel to the library, in miles?", "", "", "", ". >= 0", "Cannot be negative"],
    ["date", "last_visit", "When did you last visit?", "", "", "${visits} > 0", "", ""],
    ["text", "comments", "Anything else about opening hours?", "", "", "", "", ""],
]
LIBRARY_CHOICES = [["list_name", "name", "label"]] + choice_rows("library", [
    ("melton", "Melton Mowbray"), ("oakham_road", "Oakham Road"), ("bottesford", "Bottesford"),
]) + choice_rows("days", [
    ("mon", "Monday"), ("tue", "Tuesday"), ("wed", "Wednesday"), ("thu", "Thursday"), ("fri", "Friday"), ("sat", "Saturday"),
])
LIBRARY_SETTINGS = [["form_title", "form_id", "version", "default_language"],
                    ["Library opening hours 2026", "library_hours_2026", "2026031101", "English"]]

# --- 2. Parish survey: routing, groups in groups, grids, rank, up to three ----------------------

PARISH_SURVEY = [
    ["type", "name", "label", "hint", "required", "relevant", "constraint", "constraint_message", "appearance"],
    ["begin_group", "about", "About you", "", "", "", "", "", "field-list"],
    ["select_one who", "respondent", "Are you answering as...", "", "yes", "", "", "", ""],
    ["text", "org_name", "Name of your organisation", "", "yes", "${respondent} = 'organisation'", "", "", ""],
    ["integer", "members", "How many members does it have?", "", "", "${respondent} = 'organisation'", ". > 0", "", ""],
    ["end_group", "", "", "", "", "", "", "", ""],
    ["begin_group", "village", "Your village", "", "", "", "", "", "field-list"],
    ["select_one agree", "grid_header", "", "", "", "", "", "", "label"],
    ["select_one agree", "safe", "I feel safe in the village", "", "yes", "", "", "", "list-nolabel"],
    ["select_one agree", "friendly", "People here are friendly", "", "yes", "", "", "", "list-nolabel"],
    ["select_one agree", "transport", "Public transport meets my needs", "", "", "", "", "", "list-nolabel"],
    ["begin_group", "hall", "The village hall", "", "", "${respondent} = 'individual'", "", "", ""],
    ["select_multiple hall_uses", "hall_uses", "What do you use the hall for?", "Choose up to three", "", "",
     "count-selected(.) <= 3", "Choose no more than three", ""],
    ["end_group", "", "", "", "", "", "", "", ""],
    ["end_group", "", "", "", "", "", "", "", ""],
    ["begin_group", "spending", "Spending", "", "", "", "", "", "table-list"],
    ["select_one agree", "spend_roads", "Roads", "", "", "", "", "", ""],
    ["select_one agree", "spend_parks", "Parks", "", "", "", "", "", ""],
    ["end_group", "", "", "", "", "", "", "", ""],
    ["rank projects", "project_rank", "Put these projects in order", "", "", "", "", "", ""],
    ["select_one yes_no", "contact", "May we contact you?", "", "", "", "", "", "horizontal"],
]
PARISH_CHOICES = [["list_name", "name", "label"]] + choice_rows("who", [
    ("individual", "A resident"), ("organisation", "A local organisation"),
]) + choice_rows("agree", AGREE) + choice_rows("hall_uses", [
    ("clubs", "Clubs"), ("parties", "Parties"), ("meetings", "Meetings"), ("exercise", "Exercise classes"), ("voting", "Voting"),
]) + choice_rows("projects", [
    ("play", "New play area"), ("lights", "Street lights"), ("bus", "Bus shelter"),
]) + choice_rows("yes_no", [("yes", "Yes"), ("no", "No")])

# --- 3. Welsh and English (label::Language (code)), hints in both, Welsh the default --------------

BILINGUAL_SURVEY = [
    ["type", "name", "label::English (en)", "label::Welsh (cy)", "hint::English (en)", "hint::Welsh (cy)", "required"],
    ["select_one yes_no", "uses_service", "Do you use the mobile library?", "Ydych chi'n defnyddio'r llyfrgell deithiol?",
     "", "", "yes"],
    ["text", "why", "Why?", "Pam?", "In your own words", "Yn eich geiriau eich hun", ""],
]
BILINGUAL_CHOICES = [["list_name", "name", "label::English (en)", "label::Welsh (cy)"],
                     ["yes_no", "yes", "Yes", "Ydw"], ["yes_no", "no", "No", "Nac ydw"]]
BILINGUAL_SETTINGS = [["form_title", "form_id", "default_language"], ["Mobile library", "mobile_library", "Welsh (cy)"]]

# --- 4. Headings in other cases and spacing, blank rows, dotted list names -----------------------

SHOUTY_SURVEY = [
    ["TYPE", " Name ", "Label", "HINT", "Required", "Relevant", "Constraint Message", "Constraint"],
    ["select_one yes.no", "has_car", "Do you have a car?", "", "Yes", "", "", ""],
    ["select_one park.ride", "park_ride", "Would you use park and ride?", "", "", "${has_car} = 'no'", "", ""],
    ["integer", "age", "How old are you?", "In years", "", "", "Enter an age from 0 to 120", ". >= 0 and . <= 120"],
]
SHOUTY_CHOICES = [["List Name", "NAME", "Label"],
                  ["yes.no", "yes", "Yes"], ["yes.no", "no", "No"], [],
                  ["park.ride", "weekday", "On weekdays"], ["park.ride", "weekend", "At weekends"],
                  ["park.ride", "never", "Never"]]

# --- 5. Youth services: names with dots, a date rule, required messages, required for some --------

YOUTH_SURVEY = [
    ["type", "name", "label", "required", "required_message", "constraint", "constraint_message", "appearance"],
    ["date", "dob", "What is your date of birth?", "yes", "Tell us your date of birth",
     ". <= today() and . >= '1900-01-01'", "Enter a date in the past", ""],
    ["select_one club.kind", "club.kind", "Which club do you go to?", "", "", "", "", "minimal"],
    ["text", "why_none", "Why do you not go to a club?", "${club.kind} = 'none'", "Tell us why you do not go to a club",
     "", "", ""],
    ["select_multiple activities", "activities", "What would you like more of?", "", "", "count-selected(.) < 3",
     "Choose up to two", ""],
    ["decimal", "spend", "How much would you pay a session, in pounds?", "", "", ". >= 0 and . < 20", "From 0 to 19.99", ""],
]
YOUTH_CHOICES = [["list_name", "name", "label", "image"]] + [row + [""] for row in choice_rows("club.kind", [
    ("sport", "Sport"), ("music", "Music"), ("none", "None"),
])] + [row + [""] for row in choice_rows("activities", [
    ("trips", "Trips"), ("gaming", "Gaming"), ("cooking", "Cooking"), ("art", "Art"),
])]

# --- 6, 7. What Shire refuses: a repeat and a calculation ---------------------------------------

REPEAT_SURVEY = [
    ["type", "name", "label"],
    ["text", "household", "Your household's name"],
    ["begin_repeat", "person", "Each person in the household"],
    ["integer", "age", "Age"],
    ["end_repeat", "", ""],
]
CALCULATE_SURVEY = [
    ["type", "name", "label", "calculation"],
    ["integer", "adults", "How many adults?", ""],
    ["integer", "children", "How many children?", ""],
    ["calculate", "people", "", "${adults} + ${children}"],
]


def unseen_forms():
    """{name: (xlsx bytes, expected)}; see the module docstring."""
    return {
        "library_hours": (
            workbook(LIBRARY_SURVEY, LIBRARY_CHOICES, LIBRARY_SETTINGS, blank_rows_after=(3,)),
            ["library", "library_other", "days", "visits", "travel_miles", "last_visit", "comments"],
        ),
        "parish_survey": (
            workbook(PARISH_SURVEY, PARISH_CHOICES),
            ["respondent", "org_name", "members", "safe", "friendly", "transport", "hall_uses", "spend_roads",
             "spend_parks", "project_rank", "contact"],
        ),
        "mobile_library": (
            workbook(BILINGUAL_SURVEY, BILINGUAL_CHOICES, BILINGUAL_SETTINGS),
            ["uses_service", "why"],
        ),
        "park_and_ride": (
            workbook(SHOUTY_SURVEY, SHOUTY_CHOICES, blank_rows_after=(0, 2)),
            ["has_car", "park_ride", "age"],
        ),
        "youth_services": (
            workbook(YOUTH_SURVEY, YOUTH_CHOICES),
            ["dob", "club.kind", "why_none", "activities", "spend"],
        ),
        "household_repeat": (workbook(REPEAT_SURVEY), ("refused", "survey", 3, "repeat")),
        "household_calculate": (workbook(CALCULATE_SURVEY), ("refused", "survey", 4, "calculat")),
    }
