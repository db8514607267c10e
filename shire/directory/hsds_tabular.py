"""The whole directory as the HSDS 3.0 tabular data package, out and in.

The package is a folder (or a zip of one) holding `datapackage.json` (HSDS 3.0's own, unchanged:
data/hsds-datapackage.json) and one CSV file a table, with the tables and columns it names, in its
order, UTF-8, a header row then one row a record.

Export (`export_tables`, `export_folder`, `export_zip`) writes every table, sorted by id, so the
same directory always gives byte-identical files. It leaves out, always: contacts and phone
numbers marked private, and Shire's own bookkeeping (managers, pending edits, history, error
reports). Tables Shire has no records for (programs, required_documents, metadata,
meta_table_descriptions) are written with their header only. A place whose address lacks a part
HSDS requires (line 1, town, county, postcode, country) is written without it (and said so).

Shire's own fields that HSDS has no column for travel as HSDS attributes: rows of attributes.csv
linking the record (link_entity organization / location / accessibility / service / taxonomy) to a
term of a taxonomy Shire publishes in the package ("Shire: organisation kinds", "Shire: districts",
...). Those taxonomies, terms and attributes have fixed ids (UUID 5, from SHIRE_NAMESPACE), codes
starting "shire:", and some carry the value itself in attributes.value (a date, a slug). On import
they set the fields again; they never become taxonomies of the directory.

    field                                  attribute
    Organization.kind                      shire:organization_kind:<kind>
    Organization.is_council_run            shire:council_run (only when true)
    Organization/Location.district         shire:district:<ONS GSS code>
    Organization/Location.parish           shire:parish:<slug>
    Organization/Location.last_checked_on  shire:last_checked_on, value 2026-03-31
    Organization/Location/Service.is_demo  shire:demo (only when true)
    Location.kind                          shire:location_kind:<kind>
    Accessibility.feature                  shire:accessibility_feature:<feature>
    Service.cost                           shire:service_cost:<free|paid> (none when not known)
    Service.attending_type / _access       shire:attending_type:<...>, shire:attending_access:<...>
    Taxonomy.slug                          shire:taxonomy_slug, value the slug

Districts and parishes are not created by an import: they must already be in Shire (matched by
GSS code and slug).

Import (`import_package`) reads the package, checks everything first, and writes nothing unless
every row is good: each problem is reported with its file, row (the header is row 1), column and
a message (an unknown foreign key, a bad UUID, a missing required field, a bad enum value, a bad
date or time, a value too long for Shire...). Then it writes in one transaction: records whose id
Shire already has are updated, others added; nothing is deleted. Values Shire cannot keep (a
column it has no field for, a second address for a place, a table it has no records for) are
listed as warnings, not problems.

`validate_tables` checks tables against the package's Table Schemas (types and formats, required,
unique, enum, primary and foreign keys): the export is checked with it, and so is every import.
"""
import csv
import io
import json
import re
import uuid
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import cache
from pathlib import Path, PurePosixPath
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from shire.core import audit
from shire.core.models import District, Parish

from . import list_rows, services
from .hsds_fields import address_complete, address_values, values
from .models import (
    Accessibility,
    Contact,
    CostOption,
    Funding,
    Language,
    Location,
    Organization,
    OrganizationIdentifier,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceAttribute,
    Taxonomy,
    TaxonomyTerm,
    search_text_of,
)

DATAPACKAGE_PATH = Path(__file__).resolve().parent / "data" / "hsds-datapackage.json"
SHIRE_NAMESPACE = uuid.UUID("6f1d3c52-8a0e-5b7e-9c1d-2f4e8a6b0c31")
MAX_PACKAGE_BYTES = 512 * 1024 * 1024  # uncompressed, for a zip
MAX_LISTED_PROBLEMS = 200
CSV_DIALECT = {"lineterminator": "\r\n", "quoting": csv.QUOTE_MINIMAL}


@cache
def datapackage():
    return json.loads(DATAPACKAGE_PATH.read_text(encoding="utf-8"))


@cache
def resources():
    """{table name: resource} in the package's order."""
    return {resource["name"]: resource for resource in datapackage()["resources"]}


def columns(table):
    return [f["name"] for f in resources()[table]["schema"]["fields"]]


def file_of(table):
    return resources()[table]["path"]


# --- problems -----------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Problem:
    file: str
    row: int  # the header is row 1; 0 for the file as a whole
    column: str
    message: str

    def __str__(self):
        where = self.file
        if self.row:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class PackageRejected(Exception):
    """The package was not imported: `problems` says why, every one of them."""

    def __init__(self, problems, warnings=()):
        self.problems = sorted(problems, key=_problem_order)
        self.warnings = list(warnings)
        super().__init__(self.message())

    def message(self):
        count = len(self.problems)
        lines = [f"Nothing was imported: {count} problem{'s' if count != 1 else ''}."]
        lines += [str(p) for p in self.problems[:MAX_LISTED_PROBLEMS]]
        if count > MAX_LISTED_PROBLEMS:
            lines.append(f"... and {count - MAX_LISTED_PROBLEMS} more.")
        return "\n".join(lines)


def _problem_order(problem):
    order = list(resources())
    table = next((name for name in order if file_of(name) == problem.file), "")
    return (order.index(table) if table else -1, problem.file, problem.row, problem.column, problem.message)


@dataclass
class Table:
    name: str
    header: list
    rows: list  # (row number, {column: text})


@dataclass
class ImportResult:
    counts: dict = field(default_factory=dict)  # table: (added, updated)
    warnings: list = field(default_factory=list)

    def summary(self):
        added = sum(a for a, _ in self.counts.values())
        updated = sum(u for _, u in self.counts.values())
        return f"Imported {added + updated} records: {added} added, {updated} updated."


# --- formats and types (Frictionless Table Schema, as the HSDS datapackage uses them) ----------

UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
TIME_RE = re.compile(r"(\d{2}):(\d{2})(?::(\d{2}))?")
NUMBER_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def parse_uuid(text):
    if not UUID_RE.fullmatch(text):
        raise ValueError("is not a UUID (like 3f7b145d-84af-42d7-8fae-eaca714b02b2)")
    return uuid.UUID(text)


def parse_date(text):
    try:
        if not DATE_RE.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("is not a date like 2026-03-31") from None


def parse_time(text):
    """hh:mm:ss (Table Schema's default), or hh:mm."""
    match = TIME_RE.fullmatch(text)
    if match:
        hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
        if hours < 24 and minutes < 60 and seconds < 60:
            return time(hours, minutes, seconds)
    raise ValueError("is not a time like 09:30:00 (24-hour clock)")


def parse_datetime(text):
    try:
        if not DATE_RE.fullmatch(text[:10]) or len(text) < 16:
            raise ValueError
        value = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise ValueError("is not a date and time like 2026-03-31T09:30:00Z") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def parse_number(text):
    if not NUMBER_RE.fullmatch(text):
        raise ValueError("is not a number")
    return Decimal(text)


