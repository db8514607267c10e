"""Every endpoint of the Open Referral UK API answers with JSON that validates against the ORUK 3.0
JSON Schemas of ../shared/standards/openreferral-uk/3.0/schema/ (offline: the schemas' absolute
$ref URLs are served from those files by a referencing.Registry).

Formats are checked too: uuid, email, date, date-time, and uri (a strict absolute-URI check
added here, since jsonschema checks "uri" only with an optional package).

The HSDS 3.0 fields the API adds beyond the UK profile are checked against HSDS's own schemas.
The copies of the schemas that the site serves (shire/directory/data/) must equal the standard's.
"""
import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from shire.directory import openapi

from .oruk_sample import make_sample


@pytest.fixture(autouse=True)
def _no_api_cache(settings):
    """Every request reaches the views (the API's 60-second cache is tested on its own)."""
    settings.DIRECTORY_API_CACHE_SECONDS = 0

REPO = Path(__file__).resolve().parents[3]
STANDARDS = REPO.parent / "shared" / "standards"
ORUK_SCHEMAS = STANDARDS / "openreferral-uk" / "3.0" / "schema"
ORUK_EXAMPLES = STANDARDS / "openreferral-uk" / "3.0" / "examples"
HSDS_SCHEMAS = STANDARDS / "hsds" / "schema"
BASE = "https://openreferraluk.org/specifications/3.0/schema/"

needs_standards = pytest.mark.skipif(not ORUK_SCHEMAS.is_dir() and not os.environ.get("CI"), reason="../shared/standards is not beside the repository")

format_checker = FormatChecker()


@format_checker.checks("uri", raises=ValueError)
def is_absolute_uri(value):
    parts = urlsplit(value)
    if not (parts.scheme and (parts.netloc or parts.scheme in ("mailto", "tel", "urn"))) or any(c.isspace() for c in value):
        raise ValueError(f"{value!r} is not an absolute URI")
    return True


