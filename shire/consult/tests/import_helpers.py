"""Builders for the import tests: small questionnaire definitions as dicts, and response files."""
import csv
from datetime import date

from shire.consult.models import Consultation, Questionnaire
from shire.core.tests.factories import make_team

AGREE = ["strongly_agree", "agree", "neither", "disagree", "strongly_disagree", "dont_know"]


def choices(*names):
    return [{"name": name, "label": name.replace("_", " ").capitalize()} for name in names]


def question(name, type, *, choice_names=None, required=False, relevant=None, constraint=None,
             constraint_message=None, row=None):
    item = {
        "name": name,
        "type": type,
        "label": f"Question {name}",
        "hint": None,
        "required": required,
        "required_message": None,
        "relevant": relevant,
        "constraint": constraint,
        "constraint_message": constraint_message,
        "appearance": None,
        "row": row or 2,
    }
    if type in ("select_one", "select_multiple", "rank"):
        item["list_name"] = f"{name}_list"
        item["choices"] = choices(*(choice_names or []))
    return item


def page(name, *items, relevant=None):
    return {"name": name, "label": name.replace("_", " ").capitalize(), "hint": None, "relevant": relevant, "items": list(items)}


def definition(*pages, form_id="test_form"):
    return {"form_id": form_id, "title": "Test questionnaire", "version": "1", "pages": list(pages)}


def small_definition():
    """A form with every answer type, a routed page, a routed question, constraints and a note.

    Individuals answer `ways_to_help`; organisations get the `organisation` page, whose `staff`
    is required. `methods` allows up to three choices.
    """
    return definition(
        page(
            "about_you",
            question("intro", "note"),
            question("respondent_type", "select_one", choice_names=["individual", "organisation"], required=True),
            question("ways_to_help", "select_multiple", choice_names=["advice", "volunteer", "donate", "none"],
                     relevant="${respondent_type} = 'individual'"),
        ),
        page(
            "organisation",
            question("staff", "integer", required=True, constraint=". >= 0 and . <= 100000",
                     constraint_message="Give a number of staff from 0 to 100,000."),
            question("volunteers", "integer", constraint=". <= ${staff} * 10",
                     constraint_message="Volunteers can be at most ten times the staff."),
            relevant="${respondent_type} = 'organisation'",
        ),
        page(
            "views",
            question("principle", "select_one", choice_names=AGREE, required=True),
            question("order", "rank", choice_names=["local", "engage", "communicate", "funding"]),
            question("methods", "select_multiple", choice_names=["website", "email", "newsletter", "post", "social"],
                     constraint="count-selected(.) <= 3", constraint_message="Choose up to three."),
            question("budget", "decimal"),
            question("started", "date"),
            question("comments", "text"),
        ),
    )


def make_consultation(definition_dict=None, slug="test-consultation", team=None):
    team = team or make_team(name=f"Team {slug}", slug=f"team-{slug}")
    consultation = Consultation.objects.create(
        slug=slug,
        title=f"Consultation {slug}",
        summary="A consultation for tests.",
        opens_on=date(2017, 1, 9),
        closes_on=date(2017, 4, 2),
        contact_name="Communities Team",
        contact_email="communities@example.gov.uk",
        team=team,
    )
    definition_dict = definition_dict or small_definition()
    Questionnaire.objects.create(
        consultation=consultation,
        title=definition_dict["title"],
        form_id=definition_dict["form_id"],
        version=definition_dict.get("version") or "",
        definition=definition_dict,
    )
    return consultation


def write_csv(folder, rows, name="responses.csv", encoding="utf-8", bom=False):
    path = folder / name
    with open(path, "w", encoding="utf-8-sig" if bom else encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_xlsx(folder, rows, name="responses.xlsx"):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "responses"
    for row in rows:
        sheet.append(list(row))
    path = folder / name
    workbook.save(path)
    return path


HEADER = ["response_id", "respondent_type", "ways_to_help", "staff", "volunteers", "principle", "order",
          "methods", "budget", "started", "comments"]


def good_rows():
    """Three valid responses to small_definition(), as cell texts under HEADER."""
    return [
        HEADER,
        ["R-001", "individual", "volunteer advice", "", "", "agree", "local funding engage communicate",
         "email website", "", "", "More buses, please."],
        ["R-002", "organisation", "", "12", "40", "strongly_agree", "funding local communicate engage",
         "newsletter", "2500.50", "2016-04-01", ""],
        ["R-003", "individual", "", "", "", "dont_know", "", "", "", "", ""],
    ]


GOOD_ANSWERS = {
    "R-001": {
        "respondent_type": "individual",
        "ways_to_help": ["advice", "volunteer"],
        "principle": "agree",
        "order": ["local", "funding", "engage", "communicate"],
        "methods": ["website", "email"],
        "comments": "More buses, please.",
    },
    "R-002": {
        "respondent_type": "organisation",
        "staff": 12,
        "volunteers": 40,
        "principle": "strongly_agree",
        "order": ["funding", "local", "communicate", "engage"],
        "methods": ["newsletter"],
        "budget": 2500.5,
        "started": "2016-04-01",
    },
    "R-003": {"respondent_type": "individual", "principle": "dont_know"},
}


def one_row(**cells):
    """A header and one valid individual's row, with some cells changed (by column name)."""
    values = dict(zip(HEADER, good_rows()[1]))
    values.update(cells)
    return [HEADER, [values[column] for column in HEADER]]


def write_raw_xlsx(folder, sheet_rows_xml, shared_strings=(), name="raw.xlsx", date1904=False):
    """A workbook written by hand, as Excel writes them: shared strings, a date style (s="1"), rows
    given as <row> XML. openpyxl itself writes neither shared strings nor some of these cell kinds."""
    import zipfile
    from xml.sax.saxutils import escape

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}">'
            + ('<workbookPr date1904="1"/>' if date1904 else "")
            + '<sheets><sheet name="responses" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        ),
        "xl/styles.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{main}">'
            '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
            '<fonts count="1"><font/></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>'
            '<cellXfs count="3"><xf numFmtId="0" xfId="0"/><xf numFmtId="164" xfId="0" applyNumberFormat="1"/>'
            '<xf numFmtId="2" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>'
        ),
        "xl/sharedStrings.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{main}" count="{len(shared_strings)}" uniqueCount="{len(shared_strings)}">'
            + "".join(f"<si><t xml:space=\"preserve\">{escape(text)}</t></si>" for text in shared_strings)
            + "</sst>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>{sheet_rows_xml}</sheetData></worksheet>'
        ),
    }
    path = folder / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, text in parts.items():
            archive.writestr(part, text)
    return path