def check_email(text):
    try:
        validate_email(text)
    except ValidationError:
        raise ValueError("is not an e-mail address") from None
    return text


def check_uri(text):
    parts = urlsplit(text)
    if not (parts.scheme and parts.netloc) or any(ch.isspace() for ch in text):
        raise ValueError("is not a web address (a URI like https://example.org/page)")
    return text


def check_value(spec, text):
    """`text` read as the Table Schema field `spec` says; raises ValueError with a message."""
    kind, fmt = spec.get("type", "string"), spec.get("format")
    if kind == "string":
        if fmt == "uuid":
            parse_uuid(text)
        elif fmt == "email":
            check_email(text)
        elif fmt == "uri":
            check_uri(text)
        enum = spec.get("constraints", {}).get("enum")
        if enum and text not in enum:
            raise ValueError(f"is not one of: {', '.join(enum)}")
        return text
    if kind == "number":
        return parse_number(text)
    if kind == "date":
        return parse_date(text)
    if kind == "time":
        return parse_time(text)
    if kind == "datetime":
        return parse_datetime(text)
    return text


def validate_tables(tables, known_ids=None):
    """Problems with `tables` ({name: Table}) against the datapackage's Table Schemas.

    `known_ids` ({table: set of ids}) are ids a foreign key may point to beyond the package's own
    rows (the records already in Shire, for an import that updates).
    """
    problems = []
    ids = defaultdict(set)
    for name, table in tables.items():
        schema = resources()[name]["schema"]
        specs = {f["name"]: f for f in schema["fields"]}
        filename = file_of(name)
        for column in specs:
            if column not in table.header and specs[column].get("constraints", {}).get("required") and table.rows:
                problems.append(Problem(filename, 1, column, "this required column is missing"))
        seen = defaultdict(dict)
        for row_number, row in table.rows:
            for column, spec in specs.items():
                text = row.get(column, "")
                constraints = spec.get("constraints", {})
                if text == "":
                    if constraints.get("required") and column in table.header:
                        problems.append(Problem(filename, row_number, column, "a value is required"))
                    continue
                try:
                    check_value(spec, text)
                except ValueError as error:
                    problems.append(Problem(filename, row_number, column, f"{text[:80]!r} {error}"))
                    continue
                if constraints.get("unique"):
                    first = seen[column].setdefault(text, row_number)
                    if first != row_number:
                        problems.append(Problem(filename, row_number, column, f"{text[:80]!r} is also in row {first}: "
                                                "each value must be unique"))
            if row.get("id"):
                ids[name].add(row["id"].lower())
    for name, table in tables.items():
        filename = file_of(name)
        for key in resources()[name]["schema"].get("foreignKeys", []):
            column, target = key["fields"], key["reference"]["resource"]
            known = ids.get(target, set()) | {str(i) for i in (known_ids or {}).get(target, ())}
            for row_number, row in table.rows:
                text = row.get(column, "")
                if text and UUID_RE.fullmatch(text) and text.lower() not in known:
                    problems.append(Problem(filename, row_number, column,
                                            f"{text} is not the id of any row of {file_of(target)}"))
    return problems


# --- Shire's fields as attributes ---------------------------------------------------------------

@dataclass(frozen=True)
class ShireList:
    """A field Shire keeps that HSDS has no column for, carried as attributes of one taxonomy."""

    key: str
    name: str
    entities: tuple  # HSDS table names of the records it describes
    field: str
    choices: tuple = ()  # (value, label); empty: the value is in attributes.value
    only_true: bool = False  # a flag: an attribute when true, none when false

    @property
    def taxonomy_id(self):
        return uuid.uuid5(SHIRE_NAMESPACE, f"taxonomy:{self.key}")

    def term_id(self, value=""):
        return uuid.uuid5(SHIRE_NAMESPACE, f"term:{self.key}:{value}")

    def code(self, value=""):
        return f"shire:{self.key}:{value}" if value != "" else f"shire:{self.key}"


SHIRE_LISTS = (
    ShireList("organization_kind", "Shire: organisation kinds", ("organization",), "kind", tuple(Organization.Kind.choices)),
    ShireList("council_run", "Shire: council-run listings", ("organization",), "is_council_run",
              (("", "Council-run: changes wait for an officer's approval"),), only_true=True),
    ShireList("district", "Shire: districts", ("organization", "location"), "district"),
    ShireList("parish", "Shire: towns and parishes", ("organization", "location"), "parish"),
    ShireList("last_checked_on", "Shire: date last checked", ("organization", "location"), "last_checked_on"),
    ShireList("demo", "Shire: demo data", ("organization", "location", "service"), "is_demo",
              (("", "Invented for the demo data set"),), only_true=True),
    ShireList("location_kind", "Shire: kinds of place", ("location",), "kind", tuple(Location.Kind.choices)),
    ShireList("accessibility_feature", "Shire: accessibility features", ("accessibility",), "feature",
              tuple(Accessibility.Feature.choices)),
    ShireList("service_cost", "Shire: cost", ("service",), "cost", tuple(c for c in Service.Cost.choices if c[0])),
    ShireList("attending_type", "Shire: how people attend", ("service",), "attending_type",
              tuple(Service.AttendingType.choices)),
    ShireList("attending_access", "Shire: how people get a place", ("service",), "attending_access",
              tuple(Service.AttendingAccess.choices)),
    ShireList("taxonomy_slug", "Shire: taxonomy slugs", ("taxonomy",), "slug"),
)
LISTS_BY_KEY = {item.key: item for item in SHIRE_LISTS}
SHIRE_TAXONOMY_IDS = {item.taxonomy_id: item for item in SHIRE_LISTS}
DISTRICT_URI = "http://statistics.data.gov.uk/id/statistical-geography/"


def shire_terms():
    """[(ShireList, value, name, description, parent value)] for every term of Shire's taxonomies."""
    terms = []
    for item in SHIRE_LISTS:
        if item.key == "district":
            for district in District.objects.order_by("gss_code"):
                terms.append((item, district.gss_code, district.name, f"{district.name}, a district of the county", None))
        elif item.key == "parish":
            for parish in Parish.objects.select_related("district").order_by("slug"):
                terms.append((item, parish.slug, parish.name, f"{parish.name}, in {parish.district.name}",
                              parish.district.gss_code))
        elif item.choices:
            terms += [(item, value, label, label, None) for value, label in item.choices]
        else:
            terms.append((item, "", item.name.removeprefix("Shire: ").capitalize(), item.name, None))
    return terms


# --- export -------------------------------------------------------------------------------------

