"""The Open Referral UK 3.0 API, read-only, at /api/oruk/ (plain Django views returning JSON).

    GET /                              what this API is: version, profile, openapi_url
    GET /openapi.json                  the OpenAPI document describing these endpoints (openapi.py)
    GET /services                      paginated services; search, taxonomy_term_id, taxonomy_id,
                                       organization_id, modified_after, minimal, full
    GET /services/{id}                 one service, fully nested
    GET /service_at_locations[/{id}]   services at their places; + postcode
    GET /organizations[/{id}]          organisations; full, full_service
    GET /taxonomies[/{id}]             taxonomies (by id: with their terms)
    GET /taxonomy_terms[/{id}]         terms; taxonomy_id, parent_id, top_only

Lists are pages, in the order of their records' ids (stable, and read straight from the primary
key's index, where sorting 10,000 services by name for every page would not be): total_items, total_pages, page_number, size, first_page, last_page, empty and
contents, as ORUK's *_list schemas say. `page` counts from 1; `per_page` is 1 to MAX_PER_PAGE
(default DEFAULT_PER_PAGE; with minimal=true every service fits on one page unless per_page is
given). A query parameter that cannot be read (page=abc, a taxonomy_term_id that is not a UUID,
full=maybe) is answered 400 with a JSON error naming it; an unknown id 404 with a JSON error.
Parameters the API does not know are ignored, as usual for HTTP APIs; `proximity`, which the
specification offers, needs postcode centroids Shire does not hold, so it is refused with 400.

Answers are kept in the shared cache (settings.CACHES) for DIRECTORY_API_CACHE_SECONDS (60 by
default; see cache_seconds) and sent with `Cache-Control: public, max-age=60`: a change to the
directory shows in the API at once, in every server process (the cache key holds the directory's
version, services.directory_version(), kept in the same shared cache). The answers are open data, the same for everyone, so nothing private can leak this way.

Contacts and phone numbers marked private never appear (api_data reads them through `.public()`).
Anyone may read the API (it is open data), including scripts on other sites: every answer
carries `Access-Control-Allow-Origin: *`.
"""
import hashlib
import math
import re
import uuid
from datetime import UTC, datetime
from functools import wraps

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from rfc3339_validator import validate_rfc3339

from . import api_data, list_rows, services
from .models import Location, Service, ServiceAttribute, TaxonomyTerm

VERSION = "HSDS-UK-3.0"
PROFILE_URL = "https://openreferraluk.org/specifications/3.0/"
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 1000
MAX_POSTCODE_CHARACTERS = 10


class BadParameter(Exception):
    def __init__(self, name, message):
        super().__init__(message)
        self.name = name
        self.message = message


def error_response(status, message, parameter=None):
    body = {"status": status, "error": {400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}[status],
            "message": message}
    if parameter:
        body["parameter"] = parameter
    return JsonResponse(body, status=status)


def not_found(kind):
    return error_response(404, f"There is no {kind} with that id.")


def api_view(view=None, *, directory_data=True):
    """GET and HEAD only; a BadParameter becomes a 400; every answer is JSON and readable cross-origin.

    Answers built from `directory_data` are kept in the shared cache; the others (what the API is,
    its OpenAPI document) need neither the cache nor the database.
    """
    if view is None:
        return lambda view: api_view(view, directory_data=directory_data)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            response = error_response(405, "This API is read-only: use GET.")
            response["Allow"] = "GET, HEAD"
        else:
            seconds = cache_seconds() if directory_data else 0
            # The directory's version (services.directory_version, changed by every save or delete)
            # in the key: the cache is shared, so a change shows at once in every server process.
            key = seconds and f"oruk:{services.directory_version()}:" + hashlib.sha256(
                request.build_absolute_uri().encode()).hexdigest()
            cached = cache.get(key) if seconds else None
            if cached is not None:
                response = HttpResponse(cached, content_type="application/json")
            else:
                try:
                    response = view(request, *args, **kwargs)
                except BadParameter as error:
                    response = error_response(400, error.message, error.name)
                if seconds and response.status_code == 200:
                    cache.set(key, response.content, seconds)
            if seconds and response.status_code == 200:
                response["Cache-Control"] = f"public, max-age={seconds}"
        response["Access-Control-Allow-Origin"] = "*"
        return response

    wrapped.csrf_exempt = True
    return wrapped


