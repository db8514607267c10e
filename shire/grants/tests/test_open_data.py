"""360Giving open data: the JSON validates against the standard's schema (offline), carries the
standard's identifiers, and its CSV/XLSX forms use the standard's column titles; nothing private
(bank details, members' names and e-mail addresses, addresses, declined or undecided applications)
is in any of the three formats; the command line and the public page give the same file."""
import csv
import io
import json
import os
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse

from shire.core.tests.factories import make_officer, make_team
from shire.grants import open_data, services
from shire.grants.models import (
    Application,
    Award,
    BankDetails,
    Decision,
    DecisionAmendment,
    Invitation,
    MonitoringReturn,
    PaymentInstalment,
)

from .factories import district, make_applicant, make_application, make_community_user, make_round, submit

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[3]
STANDARD = REPO.parent / "shared" / "standards" / "360giving"
# Skipped on a developer's machine without shared/, never in CI (CI=true), where a missing standard must fail.
needs_standard = pytest.mark.skipif(
    not STANDARD.is_dir() and not os.environ.get("CI"), reason=f"{STANDARD} (shared/ beside the repository) is missing"
)

# Planted private data: none of it may appear in any open data file.
MEMBER_FIRST, MEMBER_LAST = "Marguerite", "Oakenshaw"
MEMBER_EMAIL = "marguerite.oakenshaw@example.org"
INVITEE_EMAIL = "quentin.invitee@example.org"
ADDRESS = "14 Larkspur Close\nWigston"
POSTCODE = "LE18 4QX"
SORT_CODE, ACCOUNT_NUMBER, ACCOUNT_NAME = "40-11-62", "73920518", "Lunch Club Treasurer Account"
PHONE = "0116 496 0731"
DECLINED_TITLE = "Declined-zebra-project"
UNDECIDED_TITLE = "Undecided-walrus-project"
PRIVATE_ANSWER = "Private-answer-about-Mrs-Jones"
DECISION_REASONS = "Panel-reasons-kept-private"
CASE_STUDY = "Case-study-about-a-named-resident"
PRIVATE = [MEMBER_FIRST, MEMBER_LAST, MEMBER_EMAIL, INVITEE_EMAIL, "Larkspur", POSTCODE, SORT_CODE, ACCOUNT_NUMBER,
           ACCOUNT_NAME, PHONE, "496 0731", DECLINED_TITLE, UNDECIDED_TITLE, PRIVATE_ANSWER, DECISION_REASONS, CASE_STUDY]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def award(application, officer, amount_pence=None, outcome=Decision.Outcome.AWARD, award_date=date(2019, 7, 15),
          planned=(date(2019, 9, 1), date(2020, 8, 31)), reasons="Meets the theme's priorities."):
    """Decide `application` (submitted) as `officer`, as the officers' pages do: status, decision, award."""
    services.transition(application, Application.Status.IN_ASSESSMENT, officer)
    status = {
        Decision.Outcome.AWARD: Application.Status.AWARDED,
        Decision.Outcome.PART: Application.Status.PART_AWARDED,
        Decision.Outcome.DECLINE: Application.Status.DECLINED,
    }[outcome]
    amount = 0 if outcome == Decision.Outcome.DECLINE else (amount_pence or application.amount_requested_pence)
    services.transition(application, status, officer, note=reasons)
    decision = Decision.objects.create(
        application=application, outcome=outcome, amount_awarded_pence=amount, reasons=reasons, decided_by=officer
    )
    if not amount:
        return decision, None
    made = Award.objects.create(
        application=application, amount_pence=amount, award_date=award_date,
        planned_start_on=planned[0] if planned else None, planned_end_on=planned[1] if planned else None,
    )
    return decision, made


