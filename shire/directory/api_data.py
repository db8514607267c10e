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
from datetime import UTC

from django.db.models import Prefetch

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


def iso_date(value):
    return None if value is None else value.isoformat()


def iso_time(value):
    return None if value is None else value.strftime("%H:%M:%S")


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


# --- the objects --------------------------------------------------------------------------------

def phone_json(phone):
    return clean({
        "id": uid(phone.pk),
        "location_id": uid(phone.location_id),
        "service_id": uid(phone.service_id),
        "organization_id": uid(phone.organization_id),
        "contact_id": uid(phone.contact_id),
        "service_at_location_id": uid(phone.service_at_location_id),
        "number": phone.number,
        "extension": phone.extension,
        "type": phone.type,
        "description": phone.description,
        "languages": [],
    })


def contact_json(contact):
    return clean({
        "id": uid(contact.pk),
        "organization_id": uid(contact.organization_id),
        "service_id": uid(contact.service_id),
        "service_at_location_id": uid(contact.service_at_location_id),
        "location_id": uid(contact.location_id),
        "name": contact.name,
        "title": contact.title,
        "department": contact.department,
        "email": contact.email,
        "phones": [phone_json(phone) for phone in contact.phones.all()],
    })


def schedule_json(schedule):
    return clean({
        "id": uid(schedule.pk),
        "service_id": uid(schedule.service_id),
        "location_id": uid(schedule.location_id),
        "service_at_location_id": uid(schedule.service_at_location_id),
        "valid_from": iso_date(schedule.valid_from),
        "valid_to": iso_date(schedule.valid_to),
        "dtstart": iso_date(schedule.dtstart),
        "until": iso_date(schedule.until),
        "count": schedule.count,
        "wkst": schedule.wkst,
        "freq": schedule.freq,
        "interval": schedule.interval,
        "byday": schedule.byday,
        "bymonthday": schedule.bymonthday,
        "opens_at": iso_time(schedule.opens_at),
        "closes_at": iso_time(schedule.closes_at),
        "description": schedule.description,
        "schedule_link": schedule.schedule_link,
        "attending_type": schedule.attending_type,
        "notes": schedule.notes,
    })


def language_json(language):
    return clean({
        "id": uid(language.pk),
        "service_id": uid(language.service_id),
        "location_id": uid(language.location_id),
        "name": language.name,
        "code": language.code,
        "note": language.note,
    })


def accessibility_json(item):
    label = item.get_feature_display()
    return clean({
        "id": uid(item.pk),
        "location_id": uid(item.location_id),
        "description": item.description or label,
        "details": item.details,
        "url": item.url,
        "accessibility": label,
    })


def address_json(location):
    """The location's one address, if it has every part HSDS requires, else None."""
    parts = {
        "address_1": location.address_1,
        "city": location.city,
        "state_province": location.state_province,
        "postal_code": location.postal_code,
        "country": location.country,
    }
    if not all(parts.values()):
        return None
    return clean({
        "id": uid(location.address_id),
        "location_id": uid(location.pk),
        "address_1": location.address_1,
        "address_2": location.address_2,
        "city": location.city,
        "region": location.region,
        "state_province": location.state_province,
        "postal_code": location.postal_code,
        "country": location.country,
        # Shire keeps one address a location: where people go, or where post goes for a postal one.
        "address_type": "postal" if location.location_type == Location.LocationType.POSTAL else "physical",
    })


def location_json(location, full=True):
    data = {
        "id": uid(location.pk),
        "location_type": location.location_type,
        "url": location.url,
        "organization_id": uid(location.organization_id),
        "name": location.name,
        "alternate_name": location.alternate_name,
        "description": location.description,
        "transportation": location.transportation,
        "latitude": number(location.latitude),
        "longitude": number(location.longitude),
        "external_identifier": location.external_identifier,
        "external_identifier_type": location.external_identifier_type,
    }
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
    return clean({
        "id": uid(identifier.pk),
        "organization_id": uid(identifier.organization_id),
        "identifier_scheme": identifier.identifier_scheme,
        "identifier_type": identifier.identifier_type,
        "identifier": identifier.identifier,
    })


