"""The directory's records as Open Referral UK 3.0 (HSDS 3.0) JSON objects, and the querysets that
fetch them without one query per row.

Every `*_json` function takes model instances that were fetched with the matching `*_queryset`
(or `prefetch_*`) below, so building a page of results costs the same handful of queries however
many rows it holds: the tests count them.

What is left out, always:
- contacts and phone numbers marked `private` (every prefetch of them goes through `.public()`);
- Shire's own bookkeeping (managers, pending edits, history, error reports, search text);
- empty values: a field with no value is omitted rather than given as null or "", because the
  ORUK schemas type most fields as plain strings (null is not allowed) and an empty string is not
  a valid e-mail address or URI.

Fields beyond the ORUK profile (alternate_name, phones, eligibility_description...) use HSDS 3.0's
names and types; the ORUK schemas allow additional properties.
"""
import json
import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch

from . import hsds_fields

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
)


def clean(data):
    """`data` without the keys whose value is None or an empty string (lists, even empty, stay)."""
    return {key: value for key, value in data.items() if value is not None and value != ""}


def uid(value):
    return None if value is None else str(value)


def iso_datetime(value):
    """UTC with millisecond accuracy, as ORUK asks for last_modified: 2023-03-15T10:30:45.123Z."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def number(value):
    """A Decimal or integer as a JSON number (an integer when it has no fraction)."""
    if value is None:
        return None
    as_float = float(value)
    return int(as_float) if as_float.is_integer() else as_float


def _time_text(value):
    return value.strftime("%H:%M:%S")


# How JSON gives each type of value: ids and dates as text, times as hh:mm:ss, Decimals as numbers.
_JSON_TEXT = {uuid.UUID: str, datetime: iso_datetime, date: date.isoformat, time: _time_text, Decimal: number}


def json_value(value):
    """A field's value as JSON has it (text, numbers and None as they are)."""
    convert = _JSON_TEXT.get(type(value))
    return value if convert is None else convert(value)


# --- querysets ----------------------------------------------------------------------------------

def public_phones():
    return Phone.objects.public().order_by("number", "id")


def public_contacts():
    return Contact.objects.public().order_by("name", "id").prefetch_related(Prefetch("phones", queryset=public_phones()))


def _schedules():
    return Schedule.objects.order_by("byday", "opens_at", "id")


def location_prefetches(prefix=""):
    """What a fully nested location needs, below `prefix` (e.g. "service_at_locations__location__")."""
    return [
        Prefetch(prefix + "accessibility", queryset=Accessibility.objects.order_by("feature", "id")),
        Prefetch(prefix + "phones", queryset=public_phones()),
        Prefetch(prefix + "contacts", queryset=public_contacts()),
        Prefetch(prefix + "schedules", queryset=_schedules()),
        Prefetch(prefix + "languages", queryset=Language.objects.order_by("name", "id")),
    ]


def organization_prefetches(prefix=""):
    return [
        Prefetch(prefix + "identifiers", queryset=OrganizationIdentifier.objects.order_by("identifier_type", "identifier", "id")),
    ]


def _attributes():
    return ServiceAttribute.objects.select_related("taxonomy_term__taxonomy").order_by(
        "taxonomy_term__taxonomy__name", "taxonomy_term__name", "id")


def _service_at_locations():
    return ServiceAtLocation.objects.select_related("location").order_by("location__name", "id").prefetch_related(
        Prefetch("contacts", queryset=public_contacts()),
        Prefetch("phones", queryset=public_phones()),
        Prefetch("schedules", queryset=_schedules()),
        *location_prefetches("location__"),
    )


def full_service_prefetches(prefix=""):
    """Everything a fully nested service shows, below `prefix`."""
    return [
        *organization_prefetches(prefix + "organization__"),
        Prefetch(prefix + "schedules", queryset=_schedules()),
        Prefetch(prefix + "service_areas", queryset=ServiceArea.objects.order_by("name", "id")),
        Prefetch(prefix + "service_at_locations", queryset=_service_at_locations()),
        Prefetch(prefix + "languages", queryset=Language.objects.order_by("name", "id")),
        Prefetch(prefix + "funding", queryset=Funding.objects.order_by("source", "id")),
        Prefetch(prefix + "cost_options", queryset=CostOption.objects.order_by("amount_pence", "option", "id")),
        Prefetch(prefix + "contacts", queryset=public_contacts()),
        Prefetch(prefix + "phones", queryset=public_phones()),
        Prefetch(prefix + "attributes", queryset=_attributes()),
    ]


def services_queryset(full=False):
    # The search text is Shire's own (a lower-cased copy of the words): never sent, so never read.
    services = Service.objects.select_related("organization").defer("search_text", "organization__search_text")
    if full:
        services = services.prefetch_related(*full_service_prefetches())
    return services