def cache_seconds():
    """How long an answer is kept and reused: settings' DIRECTORY_API_CACHE_SECONDS, else
    $SHIRE_API_CACHE_SECONDS, else 60; 0 turns it off."""
    return services.cache_seconds("DIRECTORY_API_CACHE_SECONDS", "SHIRE_API_CACHE_SECONDS", 60)


def json_response(data):
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})


# --- query parameters ---------------------------------------------------------------------------
# Each parameter is read exactly as the OpenAPI document (openapi.py) types it, so that what the
# document calls valid is accepted and anything else, an empty value included, is a 400.

INTEGER = re.compile(r"[0-9]+")
UUID_TEXT = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)


def _one(request, name):
    """The parameter's value (the last, if it is given more than once), or None when absent."""
    return request.GET.get(name)


def int_param(request, name, default, minimum, maximum=None):
    value = _one(request, name)
    if value is None:
        return default
    if not INTEGER.fullmatch(value):
        raise BadParameter(name, f"{name} must be a whole number, like 2.")
    number = int(value)
    if number < minimum or (maximum is not None and number > maximum):
        upper = f" to {maximum}" if maximum is not None else " or more"
        raise BadParameter(name, f"{name} must be {minimum}{upper}.")
    return number


def bool_param(request, name):
    value = _one(request, name)
    if value is None:
        return False
    if value not in ("true", "false"):
        raise BadParameter(name, f"{name} must be true or false.")
    return value == "true"


def uuid_param(request, name):
    value = _one(request, name)
    if value is None:
        return None
    if not UUID_TEXT.fullmatch(value):
        raise BadParameter(name, f"{name} must be a UUID, like 3f7b145d-84af-42d7-8fae-eaca714b02b2.")
    return uuid.UUID(value)


def datetime_param(request, name):
    """An RFC 3339 date-time, like 2026-03-31T09:00:00Z, in UTC."""
    value = _one(request, name)
    if value is None:
        return None
    if not validate_rfc3339(value):
        raise BadParameter(name, f"{name} must be a date-time like 2026-03-31T09:00:00Z.")
    text = value.upper()
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except (ValueError, OverflowError):
        # RFC 3339 allows year 0000 and offsets that carry a time past Python's range of years.
        return EARLIEST if text[:4] < "5000" else LATEST


def format_param(request):
    value = _one(request, "format")
    if value is not None and value != "json":
        raise BadParameter("format", "format must be json: this API gives no other format.")


def search_words_param(request):
    """The words of `search`, cut and casefolded as the directory's own search does them."""
    return services.search_words(request.GET.get("search", ""))


# Parameters that choose a page of a list, or how much of each row it shows, but not which rows.
PAGING_PARAMETERS = {"page", "per_page", "format", "full"}


def paginate(request, queryset, build=None, *, default_per_page=DEFAULT_PER_PAGE, fetch=None, kept=None):
    """The ORUK page object for `queryset`, with `build(row)` for each row of the page asked for.

    `fetch(ids)`, if given, reads the page's rows ({id: row}) instead of `queryset` (a list page
    reads plain values: api_data.Row). `kept` names list rows whose JSON is kept as text
    (list_rows.api_json): the page joins those texts, and neither reads the rows nor builds them."""
    format_param(request)
    page = int_param(request, "page", 1, 1, 10**9)
    per_page = int_param(request, "per_page", default_per_page, 1, MAX_PER_PAGE if default_per_page <= MAX_PER_PAGE else None)
    offset = (page - 1) * per_page
    # The page's ids, then the count, each read from an index alone (a window count over every
    # row made PostgreSQL sort them all for each page); then only those rows with their joins.
    # (Joining every row that OFFSET skips, to throw it away, made deep pages of 10,000 services slow.)
    ids = list(queryset.values_list("pk", flat=True)[offset:offset + per_page])
    if ids and len(ids) < per_page:
        total = offset + len(ids)  # a page with room to spare is the last: its rows tell the count
    elif set(request.GET) <= PAGING_PARAMETERS:
        total = services.whole_list_count(request.path, queryset.count)  # the unfiltered list
    else:
        total = queryset.count()
    total_pages = math.ceil(total / per_page) if total else 0
    rows = []
    if ids:
        by_id = (list_rows.api_json(kept, ids) if kept else fetch(ids) if fetch
                 else {row.pk: row for row in queryset.filter(pk__in=ids)})
        rows = [by_id[pk] for pk in ids if pk in by_id]
    head = {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(rows),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not rows,
    }
    if kept:
        # The same text json_response would write, with the kept rows as they are.
        text = api_data.dumps(head)[:-1] + ',"contents":[' + ",".join(rows) + "]}"
        return HttpResponse(text, content_type="application/json")
    return json_response({**head, "contents": [build(row) for row in rows]})


