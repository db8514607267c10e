"""Awarded grants as open data: the 360Giving Data Standard (JSON, and CSV/XLSX with the standard's
column titles). The figures by programme, round and theme (`shire grants summary`, the tables on the
open data page) come from awards.summary(), the dashboards' own.

What is published
-----------------
Every award whose application was awarded (in full or in part), and whose decision has not since
been amended to a decline: nothing about declined or undecided applications. Each grant carries
only what the standard asks for and the council may publish:

* the project's title and summary (with e-mail addresses, phone numbers, postcodes, recognisable
  names and the names of the organisation's own members taken out: applicants sometimes type them);
* the amounts (applied for, awarded, paid so far: pounds, from pence), the award date and the
  planned dates;
* the recipient organisation's name, its registered charity or company number, its website;
* the district the project benefits (its ONS GSS code), the programme and round, the theme.

Never: bank details, members' names or e-mail addresses, the organisation's address or postcode
(ApplicantOrganisation.PERSONAL_FIELDS: a small group's address is often a volunteer's home), the
application's answers, documents, scores, assessors' notes, decision reasons or monitoring returns.

Identifiers (https://standard.threesixtygiving.org/en/latest/technical/identifiers/)
-------------------------------------------------------------------------------------
* grant:      "<360G prefix>-<application reference>", e.g. 360G-LeicsCC-SCG-000042
* funder:     an org-id.guide identifier: GB-LAE-LEC is Leicestershire County Council in the
              Local Authorities (England) register (ISO 3166-2:GB code LEC)
* recipient:  GB-CHC-<charity number> (Charity Commission for England and Wales), else
              GB-COH-<company number> (Companies House), else "<360G prefix>-ORG-<id>"

Settings (each also read from the environment of the same name)
----------------------------------------------------------------
SHIRE_360G_PREFIX      the publisher's 360Giving prefix (360Giving assigns it when a funder registers
                       as a publisher); default "360G-LeicsCC", a placeholder for the demo.
SHIRE_360G_FUNDER_ID   the council's organisation identifier; default "GB-LAE-LEC".
SHIRE_360G_LICENCE     the licence's canonical URL; default the Open Government Licence v3.0.
SHIRE_SITE_URL         the public address of the site (e.g. https://communities.example.gov.uk);
                       when set, the file says where it can be found and downloaded.
"""
import csv
import hashlib
import io
import json
import os
import re
import tempfile
import threading
import warnings
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from shire.consult.redact import redact

from .models import Application, Award, DecisionAmendment, Membership

DATA = Path(__file__).resolve().parent / "data"
GRANT_SCHEMA = DATA / "360-giving-schema.json"
PACKAGE_SCHEMA = DATA / "360-giving-package-schema.json"
GEO_CODE_TYPES = DATA / "360giving-geoCodeType.csv"
# The package schema refers to the grant schema by the 1.4.2 URL; the grant schema calls itself 1.4.3.
GRANT_SCHEMA_URLS = (
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json",
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.3/schema/360-giving-schema.json",
)
STANDARD_VERSION = "1.4"

DEFAULT_PREFIX = "360G-LeicsCC"
DEFAULT_FUNDER_ID = "GB-LAE-LEC"
OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
LICENCE_NAMES = {
    OGL: "Open Government Licence v3.0",
    "https://creativecommons.org/licenses/by/4.0/": "Creative Commons Attribution 4.0 International",
}

