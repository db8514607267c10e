"""The OpenAPI document of Shire's Open Referral UK API, served at /api/oruk/openapi.json.

It is the ORUK 3.0 OpenAPI document (`standards/openreferral-uk/3.0/openapi.json`) made true of
this server and usable offline:

- `servers` names this server's /api/oruk/;
- the ORUK JSON Schemas that the standard's document references by absolute URL
  (https://openreferraluk.org/specifications/3.0/schema/service.json ...) are bundled under
  `components/schemas` (from the unchanged copies in data/oruk-*.json) and referenced locally;
- every parameter says what this API accepts: page from 1, per_page 1 to 1000, ids and
  *_id filters are UUIDs, modified_after an RFC 3339 date-time, format only `json`; `proximity`
  is left out (the API refuses it: no postcode centroids);
- each operation also lists its 400 (a parameter it cannot read) and 404 (no such id) answers,
  with the JSON error body the API sends;
- the standard's swapped operationIds for /taxonomy_terms and /taxonomy_terms/{id} are put right;
- `openapi` is 3.1.0: the ORUK schemas are JSON Schema 2020-12 (the standard says so in its
  `jsonSchemaDialect`, which OpenAPI 3.0 does not have).

`schema_registry()` gives the same schemas as a `referencing.Registry` under their published URLs,
for validating responses offline (the tests use it).
"""
import copy
import json
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
SCHEMA_BASE = "https://openreferraluk.org/specifications/3.0/schema/"
SCHEMA_NAMES = (
    "accessibility", "address", "api_details", "attribute", "contact", "cost_option", "funding", "language",
    "location", "organization", "organization_identifier", "organization_list", "phone", "schedule", "service",
    "service_area", "service_at_location", "service_at_location_list", "service_list", "taxonomy",
    "taxonomy_list", "taxonomy_term", "taxonomy_term_list",
)
MAX_PER_PAGE = 1000


@cache
def oruk_schemas():
    """{name: schema} for the bundled ORUK 3.0 schemas, as published."""
    return {name: json.loads((DATA / f"oruk-{name}.json").read_text(encoding="utf-8")) for name in SCHEMA_NAMES}


def schema_url(name):
    return f"{SCHEMA_BASE}{name}.json"


def schema_registry():
    """A referencing.Registry holding every bundled schema under its published URL (no network)."""
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    return Registry().with_resources(
        (schema_url(name), Resource.from_contents(schema, default_specification=DRAFT202012))
        for name, schema in oruk_schemas().items()
    )


def _local_refs(value):
    """`value` with every ORUK schema URL in a $ref turned into #/components/schemas/<name>."""
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if key == "$ref" and isinstance(item, str) and item.startswith(SCHEMA_BASE):
                result[key] = "#/components/schemas/" + item[len(SCHEMA_BASE):].removesuffix(".json")
            else:
                result[key] = _local_refs(item)
        return result
    if isinstance(value, list):
        return [_local_refs(item) for item in value]
    return value


def _query(name, description, schema):
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


UUID = {"type": "string", "format": "uuid"}
BOOLEAN = {"type": "boolean"}

PARAMETERS = {
    "search": _query("search", "Words to look for (every word must match; case and accents as typed are folded). "
                     "Services: in the service's name, description, terms, towns and its organisation's names.",
                     {"type": "string"}),
    "page": _query("page", "Page number of the paginated result, from 1.", {"type": "integer", "minimum": 1, "maximum": 10**9}),
    "per_page": _query("per_page", f"Number of results in a page: 1 to {MAX_PER_PAGE}, 50 if not given "
                       "(with minimal=true, every service on one page if not given).",
                       {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}),
    "format": _query("format", "Only `json` (the default): this API does not stream ndjson.", {"type": "string", "enum": ["json"]}),
    "taxonomy_term_id": _query("taxonomy_term_id", "Only records filed under this taxonomy term or a narrower one.", UUID),
    "taxonomy_id": _query("taxonomy_id", "Only records filed under any term of this taxonomy.", UUID),
    "organization_id": _query("organization_id", "Only services this organization provides.", UUID),
    "modified_after": _query("modified_after", "Only records modified on or after this date-time (RFC 3339, e.g. "
                             "2026-03-31T09:00:00Z).", {"type": "string", "format": "date-time"}),
    "minimal": _query("minimal", "Services with only id and last_modified (and the name and status the schema "
                      "requires), all on one page unless per_page is given.", BOOLEAN),
    "full": _query("full", "Fully nested records.", BOOLEAN),
    "full_service": _query("full_service", "Organizations with their services fully nested.", BOOLEAN),
    "postcode": _query("postcode", "Only services at places with this postcode (LE67 9AB), or in this postcode "
                       "district if only its first half is given (LE67). Spaces and case are ignored.",
                       {"type": "string", "pattern": "[A-Za-z0-9]"}),
    "top_only": _query("top_only", "Only top-level terms (terms with no parent).", BOOLEAN),
    "parent_id": _query("parent_id", "Only the terms directly below this term.", UUID),
}