def text_of(value):
    """A value as the CSV cell HSDS expects."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return str(value)


def export_tables():
    """({file name: CSV text} for every table of the package, with datapackage.json; warnings)."""
    rows = defaultdict(list)
    warnings = []
    lists = LISTS_BY_KEY

    def attribute(item, entity, record_id, value="", stored=""):
        """A Shire attribute row: `value` picks the term, `stored` goes in attributes.value."""
        rows["attribute"].append({
            "id": uuid.uuid5(SHIRE_NAMESPACE, f"attribute:{item.key}:{record_id}"),
            "link_id": record_id, "taxonomy_term_id": item.term_id(value), "link_type": item.code(),
            "link_entity": entity, "value": stored})

    def places(entity, record):
        if record.district_id:
            attribute(lists["district"], entity, record.pk, record.district.gss_code)
        if record.parish_id:
            attribute(lists["parish"], entity, record.pk, record.parish.slug)
        if record.last_checked_on:
            attribute(lists["last_checked_on"], entity, record.pk, stored=text_of(record.last_checked_on))
        if record.is_demo:
            attribute(lists["demo"], entity, record.pk)

    for org in Organization.objects.select_related("district", "parish"):
        rows["organization"].append(values("organization", org))
        attribute(lists["organization_kind"], "organization", org.pk, org.kind)
        if org.is_council_run:
            attribute(lists["council_run"], "organization", org.pk)
        places("organization", org)
    for item in OrganizationIdentifier.objects.all():
        rows["organization_identifier"].append(values("organization_identifier", item))
    for service in Service.objects.all():
        rows["service"].append(values("service", service))
        if service.cost:
            attribute(lists["service_cost"], "service", service.pk, service.cost)
        attribute(lists["attending_type"], "service", service.pk, service.attending_type)
        attribute(lists["attending_access"], "service", service.pk, service.attending_access)
        if service.is_demo:
            attribute(lists["demo"], "service", service.pk)
    incomplete = []
    for location in Location.objects.select_related("district", "parish"):
        rows["location"].append(values("location", location))
        attribute(lists["location_kind"], "location", location.pk, location.kind)
        places("location", location)
        if address_complete(location):
            rows["address"].append(address_values(location))
        elif location.address_1 or location.city or location.postal_code:
            incomplete.append(location.name)
    if incomplete:
        warnings.append(f"{len(incomplete)} places have an incomplete address (HSDS needs line 1, town, county, "
                        f"postcode and country), written without it: {', '.join(sorted(incomplete)[:10])}"
                        + (" ..." if len(incomplete) > 10 else ""))
    for item in Accessibility.objects.all():
        rows["accessibility"].append(values("accessibility", item))
        attribute(lists["accessibility_feature"], "accessibility", item.pk, item.feature)
    for table, records in (("service_at_location", ServiceAtLocation.objects.all()), ("contact", Contact.objects.public()),
                           ("phone", Phone.objects.public().exclude(contact__private=True)),
                           ("schedule", Schedule.objects.all()), ("funding", Funding.objects.all()),
                           ("service_area", ServiceArea.objects.all()), ("language", Language.objects.all()),
                           ("cost_option", CostOption.objects.all())):
        rows[table] += [values(table, record) for record in records]
    for taxonomy in Taxonomy.objects.all():
        rows["taxonomy"].append(values("taxonomy", taxonomy))
        attribute(lists["taxonomy_slug"], "taxonomy", taxonomy.pk, stored=taxonomy.slug)
    terms = list(TaxonomyTerm.objects.select_related("taxonomy"))
    shared_codes = {code for code, count in Counter(term.code for term in terms).items() if count > 1}
    for term in terms:
        # HSDS wants codes unique in the table; Shire, in a taxonomy. A code two taxonomies use
        # goes out as "<taxonomy slug>:<code>" (an import takes the prefix off again).
        code = f"{term.taxonomy.slug}:{term.code}" if term.code in shared_codes else term.code
        rows["taxonomy_term"].append({**values("taxonomy_term", term), "code": code})
    for attribute_row in ServiceAttribute.objects.all():
        rows["attribute"].append(values("attribute", attribute_row))
    # Shire's own taxonomies, so that every attribute's term is in the package.
    for item in SHIRE_LISTS:
        rows["taxonomy"].append({"id": item.taxonomy_id, "name": item.name,
                                 "description": f"Shire's field {item.field} of {', '.join(item.entities)} records",
                                 "uri": "", "version": "1"})
    for item, value, name, description, parent in shire_terms():
        rows["taxonomy_term"].append({
            "id": item.term_id(value), "code": item.code(value), "name": name, "description": description,
            "parent_id": LISTS_BY_KEY["district"].term_id(parent) if parent else None, "taxonomy": item.name,
            "language": "en", "taxonomy_id": item.taxonomy_id,
            "term_uri": DISTRICT_URI + value if item.key == "district" else ""})

    files = {}
    for name, resource in resources().items():
        header = columns(name)
        buffer = io.StringIO()
        writer = csv.writer(buffer, **CSV_DIALECT)
        writer.writerow(header)
        for row in sorted(rows.get(name, []), key=lambda r: str(r["id"])):
            writer.writerow([text_of(row.get(column)) for column in header])
        files[resource["path"]] = buffer.getvalue()
    files["datapackage.json"] = DATAPACKAGE_PATH.read_text(encoding="utf-8")
    return files, warnings


def export_folder(folder):
    """Write the package into `folder` (made if missing). Returns (files written, warnings, problems)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files, warnings = export_tables()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8", newline="")
    problems = validate_tables(read_tables_from_texts(files)[0])
    return sorted(files), warnings, problems


def export_zip(fileobj):
    """Write the package as a zip into the binary file object `fileobj`. Returns (warnings, problems)."""
    files, warnings = export_tables()
    problems = validate_tables(read_tables_from_texts(files)[0])
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(f"hsds/{name}", date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return warnings, problems


# --- reading ------------------------------------------------------------------------------------

def _read_csv(filename, text, problems, strip=frozenset()):
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip() for cell in next(reader, [])]
    except csv.Error as error:
        problems.append(Problem(filename, 1, "", f"is not CSV: {error}"))
        return [], []
    rows = []
    try:
        for cells in reader:
            number = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                problems.append(Problem(filename, number, "", f"has {len(cells)} cells where the header has {len(header)}"))
                continue
            rows.append((number, {column: cell.strip() if column in strip else cell
                                  for column, cell in zip(header, cells)}))
    except csv.Error as error:
        problems.append(Problem(filename, reader.line_num, "", f"cannot be read as CSV: {error}"))
    return header, rows


# Columns whose spaces around a value are dropped: ids, numbers, dates, codes and the like. Free
# text keeps its spaces, so that an export imported and exported again is the same, byte for byte.
CODED_COLUMNS = {"code", "link_entity", "link_type", "value", "type", "currency", "country"}


def _coded_columns(table):
    return {f["name"] for f in resources()[table]["schema"]["fields"]
            if f.get("type", "string") != "string" or f.get("format") or f.get("constraints", {}).get("enum")
            or f["name"] in CODED_COLUMNS}


