"""The HSDS 3.0 fields of each table and where Shire keeps them: the one list that the Open
Referral UK API (api_data) and the HSDS tabular files (hsds_tabular) both read.

Each table is a tuple of (HSDS field, attribute of Shire's record). `values(table, record)` gives
a record's own fields as Python values (UUIDs, dates, Decimals...); each reader writes them its
own way (JSON, CSV cells) and adds what its format has beyond them (nested records, Shire's
attributes). A location carries its one address, so the address table reads a Location.
"""
from operator import attrgetter

from .models import Location

FIELDS = {
    "organization": (
        ("id", "pk"), ("name", "name"), ("alternate_name", "alternate_name"), ("description", "description"),
        ("email", "email"), ("website", "website"), ("year_incorporated", "year_incorporated"),
        ("legal_status", "legal_status"), ("logo", "logo"), ("uri", "uri"),
        ("parent_organization_id", "parent_organization_id"),
    ),
    "organization_identifier": (
        ("id", "pk"), ("organization_id", "organization_id"), ("identifier_scheme", "identifier_scheme"),
        ("identifier_type", "identifier_type"), ("identifier", "identifier"),
    ),
    "service": (
        ("id", "pk"), ("organization_id", "organization_id"), ("name", "name"), ("alternate_name", "alternate_name"),
        ("description", "description"), ("url", "url"), ("email", "email"), ("status", "status"),
        ("interpretation_services", "interpretation_services"), ("application_process", "application_process"),
        ("fees_description", "fees_description"), ("wait_time", "wait_time"), ("accreditations", "accreditations"),
        ("eligibility_description", "eligibility_description"), ("minimum_age", "minimum_age"),
        ("maximum_age", "maximum_age"), ("assured_date", "last_checked_on"), ("alert", "alert"),
        ("last_modified", "updated_at"),
    ),
    "location": (
        ("id", "pk"), ("location_type", "location_type"), ("url", "url"), ("organization_id", "organization_id"),
        ("name", "name"), ("alternate_name", "alternate_name"), ("description", "description"),
        ("transportation", "transportation"), ("latitude", "latitude"), ("longitude", "longitude"),
        ("external_identifier", "external_identifier"), ("external_identifier_type", "external_identifier_type"),
    ),
    "address": (
        ("id", "address_id"), ("location_id", "pk"), ("address_1", "address_1"), ("address_2", "address_2"),
        ("city", "city"), ("region", "region"), ("state_province", "state_province"), ("postal_code", "postal_code"),
        ("country", "country"),
    ),
    "accessibility": (
        ("id", "pk"), ("location_id", "location_id"), ("description", "description"), ("details", "details"),
        ("url", "url"),
    ),
    "service_at_location": (
        ("id", "pk"), ("service_id", "service_id"), ("location_id", "location_id"), ("description", "description"),
    ),
    "contact": (
        ("id", "pk"), ("organization_id", "organization_id"), ("service_id", "service_id"),
        ("service_at_location_id", "service_at_location_id"), ("location_id", "location_id"), ("name", "name"),
        ("title", "title"), ("department", "department"), ("email", "email"),
    ),
    "phone": (
        ("id", "pk"), ("location_id", "location_id"), ("service_id", "service_id"),
        ("organization_id", "organization_id"), ("contact_id", "contact_id"),
        ("service_at_location_id", "service_at_location_id"), ("number", "number"), ("extension", "extension"),
        ("type", "type"), ("description", "description"),
    ),
    "schedule": (
        ("id", "pk"), ("service_id", "service_id"), ("location_id", "location_id"),
        ("service_at_location_id", "service_at_location_id"), ("valid_from", "valid_from"), ("valid_to", "valid_to"),
        ("dtstart", "dtstart"), ("until", "until"), ("count", "count"), ("wkst", "wkst"), ("freq", "freq"),
        ("interval", "interval"), ("byday", "byday"), ("bymonthday", "bymonthday"), ("opens_at", "opens_at"),
        ("closes_at", "closes_at"), ("description", "description"), ("schedule_link", "schedule_link"),
        ("attending_type", "attending_type"), ("notes", "notes"),
    ),
    "funding": (("id", "pk"), ("organization_id", "organization_id"), ("service_id", "service_id"), ("source", "source")),
    "service_area": (
        ("id", "pk"), ("service_id", "service_id"), ("name", "name"), ("description", "description"),
        ("extent", "extent"), ("extent_type", "extent_type"), ("uri", "uri"),
    ),
    "language": (
        ("id", "pk"), ("service_id", "service_id"), ("location_id", "location_id"), ("name", "name"),
        ("code", "code"), ("note", "note"),
    ),
    "cost_option": (
        ("id", "pk"), ("service_id", "service_id"), ("valid_from", "valid_from"), ("valid_to", "valid_to"),
        ("option", "option"), ("amount", "amount"), ("currency", "currency"),
        ("amount_description", "amount_description"),
    ),
    "taxonomy": (("id", "pk"), ("name", "name"), ("description", "description"), ("uri", "uri"), ("version", "version")),
    "taxonomy_term": (
        ("id", "pk"), ("code", "code"), ("name", "name"), ("description", "description"), ("parent_id", "parent_id"),
        ("taxonomy", "taxonomy.name"), ("taxonomy_id", "taxonomy_id"), ("language", "language"),
        ("term_uri", "term_uri"),
    ),
    # A service filed under a term (Shire's own attributes are written by hsds_tabular).
    "attribute": (
        ("id", "pk"), ("link_id", "service_id"), ("taxonomy_term_id", "taxonomy_term_id"), ("link_type", "link_type"),
        ("link_entity", "link_entity"), ("value", "value"),
    ),
}

ADDRESS_PARTS_REQUIRED = ("address_1", "city", "state_province", "postal_code", "country")


_GETTERS = {table: tuple((name, attrgetter(attribute)) for name, attribute in fields) for table, fields in FIELDS.items()}


def values(table, record):
    """{HSDS field: value} of `record`'s own fields in `table`."""
    return {name: get(record) for name, get in _GETTERS[table]}


def paths(table, prefix=""):
    """The query paths (for values()) of `table`'s fields, for records reached through `prefix`."""
    return [prefix + attribute.replace(".", "__") for _, attribute in FIELDS[table]]


def address_complete(location):
    """Whether the location's address has every part HSDS requires of an address."""
    return all(getattr(location, part) for part in ADDRESS_PARTS_REQUIRED)


def address_values(location):
    """The location's one address as an HSDS address row: where people go, or, for a postal
    location, where post goes."""
    return {**values("address", location),
            "address_type": "postal" if location.location_type == Location.LocationType.POSTAL else "physical"}