def service_at_locations_queryset(full=False):
    # The places come in a query of their own: joined as a fourth table, PostgreSQL's planner chose
    # to read every place into a hash for the 50 rows of a page.
    rows = ServiceAtLocation.objects.select_related("service__organization").defer(
        "service__search_text", "service__organization__search_text").prefetch_related("location")
    if full:
        rows = rows.prefetch_related(
            Prefetch("contacts", queryset=public_contacts()),
            Prefetch("phones", queryset=public_phones()),
            Prefetch("schedules", queryset=_schedules()),
            *location_prefetches("location__"),
            *[p for p in full_service_prefetches("service__") if "service_at_locations" not in p.prefetch_through],
        )
    return rows


def organizations_queryset(full=False, full_service=False):
    organizations = Organization.objects.defer("search_text")
    if full or full_service:
        service_rows = Service.objects.order_by("name", "id")
        if full_service:
            service_rows = service_rows.select_related("organization").prefetch_related(*full_service_prefetches())
        organizations = organizations.prefetch_related(
            *organization_prefetches(),
            Prefetch("services", queryset=service_rows),
            Prefetch("contacts", queryset=public_contacts()),
            Prefetch("phones", queryset=public_phones()),
            Prefetch("funding", queryset=Funding.objects.order_by("source", "id")),
            Prefetch("locations", queryset=Location.objects.order_by("name", "id").prefetch_related(*location_prefetches())),
        )
    return organizations


def taxonomies_queryset(with_terms=False):
    taxonomies = Taxonomy.objects.all()
    if with_terms:
        taxonomies = taxonomies.prefetch_related(
            Prefetch("terms", queryset=TaxonomyTerm.objects.select_related("taxonomy").order_by("name", "id")))
    return taxonomies


def taxonomy_terms_queryset():
    return TaxonomyTerm.objects.select_related("taxonomy")


# --- list pages: plain values ------------------------------------------------------------------
# A list page's rows are read as plain values (values()), not model objects, which take twice as
# long to make; Row lets the same *_json functions read them.

class Row:
    """A values() row read like a model instance: row.name, and row.organization.name for the
    related record's values (its keys start "organization__")."""

    __slots__ = ("_values", "_prefix")

    def __init__(self, values, prefix=""):
        self._values, self._prefix = values, prefix

    def __getattr__(self, name):
        key = self._prefix + name
        if key in self._values:
            return self._values[key]
        if key + "__pk" in self._values:
            return Row(self._values, key + "__")
        raise AttributeError(name)

    def own(self, table):
        """api_data.own of this row: its values read by their keys, not field by field through
        __getattr__ (a list page reads some 2,000 values)."""
        values = self._values
        return {name: json_value(values[key]) for name, key in _row_keys(table, self._prefix)}


_ROW_KEYS = {}


def _row_keys(table, prefix):
    """(HSDS field, values() key) of `table`'s fields in a Row whose keys start with `prefix`."""
    keys = _ROW_KEYS.get((table, prefix))
    if keys is None:
        names = [name for name, _ in hsds_fields.FIELDS[table]]
        keys = _ROW_KEYS[(table, prefix)] = tuple(zip(names, hsds_fields.paths(table, prefix)))
    return keys


def _rows(model, ids, tables):
    """{id: Row} of the `model` records with these ids, with the HSDS fields of `tables` ((table, prefix) pairs)."""
    paths = [path for table, prefix in tables for path in hsds_fields.paths(table, prefix)]
    # No order (the model's is by name): the caller puts the rows in the page's order.
    return {values["pk"]: Row(values) for values in model.objects.filter(pk__in=ids).order_by().values(*paths)}


def service_rows(ids):
    return _rows(Service, ids, (("service", ""), ("organization", "organization__")))


def service_at_location_rows(ids):
    rows = _rows(ServiceAtLocation, ids, (("service_at_location", ""), ("service", "service__"),
                                          ("organization", "service__organization__")))
    # The places in a query of their own, as service_at_locations_queryset does (a fourth join made
    # PostgreSQL read every place).
    places = {values["pk"]: values for values in Location.objects.filter(
        pk__in={row.location_id for row in rows.values()}).order_by().values(*hsds_fields.paths("location"))}
    for row in rows.values():
        row._values.update({f"location__{key}": value for key, value in places[row.location_id].items()})
    return rows


def organization_rows(ids):
    return _rows(Organization, ids, (("organization", ""),))


# --- the objects --------------------------------------------------------------------------------

def own(table, record):
    """`record`'s own fields in HSDS `table` (hsds_fields, the list the HSDS files use too), as JSON values."""
    if type(record) is Row:
        return record.own(table)
    return {name: json_value(value) for name, value in hsds_fields.values(table, record).items()}


def phone_json(phone):
    return clean({**own("phone", phone), "languages": []})


def contact_json(contact):
    return clean({**own("contact", contact), "phones": [phone_json(phone) for phone in contact.phones.all()]})


def schedule_json(schedule):
    return clean(own("schedule", schedule))