FORMATS = {
    "json": ("application/json", "json"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


class OpenDataError(Exception):
    """The export cannot be made (nothing to publish, or it would not be valid 360Giving data)."""


# --- settings ---------------------------------------------------------------------------------


def _setting(name, default=""):
    return getattr(settings, name, None) or os.environ.get(name) or default


def prefix():
    return _setting("SHIRE_360G_PREFIX", DEFAULT_PREFIX).rstrip("-")


def funder_id():
    return _setting("SHIRE_360G_FUNDER_ID", DEFAULT_FUNDER_ID)


def licence():
    return _setting("SHIRE_360G_LICENCE", OGL)


def licence_name():
    return LICENCE_NAMES.get(licence(), licence())


def site_url():
    return _setting("SHIRE_SITE_URL").rstrip("/")


# --- identifiers ------------------------------------------------------------------------------


def grant_id(reference):
    return f"{prefix()}-{reference}"


def charity_number(value):
    """'1 123 456' -> '1123456'; keeps a subsidiary suffix ('1123456-1'). '' if none."""
    return re.sub(r"\s+", "", value or "").upper()


def company_number(value):
    """Companies House numbers are 8 characters: '1234567' -> '01234567', 'sc 123456' -> 'SC123456'."""
    value = re.sub(r"\s+", "", value or "").upper()
    if value.isdigit() and len(value) < 8:
        value = value.zfill(8)
    return value


def organisation_id(organisation):
    if number := charity_number(organisation.charity_number):
        return f"GB-CHC-{number}"
    if number := company_number(organisation.company_number):
        return f"GB-COH-{number}"
    return f"{prefix()}-ORG-{organisation.pk}"


@lru_cache(maxsize=1)
def _geo_code_types():
    """GSS entity prefix (E07, W06, ...) -> the 360Giving geoCodeType code (NMD, UA, ...)."""
    types = {}
    with GEO_CODE_TYPES.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            entity = row.get("Documentation (URL)", "").rstrip("/").rsplit("/", 1)[-1]
            if re.fullmatch(r"[EWSNK]\d\d", entity):
                types.setdefault(entity, row["Code"])
    return types


def geo_code_type(gss_code):
    """The codelist's type for an ONS GSS code: E07000129 (Blaby, a non-metropolitan district) -> NMD."""
    return _geo_code_types().get((gss_code or "")[:3], "")


# --- which awards are published ---------------------------------------------------------------


def published_awards():
    """Awards of applications awarded in full or in part, unless the decision was amended to a decline."""
    latest_outcome = Coalesce(
        Subquery(
            DecisionAmendment.objects.filter(decision__application=OuterRef("application"))
            .order_by("-at", "-id")
            .values("new_outcome")[:1]
        ),
        Value(""),
    )
    return (
        Award.objects.filter(application__status__in=Application.FUNDED_STATUSES, amount_pence__gt=0)
        .annotate(latest_outcome=latest_outcome)
        .exclude(latest_outcome="decline")
    )


# --- 360Giving --------------------------------------------------------------------------------


def pounds(pence):
    """JSON number of pounds: 250000 -> 2500, 250050 -> 2500.5."""
    if pence is None:
        return None
    whole, part = divmod(int(pence), 100)
    return whole if part == 0 else round(int(pence) / 100, 2)


def _timestamp(value):
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def _months(start, end):
    """Whole months from start to end inclusive, to the nearest (at least 1): 1 Sep 2019 - 31 Aug 2020 is 12,
    5 April - 4 October is 6, 31 January - 29 February is 1."""
    days = (end - start).days + 1
    return max(1, round(days / (365.25 / 12)))


def _scrub(text, people):
    """Free text fit to publish: personal details and the organisation's members' names taken out."""
    text = redact(text or "")
    for person in people:
        text = re.sub(re.escape(person), "[name]", text, flags=re.IGNORECASE)
    return text.strip()


def _people(organisation):
    """The members' full names and e-mail addresses, longest first, to take out of free text."""
    found = set()
    for membership in organisation.memberships.all():
        user = membership.user
        full = f"{user.first_name} {user.last_name}".strip()
        if len(full) > 3 and " " in full:
            found.add(full)
        if user.email:
            found.add(user.email)
    return sorted(found, key=len, reverse=True)


def grant(award, funder):
    """One award as a 360Giving grant (a dict)."""
    application = award.application
    round_ = application.round
    programme = round_.programme
    organisation = application.organisation
    people = _people(organisation)
    title = _scrub(application.title, people) or f"Grant to {organisation.name}"
    record = {
        "id": grant_id(application.reference),
        "title": title,
        "description": _scrub(application.summary, people) or title,
        "currency": "GBP",
    }
    if application.amount_requested_pence:
        record["amountAppliedFor"] = pounds(application.amount_requested_pence)
    record["amountAwarded"] = pounds(award.amount_pence)
    if getattr(award, "disbursed_pence", None):
        record["amountDisbursed"] = pounds(award.disbursed_pence)
    record["awardDate"] = award.award_date.isoformat()
    if award.planned_start_on:
        planned = {"startDate": award.planned_start_on.isoformat()}
        if award.planned_end_on:
            planned["endDate"] = award.planned_end_on.isoformat()
            planned["duration"] = _months(award.planned_start_on, award.planned_end_on)
        record["plannedDates"] = [planned]
    recipient = {"id": organisation_id(organisation), "name": organisation.name}
    if number := charity_number(organisation.charity_number):
        recipient["charityNumber"] = number
    if number := company_number(organisation.company_number):
        recipient["companyNumber"] = number
    if organisation.website:
        recipient["url"] = organisation.website
    record["recipientOrganization"] = [recipient]
    district = application.beneficiary_district
    if district is not None:
        location = {"name": district.name, "geoCode": district.gss_code, "countryCode": "GB"}
        if code_type := geo_code_type(district.gss_code):
            location["geoCodeType"] = code_type
        record["beneficiaryLocation"] = [location]
    record["fundingOrganization"] = [funder]
    record["grantProgramme"] = [{"code": round_.slug, "title": f"{programme.name} {round_.name}"}]
    if site_url():
        record["grantProgramme"][0]["url"] = f"{site_url()}/grants/rounds/{round_.slug}/"
    if application.theme_id:
        record["classifications"] = [
            {
                "vocabulary": f"{prefix()}-{programme.slug}-themes",
                "code": application.theme.slug,
                "title": application.theme.name,
            }
        ]
    record["fromOpenCall"] = "Yes"
    record["dateModified"] = _timestamp(max(award.updated_at, application.updated_at))
    return record


def grants():
    """Every published award as a 360Giving grant, oldest award first."""
    awards = (
        published_awards()
        .select_related(
            "application__round__programme",
            "application__organisation",
            "application__theme",
            "application__beneficiary_district",
        )
        # Only what a grant shows: never the answers, eligibility answers or anything else private.
        .only(
            "amount_pence", "award_date", "planned_start_on", "planned_end_on", "updated_at",
            "application__reference", "application__title", "application__summary", "application__updated_at",
            "application__amount_requested_pence", "application__theme__slug", "application__theme__name",
            "application__round__slug", "application__round__name", "application__round__programme__name",
            "application__round__programme__slug", "application__organisation__name",
            "application__organisation__charity_number", "application__organisation__company_number",
            "application__organisation__website", "application__beneficiary_district__name",
            "application__beneficiary_district__gss_code",
        )
        .prefetch_related(
            Prefetch(
                "application__organisation__memberships",
                queryset=Membership.objects.select_related("user").only(
                    "organisation_id", "user__first_name", "user__last_name", "user__email"
                ),
            )
        )
        .annotate(disbursed_pence=Sum("instalments__amount_pence", filter=Q(instalments__paid_on__isnull=False)))
        .order_by("award_date", "application__reference")
    )
    funder = {"id": funder_id(), "name": settings.COUNCIL_NAME}
    return [grant(award, funder) for award in awards]


def package(today=None):
    """The 360Giving data package: {"grants": [...], and the metadata the package schema allows}."""
    records = grants()
    today = today or timezone.localdate()
    council = settings.COUNCIL_NAME
    data = {
        "grants": records,
        "version": STANDARD_VERSION,
        "title": f"{council}: community grants",
        "description": (
            f"Grants awarded by {council}'s community grant programmes, in the 360Giving Data Standard. "
            "Declined and undecided applications are not included."
        ),
        "identifier": f"{prefix()}-grants",
        "issued": today.isoformat(),
        "publisher": {"identifier": funder_id(), "name": council},
        "license": licence(),
    }
    if records:
        data["modified"] = max(record["dateModified"] for record in records)
    if site_url():
        data["publisher"]["website"] = site_url() + "/"
        data["accessURL"] = f"{site_url()}/grants/open-data/"
        data["downloadURL"] = f"{site_url()}/grants/open-data/grants.json"
    return data


def dumps(data):
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


@lru_cache(maxsize=1)
def _validators():
    """(the package schema's validator, one for the package without its grants' items, one for a grant)."""
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    grant_schema = json.loads(GRANT_SCHEMA.read_text(encoding="utf-8"))
    grant_resource = DRAFT202012.create_resource(grant_schema)
    registry = Registry().with_resources((url, grant_resource) for url in GRANT_SCHEMA_URLS)
    package_schema = json.loads(PACKAGE_SCHEMA.read_text(encoding="utf-8"))
    shell = json.loads(json.dumps(package_schema))
    shell["properties"]["grants"] = {key: value for key, value in shell["properties"]["grants"].items()
                                     if key not in ("items", "uniqueItems")}
    checker = FormatChecker()
    return (
        Draft202012Validator(package_schema, registry=registry, format_checker=checker),
        Draft202012Validator(shell, format_checker=checker),
        Draft202012Validator(grant_schema, registry=registry, format_checker=checker),
    )


def _messages(errors):
    errors = sorted(errors, key=lambda error: [str(part) for part in error.absolute_path])
    return ["/".join(str(part) for part in error.absolute_path) + ": " + error.message for error in errors]


def validation_errors(data, whole=False):
    """Where `data` breaks the 360Giving package schema: a list of 'path: message' strings (empty if valid).

    The package schema asks for the grants to be unique items ("uniqueItems"), which a validator checks
    by comparing every grant with every other: minutes for a few thousand grants. So, unless `whole`,
    the package is checked without its grants' items, each grant against the grant schema (the package
    schema's items), and the grants' ids for uniqueness: grants with different ids are different items.
    The same result, in time linear in the number of grants.
    """
    whole_validator, shell_validator, grant_validator = _validators()
    if whole:
        return _messages(whole_validator.iter_errors(data))
    messages = _messages(shell_validator.iter_errors(data))
    grants_ = data.get("grants") if isinstance(data, dict) else None
    if isinstance(grants_, list):
        for index, record in enumerate(grants_):
            messages += [f"grants/{index}{'/' if path else ''}{path}: {message}"
                         for path, message in _grant_errors(grant_validator, record)]
        ids = [record.get("id") for record in grants_ if isinstance(record, dict)]
        repeated = sorted({str(i) for i in ids if ids.count(i) > 1}) if len(set(map(str, ids))) != len(ids) else []
        if repeated:
            messages.append(f"grants: more than one grant has the id {', '.join(repeated[:5])}")
    return messages


_checked = OrderedDict()  # canonical JSON of a grant -> its errors; most grants do not change between exports
_checked_lock = threading.Lock()
CHECKED_GRANTS_KEPT = 50_000


def _grant_errors(validator, record):
    """The grant's errors, remembered by its content: re-checking an unchanged grant is free."""
    key = hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode()).digest()
    with _checked_lock:
        if key in _checked:
            _checked.move_to_end(key)
            return _checked[key]
    found = [
        ("/".join(str(part) for part in error.absolute_path), error.message)
        for error in sorted(validator.iter_errors(record), key=lambda error: [str(p) for p in error.absolute_path])
    ]
    with _checked_lock:
        _checked[key] = found
        while len(_checked) > CHECKED_GRANTS_KEPT:
            _checked.popitem(last=False)
    return found


def _fingerprint(today):
    """What the export depends on, cheaply: the published awards' count and latest changes, the settings, the day."""
    from django.db.models import Max

    figures = published_awards().aggregate(
        fp_count=Count("id", distinct=True), fp_award=Max("updated_at"), fp_application=Max("application__updated_at"),
        fp_organisation=Max("application__organisation__updated_at"), fp_round=Max("application__round__updated_at"),
        fp_programme=Max("application__round__programme__updated_at"), fp_paid=Max("instalments__paid_on"),
        fp_paid_count=Count("instalments", filter=Q(instalments__paid_on__isnull=False)),
    )
    key = json.dumps([figures, today, prefix(), funder_id(), licence(), site_url(), settings.COUNCIL_NAME],
                     default=str, sort_keys=True)
    return hashlib.sha256(key.encode()).hexdigest()


EXPORT_CACHE_SECONDS = 10 * 60


def export(today=None, cached=False):
    """The package as JSON bytes, checked against the schema. Raises OpenDataError if it cannot be published.

    With `cached` (the public downloads), a file made in the last ten minutes from the same awards is
    reused: building and checking thousands of grants takes seconds. A change to an award, its
    application, organisation, round or programme, or a payment, makes a new one at once; renaming a
    theme or a district shows within ten minutes.
    """
    today = today or timezone.localdate()
    key = f"grants-360giving-json-{_fingerprint(today)}" if cached else None
    if key and (found := cache.get(key)) is not None:
        return found
    data = package(today)
    if not data["grants"]:
        raise OpenDataError("There are no awarded grants to publish: a 360Giving file must hold at least one grant.")
    errors = validation_errors(data)
    if errors:
        raise OpenDataError("The 360Giving data is not valid:\n" + "\n".join(error[:300] for error in errors[:20]))
    result = dumps(data)
    if key:
        cache.set(key, result, timeout=EXPORT_CACHE_SECONDS)
    return result


# --- CSV and XLSX (flattentool) -----------------------------------------------------------------


def flatten(json_bytes, fmt):
    """The 360Giving JSON as a spreadsheet with the standard's column titles ("Identifier", "Amount Awarded",
    "Recipient Org:Identifier", ...): fmt "xlsx" (a sheet for each list, e.g. Classifications) or "csv" (the
    main "grants" sheet, where the first recipient, location, programme and planned dates are rolled up).

    Every column and sheet of the schema is written, empty or not, so the files have the columns and
    sheets of 360Giving's spreadsheet template, in its order. Cached by the JSON's digest, so the page
    flattens once for each version of the data.
    """
    if fmt not in ("csv", "xlsx"):
        raise ValueError(fmt)
    key = f"grants-360giving-{fmt}-{hashlib.sha256(json_bytes).hexdigest()}"
    found = cache.get(key)
    if found is not None:
        return found
    import flattentool

    with tempfile.TemporaryDirectory(prefix="shire-360g-") as folder:
        source = Path(folder) / "grants.json"
        source.write_bytes(json_bytes)
        out = Path(folder) / "out"
        with warnings.catch_warnings():
            # The transaction lists have no titles in the schema; flattentool says so for each.
            warnings.simplefilter("ignore")
            flattentool.flatten(
                str(source),
                output_name=str(out),
                output_format=fmt,
                schema=str(GRANT_SCHEMA),
                main_sheet_name="grants",
                root_list_path="grants",
                root_id="",
                use_titles=True,
                rollup=True,
                remove_empty_schema_columns=False,
                disable_local_refs=True,
                line_terminator="CRLF",
            )
        # With one output format, flattentool writes to output_name itself: a folder of CSV files, or the workbook.
        result = (out / "grants.csv").read_bytes() if fmt == "csv" else out.read_bytes()
    cache.set(key, result, timeout=24 * 60 * 60)
    return result


def export_as(fmt, today=None, cached=False):
    """(bytes, content type, file extension) of the export in fmt: json, csv or xlsx."""
    json_bytes = export(today, cached=cached)
    content_type, extension = FORMATS[fmt]
    return (json_bytes if fmt == "json" else flatten(json_bytes, fmt)), content_type, extension


def csv_rows(csv_bytes):
    """The CSV as a list of dicts (for tests and checks)."""
    return list(csv.DictReader(io.StringIO(csv_bytes.decode("utf-8-sig"))))


# --- the open data page ------------------------------------------------------------------------


def page_figures():
    """What the open data page says about the file: number of grants, total, first and last award date."""
    from django.db.models import Max, Min

    figures = published_awards().aggregate(
        grants=Count("id"), total_pence=Sum("amount_pence"), first=Min("award_date"), last=Max("award_date")
    )
    figures["total_pence"] = figures["total_pence"] or 0
    return figures