def decided_world(officer=None):
    """A round with one award, one declined and one undecided application, and private data planted around them."""
    team = make_team()
    officer = officer or make_officer("grants-officer", team=team)
    round_ = make_round(team=team)
    member, organisation = make_applicant(MEMBER_EMAIL, "Wigston Lunch Club", address=ADDRESS, postcode=POSTCODE,
                                          charity_number="1 123 456", website="https://wigston-lunch.example.org/")
    member.first_name, member.last_name = MEMBER_FIRST, MEMBER_LAST
    member.save()
    Invitation.objects.create(organisation=organisation, email=INVITEE_EMAIL, token_hash="x" * 64, invited_by=member,
                              expires_at=member.date_joined + timedelta(days=14))
    BankDetails.objects.create(organisation=organisation, account_name=ACCOUNT_NAME, sort_code=SORT_CODE,
                               account_number=ACCOUNT_NUMBER)
    application = make_application(round_, organisation, member)
    services.save_draft(application, member, {
        "title": "Lunch club minibus",
        "summary": f"A minibus for our lunch club. Ask {MEMBER_FIRST} {MEMBER_LAST} ({MEMBER_EMAIL}, {PHONE}) for details.",
        "theme": round_.themes().first(), "amount_text": "2500.50", "district": district(),
        "answers": {q.key: ("12" if q.kind == "number" else PRIVATE_ANSWER) for q in round_.questions.all()},
    })
    submit(application, member)
    _, made = award(application, officer, reasons=DECISION_REASONS)
    PaymentInstalment.objects.create(award=made, number=1, due_on=date(2019, 8, 1), amount_pence=200_000,
                                     paid_on=date(2019, 8, 2))
    PaymentInstalment.objects.create(award=made, number=2, due_on=date(2020, 3, 1), amount_pence=50_050)
    MonitoringReturn.objects.create(award=made, due_on=date(2020, 9, 30), submitted_on=date(2020, 9, 1),
                                    people_helped=40, case_study=CASE_STUDY)

    other_member, other = make_applicant("other@example.org", "Oadby Youth Project", charity_number="",
                                         company_number="")
    declined = make_application(round_, other, other_member)
    services.save_draft(declined, other_member, {
        "title": DECLINED_TITLE, "summary": "Not funded.", "theme": round_.themes().first(), "amount_text": "3000",
        "district": district(), "answers": {q.key: ("3" if q.kind == "number" else "x") for q in round_.questions.all()},
    })
    submit(declined, other_member)
    award(declined, officer, outcome=Decision.Outcome.DECLINE, reasons=DECISION_REASONS)

    third_member, third = make_applicant("third@example.org", "Blaby Men's Shed")
    undecided = make_application(round_, third, third_member)
    services.save_draft(undecided, third_member, {
        "title": UNDECIDED_TITLE, "summary": "Waiting.", "theme": round_.themes().first(), "amount_text": "2000",
        "district": district(), "answers": {q.key: ("3" if q.kind == "number" else "x") for q in round_.questions.all()},
    })
    submit(undecided, third_member)
    return {"round": round_, "officer": officer, "application": application, "organisation": organisation,
            "declined": declined, "undecided": undecided, "award": made}


def shared_validator():
    """A validator built from the shared copy of the standard, independently of open_data's own."""
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    grant_schema = json.loads((STANDARD / "schema" / "360-giving-schema.json").read_text())
    package_schema = json.loads((STANDARD / "schema" / "360-giving-package-schema.json").read_text())
    resource = DRAFT202012.create_resource(grant_schema)
    registry = Registry().with_resources([
        (package_schema["properties"]["grants"]["items"]["$ref"], resource),
        (grant_schema["$id"], resource),
    ])
    return Draft202012Validator(package_schema, registry=registry, format_checker=FormatChecker())


def template_headings():
    workbook = openpyxl.load_workbook(STANDARD / "templates" / "360-giving-schema-titles-with-meta-tab-2023.xlsx")
    return {sheet.title: [cell.value for cell in sheet[1] if cell.value] for sheet in workbook.worksheets}


def xlsx_text(content):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(
        str(value) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for value in row
        if value is not None
    )


# --- the JSON -----------------------------------------------------------------------------------