def _get(queryset, pk):
    """The row with primary key `pk` (a string from the URL), or None: a malformed id is just unknown."""
    try:
        key = uuid.UUID(pk)
    except ValueError:
        return None
    return queryset.filter(pk=key).first()


def _with_descendants(term_id):
    ids, frontier = {term_id}, [term_id]
    while frontier:
        frontier = list(TaxonomyTerm.objects.filter(parent_id__in=frontier).exclude(pk__in=ids).values_list("pk", flat=True))
        ids.update(frontier)
    return ids


def filter_services(request, services_qs, prefix=""):
    """The filters /services and /service_at_locations share, on a queryset of services (prefix "")
    or of rows that point to a service (prefix "service__")."""
    for word in search_words_param(request):
        services_qs = services_qs.filter(**{f"{prefix}search_text__contains": word})
    service_ref = OuterRef(prefix + "pk" if not prefix else prefix.rstrip("_") + "_id")
    if (term_id := uuid_param(request, "taxonomy_term_id")) is not None:
        # A term finds the services filed under it or under any narrower term.
        services_qs = services_qs.filter(Exists(ServiceAttribute.objects.filter(
            service_id=service_ref, taxonomy_term_id__in=_with_descendants(term_id))))
    if (taxonomy_id := uuid_param(request, "taxonomy_id")) is not None:
        services_qs = services_qs.filter(Exists(ServiceAttribute.objects.filter(
            service_id=service_ref, taxonomy_term__taxonomy_id=taxonomy_id)))
    if (organization_id := uuid_param(request, "organization_id")) is not None:
        services_qs = services_qs.filter(**{f"{prefix}organization_id": organization_id})
    return services_qs


# --- the endpoints ------------------------------------------------------------------------------

@api_view(directory_data=False)
def api_details(request):
    return json_response({
        "version": VERSION,
        "profile": PROFILE_URL,
        "openapi_url": request.build_absolute_uri(reverse("oruk:openapi")),
    })


@api_view(directory_data=False)
def openapi_document(request):
    from .openapi import build_document

    return json_response(build_document(request.build_absolute_uri(reverse("oruk:api-details")).rstrip("/")))


@api_view
def service_list(request):
    minimal = bool_param(request, "minimal")
    full = bool_param(request, "full") and not minimal
    rows = filter_services(request, api_data.services_queryset(full=full))
    if (after := datetime_param(request, "modified_after")) is not None:
        rows = rows.filter(updated_at__gte=after)
    if minimal:
        rows = Service.objects.filter(pk__in=rows.values("pk")).only("id", "name", "status", "updated_at")
        return paginate(request, rows.order_by("id"), api_data.minimal_service_json, default_per_page=10**9)
    if full:
        return paginate(request, rows.order_by("id"), lambda service: api_data.service_json(service, full=True))
    return paginate(request, rows.order_by("id"), kept="services")


@api_view
def service_detail(request, pk):
    service = _get(api_data.services_queryset(full=True), pk)
    if service is None:
        return not_found("service")
    return json_response(api_data.service_json(service, full=True))


