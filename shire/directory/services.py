"""The directory's rules as plain functions: search, who may edit what, edits and their approval,
page history, stale listings and reminders, error reports, and opening times in words.

Views only route to these. Every change to a listing goes through `propose`: it applies the change
at once (and records it in the history) or keeps it as a PendingEdit for an officer, and it refuses
anyone who may not edit the organisation.
"""
import functools
import hashlib
import os
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection, models, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from shire.core import audit
from shire.core.mail import queue_email

from .models import (
    AUDIENCES_TAXONOMY,
    CATEGORIES_TAXONOMY,
    Accessibility,
    ChangeRecord,
    Contact,
    ErrorReport,
    Location,
    Manager,
    Organization,
    PendingEdit,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    TaxonomyTerm,
    search_text_of,
    stale_cutoff,
)

# --- search -------------------------------------------------------------------------------------

MAX_QUERY_CHARACTERS = 200
MAX_WORDS = 8
MAX_WORD_CHARACTERS = 40

# Letters, digits and marks of any script are kept; everything else separates words.
_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)


def search_words(text):
    """The words to look for in `text`, lower-cased (casefolded), at most MAX_WORDS of them.

    Punctuation, symbols, emoji and control characters only separate words, so SQL or HTML
    fragments become harmless words and a query of symbols alone finds everything.
    """
    text = unicodedata.normalize("NFKC", (text or "")[:MAX_QUERY_CHARACTERS]).casefold()
    words = []
    for word in _NOT_WORD.split(text.replace("_", " ")):
        word = word[:MAX_WORD_CHARACTERS]
        if word and word not in words:
            words.append(word)
    return words[:MAX_WORDS]


@dataclass
class Search:
    """What a resident asked for: each part narrows the results; an empty search lists everything."""

    words: list = field(default_factory=list)
    category: TaxonomyTerm | None = None
    need: TaxonomyTerm | None = None
    district: object = None
    parish: object = None
    age: int | None = None
    free_only: bool = False
    access: list = field(default_factory=list)

    @property
    def is_empty(self):
        return not (self.words or self.category or self.need or self.district or self.parish
                    or self.age is not None or self.free_only or self.access)


LISTED_STATUSES = (Service.Status.ACTIVE, Service.Status.TEMPORARILY_CLOSED)


def _term_and_descendants(term):
    children = search_options()["children"]
    ids, frontier = {term.pk}, [term.pk]
    while frontier:
        frontier = [child for parent in frontier for child in children.get(parent, ()) if child not in ids]
        ids.update(frontier)
    return ids


# --- what changed when: one version for caches of directory pages and choices ---------------------

VERSION_KEY = "directory:version"


def directory_version():
    """A token that changes whenever anything in the directory (or the places it uses) changes."""
    return cache.get_or_set(VERSION_KEY, lambda: uuid.uuid4().hex, timeout=None)