@needs_standard
def test_export_validates_against_the_standards_package_and_grant_schemas():
    decided_world()
    data = json.loads(open_data.export())
    validator = shared_validator()
    assert [error.message for error in validator.iter_errors(data)] == []
    assert open_data.validation_errors(data) == []
    # The validator really checks: a grant without an amount, or with a bad date, is refused.
    broken = json.loads(json.dumps(data))
    del broken["grants"][0]["amountAwarded"]
    broken["grants"][0]["awardDate"] = "15/07/2019"
    assert len(list(validator.iter_errors(broken))) >= 2
    assert len(open_data.validation_errors(broken)) >= 2


def test_the_fast_check_finds_what_the_whole_schema_finds():
    decided_world()
    data = json.loads(open_data.export())
    second = json.loads(json.dumps(data["grants"][0]))
    second["id"] += "-2"
    broken = json.loads(json.dumps(data))
    broken["grants"].append(second)
    broken["grants"][0]["currency"] = "POUNDS"
    broken["grants"][0]["awardDate"] = "15/07/2019"
    del broken["grants"][1]["recipientOrganization"]
    broken["version"] = "one"
    assert sorted(open_data.validation_errors(broken)) == sorted(open_data.validation_errors(broken, whole=True))
    assert sorted(error.split(":")[0] for error in open_data.validation_errors(broken)) == [
        "grants/0/awardDate", "grants/0/currency", "grants/1", "version"]
    # The same grant twice: the whole schema says the items are not unique; the fast check names the id.
    twice = json.loads(json.dumps(data))
    twice["grants"].append(twice["grants"][0])
    assert len(open_data.validation_errors(twice, whole=True)) == 1
    assert open_data.validation_errors(twice) == [f"grants: more than one grant has the id {data['grants'][0]['id']}"]
    empty = {**data, "grants": []}
    assert open_data.validation_errors(empty) == open_data.validation_errors(empty, whole=True) != []


@needs_standard
def test_the_packaged_schemas_are_the_standards_own():
    for name in ("360-giving-schema.json", "360-giving-package-schema.json"):
        assert (open_data.DATA / name).read_bytes() == (STANDARD / "schema" / name).read_bytes()
    assert open_data.GEO_CODE_TYPES.read_bytes() == (STANDARD / "codelists" / "geoCodeType.csv").read_bytes()


def test_only_awarded_grants_with_the_standards_identifiers_and_fields():
    world = decided_world()
    data = json.loads(open_data.export(today=date(2026, 1, 5)))
    assert len(data["grants"]) == 1
    grant = data["grants"][0]
    application = world["application"]
    assert grant["id"] == f"360G-LeicsCC-{application.reference}"
    assert grant["title"] == "Lunch club minibus"
    assert (grant["currency"], grant["amountAppliedFor"], grant["amountAwarded"], grant["amountDisbursed"]) == (
        "GBP", 2500.5, 2500.5, 2000)
    assert grant["awardDate"] == "2019-07-15"
    assert grant["plannedDates"] == [{"startDate": "2019-09-01", "endDate": "2020-08-31", "duration": 12}]
    assert grant["recipientOrganization"] == [{
        "id": "GB-CHC-1123456", "name": "Wigston Lunch Club", "charityNumber": "1123456",
        "url": "https://wigston-lunch.example.org/",
    }]
    assert grant["fundingOrganization"] == [{"id": "GB-LAE-LEC", "name": "Leicestershire County Council"}]
    assert grant["beneficiaryLocation"] == [
        {"name": "Blaby", "geoCode": "E07000129", "countryCode": "GB", "geoCodeType": "NMD"}]
    assert grant["grantProgramme"] == [{"code": "shire-2019-20", "title": "SHIRE Community Grants 2019-20"}]
    assert grant["classifications"] == [{
        "vocabulary": "360G-LeicsCC-shire-community-grants-themes", "code": "theme-0",
        "title": "Disadvantaged young people",
    }]
    assert grant["fromOpenCall"] == "Yes"
    assert grant["dateModified"].endswith(("+00:00", "+01:00"))
    assert data["issued"] == "2026-01-05"
    assert data["modified"] == grant["dateModified"]
    assert data["version"] == "1.4"
    assert data["license"] == open_data.OGL
    assert data["publisher"] == {"identifier": "GB-LAE-LEC", "name": "Leicestershire County Council"}