def funding_json(funding):
    return clean({
        "id": uid(funding.pk),
        "organization_id": uid(funding.organization_id),
        "service_id": uid(funding.service_id),
        "source": funding.source,
    })


def organization_json(organization, *, identifiers=False, full=False, full_service=False):
    """The organisation's own fields; `identifiers` adds its registered numbers (prefetched);
    `full` adds its services (id, name, status...), contacts, phones, locations and funding;
    `full_service` gives those services fully nested."""
    data = {
        "id": uid(organization.pk),
        "name": organization.name,
        "alternate_name": organization.alternate_name,
        "description": organization.description,
        "email": organization.email,
        "website": organization.website,
        "year_incorporated": organization.year_incorporated,
        "legal_status": organization.legal_status,
        "logo": organization.logo,
        "uri": organization.uri,
        "parent_organization_id": uid(organization.parent_organization_id),
    }
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
    data = {
        "id": uid(taxonomy.pk),
        "name": taxonomy.name,
        "description": taxonomy.description,
        "uri": taxonomy.uri,
        "version": taxonomy.version,
    }
    if with_terms:
        data["taxonomy_terms"] = [taxonomy_term_json(term) for term in taxonomy.terms.all()]
    return clean(data)


def taxonomy_term_json(term):
    return clean({
        "id": uid(term.pk),
        "code": term.code,
        "name": term.name,
        "description": term.description,
        "parent_id": uid(term.parent_id),
        "taxonomy": term.taxonomy.name,
        "taxonomy_id": uid(term.taxonomy_id),
        "language": term.language,
        "term_uri": term.term_uri,
        "term": term.name,
    })


def attribute_json(attribute):
    return clean({
        "id": uid(attribute.pk),
        "link_id": uid(attribute.service_id),
        "taxonomy_term_id": uid(attribute.taxonomy_term_id),
        "link_type": ServiceAttribute.link_type,
        "link_entity": ServiceAttribute.link_entity,
        "value": attribute.value,
        "taxonomy_term": taxonomy_term_json(attribute.taxonomy_term),
    })


def cost_option_json(option):
    return clean({
        "id": uid(option.pk),
        "service_id": uid(option.service_id),
        "valid_from": iso_date(option.valid_from),
        "valid_to": iso_date(option.valid_to),
        "option": option.option,
        "amount": number(option.amount),
        "currency": option.currency,
        "amount_description": option.amount_description,
    })


def service_area_json(area):
    return clean({
        "id": uid(area.pk),
        "service_id": uid(area.service_id),
        "name": area.name,
        "description": area.description,
        "extent": area.extent,
        "extent_type": area.extent_type,
        "uri": area.uri,
    })


def service_at_location_json(row, *, full=False, with_service=True, with_location=True):
    """A service at a location. `full`: the location fully nested, with the service (fully
    nested but for its other locations), and the contacts, phones and times of this pairing."""
    data = {
        "id": uid(row.pk),
        "service_id": uid(row.service_id),
        "location_id": uid(row.location_id),
        "description": row.description,
    }
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
    data = {
        "id": uid(service.pk),
        "organization_id": uid(service.organization_id),
        "name": service.name,
        "alternate_name": service.alternate_name,
        "description": service.description,
        "url": service.url,
        "email": service.email,
        "status": service.status,
        "interpretation_services": service.interpretation_services,
        "application_process": service.application_process,
        "fees_description": service.fees_description,
        # ORUK 3.0 still names HSDS's deprecated `fees` and not `fees_description`: give both.
        "fees": service.fees_description,
        "wait_time": service.wait_time,
        "accreditations": service.accreditations,
        "eligibility_description": service.eligibility_description,
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "assured_date": iso_date(service.last_checked_on),
        "alert": service.alert,
        "last_modified": iso_datetime(service.updated_at),
    }
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
