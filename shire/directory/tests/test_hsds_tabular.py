"""The directory as the HSDS 3.0 tabular data package: export, import, the round trip, every bad
row reported with nothing half-imported, the command line and the officers' download."""
import csv
import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import include, path

from shire.core.models import AuditEvent, District, Parish
from shire.core.tests.factories import make_officer
from shire.directory import hsds_tabular
from shire.directory.models import (
    Accessibility,
    Contact,
    Location,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

from .oruk_sample import PRIVATE_MARKER, make_sample

pytestmark = pytest.mark.django_db

STANDARDS = Path(__file__).resolve().parents[3].parent / "shared" / "standards" / "hsds"
needs_standards = pytest.mark.skipif(not STANDARDS.is_dir() and not os.environ.get("CI"), reason="../shared/standards is not beside the repository")

# The officers' download, mounted here as the directory's urls.py will mount it.
urlpatterns = [
    path("directory/staff/hsds/", include("shire.directory.urls_staff_hsds")),
    path("", include("shire.urls")),
]


@pytest.fixture
def s():
    sample = make_sample()
    blaby = District.objects.create(name="Blaby", slug="blaby", gss_code="E07000129")
    nwl = District.objects.create(name="North West Leicestershire", slug="north-west-leicestershire", gss_code="E07000134")
    measham = Parish.objects.create(name="Measham", slug="measham", district=nwl, kind=Parish.Kind.PARISH_COUNCIL)
    Parish.objects.create(name="Desford", slug="desford", district=blaby, kind=Parish.Kind.PARISH_COUNCIL)
    Organization.objects.filter(pk=sample["org"].pk).update(
        district=nwl, parish=measham, kind=Organization.Kind.COMMUNITY_GROUP, is_demo=True)
    Organization.objects.filter(pk=sample["parent_org"].pk).update(is_council_run=True, district=nwl)
    Location.objects.filter(pk=sample["hall"].pk).update(district=nwl, parish=measham, last_checked_on="2026-03-01")
    Service.objects.filter(pk=sample["football"].pk).update(attending_type=Service.AttendingType.MIXED,
                                                           attending_access=Service.AttendingAccess.BOOKING, is_demo=True)
    # A place whose address lacks its postcode: HSDS cannot have the address, the place goes out without it.
    Location.objects.create(name="Somewhere", address_1="1 Lane", city="Melton")
    sample.update(blaby=blaby, nwl=nwl, measham=measham)
    return sample


def export(tmp_path, name="out"):
    folder = tmp_path / name
    files, warnings, problems = hsds_tabular.export_folder(folder)
    return folder, files, warnings, problems


def read_csv(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def empty_the_directory():
    for model in (Organization, Location, Taxonomy):
        model.objects.all().delete()
    assert not Service.objects.exists() and not Contact.objects.exists() and not TaxonomyTerm.objects.exists()


def directory_counts():
    return {model.__name__: model.objects.count()
            for model in (Organization, Service, Location, ServiceAtLocation, Contact, Phone, Taxonomy, TaxonomyTerm)}


def test_export_writes_every_table_with_the_standards_columns(tmp_path, s):
    folder, files, warnings, problems = export(tmp_path)
    package = json.loads((folder / "datapackage.json").read_text())
    assert set(files) == {r["path"] for r in package["resources"]} | {"datapackage.json"}
    for resource in package["resources"]:
        with (folder / resource["path"]).open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        assert header == [f["name"] for f in resource["schema"]["fields"]], resource["path"]
    assert problems == []
    assert warnings and "Somewhere" in warnings[0]
    services = {row["name"]: row for row in read_csv(folder / "services.csv")}
    assert services["Walking football"]["assured_date"] == "2026-02-01"
    assert services["Walking football"]["minimum_age"] == "50"
    assert [row["amount"] for row in read_csv(folder / "cost_options.csv")] in (["3.5", "0"], ["0", "3.5"])
    assert read_csv(folder / "programs.csv") == []


@needs_standards
def test_the_headers_match_the_standards_example_files(tmp_path, s):
    folder, files, *_ = export(tmp_path)
    for name in files:
        if name.endswith(".csv"):
            with (STANDARDS / "examples" / "csv" / name).open(encoding="utf-8", newline="") as handle:
                expected = next(csv.reader(handle))
            assert (folder / name).read_text(encoding="utf-8").splitlines()[0] == ",".join(expected), name
    assert (folder / "datapackage.json").read_bytes() == (STANDARDS / "datapackage.json").read_bytes()


def test_private_contacts_and_phones_are_never_exported(tmp_path, s):
    folder, files, *_ = export(tmp_path)
    text = "".join((folder / name).read_text(encoding="utf-8") for name in files)
    assert PRIVATE_MARKER not in text and "private.jane" not in text
    for pk in list(Contact.objects.filter(private=True).values_list("pk", flat=True)) + list(
            Phone.objects.filter(private=True).values_list("pk", flat=True)):
        assert str(pk) not in text
    assert "01530 000001" in (folder / "phones.csv").read_text()


def test_round_trip_export_import_into_an_empty_directory_export_is_identical(tmp_path, s):
    first, files, *_ = export(tmp_path, "first")
    before = {model: model.objects.count() for model in (Organization, Service, Location, Accessibility)}
    empty_the_directory()
    result = hsds_tabular.import_package(first)
    assert result.counts["service"] == (3, 0)
    second, *_ = export(tmp_path, "second")
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert {model: model.objects.count() for model in before} == before
    # Shire's own fields came back through the attributes, and search works on the imported services.
    org = Organization.objects.get(pk=s["org"].pk)
    assert (org.kind, org.district_id, org.parish_id, org.is_demo) == (
        Organization.Kind.COMMUNITY_GROUP, s["nwl"].pk, s["measham"].pk, True)
    assert Organization.objects.get(pk=s["parent_org"].pk).is_council_run
    assert Location.objects.get(pk=s["hall"].pk).kind == Location.Kind.SPORTS_VENUE
    football = Service.objects.get(pk=s["football"].pk)
    assert (football.cost, football.attending_type, football.attending_access) == ("paid", "mixed", "booking")
    assert "measham" in football.search_text and "sport and exercise" in football.search_text
    assert Taxonomy.objects.get(pk=s["audiences"].pk).slug == "who-it-is-for"
    assert set(Accessibility.objects.values_list("feature", flat=True)) == {"step_free", "hearing_loop"}
    # Shire's own code lists stay out of the directory's taxonomies.
    assert Taxonomy.objects.count() == 2


def test_a_zip_round_trips_too(tmp_path, s):
    archive = tmp_path / "directory.zip"
    with archive.open("wb") as handle:
        warnings, problems = hsds_tabular.export_zip(handle)
    assert problems == []
    with zipfile.ZipFile(archive) as opened:
        assert "hsds/services.csv" in opened.namelist()
    folder, files, *_ = export(tmp_path)
    empty_the_directory()
    hsds_tabular.import_package(archive)
    again, *_ = export(tmp_path, "again")
    assert all((folder / name).read_bytes() == (again / name).read_bytes() for name in files)


def test_importing_the_same_package_again_changes_nothing(tmp_path, s):
    folder, files, *_ = export(tmp_path)
    result = hsds_tabular.import_package(folder)
    assert all(counts == (0, 0) for counts in result.counts.values()), result.counts  # nothing written
    # The address HSDS could not take (no postcode) is still in Shire.
    assert Location.objects.get(name="Somewhere").address_lines == ["1 Lane", "Melton"]
    again, *_ = export(tmp_path, "again")
    assert all((folder / name).read_bytes() == (again / name).read_bytes() for name in files)


def _edit(folder, filename, row_index, **changes):
    """Change cells of data row `row_index` (0 = the first after the header) of a CSV file."""
    path = folder / filename
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    for column, value in changes.items():
        rows[row_index + 1][header.index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)


def _row_of(folder, filename, **match):
    for index, row in enumerate(read_csv(folder / filename)):
        if all(row[key] == value for key, value in match.items()):
            return index
    raise AssertionError(match)


def test_every_bad_row_is_reported_and_nothing_is_imported(tmp_path, s):
    folder, *_ = export(tmp_path)
    empty_the_directory()
    Organization.objects.create(name="Already here", description="x", kind="community_group")
    before = directory_counts()
    football = _row_of(folder, "services.csv", name="Walking football")
    _edit(folder, "services.csv", football, organization_id="00000000-0000-4000-8000-000000000000",
          status="open", minimum_age="ten")
    _edit(folder, "services.csv", _row_of(folder, "services.csv", name="Food bank"), name="", id="not-a-uuid")
    _edit(folder, "schedules.csv", 0, opens_at="25:00", valid_from="31/01/2026")
    _edit(folder, "phones.csv", 0, number="")
    _edit(folder, "locations.csv", 0, location_type="castle", latitude="91")
    _edit(folder, "organizations.csv", 0, email="not an email", name="x" * 201)
    with pytest.raises(hsds_tabular.PackageRejected) as rejected:
        hsds_tabular.import_package(folder)
    problems = {(p.file, p.row, p.column): p.message for p in rejected.value.problems}
    row = football + 2  # the header is row 1
    assert "is not the id of any row of organizations.csv" in problems[("services.csv", row, "organization_id")]
    assert "is not one of: active" in problems[("services.csv", row, "status")]
    assert "is not a number" in problems[("services.csv", row, "minimum_age")]
    food = _row_of(folder, "services.csv", id="not-a-uuid") + 2
    assert problems[("services.csv", food, "name")] == "a value is required"
    assert "is not a UUID" in problems[("services.csv", food, "id")]
    assert "is not a time" in problems[("schedules.csv", 2, "opens_at")]
    assert "is not a date" in problems[("schedules.csv", 2, "valid_from")]
    assert problems[("phones.csv", 2, "number")] == "a value is required"
    assert "is not one of: physical, postal, virtual" in problems[("locations.csv", 2, "location_type")]
    assert "is not a latitude" in problems[("locations.csv", 2, "latitude")]
    assert "is not an e-mail address" in problems[("organizations.csv", 2, "email")]
    assert "Shire keeps at most 200" in problems[("organizations.csv", 2, "name")]
    # The rows that pointed to the service whose id broke are reported too (unknown foreign keys).
    assert any(p.file == "service_at_location.csv" and p.column == "service_id" for p in rejected.value.problems)
    assert directory_counts() == before
    assert "Nothing was imported" in str(rejected.value)


def test_duplicates_and_shire_rules_are_reported(tmp_path, s):
    folder, *_ = export(tmp_path)
    first_service = read_csv(folder / "services.csv")[0]["id"]
    _edit(folder, "services.csv", 1, id=first_service)
    with pytest.raises(hsds_tabular.PackageRejected) as rejected:
        hsds_tabular.import_package(folder)
    assert any(p.file == "services.csv" and p.row == 3 and p.column == "id" and "also in row 2" in p.message
               for p in rejected.value.problems)


def test_places_must_already_be_in_shire(tmp_path, s):
    folder, *_ = export(tmp_path)
    empty_the_directory()
    Parish.objects.filter(slug="measham").delete()
    with pytest.raises(hsds_tabular.PackageRejected) as rejected:
        hsds_tabular.import_package(folder)
    assert any("parish measham is not in Shire" in p.message for p in rejected.value.problems)
    assert not Organization.objects.exists()


@needs_standards
def test_the_standards_example_package_is_checked_row_by_row(tmp_path):
    """HSDS's own example rows point at records the example leaves out: each dangling key is reported."""
    folder = tmp_path / "example"
    shutil.copytree(STANDARDS / "examples" / "csv", folder, symlinks=False, ignore=shutil.ignore_patterns("datapackage.json"))
    with pytest.raises(hsds_tabular.PackageRejected) as rejected:
        hsds_tabular.import_package(folder)
    problems = {(p.file, p.row, p.column): p.message for p in rejected.value.problems}
    for file, column in [("organizations.csv", "parent_organization_id"), ("locations.csv", "organization_id"),
                         ("contacts.csv", "organization_id"), ("taxonomy_terms.csv", "parent_id"),
                         ("taxonomy_terms.csv", "taxonomy_id"), ("contacts.csv", "service_at_location_id")]:
        assert "is not the id of any row" in problems[(file, 2, column)]
    # ...and what Shire cannot hold: a latitude of 100, texts longer than its fields.
    assert "is not a latitude" in problems[("locations.csv", 2, "latitude")]
    assert "Shire keeps at most 40" in problems[("schedules.csv", 2, "attending_type")]
    assert "Shire keeps at most 200" in problems[("funding.csv", 2, "source")]
    assert not Organization.objects.exists()


@needs_standards
def test_the_standards_example_imports_once_its_keys_are_whole(tmp_path):
    folder = tmp_path / "example"
    shutil.copytree(STANDARDS / "examples" / "csv", folder, ignore=shutil.ignore_patterns("datapackage.json"))
    organization = read_csv(folder / "organizations.csv")[0]["id"]
    _edit(folder, "organizations.csv", 0, parent_organization_id="")
    _edit(folder, "locations.csv", 0, organization_id=organization)
    _edit(folder, "contacts.csv", 0, organization_id=organization)
    _edit(folder, "taxonomy_terms.csv", 0, parent_id="", taxonomy_id=read_csv(folder / "taxonomies.csv")[0]["id"])
    _edit(folder, "attributes.csv", 0, link_id=read_csv(folder / "services.csv")[0]["id"], link_entity="service")
    _edit(folder, "contacts.csv", 0, service_at_location_id=read_csv(folder / "service_at_location.csv")[0]["id"])
    _edit(folder, "locations.csv", 0, latitude="52.63", longitude="-1.13")
    _edit(folder, "schedules.csv", 0, attending_type="In person or by video")
    _edit(folder, "funding.csv", 0, source="MyCity council and charitable grants")
    result = hsds_tabular.import_package(folder)
    assert result.counts["service"] == (1, 0)
    assert any("programs.csv" in warning for warning in result.warnings)
    service = Service.objects.get()
    assert service.name == "Community Counselling" and service.taxonomy_terms.count() == 1
    assert Location.objects.get().postal_code == "ABC 1234"
    assert Phone.objects.get().number == '"+44 1234 234567"'


def test_the_command_line(tmp_path, s, capsys):
    out = tmp_path / "cli"
    call_command("directory", "export-hsds", str(out))
    assert (out / "services.csv").exists()
    call_command("directory", "import-hsds", str(out), "--check")
    assert "no problems" in capsys.readouterr().out
    call_command("directory", "export-hsds", str(tmp_path / "cli.zip"))
    empty_the_directory()
    call_command("directory", "import-hsds", str(tmp_path / "cli.zip"))
    assert "3 added" in capsys.readouterr().out
    assert AuditEvent.objects.filter(action="directory.hsds_import").exists()

    _edit(out, "services.csv", 0, status="maybe")
    before = directory_counts()
    Service.objects.all().delete()
    with pytest.raises(CommandError) as error:
        call_command("directory", "import-hsds", str(out))
    assert "services.csv, row 2, column status: 'maybe' is not one of" in str(error.value)
    assert Service.objects.count() == 0 and directory_counts()["Organization"] == before["Organization"]

    with pytest.raises(CommandError, match="no such file or folder"):
        call_command("directory", "import-hsds", str(tmp_path / "missing"))
    (tmp_path / "not.zip").write_text("hello")
    with pytest.raises(CommandError, match="neither a folder nor a zip"):
        call_command("directory", "import-hsds", str(tmp_path / "not.zip"))


def test_a_broken_csv_file_is_reported(tmp_path, s):
    folder, *_ = export(tmp_path)
    (folder / "funding.csv").write_bytes(b"id,organization_id,service_id,source\r\n1,2\r\n")
    (folder / "languages.csv").write_bytes("\xff".encode("latin-1"))
    with pytest.raises(hsds_tabular.PackageRejected) as rejected:
        hsds_tabular.import_package(folder)
    assert [str(p) for p in rejected.value.problems] == ["languages.csv: is not UTF-8 text (byte 0)"]
    (folder / "languages.csv").write_text("id,service_id\r\n", encoding="utf-8")
    with pytest.raises(hsds_tabular.PackageRejected) as rejected:
        hsds_tabular.import_package(folder)
    assert "funding.csv, row 2: has 2 cells where the header has 4" in [str(p) for p in rejected.value.problems]


def test_free_text_keeps_its_spaces_and_codes_lose_theirs(tmp_path, s):
    Organization.objects.filter(pk=s["org"].pk).update(description="  Walking football.  ")
    folder, files, *_ = export(tmp_path)
    _edit(folder, "services.csv", _row_of(folder, "services.csv", name="Food bank"), status=" active ")
    empty_the_directory()
    hsds_tabular.import_package(folder)
    assert Organization.objects.get(pk=s["org"].pk).description == "  Walking football.  "
    assert Service.objects.get(pk=s["foodbank"].pk).status == "active"


def test_an_update_keeps_shire_fields_a_package_does_not_give(tmp_path, s):
    """A package from another system (no Shire attributes) updates the HSDS fields and keeps Shire's."""
    folder, *_ = export(tmp_path)
    (folder / "attributes.csv").write_text("id,link_id,taxonomy_term_id,link_type,link_entity,value\r\n", encoding="utf-8")
    _edit(folder, "organizations.csv", _row_of(folder, "organizations.csv", name="Measham Walking Football"),
          description="Walking football for the over-50s, every Tuesday.")
    hsds_tabular.import_package(folder)
    org = Organization.objects.get(pk=s["org"].pk)
    assert org.description == "Walking football for the over-50s, every Tuesday."
    assert (org.kind, org.parish_id, org.is_demo) == (Organization.Kind.COMMUNITY_GROUP, s["measham"].pk, True)
    assert Service.objects.get(pk=s["football"].pk).taxonomy_terms.count() == 2  # nothing is deleted


@pytest.mark.urls(__name__)
def test_officers_download_the_package_as_a_zip(client, s):
    url = "/directory/staff/hsds/directory-hsds.zip"
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(make_officer("community", role="community"))
    assert client.get(url).status_code == 403
    officer = make_officer()
    client.force_login(officer)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    services = archive.read("hsds/services.csv").decode()
    assert "Walking football" in services
    assert PRIVATE_MARKER not in "".join(archive.read(name).decode() for name in archive.namelist())
    assert AuditEvent.objects.filter(action="directory.hsds_download", actor=officer).exists()


def test_a_code_two_taxonomies_use_is_qualified_on_the_way_out_and_back_in(tmp_path, s):
    """HSDS wants term codes unique in the file; Shire, in a taxonomy."""
    TaxonomyTerm.objects.create(taxonomy=s["categories"], code="older-people", name="Later life", description="x")
    folder, files, warnings, problems = export(tmp_path)
    assert problems == []
    codes = {row["code"] for row in read_csv(folder / "taxonomy_terms.csv")}
    assert {"categories:older-people", "who-it-is-for:older-people", "health"} <= codes
    empty_the_directory()
    hsds_tabular.import_package(folder)
    assert set(TaxonomyTerm.objects.filter(code="older-people").values_list("taxonomy__slug", flat=True)) == {
        "categories", "who-it-is-for"}
    again, *_ = export(tmp_path, "again")
    assert all((folder / name).read_bytes() == (again / name).read_bytes() for name in files)


def test_a_pair_shire_already_has_under_another_id_is_reported(tmp_path, s):
    folder, *_ = export(tmp_path)
    row = _row_of(folder, "service_at_location.csv", id=str(s["sal"].pk))
    _edit(folder, "service_at_location.csv", row, id="7d0c4a51-2f3b-4e55-9a0e-1b2c3d4e5f60")
    with pytest.raises(hsds_tabular.PackageRejected) as rejected:
        hsds_tabular.import_package(folder)
    assert [str(p) for p in rejected.value.problems] == [
        f"service_at_location.csv, row {row + 2}, column location_id: this service is at this place "
        f"in Shire already (id {s['sal'].pk})"]


def test_an_import_makes_the_lists_kept_rows_of_what_it_changed_again(tmp_path, s, client, settings):
    """The import writes in bulk (no save signals): it refreshes the kept rows of the services it
    names and of those of the organisations and places it names."""
    settings.DIRECTORY_API_CACHE_SECONDS = settings.DIRECTORY_PAGE_CACHE_SECONDS = 0
    folder, *_ = export(tmp_path)
    _edit(folder, "organizations.csv", _row_of(folder, "organizations.csv", name="Measham Walking Football"),
          name="Measham Walking Football & Friends")
    _edit(folder, "locations.csv", _row_of(folder, "locations.csv", id=str(s["hall"].pk)), name="The New Hall")
    hsds_tabular.import_package(folder)
    services = {row["id"]: row for row in client.get("/api/oruk/services").json()["contents"]}
    assert services[str(s["football"].pk)]["organization"]["name"] == "Measham Walking Football & Friends"
    pairings = client.get("/api/oruk/service_at_locations").json()["contents"]
    assert "The New Hall" in {row["location"]["name"] for row in pairings}
    assert "Measham Walking Football &amp; Friends" in client.get("/directory/", {"q": "walking"}).text