# Per operation (path, the standard's parameter names that apply here, in order).
LIST_PARAMETERS = {
    "/services": ["search", "page", "per_page", "format", "taxonomy_term_id", "taxonomy_id", "organization_id",
                  "modified_after", "minimal", "full"],
    "/service_at_locations": ["search", "taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after",
                              "full", "page", "per_page", "format", "postcode"],
    "/organizations": ["search", "full_service", "full", "page", "per_page", "format"],
    "/taxonomies": ["search", "page", "per_page", "format"],
    "/taxonomy_terms": ["search", "page", "per_page", "format", "taxonomy_id", "top_only", "parent_id"],
}
DETAIL_PARAMETERS = {"/organizations/{id}": ["full_service"]}
OPERATION_IDS = {
    "/taxonomy_terms": "getPaginatedListOfTaxonomyTerms",
    "/taxonomy_terms/{id}": "getTaxonomyTermById",
}

ERROR_SCHEMA = {
    "type": "object",
    "description": "Why the request was refused.",
    "properties": {
        "status": {"type": "integer", "description": "The HTTP status code again."},
        "error": {"type": "string", "description": "The status's name, e.g. Bad Request."},
        "message": {"type": "string", "description": "What was wrong, in words."},
        "parameter": {"type": "string", "description": "The query parameter that could not be read."},
    },
    "required": ["status", "error", "message"],
}


def _error(description):
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/error"}}}}


@cache
def _standard_paths():
    """The paths of the ORUK 3.0 OpenAPI document as the standard has them (data/oruk-openapi.json)."""
    return json.loads((DATA / "oruk-openapi.json").read_text(encoding="utf-8"))["paths"]


def build_document(base_url):
    """The OpenAPI document for the API served at `base_url` (absolute, no trailing slash)."""
    paths = {}
    for path, item in copy.deepcopy(_standard_paths()).items():
        item = _local_refs(item)
        operation = item["get"]
        operation.pop("name", None)  # not an OpenAPI field
        for parameter in item.get("parameters", []):  # the {id} of a detail path
            parameter.pop("summary", None)
        if path in LIST_PARAMETERS:
            operation["parameters"] = [copy.deepcopy(PARAMETERS[name]) for name in LIST_PARAMETERS[path]]
            operation["responses"]["400"] = _error("A query parameter could not be read; `parameter` names it.")
        elif path in DETAIL_PARAMETERS:
            operation["parameters"] = [copy.deepcopy(PARAMETERS[name]) for name in DETAIL_PARAMETERS[path]]
            operation["responses"]["400"] = _error("A query parameter could not be read; `parameter` names it.")
        if "{id}" in path:
            operation["responses"]["404"] = _error("There is no record with that id.")
        if path in OPERATION_IDS:
            operation["operationId"] = OPERATION_IDS[path]
        operation["tags"] = ["required" if path in ("/", "/services", "/services/{id}") else "optional"]
        paths[path] = item
    paths["/openapi.json"] = {"get": {
        "operationId": "getOpenApiDocument",
        "summary": "This document.",
        "tags": ["optional"],
        "responses": {"200": {"description": "The OpenAPI document of this API.",
                              "content": {"application/json": {"schema": {"type": "object"}}}}},
    }}
    schemas = {name: _local_refs(schema) for name, schema in oruk_schemas().items()}
    schemas["error"] = ERROR_SCHEMA
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Open Referral UK API: Leicestershire communities directory",
            "version": "HSDS-UK-3.0",
            "summary": "Community organisations, places and services in Leicestershire, as Open Referral UK 3.0.",
            "description": (
                "Read-only, open data. The Open Referral UK 3.0 profile of the Human Services Data Specification "
                "(https://openreferraluk.org/specifications/3.0/): the endpoints, parameters and schemas of the "
                "standard's OpenAPI document, stated as this server implements them. Records may carry HSDS 3.0 "
                "fields beyond the UK profile (alternate_name, phones, eligibility_description...). Contact details "
                "that their owners keep private are never given. Empty fields are left out rather than given as "
                "null. Answers carry Access-Control-Allow-Origin: *."
            ),
            "license": {"name": "Schemas: Human Services Data Specification UK, an Open Referral UK resource "
                                "(CC BY-SA 4.0)", "url": "https://creativecommons.org/licenses/by-sa/4.0/"},
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "servers": [{"url": base_url}],
        "tags": [{"name": "required", "description": "Endpoints every ORUK 3.0 API has."},
                 {"name": "optional", "description": "Endpoints the standard offers as optional; this API has them."}],
        "paths": paths,
        "components": {"schemas": schemas},
    }