@api_view
def service_at_location_list(request):
    full = bool_param(request, "full")
    if _one(request, "proximity") is not None:
        raise BadParameter("proximity", "proximity is not supported: this directory holds no postcode centroids. "
                                        "Use postcode alone to find services at places with that postcode.")
    rows = filter_services(request, api_data.service_at_locations_queryset(full=full), prefix="service__")
    if (after := datetime_param(request, "modified_after")) is not None:
        rows = rows.filter(Q(service__updated_at__gte=after) | Q(location__updated_at__gte=after))
    if (postcode := _one(request, "postcode")) is not None:
        rows = rows.filter(location__in=locations_with_postcode(postcode))
    if full:
        return paginate(request, rows.order_by("id"), lambda row: api_data.service_at_location_json(row, full=True))
    return paginate(request, rows.order_by("id"), kept="service_at_locations")


def locations_with_postcode(postcode):
    """Places with this postcode (spaces and case ignored), or in this postcode district when only
    the outward code is given (LE67 finds LE67 9AB)."""
    compact = "".join(ch for ch in postcode.upper() if ch.isascii() and ch.isalnum())[:MAX_POSTCODE_CHARACTERS]
    if not compact:
        raise BadParameter("postcode", "postcode must be a UK postcode like LE67 9AB, or its first half like LE67.")
    candidates = Location.objects.filter(postal_code__istartswith=compact[:2]).values_list("pk", "postal_code")
    matches = []
    for pk, code in candidates:
        normal = code.upper().replace(" ", "")
        outward = code.upper().split()[0] if code.strip() else ""
        if normal == compact or outward == compact:
            matches.append(pk)
    return matches


@api_view
def service_at_location_detail(request, pk):
    row = _get(api_data.service_at_locations_queryset(full=True), pk)
    if row is None:
        return not_found("service at a location")
    return json_response(api_data.service_at_location_json(row, full=True))


@api_view
def organization_list(request):
    full = bool_param(request, "full")
    full_service = bool_param(request, "full_service")
    rows = api_data.organizations_queryset(full=full, full_service=full_service)
    for word in search_words_param(request):
        rows = rows.filter(search_text__contains=word)
    return paginate(request, rows.order_by("id"),
                    lambda organization: api_data.organization_json(organization, full=full, full_service=full_service),
                    fetch=None if full or full_service else api_data.organization_rows)


@api_view
def organization_detail(request, pk):
    full_service = bool_param(request, "full_service")
    organization = _get(api_data.organizations_queryset(full=True, full_service=full_service), pk)
    if organization is None:
        return not_found("organization")
    return json_response(api_data.organization_json(organization, full=True, full_service=full_service))


def _name_search(request, rows):
    for word in search_words_param(request):
        rows = rows.filter(Q(name__icontains=word) | Q(description__icontains=word))
    return rows


@api_view
def taxonomy_list(request):
    rows = _name_search(request, api_data.taxonomies_queryset())
    return paginate(request, rows.order_by("name", "id"), api_data.taxonomy_json)


@api_view
def taxonomy_detail(request, pk):
    taxonomy = _get(api_data.taxonomies_queryset(with_terms=True), pk)
    if taxonomy is None:
        return not_found("taxonomy")
    return json_response(api_data.taxonomy_json(taxonomy, with_terms=True))


@api_view
def taxonomy_term_list(request):
    rows = _name_search(request, api_data.taxonomy_terms_queryset())
    if (taxonomy_id := uuid_param(request, "taxonomy_id")) is not None:
        rows = rows.filter(taxonomy_id=taxonomy_id)
    if (parent_id := uuid_param(request, "parent_id")) is not None:
        rows = rows.filter(parent_id=parent_id)
    if bool_param(request, "top_only"):
        rows = rows.filter(parent__isnull=True)
    return paginate(request, rows.order_by("taxonomy__name", "name", "id"), api_data.taxonomy_term_json)


@api_view
def taxonomy_term_detail(request, pk):
    term = _get(api_data.taxonomy_terms_queryset(), pk)
    if term is None:
        return not_found("taxonomy term")
    return json_response(api_data.taxonomy_term_json(term))


@api_view
def not_an_endpoint(request, rest=""):
    return error_response(404, "There is no such endpoint. GET / lists what this API offers.")