def read_tables_from_texts(files):
    """({table name: Table}, problems, warnings) from {file name: text}."""
    problems, warnings, tables = [], [], {}
    paths = {resource["path"]: name for name, resource in resources().items()}
    for filename, text in files.items():
        if filename == "datapackage.json":
            continue
        if filename not in paths:
            if filename.endswith(".csv"):
                warnings.append(f"{filename}: not a table of HSDS 3.0, not imported.")
            continue
        name = paths[filename]
        header, rows = _read_csv(filename, text, problems, _coded_columns(name))
        known = set(columns(name))
        duplicates = {column for column in header if header.count(column) > 1}
        for column in sorted(duplicates):
            problems.append(Problem(filename, 1, column, "this column is in the header more than once"))
        for column in header:
            if column not in known:
                warnings.append(f"{filename}: column {column} is not in HSDS 3.0's {name} table, not imported.")
        tables[name] = Table(name, header, rows)
    return tables, problems, warnings


def read_source(source):
    """{file name: text} from a folder or a zip file (whose tables may sit in one folder inside it)."""
    source = Path(source)
    if source.is_dir():
        return {path.name: _decode(path.name, path.read_bytes()) for path in sorted(source.iterdir())
                if path.is_file() and (path.suffix == ".csv" or path.name == "datapackage.json")}
    if not source.exists():
        raise PackageRejected([Problem(str(source), 0, "", "there is no such file or folder")])
    if not zipfile.is_zipfile(source):
        raise PackageRejected([Problem(source.name, 0, "", "is neither a folder nor a zip file")])
    with zipfile.ZipFile(source) as archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if sum(info.file_size for info in members) > MAX_PACKAGE_BYTES:
            raise PackageRejected([Problem(source.name, 0, "", "unzips to more than 512 MB")])
        files = {}
        for info in members:
            name = PurePosixPath(info.filename).name
            if name.endswith(".csv") or name == "datapackage.json":
                if name in files:
                    raise PackageRejected([Problem(source.name, 0, "", f"holds {name} more than once")])
                files[name] = _decode(name, archive.read(info))
        return files


def _decode(name, data):
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PackageRejected([Problem(name, 0, "", f"is not UTF-8 text (byte {error.start})")]) from None


# --- import -------------------------------------------------------------------------------------

# Tables Shire keeps no records of: rows in them are reported, not imported.
NOT_KEPT = {"program": "programmes", "required_document": "required documents", "metadata": "change metadata",
            "meta_table_description": "table descriptions"}
# Columns of HSDS tables that Shire has no field for (a value in them is reported, not imported).
IGNORED_COLUMNS = {
    "organization": {"tax_status", "tax_id"}, "service": {"program_id", "fees", "assurer_email", "licenses"},
    "schedule": {"timezone", "byweekno", "byyearday"}, "language": {"phone_id"}, "address": {"attention"},
}


class Rows:
    """Reads one table's rows into model field values, noting each problem with its place."""

    def __init__(self, table, problems):
        self.table = table
        self.filename = file_of(table.name)
        self.problems = problems

    def __iter__(self):
        for number, row in self.table.rows:
            self.number, self.row = number, row
            yield row

    def problem(self, column, message):
        self.problems.append(Problem(self.filename, self.number, column, message))

    def text(self, column, model=None, field_name=None):
        value = self.row.get(column, "")
        if model is not None and value:
            limit = model._meta.get_field(field_name or column).max_length
            if limit and len(value) > limit:
                self.problem(column, f"is {len(value)} characters long: Shire keeps at most {limit}")
        return value

    def parsed(self, column, parse):
        value = self.row.get(column, "")
        if value == "":
            return None
        try:
            return parse(value)
        except ValueError:
            return None  # validate_tables has reported it

    def uuid(self, column):
        return self.parsed(column, parse_uuid)

    def whole(self, column, minimum=0, maximum=32767):
        value = self.parsed(column, parse_number)
        if value is None:
            return None
        if value != value.to_integral_value() or not minimum <= value <= maximum:
            self.problem(column, f"{self.row[column]!r} is not a whole number from {minimum} to {maximum}")
            return None
        return int(value)

    def choice(self, column, choices, default):
        value = self.row.get(column, "")
        if value == "":
            return default
        if value not in choices:
            self.problem(column, f"{value!r} is not one of: {', '.join(choices)}")
        return value


def _at(filename, number, column, instance):
    """`instance`, noting the file, row and column a problem with it is reported at."""
    instance._source = (filename, number, column)
    return instance


def _clashes_with_shire(model, instances, fields_, what, problems):
    """Problems for instances whose `fields_` match a record Shire has under another id."""
    if not instances:
        return
    first = fields_[0]
    keys = {getattr(i, first) for i in instances if getattr(i, first) is not None}
    existing = {}
    for start in range(0, len(keys), 5000):
        chunk = list(keys)[start:start + 5000]
        for pk, *values in model.objects.filter(**{f"{first}__in": chunk}).values_list("pk", *fields_):
            existing[tuple(values)] = pk
    ids = {i.pk for i in instances}
    for instance in instances:
        other = existing.get(tuple(getattr(instance, f) for f in fields_))
        if other is not None and other != instance.pk and other not in ids:
            filename, number, column = instance._source
            problems.append(Problem(filename, number, column, f"{what} in Shire already (id {other})"))


def uuid_or_none(text):
    try:
        return parse_uuid(text)
    except ValueError:
        return None


def _set_places_known():
    return ({d.gss_code: d.pk for d in District.objects.all()}, {p.slug: p.pk for p in Parish.objects.all()})


# Keys Shire's tables hold that the datapackage does not declare as foreign keys.
SHIRE_KEYS = (("organization", "parent_organization_id", "organization"), ("taxonomy_term", "parent_id", "taxonomy_term"))
ENTITY_TABLES = {"organization", "location", "service", "accessibility", "taxonomy", "service_at_location", "contact",
                 "phone", "schedule"}


def check_shire_keys(tables, known, problems):
    """Unknown ids in the keys Shire needs beyond the datapackage's: parents, and attributes' link_id."""
    ids = defaultdict(set)
    for name in set(tables) | set(known):
        ids[name] = {row.get("id", "").lower() for _, row in tables[name].rows} if name in tables else set()
        ids[name] |= {str(i) for i in known.get(name, ())}
    for name, column, target in SHIRE_KEYS:
        for number, row in tables[name].rows if name in tables else ():
            value = row.get(column, "")
            if value and UUID_RE.fullmatch(value) and value.lower() not in ids[target]:
                problems.append(Problem(file_of(name), number, column, f"{value} is not the id of any row of {file_of(target)}"))
    for number, row in tables["attribute"].rows if "attribute" in tables else ():
        value, entity = row.get("link_id", ""), row.get("link_entity", "")
        if entity in ENTITY_TABLES and value and UUID_RE.fullmatch(value):
            if value.lower() not in ids[entity]:
                problems.append(Problem(file_of("attribute"), number, "link_id",
                                        f"{value} is not the id of any row of {file_of(entity)}"))