def test_identifiers_follow_the_settings(settings):
    settings.SHIRE_360G_PREFIX = "360G-example"
    settings.SHIRE_360G_FUNDER_ID = "GB-LAE-XYZ"
    settings.SHIRE_SITE_URL = "https://communities.example.gov.uk/"
    world = decided_world()
    data = json.loads(open_data.export())
    grant = data["grants"][0]
    assert grant["id"] == f"360G-example-{world['application'].reference}"
    assert grant["fundingOrganization"][0]["id"] == "GB-LAE-XYZ"
    assert grant["grantProgramme"][0]["url"] == "https://communities.example.gov.uk/grants/rounds/shire-2019-20/"
    assert data["downloadURL"] == "https://communities.example.gov.uk/grants/open-data/grants.json"
    assert data["identifier"] == "360G-example-grants"
    assert open_data.validation_errors(data) == []


def test_recipient_identifiers_charity_then_company_then_our_own():
    _, organisation = make_applicant("a@example.org", "A", charity_number=" 1123456-1 ", company_number="1234567")
    assert open_data.organisation_id(organisation) == "GB-CHC-1123456-1"
    organisation.charity_number = ""
    assert open_data.organisation_id(organisation) == "GB-COH-01234567"
    organisation.company_number = "sc 123456"
    assert open_data.organisation_id(organisation) == "GB-COH-SC123456"
    organisation.company_number = ""
    assert open_data.organisation_id(organisation) == f"360G-LeicsCC-ORG-{organisation.pk}"


@needs_standard
def test_geo_code_types_come_from_the_codelist():
    from shire.demo.loader import DISTRICTS

    with (STANDARD / "codelists" / "geoCodeType.csv").open() as handle:
        codes = {row["Code"] for row in csv.DictReader(handle)}
    for _, gss in DISTRICTS:  # Leicestershire's seven non-metropolitan districts (E07...)
        assert open_data.geo_code_type(gss) == "NMD"
    assert open_data.geo_code_type("E06000016") == "UA"  # Leicester
    assert open_data.geo_code_type("W06000015") == "UA"
    assert open_data.geo_code_type("") == ""
    assert "NMD" in codes and "UA" in codes


def test_a_decision_amended_to_decline_is_not_published():
    world = decided_world()
    decision = world["application"].decision
    DecisionAmendment.objects.create(
        decision=decision, previous_outcome="award", previous_amount_pence=250_050, new_outcome="decline",
        new_amount_pence=0, reason="Project withdrawn.", amended_by=world["officer"],
    )
    with pytest.raises(open_data.OpenDataError, match="no awarded grants"):
        open_data.export()
    DecisionAmendment.objects.create(
        decision=decision, previous_outcome="decline", previous_amount_pence=0, new_outcome="award",
        new_amount_pence=250_050, reason="Reinstated.", amended_by=world["officer"],
    )
    assert len(json.loads(open_data.export())["grants"]) == 1


def test_planned_duration_in_months():
    months = open_data._months
    assert months(date(2019, 9, 1), date(2020, 8, 31)) == 12
    assert months(date(2020, 4, 5), date(2020, 10, 4)) == 6
    assert months(date(2020, 4, 5), date(2020, 10, 19)) == 7
    assert months(date(2020, 1, 31), date(2020, 2, 29)) == 1
    assert months(date(2020, 3, 1), date(2020, 3, 1)) == 1


def test_amounts_in_pounds():
    assert (open_data.pounds(250_000), open_data.pounds(250_050), open_data.pounds(1), open_data.pounds(None)) == (
        2500, 2500.5, 0.01, None)


# --- nothing private ----------------------------------------------------------------------------