def language_json(language):
    return clean(own("language", language))


def accessibility_json(item):
    label = item.get_feature_display()
    return clean({**own("accessibility", item), "description": item.description or label, "accessibility": label})


def address_json(location):
    """The location's one address, if it has every part HSDS requires, else None."""
    if not hsds_fields.address_complete(location):
        return None
    return clean({name: json_value(value) for name, value in hsds_fields.address_values(location).items()})


def location_json(location, full=True):
    data = own("location", location)
    if full:
        address = address_json(location)
        data.update({
            "addresses": [address] if address else [],
            "accessibility": [accessibility_json(item) for item in location.accessibility.all()],
            "phones": [phone_json(phone) for phone in location.phones.all()],
            "contacts": [contact_json(contact) for contact in location.contacts.all()],
            "schedules": [schedule_json(schedule) for schedule in location.schedules.all()],
            "languages": [language_json(language) for language in location.languages.all()],
        })
    return clean(data)


def identifier_json(identifier):
    return clean(own("organization_identifier", identifier))


def funding_json(funding):
    return clean(own("funding", funding))


def organization_json(organization, *, identifiers=False, full=False, full_service=False):
    """The organisation's own fields; `identifiers` adds its registered numbers (prefetched);
    `full` adds its services (id, name, status...), contacts, phones, locations and funding;
    `full_service` gives those services fully nested."""
    data = own("organization", organization)
    if identifiers or full or full_service:
        data["organization_identifiers"] = [identifier_json(item) for item in organization.identifiers.all()]
    if full or full_service:
        if full_service:
            data["services"] = [service_json(service, full=True, with_organization=False)
                                for service in organization.services.all()]
        else:
            data["services"] = [service_json(service, with_organization=False) for service in organization.services.all()]
        data.update({
            "contacts": [contact_json(contact) for contact in organization.contacts.all()],
            "phones": [phone_json(phone) for phone in organization.phones.all()],
            "locations": [location_json(location) for location in organization.locations.all()],
            "funding": [funding_json(item) for item in organization.funding.all()],
        })
    return clean(data)


def taxonomy_json(taxonomy, with_terms=False):
    data = own("taxonomy", taxonomy)
    if with_terms:
        data["taxonomy_terms"] = [taxonomy_term_json(term) for term in taxonomy.terms.all()]
    return clean(data)


def taxonomy_term_json(term):
    return clean({**own("taxonomy_term", term), "term": term.name})


def attribute_json(attribute):
    return clean({**own("attribute", attribute), "taxonomy_term": taxonomy_term_json(attribute.taxonomy_term)})


def cost_option_json(option):
    return clean(own("cost_option", option))


def service_area_json(area):
    return clean(own("service_area", area))


def service_at_location_json(row, *, full=False, with_service=True, with_location=True):
    """A service at a location. `full`: the location fully nested, with the service (fully
    nested but for its other locations), and the contacts, phones and times of this pairing."""
    data = own("service_at_location", row)
    if with_location:
        data["location"] = location_json(row.location, full=full)
    if with_service:
        data["service"] = service_json(row.service, full=full, with_locations=False)
    if full:
        data.update({
            "contacts": [contact_json(contact) for contact in row.contacts.all()],
            "phones": [phone_json(phone) for phone in row.phones.all()],
            "schedules": [schedule_json(schedule) for schedule in row.schedules.all()],
        })
    return clean(data)


def service_json(service, *, full=False, with_organization=True, with_locations=True):
    """A service: its one-to-one fields and its organisation (the list form), or `full`y nested."""
    data = own("service", service)
    # ORUK 3.0 still names HSDS's deprecated `fees` and not `fees_description`: give both.
    data["fees"] = data["fees_description"]
    if with_organization:
        data["organization"] = organization_json(service.organization, identifiers=full)
    if full:
        data.update({
            "schedules": [schedule_json(schedule) for schedule in service.schedules.all()],
            "service_areas": [service_area_json(area) for area in service.service_areas.all()],
            "languages": [language_json(language) for language in service.languages.all()],
            "funding": [funding_json(item) for item in service.funding.all()],
            "cost_options": [cost_option_json(option) for option in service.cost_options.all()],
            "contacts": [contact_json(contact) for contact in service.contacts.all()],
            "phones": [phone_json(phone) for phone in service.phones.all()],
            "attributes": [attribute_json(attribute) for attribute in service.attributes.all()],
        })
        if with_locations:
            data["service_at_locations"] = [
                service_at_location_json(row, full=True, with_service=False) for row in service.service_at_locations.all()
            ]
    return clean(data)


def minimal_service_json(service):
    """`minimal=true`: the id and last_modified, with the name and status the ORUK schema requires."""
    return {"id": uid(service.pk), "name": service.name, "status": service.status,
            "last_modified": iso_datetime(service.updated_at)}


def dumps(data):
    """JSON text as the API sends it (api.json_response)."""
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