def build_records(tables, problems, warnings):
    """Unsaved model instances for every row, in the order they are written, and the Shire
    attributes to apply: ([(model, [instances])], {(entity, id): {field: value}})."""
    def table(name):
        return tables.get(name) or Table(name, [], [])

    for name, what in NOT_KEPT.items():
        if table(name).rows:
            warnings.append(f"{file_of(name)}: {len(table(name).rows)} rows not imported: Shire keeps no {what}.")
    for name, ignored in IGNORED_COLUMNS.items():
        for column in sorted(ignored):
            used = sum(1 for _, row in table(name).rows if row.get(column))
            if used:
                warnings.append(f"{file_of(name)}: column {column} not imported ({used} rows have a value): "
                                "Shire has no field for it.")

    out = []
    # Shire's taxonomies: {term id: (ShireList, value)} from the package's own term rows.
    shire_term = {}
    rows = Rows(table("taxonomy_term"), problems)
    for row in rows:
        taxonomy_id = rows.uuid("taxonomy_id")
        if taxonomy_id in SHIRE_TAXONOMY_IDS:
            item = SHIRE_TAXONOMY_IDS[taxonomy_id]
            prefix = item.code()
            code = row.get("code", "")
            if not (code == prefix or code.startswith(prefix + ":")):
                rows.problem("code", f"{code!r} is not a code of {item.name} (they start {prefix})")
                continue
            shire_term[rows.uuid("id")] = (item, code[len(prefix) + 1:])

    # Shire's attributes: {(entity, record id): {field: value}}.
    fields = defaultdict(dict)
    districts, parishes = _set_places_known()
    service_attributes = []
    rows = Rows(table("attribute"), problems)
    for row in rows:
        term_id, link_id = rows.uuid("taxonomy_term_id"), rows.uuid("link_id")
        entity = row.get("link_entity", "")
        if term_id in shire_term:
            item, value = shire_term[term_id]
            if entity not in item.entities:
                rows.problem("link_entity", f"{entity!r}: {item.name} describe only {', '.join(item.entities)} records")
                continue
            if item.key == "district":
                if value not in districts:
                    rows.problem("taxonomy_term_id", f"district {value} is not in Shire: load the places first")
                    continue
                value = districts[value]
            elif item.key == "parish":
                if value not in parishes:
                    rows.problem("taxonomy_term_id", f"parish {value} is not in Shire: load the places first")
                    continue
                value = parishes[value]
            elif item.key == "last_checked_on":
                try:
                    value = parse_date(row.get("value", ""))
                except ValueError as error:
                    rows.problem("value", f"{row.get('value', '')!r} {error}")
                    continue
            elif item.key == "taxonomy_slug":
                value = row.get("value", "")
                if not value or slugify(value) != value or len(value) > 80:
                    rows.problem("value", f"{value!r} is not a slug (letters, digits and -, at most 80)")
                    continue
            elif item.only_true:
                value = True
            elif value not in dict(item.choices):
                rows.problem("taxonomy_term_id", f"{value!r} is not one of: {', '.join(dict(item.choices))}")
                continue
            fields[(entity, link_id)][item.field] = value
        elif entity == "service":
            service_attributes.append((rows.number, rows.uuid("id"), link_id, term_id, rows.text("value", ServiceAttribute)))
        elif term_id is not None:
            warnings.append(f"{rows.filename}, row {rows.number}: not imported: Shire files only services under "
                            f"taxonomy terms, not {entity or 'records'}.")

    def shire(entity, record_id, name, default):
        return fields.get((entity, record_id), {}).get(name, default)

    organizations = []
    rows = Rows(table("organization"), problems)
    for row in rows:
        pk = rows.uuid("id")
        values = dict(
            id=pk, name=rows.text("name", Organization), alternate_name=rows.text("alternate_name", Organization),
            description=rows.text("description"), email=rows.text("email", Organization),
            website=rows.text("website", Organization), year_incorporated=rows.whole("year_incorporated"),
            legal_status=rows.text("legal_status", Organization), logo=rows.text("logo", Organization),
            uri=rows.text("uri", Organization), parent_organization_id=rows.uuid("parent_organization_id"),
            kind=shire("organization", pk, "kind", Organization.Kind.VOLUNTARY_ORGANISATION),
            is_council_run=shire("organization", pk, "is_council_run", False),
            district_id=shire("organization", pk, "district", None), parish_id=shire("organization", pk, "parish", None),
            last_checked_on=shire("organization", pk, "last_checked_on", None),
            is_demo=shire("organization", pk, "is_demo", False),
        )
        organization = Organization(**values)
        organization._shire_given = set(fields.get(("organization", pk), {}))
        organization.search_text = search_text_of(organization.name, organization.alternate_name, organization.description)
        organizations.append(organization)
    out.append((Organization, organizations))

    rows = Rows(table("organization_identifier"), problems)
    out.append((OrganizationIdentifier, [OrganizationIdentifier(
        id=rows.uuid("id"), organization_id=rows.uuid("organization_id"),
        identifier_scheme=rows.text("identifier_scheme", OrganizationIdentifier),
        identifier_type=rows.text("identifier_type", OrganizationIdentifier),
        identifier=rows.text("identifier", OrganizationIdentifier)) for _ in rows]))

    taxonomies, slugs = [], set()
    existing_slugs = dict(Taxonomy.objects.values_list("pk", "slug"))
    rows = Rows(table("taxonomy"), problems)
    for row in rows:
        pk = rows.uuid("id")
        if pk in SHIRE_TAXONOMY_IDS:
            continue
        slug = shire("taxonomy", pk, "slug", None) or existing_slugs.get(pk) or slugify(row.get("name", ""))[:70] or "taxonomy"
        base, number = slug, 2
        while slug in slugs or (slug in existing_slugs.values() and existing_slugs.get(pk) != slug):
            slug, number = f"{base}-{number}", number + 1
        slugs.add(slug)
        taxonomies.append(Taxonomy(id=pk, slug=slug, name=rows.text("name", Taxonomy),
                                   description=rows.text("description"), uri=rows.text("uri", Taxonomy),
                                   version=rows.text("version", Taxonomy)))
        taxonomies[-1]._shire_given = {"slug"}
    out.append((Taxonomy, taxonomies))
    package_taxonomies = {t.pk for t in taxonomies}
    taxonomy_slugs = {**existing_slugs, **{t.pk: t.slug for t in taxonomies}}
    known_taxonomies = package_taxonomies | set(existing_slugs)

    terms, codes = [], set()
    rows = Rows(table("taxonomy_term"), problems)
    for row in rows:
        pk, taxonomy_id = rows.uuid("id"), rows.uuid("taxonomy_id")
        if taxonomy_id in SHIRE_TAXONOMY_IDS:
            continue
        if taxonomy_id is None:
            if not row.get("taxonomy_id"):
                rows.problem("taxonomy_id", "Shire files every term in a taxonomy: give the taxonomy's id")
            continue
        if taxonomy_id not in known_taxonomies:
            continue  # validate_tables has reported the unknown key
        code = row.get("code", "")
        slug = taxonomy_slugs.get(taxonomy_id, "")
        if slug and code.startswith(slug + ":"):
            code = code[len(slug) + 1:]  # as export_tables qualified it
        if len(code) > 80:
            rows.problem("code", f"is {len(code)} characters long: Shire keeps at most 80")
        code = code or slugify(row.get("name", ""))[:70] or "term"
        base, number = code, 2
        while (taxonomy_id, code) in codes:
            if row.get("code"):
                rows.problem("code", f"{code!r} is the code of another term of this taxonomy")
                break
            code, number = f"{base}-{number}", number + 1
        codes.add((taxonomy_id, code))
        terms.append(_at(rows.filename, rows.number, "code", TaxonomyTerm(
            id=pk, taxonomy_id=taxonomy_id, code=code, name=rows.text("name", TaxonomyTerm),
            description=rows.text("description"), parent_id=rows.uuid("parent_id"),
            term_uri=rows.text("term_uri", TaxonomyTerm), language=rows.text("language", TaxonomyTerm) or "en")))
    out.append((TaxonomyTerm, terms))

    locations = {}
    rows = Rows(table("location"), problems)
    for row in rows:
        pk = rows.uuid("id")
        latitude, longitude = rows.parsed("latitude", parse_number), rows.parsed("longitude", parse_number)
        for column, value, limit in (("latitude", latitude, 90), ("longitude", longitude, 180)):
            if value is not None and abs(value) > limit:
                rows.problem(column, f"{row[column]!r} is not a {column} (-{limit} to {limit})")
        locations[pk] = Location(
            id=pk, location_type=row.get("location_type") or Location.LocationType.PHYSICAL,
            url=rows.text("url", Location), organization_id=rows.uuid("organization_id"),
            name=rows.text("name", Location), alternate_name=rows.text("alternate_name", Location),
            description=rows.text("description"), transportation=rows.text("transportation"),
            latitude=None if latitude is None else round(latitude, 6),
            longitude=None if longitude is None else round(longitude, 6),
            external_identifier=rows.text("external_identifier", Location),
            external_identifier_type=rows.text("external_identifier_type", Location),
            kind=shire("location", pk, "kind", Location.Kind.OTHER),
            district_id=shire("location", pk, "district", None), parish_id=shire("location", pk, "parish", None),
            last_checked_on=shire("location", pk, "last_checked_on", None), is_demo=shire("location", pk, "is_demo", False),
            address_1="", address_2="", city="", region="", state_province="", postal_code="", country="GB")
        locations[pk]._shire_given = set(fields.get(("location", pk), {}))
        if not locations[pk].name:
            locations[pk].name = "Unnamed place"
            warnings.append(f"{rows.filename}, row {rows.number}: a place with no name is called 'Unnamed place'.")
    addressed = {}
    rows = Rows(table("address"), problems)
    for row in rows:
        location_id = rows.uuid("location_id")
        if location_id is None:
            if not row.get("location_id"):
                warnings.append(f"{rows.filename}, row {rows.number}: not imported: an address of no place.")
            continue
        if location_id not in locations:
            continue  # reported by validate_tables, or the place is already in Shire: addresses come with places
        if location_id in addressed:
            first_row, first_type = addressed[location_id]
            keep_new = first_type != "physical" and row.get("address_type") == "physical"
            warnings.append(f"{rows.filename}, row {rows.number if not keep_new else first_row}: not imported: Shire keeps "
                            "one address a place (the physical one)")
            if not keep_new:
                continue
        addressed[location_id] = (rows.number, row.get("address_type"))
        location = locations[location_id]
        location._shire_given |= set(ADDRESS_FIELDS)
        location.address_id = rows.uuid("id")
        for column in ("address_1", "address_2", "city", "region", "state_province", "postal_code", "country"):
            setattr(location, column, rows.text(column, Location))
    for location in locations.values():
        if location.address_id is None:
            location.address_id = uuid.uuid4()
    out.append((Location, list(locations.values())))

    features = {}
    rows = Rows(table("accessibility"), problems)
    accessibility = []
    ids = [uuid_or_none(row.get("id", "")) for _, row in table("accessibility").rows]
    known_features = dict(Accessibility.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "feature"))
    for row in rows:
        pk, location_id = rows.uuid("id"), rows.uuid("location_id")
        if location_id is None:
            if not row.get("location_id"):
                rows.problem("location_id", "Shire keeps accessibility for a place: give the place's id")
            continue
        feature = shire("accessibility", pk, "feature", None) or known_features.get(pk)
        if feature is None:
            text = row.get("description", "").casefold()
            feature = next((value for value, label in Accessibility.Feature.choices if label.casefold() == text),
                           Accessibility.Feature.OTHER)
        if (location_id, feature) in features:
            rows.problem("location_id", f"row {features[(location_id, feature)]} has the same place and feature "
                         f"({Accessibility.Feature(feature).label}): Shire keeps one")
            continue
        features[(location_id, feature)] = rows.number
        accessibility.append(_at(rows.filename, rows.number, "location_id", Accessibility(
            id=pk, location_id=location_id, feature=feature, description=rows.text("description"),
            details=rows.text("details"), url=rows.text("url", Accessibility))))
        accessibility[-1]._shire_given = {"feature"}  # always set: from the attribute or the description
    out.append((Accessibility, accessibility))

    services_out = []
    rows = Rows(table("service"), problems)
    for row in rows:
        pk = rows.uuid("id")
        minimum, maximum = rows.whole("minimum_age"), rows.whole("maximum_age")
        services_out.append(Service(
            id=pk, organization_id=rows.uuid("organization_id"), name=rows.text("name", Service),
            alternate_name=rows.text("alternate_name", Service), description=rows.text("description"),
            url=rows.text("url", Service), email=rows.text("email", Service),
            status=row.get("status") or Service.Status.ACTIVE,
            interpretation_services=rows.text("interpretation_services"),
            application_process=rows.text("application_process"), fees_description=rows.text("fees_description"),
            wait_time=rows.text("wait_time", Service), accreditations=rows.text("accreditations"),
            eligibility_description=rows.text("eligibility_description"), minimum_age=minimum, maximum_age=maximum,
            last_checked_on=rows.parsed("assured_date", parse_date), alert=rows.text("alert"),
            updated_at=rows.parsed("last_modified", parse_datetime),
            cost=shire("service", pk, "cost", Service.Cost.UNKNOWN),
            attending_type=shire("service", pk, "attending_type", Service.AttendingType.IN_PERSON),
            attending_access=shire("service", pk, "attending_access", Service.AttendingAccess.DROP_IN),
            is_demo=shire("service", pk, "is_demo", False)))
        services_out[-1]._shire_given = set(fields.get(("service", pk), {}))
    out.append((Service, services_out))

    pairs = {}
    rows = Rows(table("service_at_location"), problems)
    pairings = []
    for row in rows:
        key = (rows.uuid("service_id"), rows.uuid("location_id"))
        if key in pairs:
            rows.problem("location_id", f"row {pairs[key]} already puts this service at this place")
            continue
        pairs[key] = rows.number
        pairings.append(_at(rows.filename, rows.number, "location_id", ServiceAtLocation(
            id=rows.uuid("id"), service_id=key[0], location_id=key[1], description=rows.text("description"))))
    out.append((ServiceAtLocation, pairings))

    rows = Rows(table("contact"), problems)
    out.append((Contact, [Contact(
        id=rows.uuid("id"), organization_id=rows.uuid("organization_id"), service_id=rows.uuid("service_id"),
        service_at_location_id=rows.uuid("service_at_location_id"), location_id=rows.uuid("location_id"),
        name=rows.text("name", Contact), title=rows.text("title", Contact), department=rows.text("department", Contact),
        email=rows.text("email", Contact)) for _ in rows]))

    rows = Rows(table("phone"), problems)
    out.append((Phone, [Phone(
        id=rows.uuid("id"), location_id=rows.uuid("location_id"), service_id=rows.uuid("service_id"),
        organization_id=rows.uuid("organization_id"), contact_id=rows.uuid("contact_id"),
        service_at_location_id=rows.uuid("service_at_location_id"), number=rows.text("number", Phone),
        extension=rows.whole("extension", maximum=2147483647),
        type=rows.choice("type", Phone.Type.values, Phone.Type.VOICE),
        description=rows.text("description", Phone)) for _ in rows]))

    rows = Rows(table("schedule"), problems)
    out.append((Schedule, [Schedule(
        id=rows.uuid("id"), service_id=rows.uuid("service_id"), location_id=rows.uuid("location_id"),
        service_at_location_id=rows.uuid("service_at_location_id"), valid_from=rows.parsed("valid_from", parse_date),
        valid_to=rows.parsed("valid_to", parse_date), dtstart=rows.parsed("dtstart", parse_date),
        until=rows.parsed("until", parse_date), count=rows.whole("count", maximum=2147483647),
        wkst=rows.text("wkst"), freq=rows.text("freq"), interval=rows.whole("interval"),
        byday=rows.text("byday", Schedule), bymonthday=rows.text("bymonthday", Schedule),
        opens_at=rows.parsed("opens_at", parse_time), closes_at=rows.parsed("closes_at", parse_time),
        description=rows.text("description"), schedule_link=rows.text("schedule_link", Schedule),
        attending_type=rows.text("attending_type", Schedule), notes=rows.text("notes")) for _ in rows]))

    rows = Rows(table("cost_option"), problems)
    options = []
    for row in rows:
        amount = rows.parsed("amount", parse_number)
        pence = None
        if amount is not None:
            pence = amount * 100
            if pence < 0 or pence != pence.to_integral_value() or pence > 2147483647:
                rows.problem("amount", f"{row['amount']!r} is not an amount of money in pounds, like 3.50")
                pence = None
            else:
                pence = int(pence)
        options.append(CostOption(
            id=rows.uuid("id"), service_id=rows.uuid("service_id"), valid_from=rows.parsed("valid_from", parse_date),
            valid_to=rows.parsed("valid_to", parse_date), option=rows.text("option", CostOption), amount_pence=pence,
            currency=(rows.text("currency", CostOption) or "GBP").upper(),
            amount_description=rows.text("amount_description", CostOption)))
    out.append((CostOption, options))

    rows = Rows(table("funding"), problems)
    out.append((Funding, [Funding(id=rows.uuid("id"), organization_id=rows.uuid("organization_id"),
                                  service_id=rows.uuid("service_id"), source=rows.text("source", Funding))
                          for _ in rows]))

    rows = Rows(table("service_area"), problems)
    areas = []
    for row in rows:
        if not row.get("service_id"):
            rows.problem("service_id", "Shire keeps service areas of a service: give the service's id")
            continue
        areas.append(ServiceArea(id=rows.uuid("id"), service_id=rows.uuid("service_id"),
                                 name=rows.text("name", ServiceArea), description=rows.text("description"),
                                 extent=rows.text("extent"), extent_type=rows.text("extent_type", ServiceArea),
                                 uri=rows.text("uri", ServiceArea)))
    out.append((ServiceArea, areas))

    rows = Rows(table("language"), problems)
    out.append((Language, [Language(id=rows.uuid("id"), service_id=rows.uuid("service_id"),
                                    location_id=rows.uuid("location_id"), name=rows.text("name", Language),
                                    code=rows.text("code", Language), note=rows.text("note", Language))
                           for _ in rows]))

    links, attributes = {}, []
    for number, pk, service_id, term_id, value in service_attributes:
        if (service_id, term_id) in links:
            problems.append(Problem(file_of("attribute"), number, "taxonomy_term_id",
                                    f"row {links[(service_id, term_id)]} already files this service under this term"))
            continue
        links[(service_id, term_id)] = number
        attributes.append(_at(file_of("attribute"), number, "taxonomy_term_id", ServiceAttribute(
            id=pk, service_id=service_id, taxonomy_term_id=term_id, value=value)))
    out.append((ServiceAttribute, attributes))

    # Pairs Shire keeps once that may already be in Shire under another id.
    for model, instances, fields_, what in (
            (TaxonomyTerm, terms, ("taxonomy_id", "code"), "a term of this taxonomy has this code"),
            (Accessibility, accessibility, ("location_id", "feature"), "this place has this feature"),
            (ServiceAtLocation, pairings, ("service_id", "location_id"), "this service is at this place"),
            (ServiceAttribute, attributes, ("service_id", "taxonomy_term_id"), "this service is filed under this term")):
        _clashes_with_shire(model, instances, fields_, what, problems)

    return out