def test_nothing_private_in_the_json_csv_or_xlsx():
    world = decided_world()
    formats = {fmt: open_data.export_as(fmt)[0] for fmt in ("json", "csv", "xlsx")}
    texts = {
        "json": formats["json"].decode("utf-8"),
        "csv": formats["csv"].decode("utf-8-sig"),
        "xlsx": xlsx_text(formats["xlsx"]),
    }
    for fmt, text in texts.items():
        assert world["application"].reference in text, fmt  # the awarded grant is there...
        assert "Lunch club minibus" in text, fmt
        assert world["declined"].reference not in text, fmt  # ... the declined and undecided ones are not
        assert world["undecided"].reference not in text, fmt
        for secret in PRIVATE:
            assert secret.lower() not in text.lower(), f"{secret!r} is in the {fmt}"
    grant = json.loads(formats["json"])["grants"][0]
    assert grant["description"] == "A minibus for our lunch club. Ask [name] ([email], [phone]) for details."


def test_a_members_name_typed_into_the_title_is_taken_out():
    world = decided_world()
    Application.objects.filter(pk=world["application"].pk).update(title=f"{MEMBER_FIRST.upper()} {MEMBER_LAST}'s minibus")
    grant = json.loads(open_data.export())["grants"][0]
    assert grant["title"] == "[name]'s minibus"


# --- CSV and XLSX -------------------------------------------------------------------------------


@needs_standard
def test_csv_has_the_templates_column_titles_and_one_row_per_grant():
    world = decided_world()
    content, content_type, extension = open_data.export_as("csv")
    assert (content_type, extension) == ("text/csv; charset=utf-8", "csv")
    rows = open_data.csv_rows(content)
    header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    template = template_headings()["grants"]
    assert set(header) == set(template)
    for title in ("Identifier", "Title", "Amount Awarded", "Award Date", "Recipient Org:Identifier",
                  "Funding Org:Identifier", "Beneficiary Location:Geographic Code", "Grant Programme:Title"):
        assert title in header
    assert len(rows) == 1
    row = rows[0]
    assert row["Identifier"] == f"360G-LeicsCC-{world['application'].reference}"
    assert (row["Amount Awarded"], row["Currency"], row["Recipient Org:Identifier"], row["Funding Org:Identifier"]) == (
        "2500.5", "GBP", "GB-CHC-1123456", "GB-LAE-LEC")
    assert (row["Beneficiary Location:Geographic Code"], row["Beneficiary Location:Geographic Code Type"]) == (
        "E07000129", "NMD")


