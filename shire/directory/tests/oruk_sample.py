"""A small directory with every kind of HSDS record, for the API and HSDS tabular tests.

Private contacts and phone numbers carry the marker PRIVATE in every text field, so a test can
assert that the marker appears nowhere in what the API or an export gives out.
"""
from datetime import date, time
from decimal import Decimal

from shire.directory.models import (
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

PRIVATE_MARKER = "PRIVATE"


def make_sample():
    """Build the sample and return its records by name."""
    s = {}
    s["categories"] = Taxonomy.objects.create(slug="categories", name="Categories", description="What a service is about",
                                              uri="https://example.org/taxonomies/categories", version="1")
    s["audiences"] = Taxonomy.objects.create(slug="who-it-is-for", name="Who it is for", description="Who a service is for")
    s["health"] = TaxonomyTerm.objects.create(taxonomy=s["categories"], code="health", name="Health and wellbeing",
                                              description="Staying well", term_uri="https://example.org/terms/health")
    s["sport"] = TaxonomyTerm.objects.create(taxonomy=s["categories"], code="sport", name="Sport and exercise",
                                             description="Being active", parent=s["health"])
    s["food"] = TaxonomyTerm.objects.create(taxonomy=s["categories"], code="food", name="Food", description="Food banks")
    s["older"] = TaxonomyTerm.objects.create(taxonomy=s["audiences"], code="older-people", name="Older people",
                                             description="People over 60")

    s["parent_org"] = Organization.objects.create(
        name="Measham Community Trust", description="A charity for Measham.", kind=Organization.Kind.VOLUNTARY_ORGANISATION,
        email="hello@measham.example.org", website="https://measham.example.org", year_incorporated=1998,
        legal_status="Charitable incorporated organisation", last_checked_on=date(2026, 1, 5))
    s["org"] = Organization.objects.create(
        name="Measham Walking Football", alternate_name="MWF", description="Walking football for over-50s.",
        kind=Organization.Kind.COMMUNITY_GROUP, parent_organization=s["parent_org"])
    s["org2"] = Organization.objects.create(
        name="New Life Community Church", description="A church with a food bank.", kind=Organization.Kind.FAITH_GROUP)
    OrganizationIdentifier.objects.create(organization=s["parent_org"], identifier_scheme="GB-CHC",
                                          identifier_type="Charity number", identifier="1234567")

    s["hall"] = Location.objects.create(
        organization=s["parent_org"], name="Measham Leisure Centre", description="Sports hall and pitches",
        kind=Location.Kind.SPORTS_VENUE, latitude=Decimal("52.705300"), longitude=Decimal("-1.510200"),
        address_1="Bosworth Road", city="Measham", postal_code="DE12 7LQ", transportation="Bus 9 stops outside",
        external_identifier="100030000001", external_identifier_type="UPRN")
    s["church"] = Location.objects.create(
        organization=s["org2"], name="New Life Church", address_1="1 High Street", address_2="Coalville",
        city="Coalville", postal_code="LE67 3AA")
    s["online"] = Location.objects.create(name="Online", location_type=Location.LocationType.VIRTUAL,
                                          url="https://meet.example.org/")
    Accessibility.objects.create(location=s["hall"], feature=Accessibility.Feature.STEP_FREE, details="Ramp at the side door")
    Accessibility.objects.create(location=s["hall"], feature=Accessibility.Feature.HEARING_LOOP,
                                 description="Loop at reception", url="https://measham.example.org/access")
    Language.objects.create(location=s["hall"], name="English", code="en")

    s["football"] = Service.objects.create(
        organization=s["org"], name="Walking football", description="Gentle football every Tuesday.",
        url="https://measham.example.org/football", email="football@measham.example.org",
        cost=Service.Cost.PAID, fees_description="£3 a session", minimum_age=50, maximum_age=99,
        eligibility_description="Anyone over 50", application_process="Just turn up", wait_time="None",
        accreditations="FA Walking Football", alert="No session on 24 December", last_checked_on=date(2026, 2, 1),
        interpretation_services="BSL on request")
    s["foodbank"] = Service.objects.create(
        organization=s["org2"], name="Food bank", description="Emergency food parcels.", cost=Service.Cost.FREE,
        status=Service.Status.ACTIVE)
    s["closed"] = Service.objects.create(
        organization=s["org2"], name="Toddler group", description="Closed for the summer.",
        status=Service.Status.TEMPORARILY_CLOSED)

    ServiceAttribute.objects.create(service=s["football"], taxonomy_term=s["sport"])
    ServiceAttribute.objects.create(service=s["football"], taxonomy_term=s["older"], value="over 50")
    ServiceAttribute.objects.create(service=s["foodbank"], taxonomy_term=s["food"])

    s["sal"] = ServiceAtLocation.objects.create(service=s["football"], location=s["hall"], description="On the 3G pitch")
    s["sal_online"] = ServiceAtLocation.objects.create(service=s["football"], location=s["online"])
    s["sal_church"] = ServiceAtLocation.objects.create(service=s["foodbank"], location=s["church"])

    Schedule.objects.create(service=s["football"], freq=Schedule.Freq.WEEKLY, byday="TU", opens_at=time(10),
                            closes_at=time(11, 30), description="Tuesdays 10 to 11:30", interval=1,
                            valid_from=date(2026, 1, 1), dtstart=date(2026, 1, 6), wkst="MO")
    Schedule.objects.create(service_at_location=s["sal"], freq=Schedule.Freq.MONTHLY, byday="2TH",
                            opens_at=time(18), closes_at=time(19))
    Schedule.objects.create(location=s["hall"], freq=Schedule.Freq.WEEKLY, byday="MO,TU,WE,TH,FR",
                            opens_at=time(7), closes_at=time(22), description="Centre opening hours")
    CostOption.objects.create(service=s["football"], option="Per session", amount_pence=350,
                              amount_description="pay on the day", valid_from=date(2026, 1, 1))
    CostOption.objects.create(service=s["foodbank"], option="Free", amount_pence=0)
    ServiceArea.objects.create(service=s["football"], name="North West Leicestershire", extent_type="other",
                               uri="https://statistics.data.gov.uk/id/statistical-geography/E07000134")
    Language.objects.create(service=s["football"], name="English", code="en", note="and BSL on request")
    Funding.objects.create(service=s["football"], source="Sport England small grant")
    Funding.objects.create(organization=s["org2"], source="Donations")

    # Public contacts and phones.
    s["contact"] = Contact.objects.create(service=s["football"], name="Coach", title="Session lead",
                                          email="coach@measham.example.org")
    Phone.objects.create(contact=s["contact"], number="01530 000001", type=Phone.Type.CELL)
    Phone.objects.create(service=s["football"], number="01530 000002", extension=12, description="Club phone")
    Phone.objects.create(organization=s["org2"], number="01530 000003")
    Phone.objects.create(location=s["hall"], number="01530 000004", description="Reception")
    Contact.objects.create(organization=s["org2"], name="Food bank coordinator")
    Contact.objects.create(service_at_location=s["sal"], title="Pitch manager")
    Phone.objects.create(service_at_location=s["sal"], number="01530 000005")

    # Private ones: never to be seen outside staff pages.
    marker = PRIVATE_MARKER
    private_contact = Contact.objects.create(service=s["football"], name=f"{marker} Jane Secret", title=f"{marker} title",
                                             department=f"{marker} dept", email="private.jane@example.org", private=True)
    Phone.objects.create(contact=private_contact, number=f"{marker} 07700 900001", private=True)
    # A private phone on a public contact, and private ones on every other kind of record.
    Phone.objects.create(contact=s["contact"], number=f"{marker} 07700 900002", private=True)
    Phone.objects.create(service=s["football"], number=f"{marker} 07700 900003", private=True)
    Phone.objects.create(organization=s["org2"], number=f"{marker} 07700 900004", private=True)
    Phone.objects.create(location=s["hall"], number=f"{marker} 07700 900005", private=True)
    Phone.objects.create(service_at_location=s["sal"], number=f"{marker} 07700 900006", private=True)
    Contact.objects.create(organization=s["org2"], name=f"{marker} Treasurer", email="private.treasurer@example.org",
                           private=True)
    Contact.objects.create(location=s["hall"], name=f"{marker} Caretaker", private=True)
    Contact.objects.create(service_at_location=s["sal"], name=f"{marker} Groundsman", private=True)

    for service in Service.objects.all():
        service.save()  # search text with its terms and towns
    return s