def directory_changed():
    """Call after changing directory records without save() or delete() (bulk_create, update, imports)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def cache_seconds(setting, variable, default):
    """How long pages or answers are kept: the setting, else the environment variable, else
    `default`; 0 turns that cache off."""
    value = getattr(settings, setting, None)
    if value is None:
        value = os.environ.get(variable, default)
    return int(value)


_OPTIONS = {}


def search_options(version=None):
    """The search form's choices (terms, districts, parishes) and the category tree, kept until a change.

    Kept in this process's memory (not the cache: unpickling hundreds of records on every search
    costs more than the queries), one set for the current directory version (`version`, when the
    caller has just read it: reading it costs a query of the shared cache).
    """
    from shire.core.models import District, Parish

    version = version or directory_version()
    options = _OPTIONS.get(version)
    if options is None:
        children = {}
        for pk, parent in TaxonomyTerm.objects.exclude(parent=None).values_list("pk", "parent_id"):
            children.setdefault(parent, []).append(pk)
        options = {
            "categories": list(categories()),
            "needs": list(needs()),
            "districts": list(District.objects.order_by("name")),
            "parishes": list(Parish.objects.select_related("district").order_by("district__name", "name", "slug")),
            "children": children,
        }
        _OPTIONS.clear()
        _OPTIONS[version] = options
    return options


_WHOLE_COUNTS = {}


def whole_list_count(name, count, version=None):
    """How many records the unfiltered list `name` has: `count()` the first time, then kept in this
    process's memory for the directory version (`version`, when the caller has just read it).

    Every page of an unfiltered list (the search with nothing asked, the API's lists) has the same
    total until the directory changes; counting 10,000 services on each page cost PostgreSQL more
    than anything else those pages do. Not a cached answer: the page itself is built every time.
    """
    version = version or directory_version()
    counts = _WHOLE_COUNTS.get(version)
    if counts is None:
        _WHOLE_COUNTS.clear()
        counts = _WHOLE_COUNTS[version] = {}
    if name not in counts:
        counts[name] = count()
    return counts[name]


# The search's queries are written as SQL (`_search_sql`): built by the ORM, a page's queries cost
# about a millisecond of Python to compile, a quarter of what a search page costs (docs/directory.md).
# Names of tables and columns come from the models; the conditions are the ORM's own for these
# lookups (`contains` is the backend's LIKE, with Django's escaping of the word).


@functools.cache
def _sql_names():
    def table(model):
        return connection.ops.quote_name(model._meta.db_table)

    def column(model, name):
        return connection.ops.quote_name(model._meta.get_field(name).column)

    return {
        "service": table(Service), "organization": table(Organization), "attribute": table(ServiceAttribute),
        "at_location": table(ServiceAtLocation), "location": table(Location), "accessibility": table(Accessibility),
        **{f"s_{name}": column(Service, name) for name in (
            "id", "status", "search_text", "name_key", "name", "organization", "minimum_age", "maximum_age", "cost")},
        **{f"o_{name}": column(Organization, name) for name in (
            "id", "district", "parish", "search_text", "name", "kind")},
        "a_service": column(ServiceAttribute, "service"), "a_term": column(ServiceAttribute, "taxonomy_term"),
        "sl_service": column(ServiceAtLocation, "service"), "sl_location": column(ServiceAtLocation, "location"),
        **{f"l_{name}": column(Location, name) for name in ("id", "district", "parish")},
        "acc_location": column(Accessibility, "location"), "acc_feature": column(Accessibility, "feature"),
    }


def _contains():
    """The backend's SQL for `contains` (PostgreSQL: LIKE %s; SQLite: LIKE %s ESCAPE '\\')."""
    return connection.operators["contains"]


def _like(word):
    return f"%{connection.ops.prep_for_like_query(word)}%"


def _db_value(model, value):
    return model._meta.pk.get_db_prep_value(value, connection)


def _search_sql(search):
    """(SQL, parameters): FROM and WHERE of the services a search finds: listed (running or
    temporarily closed), with every word in their search text, in every filter."""
    n = _sql_names()
    where = [f"s.{n['s_status']} IN (%s, %s)"]
    params = list(LISTED_STATUSES)
    for word in search.words:
        where.append(f"s.{n['s_search_text']} {_contains()}")
        params.append(_like(word))
    for term in (search.category, search.need):
        if term is not None:
            terms = [_db_value(TaxonomyTerm, pk) for pk in sorted(_term_and_descendants(term), key=str)]
            where.append(f"EXISTS (SELECT 1 FROM {n['attribute']} a WHERE a.{n['a_service']} = s.{n['s_id']} "
                         f"AND a.{n['a_term']} IN ({', '.join(['%s'] * len(terms))}))")
            params += terms
    for place, value in (("district", search.district), ("parish", search.parish)):
        if value is not None:
            # The organisation's, or any place the service is offered.
            where.append(f"(EXISTS (SELECT 1 FROM {n['organization']} o WHERE o.{n['o_id']} = s.{n['s_organization']} "
                         f"AND o.{n['o_' + place]} = %s) OR EXISTS (SELECT 1 FROM {n['at_location']} sl "
                         f"INNER JOIN {n['location']} l ON l.{n['l_id']} = sl.{n['sl_location']} "
                         f"WHERE sl.{n['sl_service']} = s.{n['s_id']} AND l.{n['l_' + place]} = %s))")
            params += [value.pk, value.pk]
    if search.age is not None:
        where.append(f"(s.{n['s_minimum_age']} IS NULL OR s.{n['s_minimum_age']} <= %s) "
                     f"AND (s.{n['s_maximum_age']} IS NULL OR s.{n['s_maximum_age']} >= %s)")
        params += [search.age, search.age]
    if search.free_only:
        where.append(f"s.{n['s_cost']} = %s")
        params.append(Service.Cost.FREE.value)
    for feature in search.access:
        where.append(f"EXISTS (SELECT 1 FROM {n['at_location']} sl INNER JOIN {n['accessibility']} acc "
                     f"ON acc.{n['acc_location']} = sl.{n['sl_location']} "
                     f"WHERE sl.{n['sl_service']} = s.{n['s_id']} AND acc.{n['acc_feature']} = %s)")
        params.append(feature)
    return f"FROM {n['service']} s WHERE " + " AND ".join(where), params


def _search_order(search):
    """(SQL, parameters): the order of the results: services whose own name has the first word
    first, then by name."""
    n = _sql_names()
    if search.words:
        return (f"CASE WHEN s.{n['s_name_key']} {_contains()} THEN 0 ELSE 1 END, s.{n['s_name']}, s.{n['s_id']}",
                [_like(search.words[0])])
    return f"s.{n['s_name']}, s.{n['s_id']}", []


def _rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# What a list of results shows of each service (search_html.result_rows, and search_page's own rows).
RESULT_FIELDS = ("id", "name", "description", "status", "cost", "minimum_age", "maximum_age",
                 "organization__id", "organization__name")


def search_page(search, number, per_page, version=None, fetch=None):
    """One page of the services a search finds, best first, as a Django Page, in one to three small queries.

    The page's ids and names, then the count of everything found (both from narrow rows: an index
    on PostgreSQL for the listing by name, trigram indexes for words; a page with room to spare is
    the last, and needs no count; a search by words counts in the query of the ids; an empty search's
    count is kept for the directory version, `version`), then the page's services with their
    organisations. `number` is what was asked for (text is fine): past the last page gives
    the last page, anything that is not a page number the first. `fetch(rows)` ({id: row} of the
    page's (id, name) rows) reads the page's rows in place of the services and their organisations
    (the search page: list_rows).
    """
    try:
        number = max(1, int(str(number)))
    except (TypeError, ValueError):
        number = 1
    n = _sql_names()
    found, params = _search_sql(search)
    order, order_params = _search_order(search)

    def page_rows(number, count=""):
        return _rows(f"SELECT s.{n['s_id']}, s.{n['s_name']}{count} {found} ORDER BY {order} LIMIT %s OFFSET %s",
                     [*params, *order_params, per_page, (number - 1) * per_page])

    def count():
        return _rows(f"SELECT COUNT(*) {found}", params)[0][0]

    total = None
    if search.words:
        # Every service with the words is read and sorted anyway (the first word in the name comes
        # first), so counting them in the same query costs PostgreSQL little and saves a second
        # search. Without words the page's ids come from the start of an index, and a count beside
        # them would read all of it, so that count is a query of its own.
        rows = page_rows(number, ", COUNT(*) OVER ()")
        if rows:
            total = rows[0][2]
    else:
        rows = page_rows(number)
    if rows and len(rows) < per_page:
        total = (number - 1) * per_page + len(rows)  # the last page: no need to count
    elif total is None:
        total = whole_list_count("search", count, version) if search.is_empty else count()
        if not rows and total:  # past the last page: the last page
            number = (total + per_page - 1) // per_page
            rows = page_rows(number)
    to_id = Service._meta.pk.to_python
    rows = [(to_id(pk), name) for pk, name, *_ in rows]
    if not rows:
        by_id = {}
    elif fetch is not None:
        by_id = fetch(rows)
    else:
        by_id = Service.objects.filter(pk__in=[pk for pk, _ in rows]).select_related("organization").only(
            *RESULT_FIELDS).in_bulk()
    paginator = Paginator([], per_page)
    paginator.__dict__["count"] = total  # Paginator.count is a cached property
    return Page([by_id[pk] for pk, _ in rows if pk in by_id], number, paginator)


def search_organizations(search, limit=6):
    """Organisations whose names or descriptions have every word, for a short list beside the services."""
    if not search.words:
        return []
    n = _sql_names()
    where = [f"o.{n['o_search_text']} {_contains()}"] * len(search.words)
    params = [_like(word) for word in search.words]
    for place, value in (("district", search.district), ("parish", search.parish)):
        if value is not None:
            where.append(f"o.{n['o_' + place]} = %s")
            params.append(value.pk)
    return list(Organization.objects.raw(
        f"SELECT o.{n['o_id']}, o.{n['o_name']}, o.{n['o_kind']} "
        f"FROM {n['organization']} o WHERE {' AND '.join(where)} ORDER BY o.{n['o_name']}, o.{n['o_id']} LIMIT %s",
        [*params, limit]))


# What a result in the list says of a service, worked out once in Python rather than by template
# tags on each of the page's rows (the template was most of the search page's CPU).
SUMMARY_WORDS = 35


def places_text(places, shown=3):
    """Where a service is, as the results list says it: the first `shown` places' towns (or names when
    a place has no town), then how many more: "Hinckley, Desford and 2 more"."""
    text = ", ".join(place.city or place.name for place in places[:shown])
    if len(places) > shown:
        text += f" and {len(places) - shown} more"
    return text


def result_summary(description):
    """The start of a description for the results list: its first SUMMARY_WORDS words."""
    return Truncator(description).words(SUMMARY_WORDS, truncate=" …")


def categories():
    return TaxonomyTerm.objects.filter(taxonomy__slug=CATEGORIES_TAXONOMY, parent__isnull=True).order_by("name")


def needs():
    return TaxonomyTerm.objects.filter(taxonomy__slug=AUDIENCES_TAXONOMY).order_by("name")


def points_for_map(services):
    """(service, latitude, longitude) of each service's first place inside the county's box.

    Each service needs `places`, its locations (the search view attaches them in one query).
    """
    points = []
    for service in services:
        for location in getattr(service, "places", []):
            if location.latitude is not None and location.longitude is not None \
                    and in_county_box(location.latitude, location.longitude):
                points.append((service, location.latitude, location.longitude))
                break
    return points


# Leicestershire's bounding box, a little padded (degrees).
COUNTY_BOX = {"south": Decimal("52.38"), "north": Decimal("52.99"), "west": Decimal("-1.61"), "east": Decimal("-0.65")}


def in_county_box(latitude, longitude):
    return (COUNTY_BOX["south"] <= Decimal(latitude) <= COUNTY_BOX["north"]
            and COUNTY_BOX["west"] <= Decimal(longitude) <= COUNTY_BOX["east"])


def map_position(latitude, longitude, width=600, height=400):
    """(x, y) of a point on a plain plot of the county's box, north at the top."""
    box = COUNTY_BOX
    x = (Decimal(longitude) - box["west"]) / (box["east"] - box["west"]) * width
    y = (box["north"] - Decimal(latitude)) / (box["north"] - box["south"]) * height
    return round(float(x), 1), round(float(y), 1)


# --- who may do what ----------------------------------------------------------------------------


def manager_link(user, organization):
    if not (user and user.is_authenticated and user.is_active):
        return None
    return Manager.objects.filter(organization=organization, user=user).first()


def can_edit(user, organization):
    """Officers edit any listing; an approved manager edits their own organisation's."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_officer:
        return True
    link = manager_link(user, organization)
    return bool(link and link.approved)


def managed_organizations(user):
    """The organisations a community member is an approved manager of."""
    if not (user and user.is_authenticated and user.is_active):
        return Organization.objects.none()
    return Organization.objects.filter(manager_links__user=user, manager_links__approved=True).order_by("name")


def approval_reason(user, organization):
    """Why an edit by `user` must wait for an officer, or None when it applies at once."""
    if user.is_officer:
        return None
    if organization.is_council_run:
        return PendingEdit.Reason.COUNCIL_RUN
    link = manager_link(user, organization)
    if link is None or not link.first_edit_approved:
        return PendingEdit.Reason.NEW_MANAGER
    return None


# --- what can be edited, and how values are kept in JSON ----------------------------------------

# Per kind of record: its model and the fields a manager edits. "taxonomy_terms" and
# "locations" (of a service) and "features" (of a location) are lists of ids or codes.
EDITABLE = {
    "organization": (Organization, ["name", "alternate_name", "description", "email", "website", "legal_status",
                                    "year_incorporated"]),
    "service": (Service, ["name", "alternate_name", "description", "url", "email", "status", "cost", "fees_description",
                          "minimum_age", "maximum_age", "eligibility_description", "application_process",
                          "accessibility", "attending_type", "attending_access", "alert", "taxonomy_terms",
                          "locations"]),
    "location": (Location, ["name", "kind", "location_type", "description", "address_1", "address_2", "city",
                            "postal_code", "transportation", "latitude", "longitude", "url", "district", "parish",
                            "features"]),
    "contact": (Contact, ["name", "title", "email", "service", "private"]),
    "phone": (Phone, ["number", "type", "description", "service", "private"]),
    "schedule": (Schedule, ["service", "location", "freq", "interval", "byday", "opens_at", "closes_at",
                            "description"]),
}
# Only officers change what kind of organisation a listing is, where it is and who runs it.
OFFICER_ORGANIZATION_FIELDS = ["kind", "district", "parish", "is_council_run"]

LIST_FIELDS = {"taxonomy_terms", "locations", "features"}

LABELS = {
    "taxonomy_terms": "Categories and who it is for",
    "locations": "Where it is offered",
    "features": "Accessibility",
}


def target_type_of(obj):
    return obj._meta.model_name


def field_label(target_type, name):
    if name in LABELS:
        return LABELS[name]
    model = EDITABLE[target_type][0]
    try:
        label = str(model._meta.get_field(name).verbose_name)
    except Exception:
        label = name
    return label[:1].upper() + label[1:]


def to_json(value):
    """A field's value as JSON keeps it: ids and decimals as strings, dates and times in ISO 8601."""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (list, tuple, set, models.QuerySet)):
        return sorted(str(item.pk if isinstance(item, models.Model) else item) for item in value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)


def current_values(obj, target_type, fields=None):
    """The JSON values of the editable fields of `obj` as it is now."""
    names = fields or EDITABLE[target_type][1]
    values = {}
    for name in names:
        if name == "taxonomy_terms":
            values[name] = to_json(list(obj.taxonomy_terms.values_list("pk", flat=True)))
        elif name == "locations":
            values[name] = to_json(list(obj.service_at_locations.values_list("location_id", flat=True)))
        elif name == "features":
            values[name] = to_json(list(obj.accessibility.values_list("feature", flat=True)))
        else:
            model_field = obj._meta.get_field(name)
            if model_field.is_relation:
                raw = getattr(obj, model_field.attname)
                values[name] = None if raw is None else str(raw)
            else:
                values[name] = to_json(getattr(obj, name))
    return values


def values_from_form(cleaned_data, target_type, fields):
    return {name: to_json(cleaned_data.get(name)) for name in fields if name in cleaned_data}


def _python_value(model, name, value):
    model_field = model._meta.get_field(name)
    if model_field.is_relation:
        return model_field.attname, (None if value in (None, "") else model_field.target_field.to_python(value))
    if value is None and not model_field.null:
        value = "" if isinstance(model_field, (models.CharField, models.TextField)) else value
    return name, model_field.to_python(value)


def describe_value(target_type, name, value):
    """A stored JSON value in words, for the history and review pages."""
    if value in (None, "", []):
        return "(none)"
    if name == "taxonomy_terms":
        names = TaxonomyTerm.objects.filter(pk__in=value).values_list("name", flat=True)
        return ", ".join(sorted(names)) or "(none)"
    if name == "locations":
        names = Location.objects.filter(pk__in=value).values_list("name", flat=True)
        return ", ".join(sorted(names)) or "(none)"
    if name == "features":
        labels = dict(Accessibility.Feature.choices)
        return ", ".join(str(labels.get(code, code)) for code in value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    model = EDITABLE.get(target_type, (None,))[0]
    if model is not None:
        try:
            model_field = model._meta.get_field(name)
        except Exception:
            return str(value)
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if model_field.is_relation:
            target = model_field.related_model.objects.filter(pk=value).first()
            return str(target) if target else "(removed)"
    return str(value)


def describe_changes(target_type, changes):
    """[(label, old in words, new in words)] for a ChangeRecord's or a PendingEdit's changes."""
    rows = []
    for name, change in changes.items():
        if isinstance(change, dict) and set(change) == {"old", "new"}:
            old, new = change["old"], change["new"]
        else:
            old, new = None, change
        rows.append((field_label(target_type, name), describe_value(target_type, name, old),
                     describe_value(target_type, name, new)))
    return rows


# --- belonging ----------------------------------------------------------------------------------


def organization_of(obj):
    """The organisation a directory record belongs to (through its service or location if need be)."""
    if isinstance(obj, Organization):
        return obj
    for name in ("organization", "service", "location"):
        related_id = getattr(obj, f"{name}_id", None)
        if related_id is not None:
            return organization_of(getattr(obj, name))
    return None


def belongs_to(obj, organization):
    owner = organization_of(obj)
    return owner is not None and owner.pk == organization.pk


def check_links(target_type, values, organization):
    """Refuse values that point at another organisation's services or locations."""
    for name, model in (("service", Service), ("location", Location)):
        if values.get(name):
            if not model.objects.filter(pk=values[name], organization=organization).exists():
                raise ValidationError(f"That {name} is not one of {organization}'s.")
    if target_type == "service" and "locations" in values:
        own = set(str(pk) for pk in Location.objects.filter(organization=organization).values_list("pk", flat=True))
        if not isinstance(values["locations"], list) or not set(values["locations"]) <= own:
            raise ValidationError(f"Those places are not all {organization}'s.")


# --- proposing, applying, approving -------------------------------------------------------------


@dataclass
class Outcome:
    """What `propose` did: applied (with the history record) or kept for approval, or nothing."""

    applied: ChangeRecord | None = None
    pending: PendingEdit | None = None

    @property
    def changed_nothing(self):
        return self.applied is None and self.pending is None


def propose(user, organization, target_type, obj, values, action=PendingEdit.Action.UPDATE):
    """A change by `user` to `obj` (None to add a record) of `organization`.

    `values` maps field names to JSON values. Applies the change at once, or keeps it as a
    PendingEdit when approval_reason says so. Raises PermissionDenied for anyone who may not
    edit the organisation or for a record of another organisation.
    """
    if not can_edit(user, organization):
        raise PermissionDenied
    if target_type not in EDITABLE:
        raise PermissionDenied
    if obj is not None and not belongs_to(obj, organization):
        raise PermissionDenied
    allowed = set(EDITABLE[target_type][1])
    if target_type == "organization" and user.is_officer:
        allowed |= set(OFFICER_ORGANIZATION_FIELDS)
    values = {name: value for name, value in values.items() if name in allowed}
    check_links(target_type, values, organization)

    if action == PendingEdit.Action.UPDATE:
        before = current_values(obj, target_type, list(values))
        values = {name: value for name, value in values.items() if before.get(name) != value}
        if not values:
            return Outcome()
        original = {name: before[name] for name in values}
    elif action == PendingEdit.Action.DELETE:
        original = current_values(obj, target_type)
        values = {}
    else:
        original = {}

    label = str(values.get("name") or values.get("number") or (obj and str(obj)) or target_type)[:200]
    reason = approval_reason(user, organization)
    if reason:
        pending = PendingEdit.objects.create(
            organization=organization, target_type=target_type, target_id=obj.pk if obj else None,
            target_label=label, action=action, changes=values, original=original, reason=reason, proposed_by=user,
        )
        return Outcome(pending=pending)
    record = apply_change(organization, target_type, obj, values, action, changed_by=user)
    return Outcome(applied=record)


@transaction.atomic
def apply_change(organization, target_type, obj, values, action, *, changed_by, approved_by=None, pending=None):
    """Make the change and record it in the page history. Returns the ChangeRecord."""
    model = EDITABLE[target_type][0]
    if action == PendingEdit.Action.DELETE:
        changes = {name: {"old": value, "new": None} for name, value in current_values(obj, target_type).items()
                   if value not in (None, "", [])}
        target_id, label = obj.pk, str(obj)[:200]
        affected = _affected_services(obj)
        obj.delete()
        refresh_services(affected)
        return ChangeRecord.objects.create(
            organization=organization, target_type=target_type, target_id=target_id, target_label=label,
            action=ChangeRecord.Action.DELETE, changes=changes, changed_by=changed_by, approved_by=approved_by,
            pending_edit=pending,
        )

    creating = obj is None
    before = {} if creating else current_values(obj, target_type, list(values))
    if creating:
        obj = model()
        if target_type in ("service", "location"):
            obj.organization = organization
        elif target_type in ("contact", "phone") and not values.get("service"):
            obj.organization = organization
    plain = {name: value for name, value in values.items() if name not in LIST_FIELDS}
    for name, value in plain.items():
        attname, python_value = _python_value(model, name, value)
        setattr(obj, attname, python_value)
    obj.full_clean(validate_unique=False)
    obj.save()
    if "taxonomy_terms" in values:
        _set_terms(obj, values["taxonomy_terms"])
    if "locations" in values:
        _set_locations(obj, values["locations"])
    if "features" in values:
        _set_features(obj, values["features"])
    refresh_services(_affected_services(obj))
    if target_type == "organization":
        obj.refresh_from_db()

    changes = {name: {"old": before.get(name), "new": value} for name, value in values.items()}
    return ChangeRecord.objects.create(
        organization=organization, target_type=target_type, target_id=obj.pk, target_label=str(obj)[:200],
        action=ChangeRecord.Action.CREATE if creating else ChangeRecord.Action.UPDATE, changes=changes,
        changed_by=changed_by, approved_by=approved_by, pending_edit=pending,
    )


def _set_terms(service, term_ids):
    wanted = set(str(pk) for pk in term_ids)
    ServiceAttribute.objects.filter(service=service).exclude(taxonomy_term_id__in=wanted).delete()
    have = set(str(pk) for pk in ServiceAttribute.objects.filter(service=service).values_list("taxonomy_term_id", flat=True))
    for term in TaxonomyTerm.objects.filter(pk__in=wanted - have):
        ServiceAttribute.objects.create(service=service, taxonomy_term=term)


def _set_locations(service, location_ids):
    wanted = set(str(pk) for pk in location_ids)
    ServiceAtLocation.objects.filter(service=service).exclude(location_id__in=wanted).delete()
    have = set(str(pk) for pk in ServiceAtLocation.objects.filter(service=service).values_list("location_id", flat=True))
    for location in Location.objects.filter(pk__in=wanted - have):
        ServiceAtLocation.objects.create(service=service, location=location)


def _set_features(location, codes):
    wanted = set(codes)
    Accessibility.objects.filter(location=location).exclude(feature__in=wanted).delete()
    have = set(Accessibility.objects.filter(location=location).values_list("feature", flat=True))
    for code in sorted(wanted - have):
        Accessibility.objects.create(location=location, feature=code)


def _affected_services(obj):
    """The services whose search text reads `obj`."""
    if isinstance(obj, Service):
        return [obj.pk]
    if isinstance(obj, Organization):
        return list(obj.services.values_list("pk", flat=True))
    if isinstance(obj, Location):
        return list(obj.service_at_locations.values_list("service_id", flat=True))
    return []


def refresh_services(service_ids):
    """Make again what these services keep of their records: their search text and list rows."""
    from . import list_rows

    service_ids = list(service_ids)
    refresh_search_text(Service.objects.filter(pk__in=service_ids))
    list_rows.refresh(service_ids)


def refresh_search_text(services):
    """Recompute the stored search text (and name key) of `services` (a queryset), saving only what changed."""
    changed = []
    services = services.select_related("organization").prefetch_related(
        "taxonomy_terms", "service_at_locations__location")
    for service in services.iterator(chunk_size=500):
        text = service.build_search_text(
            terms=[term.name for term in service.taxonomy_terms.all()],
            towns=[row.location.city for row in service.service_at_locations.all()])
        name_key = search_text_of(service.name)
        if text != service.search_text or name_key != service.name_key:
            service.search_text, service.name_key = text, name_key
            changed.append(service)
    Service.objects.bulk_update(changed, ["search_text", "name_key"], batch_size=500)
    if changed:
        directory_changed()
    return len(changed)


def pending_edits(status=PendingEdit.Status.PENDING):
    return PendingEdit.objects.filter(status=status).select_related("organization", "proposed_by")


@transaction.atomic
def approve(officer, pending, note=""):
    """An officer approves a pending edit: it is applied, recorded and its manager trusted from now on."""
    if not officer.is_officer:
        raise PermissionDenied
    pending = PendingEdit.objects.select_for_update().get(pk=pending.pk)
    if pending.status != PendingEdit.Status.PENDING:
        raise ValidationError("This change has already been decided.")
    organization = pending.organization
    obj = None
    if pending.target_id is not None:
        model = EDITABLE[pending.target_type][0]
        obj = model.objects.filter(pk=pending.target_id).first()
        if obj is None or not belongs_to(obj, organization):
            raise ValidationError("The record this change was for has been removed.")
    check_links(pending.target_type, pending.changes, organization)
    record = apply_change(organization, pending.target_type, obj, pending.changes, pending.action,
                          changed_by=pending.proposed_by, approved_by=officer, pending=pending)
    pending.status = PendingEdit.Status.APPROVED
    pending.decided_by, pending.decided_at, pending.decision_note = officer, timezone.now(), note
    pending.target_id = record.target_id
    pending.save()
    if pending.reason == PendingEdit.Reason.NEW_MANAGER and pending.proposed_by_id:
        Manager.objects.filter(organization=organization, user_id=pending.proposed_by_id).update(first_edit_approved=True)
    audit.record(officer, "directory.approve_edit", pending, target_type=pending.target_type)
    return record


@transaction.atomic
def reject(officer, pending, note=""):
    if not officer.is_officer:
        raise PermissionDenied
    pending = PendingEdit.objects.select_for_update().get(pk=pending.pk)
    if pending.status != PendingEdit.Status.PENDING:
        raise ValidationError("This change has already been decided.")
    pending.status = PendingEdit.Status.REJECTED
    pending.decided_by, pending.decided_at, pending.decision_note = officer, timezone.now(), note
    pending.save()
    audit.record(officer, "directory.reject_edit", pending, target_type=pending.target_type)
    return pending


def history(organization):
    return organization.change_records.select_related("changed_by", "approved_by")


# --- checking and stale listings ----------------------------------------------------------------


@transaction.atomic
def confirm_checked(user, organization, today=None):
    """Someone who may edit the listing says it is still right: it is checked as of today."""
    if not can_edit(user, organization):
        raise PermissionDenied
    today = today or timezone.localdate()
    old = organization.last_checked_on
    Organization.objects.filter(pk=organization.pk).update(last_checked_on=today, stale_reminder_sent_on=None)
    organization.services.update(last_checked_on=today)
    organization.locations.update(last_checked_on=today)
    organization.last_checked_on, organization.stale_reminder_sent_on = today, None
    from . import list_rows

    list_rows.refresh(list_rows.services_of(organizations=[organization.pk]))  # their assured_date
    directory_changed()
    return ChangeRecord.objects.create(
        organization=organization, target_type="organization", target_id=organization.pk,
        target_label=str(organization)[:200], action=ChangeRecord.Action.CHECKED,
        changes={"last_checked_on": {"old": to_json(old), "new": today.isoformat()}}, changed_by=user,
    )


def stale_organizations(today=None):
    """Listings nobody has checked for 12 months, longest unchecked first."""
    cutoff = stale_cutoff(today)
    return Organization.objects.filter(Q(last_checked_on__isnull=True) | Q(last_checked_on__lt=cutoff)).order_by(
        models.F("last_checked_on").asc(nulls_first=True), "name")


REMIND_AGAIN_AFTER = timedelta(days=30)


def send_stale_reminders(today=None, base_url=""):
    """Queue reminders for the approved managers of each stale listing, at most once every 30 days a listing.

    Each manager gets their own e-mail (no one sees another's address), sent by the background
    worker, which tries again if the mail server fails. A listing's e-mails and its reminder date
    are written together. Returns (listings reminded, e-mails queued). Listings with no manager with
    an e-mail address are left to officers, who see every stale listing on their list.
    """
    today = today or timezone.localdate()
    again = today - REMIND_AGAIN_AFTER
    listings = stale_organizations(today).filter(
        Q(stale_reminder_sent_on__isnull=True) | Q(stale_reminder_sent_on__lte=again))
    reminded = queued = 0
    for organization in listings:
        managers = [link.user for link in organization.manager_links.filter(approved=True, user__is_active=True)
                    .exclude(user__email="").select_related("user").order_by("user__username")]
        if not managers:
            continue
        with transaction.atomic():
            for user in managers:
                body = render_to_string("directory/email/stale_reminder.txt", {
                    "organization": organization, "user": user, "today": today,
                    "manage_url": base_url + reverse("directory:manage", args=[organization.pk]),
                    "page_url": base_url + organization.get_absolute_url(),
                })
                queue_email(user.email, f"Please check your listing: {organization.name}", body,
                            about=f"Stale listing reminder for organisation {organization.pk}")
            Organization.objects.filter(pk=organization.pk).update(stale_reminder_sent_on=today)
        reminded += 1
        queued += len(managers)
    return reminded, queued


# --- managers -----------------------------------------------------------------------------------


def request_to_manage(user, organization):
    """A community member asks to manage a listing; an officer approves the request."""
    if not (user.is_authenticated and user.is_active and user.role == user.Role.COMMUNITY):
        raise PermissionDenied
    link, _ = Manager.objects.get_or_create(organization=organization, user=user)
    return link


def add_manager(officer, organization, user, approved=True):
    if not officer.is_officer:
        raise PermissionDenied
    if user.role != user.Role.COMMUNITY:
        raise ValidationError("Only community members' accounts can manage a listing; officers can edit every listing.")
    link, created = Manager.objects.get_or_create(organization=organization, user=user,
                                                  defaults={"approved": approved, "added_by": officer})
    if not created and approved and not link.approved:
        link.approved = True
        link.save(update_fields=["approved"])
    audit.record(officer, "directory.add_manager", organization, manager=user.pk)
    return link


def approve_manager(officer, link):
    if not officer.is_officer:
        raise PermissionDenied
    link.approved = True
    link.added_by = link.added_by or officer
    link.save(update_fields=["approved", "added_by"])
    audit.record(officer, "directory.approve_manager", link.organization, manager=link.user_id)
    return link


def remove_manager(officer, link):
    if not officer.is_officer:
        raise PermissionDenied
    audit.record(officer, "directory.remove_manager", link.organization, manager=link.user_id)
    link.delete()


# --- error reports ------------------------------------------------------------------------------

REPORTS_PER_HOUR = 5


def reporter_key(remote_address):
    """A rate-limit key that does not keep the address itself."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{remote_address}".encode()).hexdigest()[:32]
    return f"directory-report:{digest}"


def allow_report(remote_address):
    """True if this address has sent fewer than REPORTS_PER_HOUR reports this hour (counts this one)."""
    from django.core.cache import cache

    key = reporter_key(remote_address)
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count <= REPORTS_PER_HOUR


def report_error(target, page, message, reporter_email=""):
    organization = organization_of(target) if target is not None else None
    return ErrorReport.objects.create(
        organization=organization,
        target_type=target_type_of(target) if target is not None else "",
        target_id=target.pk if target is not None else None,
        page=page[:300], page_title=(str(target) if target is not None else "")[:200],
        message=message, reporter_email=reporter_email,
    )


def close_report(officer, report, status):
    if not officer.is_officer:
        raise PermissionDenied
    report.status = status
    report.resolved_by, report.resolved_at = officer, timezone.now()
    report.save(update_fields=["status", "resolved_by", "resolved_at"])
    audit.record(officer, f"directory.report_{status}", report)
    return report


# --- opening times in words ---------------------------------------------------------------------

DAY_NAMES = dict(Schedule.DAYS)
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}
_BYDAY = re.compile(r"^([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)$")


def time_label(value):
    """GOV.UK style: 10am, 7:30pm, midday, midnight."""
    if value is None:
        return ""
    if value.hour == 12 and value.minute == 0:
        return "midday"
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def _and(items):
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _ordinal_day(number):
    number = int(number)
    if number < 0:
        return "last day" if number == -1 else f"{-number} days before the end"
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def describe_schedule(schedule):
    """An opening time or session in words: "Every Tuesday, 10am to midday"."""
    parts = []
    days = [part.strip().upper() for part in schedule.byday.split(",") if part.strip()]
    parsed = [match.groups() for match in (_BYDAY.match(day) for day in days) if match]
    interval = schedule.interval or 1
    if schedule.freq == Schedule.Freq.MONTHLY:
        if parsed and any(number for number, _ in parsed):
            phrases = [f"the {ORDINALS.get(int(number), number)} {DAY_NAMES[day]}" if number else f"every {DAY_NAMES[day]}"
                       for number, day in parsed]
            parts.append(_and(phrases)[:1].upper() + _and(phrases)[1:] + (" of every month" if interval == 1
                                                                            else f" of every {interval} months"))
        elif schedule.bymonthday:
            numbers = [n.strip() for n in schedule.bymonthday.split(",") if n.strip().lstrip("-").isdigit()]
            parts.append("The " + _and(_ordinal_day(n) for n in numbers) + " of every month")
        else:
            parts.append("Every month" if interval == 1 else f"Every {interval} months")
    elif parsed:
        names = [DAY_NAMES[day] for _, day in parsed]
        every = "Every" if interval == 1 else ("Every other" if interval == 2 else f"Every {interval} weeks on")
        parts.append(f"{every} {_and(names)}")
    elif schedule.freq == Schedule.Freq.WEEKLY:
        parts.append("Every week" if interval == 1 else f"Every {interval} weeks")
    if schedule.opens_at and schedule.closes_at:
        parts.append(f"{time_label(schedule.opens_at)} to {time_label(schedule.closes_at)}")
    elif schedule.opens_at:
        parts.append(f"from {time_label(schedule.opens_at)}")
    text = ", ".join(parts)
    if schedule.description:
        text = f"{text}: {schedule.description}" if text else schedule.description
    return text


def schedule_sort_key(schedule):
    days = [part.strip()[-2:].upper() for part in schedule.byday.split(",") if part.strip()]
    order = [code for code, _ in Schedule.DAYS]
    first = min((order.index(day) for day in days if day in order), default=7)
    return (first, schedule.opens_at or time(0), schedule.description)


# --- numbers for the officers' page -------------------------------------------------------------


def overview(today=None):
    kinds = dict(Organization.Kind.choices)
    by_kind = [(kinds.get(row["kind"], row["kind"]), row["n"]) for row in
               Organization.objects.values("kind").annotate(n=Count("pk")).order_by("kind")]
    return {
        "organizations": Organization.objects.count(),
        "services": Service.objects.count(),
        "locations": Location.objects.count(),
        "by_kind": by_kind,
        "pending": PendingEdit.objects.filter(status=PendingEdit.Status.PENDING).count(),
        "reports": ErrorReport.objects.filter(status=ErrorReport.Status.NEW).count(),
        "stale": stale_organizations(today).count(),
        "manager_requests": Manager.objects.filter(approved=False).count(),
    }



def pending_rows(pending):
    """[(label, now in words, proposed in words, changed since proposed)] for the officer's review page."""
    model = EDITABLE[pending.target_type][0]
    obj = model.objects.filter(pk=pending.target_id).first() if pending.target_id else None
    now = current_values(obj, pending.target_type) if obj is not None else {}
    names = list(pending.changes) if pending.action != PendingEdit.Action.DELETE else [
        name for name, value in pending.original.items() if value not in (None, "", [])]
    rows = []
    for name in names:
        old = pending.original.get(name)
        new = pending.changes.get(name) if pending.action != PendingEdit.Action.DELETE else None
        moved = obj is not None and name in now and now[name] != old
        rows.append((field_label(pending.target_type, name), describe_value(pending.target_type, name, old),
                     describe_value(pending.target_type, name, new), moved))
    return rows