def _known_ids():
    """Ids already in Shire, for foreign keys in an import that updates."""
    return {
        "organization": set(Organization.objects.values_list("pk", flat=True)),
        "service": set(Service.objects.values_list("pk", flat=True)),
        "location": set(Location.objects.values_list("pk", flat=True)),
        "service_at_location": set(ServiceAtLocation.objects.values_list("pk", flat=True)),
        "contact": set(Contact.objects.values_list("pk", flat=True)),
        "phone": set(Phone.objects.values_list("pk", flat=True)),
        "taxonomy": set(Taxonomy.objects.values_list("pk", flat=True)),
        "taxonomy_term": set(TaxonomyTerm.objects.values_list("pk", flat=True)),
        "accessibility": set(Accessibility.objects.values_list("pk", flat=True)),
        "program": set(),
    }


def check_package(files):
    """Read and check `files` ({name: text}). Returns (records, warnings, problems)."""
    tables, problems, warnings = read_tables_from_texts(files)
    if not tables:
        problems.append(Problem("(package)", 0, "", "holds none of HSDS 3.0's tables (organizations.csv, services.csv ...)"))
        return [], warnings, problems
    known = _known_ids()
    problems += validate_tables(tables, known)
    check_shire_keys(tables, known, problems)
    records = build_records(tables, problems, warnings)
    return records, warnings, sorted(set(problems), key=_problem_order)