def _registry(folder, url_of):
    resources = []
    for path in sorted(folder.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((url_of(path.name), Resource.from_contents(contents, default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


def oruk_validator(name):
    """A validator for ORUK's <name>.json, from the shared standards when present, else from the site's copies."""
    if ORUK_SCHEMAS.is_dir():
        registry = _registry(ORUK_SCHEMAS, lambda file_name: BASE + file_name)
    else:
        registry = openapi.schema_registry()
    schema = registry.contents(BASE + f"{name}.json")
    return Draft202012Validator(schema, registry=registry, format_checker=format_checker)


def hsds_validator(name):
    registry = _registry(HSDS_SCHEMAS, lambda file_name: file_name)
    return Draft202012Validator(registry.contents(f"{name}.json"), registry=registry, format_checker=format_checker)


def assert_valid(validator, instance):
    errors = sorted(validator.iter_errors(instance), key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:20])


PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}


@pytest.fixture
def sample(db):
    return make_sample()


def endpoints(s):
    """(url, schema name) for every endpoint, in each of its forms."""
    service, sal, org, taxonomy, term = s["football"], s["sal"], s["org2"], s["categories"], s["sport"]
    return [
        ("/api/oruk/", "api_details"),
        ("/api/oruk/services", "service_list"),
        ("/api/oruk/services?full=true", "service_list"),
        ("/api/oruk/services?minimal=true", "service_list"),
        ("/api/oruk/services?search=football&per_page=1&page=1", "service_list"),
        ("/api/oruk/services?page=99", "service_list"),
        (f"/api/oruk/services/{service.pk}", "service"),
        (f"/api/oruk/services/{s['foodbank'].pk}", "service"),
        ("/api/oruk/service_at_locations", "service_at_location_list"),
        ("/api/oruk/service_at_locations?full=true", "service_at_location_list"),
        (f"/api/oruk/service_at_locations/{sal.pk}", "service_at_location"),
        (f"/api/oruk/service_at_locations/{s['sal_online'].pk}", "service_at_location"),
        ("/api/oruk/organizations", "organization_list"),
        ("/api/oruk/organizations?full=true", "organization_list"),
        ("/api/oruk/organizations?full_service=true", "organization_list"),
        (f"/api/oruk/organizations/{org.pk}", "organization"),
        (f"/api/oruk/organizations/{s['parent_org'].pk}?full_service=true", "organization"),
        ("/api/oruk/taxonomies", "taxonomy_list"),
        (f"/api/oruk/taxonomies/{taxonomy.pk}", "taxonomy"),
        ("/api/oruk/taxonomy_terms", "taxonomy_term_list"),
        (f"/api/oruk/taxonomy_terms?taxonomy_id={taxonomy.pk}&top_only=true", "taxonomy_term_list"),
        (f"/api/oruk/taxonomy_terms/{term.pk}", "taxonomy_term"),
    ]


@needs_standards
def test_the_validator_accepts_the_standards_own_examples():
    pairs = {"service_full": "service", "service_list": "service_list", "organization_full": "organization",
             "organization_list": "organization_list", "service_at_location_full": "service_at_location",
             "service_at_location_list": "service_at_location_list", "taxonomy": "taxonomy",
             "taxonomy_list": "taxonomy_list", "taxonomy_term": "taxonomy_term", "taxonomy_term_list": "taxonomy_term_list"}
    for example, schema in pairs.items():
        assert_valid(oruk_validator(schema), json.loads((ORUK_EXAMPLES / f"{example}.json").read_text()))


@needs_standards
def test_and_rejects_what_breaks_them():
    validator = oruk_validator("service")
    assert list(validator.iter_errors({"id": "not-a-uuid", "name": "x", "status": "active"}))
    assert list(validator.iter_errors({"id": "ac148810-d857-441c-9679-408f346de14b", "name": "x", "status": "open"}))
    assert list(validator.iter_errors({"id": "ac148810-d857-441c-9679-408f346de14b", "name": "x", "status": "active",
                                       "url": "not a url"}))
    assert list(validator.iter_errors({"id": "ac148810-d857-441c-9679-408f346de14b", "name": "x", "status": "active",
                                       "organization": {"id": "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", "name": "o"}}))


def test_every_endpoint_validates_against_the_oruk_schemas(client, sample):
    for url, schema in endpoints(sample):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/json", url
        body = response.json()
        assert_valid(oruk_validator(schema), body)
        if schema.endswith("_list"):
            assert set(body) == PAGE_KEYS, url
            if "page=99" not in url:
                assert body["contents"], f"{url} gave an empty page: the check would prove little"


@pytest.mark.skipif(not HSDS_SCHEMAS.is_dir() and not os.environ.get("CI"), reason="../shared/standards is not beside the repository")
def test_fields_beyond_the_uk_profile_follow_hsds(client, sample):
    """The full service, service at location and organisation also validate against HSDS 3.0's schemas."""
    service = client.get(f"/api/oruk/services/{sample['football'].pk}").json()
    assert_valid(hsds_validator("service"), service)
    assert service["phones"] and service["contacts"][0]["phones"]
    assert_valid(hsds_validator("service_at_location"), client.get(f"/api/oruk/service_at_locations/{sample['sal'].pk}").json())
    organization = client.get(f"/api/oruk/organizations/{sample['org2'].pk}?full_service=true").json()
    assert_valid(hsds_validator("organization"), organization)


@needs_standards
def test_the_sites_copies_of_the_standards_are_unchanged():
    data = Path(openapi.__file__).parent / "data"
    for name in openapi.SCHEMA_NAMES:
        assert (data / f"oruk-{name}.json").read_bytes() == (ORUK_SCHEMAS / f"{name}.json").read_bytes(), name
    assert (data / "oruk-openapi.json").read_bytes() == (ORUK_SCHEMAS.parent / "openapi.json").read_bytes()
    assert (data / "hsds-datapackage.json").read_bytes() == (STANDARDS / "hsds" / "datapackage.json").read_bytes()


def test_error_answers_match_the_documents_error_schema(client, sample):
    document = client.get("/api/oruk/openapi.json").json()
    validator = Draft202012Validator(document["components"]["schemas"]["error"])
    for url, status in [("/api/oruk/services?page=0", 400), ("/api/oruk/services?full=maybe", 400),
                        ("/api/oruk/services/12345", 404), ("/api/oruk/taxonomies/" + str(sample["org"].pk), 404)]:
        response = client.get(url)
        assert response.status_code == status, url
        assert_valid(validator, response.json())