@needs_standard
def test_xlsx_has_the_templates_sheets_and_titles():
    decided_world()
    content, _, _ = open_data.export_as("xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    template = template_headings()
    assert workbook.sheetnames[0] == "grants"
    for sheet in workbook.worksheets:
        assert sheet.title in template
        headings = [cell.value for cell in sheet[1] if cell.value]
        assert set(headings) <= set(template[sheet.title]), sheet.title
    classifications = list(workbook["Classifications"].iter_rows(values_only=True))
    assert classifications[1][2:4] == ("theme-0", "Disadvantaged young people")


def test_the_downloads_reuse_a_recent_export_until_an_award_changes(monkeypatch):
    world = decided_world()
    builds = []
    real = open_data.package
    monkeypatch.setattr(open_data, "package", lambda today=None: builds.append(1) or real(today))
    first = open_data.export(cached=True)
    assert open_data.export(cached=True) == first and len(builds) == 1
    open_data.export()  # the command line always builds afresh
    assert len(builds) == 2
    Application.objects.filter(pk=world["application"].pk).update(title="Lunch club minibus (renamed)")
    world["application"].refresh_from_db()
    world["application"].save(update_fields=["updated_at"])
    assert b"(renamed)" in open_data.export(cached=True) and len(builds) == 3
    PaymentInstalment.objects.filter(award=world["award"], number=2).update(paid_on=date(2020, 3, 2))
    assert b'"amountDisbursed": 2500.5' in open_data.export(cached=True) and len(builds) == 4


def test_flattening_is_cached_by_the_data(monkeypatch):
    import flattentool

    decided_world()
    json_bytes = open_data.export()
    calls = []
    real = flattentool.flatten
    monkeypatch.setattr(flattentool, "flatten", lambda *args, **kwargs: calls.append(1) or real(*args, **kwargs))
    first = open_data.flatten(json_bytes, "csv")
    assert open_data.flatten(json_bytes, "csv") == first
    assert len(calls) == 1
    open_data.flatten(json_bytes.replace(b"minibus", b"mini-bus"), "csv")
    assert len(calls) == 2
    with pytest.raises(ValueError):
        open_data.flatten(json_bytes, "ods")


# --- the command --------------------------------------------------------------------------------


def test_command_writes_the_json_csv_and_xlsx(tmp_path, capsys):
    decided_world()
    call_command("grants", "export-360giving", "--output", str(tmp_path / "grants.json"))
    assert (tmp_path / "grants.json").read_bytes() == open_data.export()
    assert "Wrote 1 grants as 360Giving JSON" in capsys.readouterr().err
    call_command("grants", "export-360giving", "--output", str(tmp_path / "grants.csv"))
    assert open_data.csv_rows((tmp_path / "grants.csv").read_bytes())[0]["Title"] == "Lunch club minibus"
    call_command("grants", "export-360giving", "--output", str(tmp_path / "out.data"), "--format", "xlsx")
    assert "Lunch club minibus" in xlsx_text((tmp_path / "out.data").read_bytes())
    call_command("grants", "export-360giving", "--output", "-")
    assert json.loads(capsys.readouterr().out) == json.loads(open_data.export())


def test_command_refuses_when_there_is_nothing_to_publish_and_leaves_the_file(tmp_path):
    output = tmp_path / "grants.json"
    output.write_text("previous")
    with pytest.raises(CommandError, match="no awarded grants"):
        call_command("grants", "export-360giving", "--output", str(output))
    assert output.read_text() == "previous"
    with pytest.raises(CommandError, match="does not exist"):
        decided_world()
        call_command("grants", "export-360giving", "--output", str(tmp_path / "missing" / "grants.json"))


def test_command_refuses_invalid_data(tmp_path, monkeypatch):
    decided_world()
    out = tmp_path / "out"
    out.mkdir()
    real = open_data.grant

    def broken(award_, funder):
        record = real(award_, funder)
        record["currency"] = "POUNDS"
        return record

    monkeypatch.setattr(open_data, "grant", broken)
    with pytest.raises(CommandError, match="not valid"):
        call_command("grants", "export-360giving", "--output", str(out / "grants.json"))
    assert list(out.iterdir()) == []  # nothing written, no temporary file left behind


# --- the public page ----------------------------------------------------------------------------


def test_page_and_downloads_are_public_and_give_the_same_file(client, tmp_path):
    world = decided_world()
    page = client.get("/grants/open-data/")
    assert page.status_code == 200
    html = page.content.decode()
    for fmt in ("json", "csv", "xlsx"):
        assert f'href="{reverse("grants:grants_open_data:download", args=[fmt])}"' in html
    assert "Open Government Licence v3.0" in html
    assert "GB-LAE-LEC" in html and "360G-LeicsCC-" in html
    assert "£2,500.50" in html
    for secret in PRIVATE:
        assert secret not in html

    call_command("grants", "export-360giving", "--output", str(tmp_path / "grants.json"))
    response = client.get("/grants/open-data/grants.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="360G-LeicsCC-grants.json"'
    assert response.content == (tmp_path / "grants.json").read_bytes()

    response = client.get("/grants/open-data/grants.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert open_data.csv_rows(response.content)[0]["Identifier"].endswith(world["application"].reference)
    response = client.get("/grants/open-data/grants.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert world["application"].reference in xlsx_text(response.content)
    assert client.get("/grants/open-data/grants.ods").status_code == 404
    assert client.post("/grants/open-data/grants.json").status_code == 405


def test_page_before_any_award(client):
    make_round()
    response = client.get("/grants/open-data/")
    assert response.status_code == 200
    assert "No grants have been published yet" in response.content.decode()
    assert client.get("/grants/open-data/grants.json").status_code == 404
    assert client.get("/grants/open-data/grants.csv").status_code == 404


def test_signed_in_applicants_see_the_same_public_data(client):
    decided_world()
    user = make_community_user("someone@example.org")
    client.force_login(user)
    assert client.get("/grants/open-data/").status_code == 200
    assert client.get("/grants/open-data/grants.json").content == open_data.export()