def import_package(source, actor=None):
    """Import the package at `source` (a folder or a zip). Raises PackageRejected, having changed
    nothing, if any row is bad; otherwise returns an ImportResult."""
    files = read_source(source)
    records, warnings, problems = check_package(files)
    if problems:
        raise PackageRejected(problems, warnings)
    return write_records(records, warnings, actor)


# Fields an import never changes on records Shire already has (`private`: a private contact stays
# private, and so out of every export and the API, whatever a package says of it).
KEEP_ON_UPDATE = {"search_text", "name_key", "created_at", "stale_reminder_sent_on", "private", "managers"}


@transaction.atomic
def write_records(records, warnings, actor=None):
    result = ImportResult(warnings=list(warnings))
    service_times, changed_models = {}, set()
    touched_services = [instance.pk for model, instances in records if model is Service for instance in instances]
    for model, instances in records:
        if not instances:
            result.counts[model._meta.model_name] = (0, 0)
            continue
        ids = [instance.pk for instance in instances]
        existing = set()
        for start in range(0, len(ids), 5000):
            existing |= set(model.objects.filter(pk__in=ids[start:start + 5000]).values_list("pk", flat=True))
        new = [instance for instance in instances if instance.pk not in existing]
        old = [instance for instance in instances if instance.pk in existing]
        _keep_shire_fields(model, old)
        names = [f.name for f in model._meta.concrete_fields
                 if not f.primary_key and f.name not in KEEP_ON_UPDATE and not getattr(f, "auto_now_add", False)]
        old = _changed(model, old, names)
        if model is Service:
            service_times = {instance.pk: instance.updated_at for instance in new + old if instance.updated_at}
        if new or old:
            changed_models.add(model)
        model.objects.bulk_create(new, batch_size=1000)
        if old:
            if "updated_at" in names:
                # bulk_update does not stamp auto_now fields: an updated record is modified now
                # (a service's last_modified is set from the package below).
                now = timezone.now()
                for instance in old:
                    instance.updated_at = instance.updated_at or now
            if model is Location:
                names = [name for name in names if name != "address_id"] + ["address_id"]
            model.objects.bulk_update(old, names, batch_size=500)
        result.counts[model._meta.model_name] = (len(new), len(old))
    if touched_services and changed_models & SEARCHED_MODELS:
        # Search text with the terms and towns just written; then last_modified as the package gave it
        # (bulk_update sets the field as given, where save() would stamp the time of the import).
        for start in range(0, len(touched_services), 2000):
            services.refresh_search_text(Service.objects.filter(pk__in=touched_services[start:start + 2000]))
    if service_times:
        timed = [Service(pk=pk, updated_at=when) for pk, when in service_times.items()]
        Service.objects.bulk_update(timed, ["updated_at"], batch_size=1000)
    if changed_models & LISTED_MODELS:
        # The kept list rows of every service the package names, or whose organisation or place it names.
        written = {model: [instance.pk for instance in instances] for model, instances in records}
        list_rows.refresh(list_rows.services_of(
            organizations=written.get(Organization, ()), locations=written.get(Location, ()),
            services={*written.get(Service, ()), *ServiceAtLocation.objects.filter(
                pk__in=written.get(ServiceAtLocation, ())).values_list("service_id", flat=True)}))
    # Bulk writes send no save signals: say that the directory changed, for the pages' caches.
    transaction.on_commit(services.directory_changed)
    audit.record(actor, "directory.hsds_import", PACKAGE, counts={k: list(v) for k, v in result.counts.items()})
    return result


# What a service's search text is made of (services.refresh_search_text).
SEARCHED_MODELS = {Service, Organization, ServiceAttribute, ServiceAtLocation, Location, TaxonomyTerm}
# What the lists' kept rows are made of (list_rows.refresh).
LISTED_MODELS = {Service, Organization, ServiceAtLocation, Location}


def _changed(model, instances, names):
    """The instances whose fields `names` differ from the records Shire has (the rest are left alone:
    importing the same package again writes nothing). A service's last_modified counts to the
    millisecond, as the package gives it; other records' updated_at is the import's own."""
    if not instances:
        return []
    attnames = [model._meta.get_field(name).attname for name in names
                if name != "updated_at" or model is Service]
    current = {}
    ids = [instance.pk for instance in instances]
    for start in range(0, len(ids), 2000):
        for row in model.objects.filter(pk__in=ids[start:start + 2000]).values_list("pk", *attnames):
            current[row[0]] = tuple(text_of(v) if name == "updated_at" else v for name, v in zip(attnames, row[1:]))
    changed = []
    for instance in instances:
        values = tuple(text_of(getattr(instance, a)) if a == "updated_at" else getattr(instance, a) for a in attnames)
        if model is Service and instance.updated_at is None:
            values = tuple(c if a == "updated_at" else v for a, v, c in zip(attnames, values, current[instance.pk]))
        if current.get(instance.pk) != values:
            changed.append(instance)
    return changed


ADDRESS_FIELDS = ("address_id", "address_1", "address_2", "city", "region", "state_province", "postal_code", "country")

# The fields each model carries in Shire's attributes (see SHIRE_LISTS).
SHIRE_FIELDS = {
    Organization: ("kind", "is_council_run", "district", "parish", "last_checked_on", "is_demo"),
    # A place's address too: a package without an address row for it (an export leaves out an
    # incomplete address) leaves the address Shire has alone.
    Location: ("kind", "district", "parish", "last_checked_on", "is_demo", *ADDRESS_FIELDS),
    Service: ("cost", "attending_type", "attending_access", "is_demo"),
}


def _keep_shire_fields(model, instances):
    """On records Shire already has, the Shire fields a package does not give keep their values
    (a package from another system has no Shire attributes: it must not reset a parish council's kind)."""
    names = SHIRE_FIELDS.get(model)
    if not names or not instances:
        return
    attnames = [model._meta.get_field(name).attname for name in names]
    current = {row["pk"]: row for row in model.objects.filter(pk__in=[i.pk for i in instances]).values("pk", *attnames)}
    for instance in instances:
        given = getattr(instance, "_shire_given", set())
        for name, attname in zip(names, attnames):
            if name not in given:
                setattr(instance, attname, current[instance.pk][attname])


# What the audit log names for an import or download of the whole directory.
PACKAGE = SimpleNamespace(pk="all", _meta=SimpleNamespace(label_lower="directory.hsds_package"))
