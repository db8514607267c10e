"""The directory's part of the Leicestershire demo data, loaded by `shire demo load`.

What it holds (the figures of seeds 002 and 004):
- the 7 districts' 7 town councils, 160 parish councils and 55 parish meetings, as core Parish
  records and an Organization each, with their meetings as services;
- 35 community managed libraries with the hub services they offer (adult learning, work clubs,
  keep safe places, cafés, meeting rooms, Local Area Coordination bases);
- 40 village halls and community centres with room hire and activities;
- 123 neighbourhood planning groups: 38 made (adopted) plans, 64 designated areas and 21 plans in
  between at the end of 2019/20, with 250 members in the county's network;
- the voluntary organisations the seeds name and some invented ones, social enterprises, faith groups;
- the seeds' case studies as organisations with services: Measham walking football, Desford Good
  Neighbour Scheme, the Mayflower Project (Markfield), ACCEPT (Hinckley), Remap, the Cotesbach Local
  History Café, the Arc Community Hub, The Well (Kibworth), Melton Space, RCC Rural Coffee Connect and
  New Life Community Church's food bank;
- three community members who manage listings, one change waiting for an officer and one error report.

Everything invented (names, addresses, times, numbers) is marked is_demo. Telephone numbers are in
Ofcom's ranges for drama (0116 496 0xxx, 07700 900xxx) and e-mail addresses and websites use
example.org, except the real addresses the seeds give. Ids are UUIDs made from stable keys, so every
run finds the same records: a second run changes nothing. Check dates are set when a record is made
(relative to the day of loading, about one listing in ten over 12 months ago) and left alone after.
"""
import hashlib
import uuid
from datetime import date, time, timedelta
from decimal import Decimal

from django.utils.text import slugify

from shire.core.models import District, Parish, User
from shire.demo.loader import ensure, register

from .demo_places import (
    COMMUNITY_CENTRES,
    COORDINATES,
    DISTRICT_MIDDLES,
    HALLS,
    INVENTED_TOWN_COUNCILS,
    LIBRARIES,
    LIBRARY_NAMES,
    PARISHES,
    POSTCODE_AREAS,
    SEED_PARISHES,
    STREETS,
)
from .models import (
    AUDIENCES_TAXONOMY,
    CATEGORIES_TAXONOMY,
    Accessibility,
    Contact,
    CostOption,
    ErrorReport,
    Location,
    Manager,
    NeighbourhoodPlan,
    Organization,
    OrganizationIdentifier,
    PendingEdit,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceAttribute,
    Taxonomy,
    TaxonomyTerm,
)
from .services import directory_changed

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/shire/directory-demo")
Kind = Organization.Kind


def uid(*parts):
    return uuid.uuid5(NAMESPACE, "/".join(str(part) for part in parts))


def number(*parts):
    """A stable number from `parts`, for choices that look varied but never change between runs."""
    return int(hashlib.sha256("/".join(str(part) for part in parts).encode()).hexdigest()[:8], 16)


# --- taxonomy -----------------------------------------------------------------------------------

CATEGORIES = [
    # code, name, description, parent code
    ("advice", "Advice and information", "Free, independent advice: benefits, debt, housing, work and rights.", None),
    ("money", "Money, debt and benefits", "Help with budgeting, debt and claiming benefits.", "advice"),
    ("food", "Food support", "Food banks, community larders and emergency food.", None),
    ("health", "Health and wellbeing", "Activities and support for physical and mental health.", None),
    ("mental-health", "Mental health", "Support for people with mental health difficulties.", "health"),
    ("physical-activity", "Sport and physical activity", "Ways to get active at any age and ability.", "health"),
    ("social", "Friendship and social activities", "Clubs, cafés and groups where people meet and make friends.", None),
    ("community-support", "Help at home and good neighbours", "Volunteers who help with everyday tasks.", None),
    ("learning", "Learning and skills", "Courses and classes for adults.", None),
    ("work", "Work and employment", "Help to find work, write a CV and apply for jobs.", None),
    ("libraries", "Libraries and reading", "Books, computers and activities at libraries.", None),
    ("venues", "Rooms and venues to hire", "Halls, rooms and meeting spaces.", None),
    ("volunteering", "Volunteering", "Opportunities to give your time.", None),
    ("local-councils", "Local councils and democracy", "Town and parish councils and parish meetings.", None),
    ("planning", "Neighbourhood planning", "Neighbourhood plans and the groups that prepare them.", "local-councils"),
    ("heritage", "History and heritage", "Local history, museums and heritage groups.", None),
    ("disability", "Disability support and equipment", "Equipment and support for disabled people.", None),
    ("carers", "Support for carers", "Breaks, advice and groups for carers.", None),
    ("safety", "Keeping safe", "Safe places and help for people at risk.", None),
    ("arts", "Arts, crafts and making", "Choirs, crafts, making and mending.", None),
    ("families", "Children and families", "Groups and support for parents, carers and children.", None),
    ("transport", "Transport and getting about", "Community transport and travel help.", None),
    ("groups-support", "Support for community groups", "Advice and training for voluntary and community groups.", None),
]

AUDIENCES = [
    ("everyone", "Everyone", "Open to anyone."),
    ("children", "Children", "Children up to 11."),
    ("young-people", "Young people", "Young people aged 11 to 25."),
    ("families", "Families", "Parents, carers and their children."),
    ("adults", "Adults", "People aged 18 and over."),
    ("older-people", "Older people", "People in later life."),
    ("carers", "Carers", "People who look after a relative or friend."),
    ("disabled-people", "Disabled people", "People with a physical or learning disability or sensory impairment."),
    ("mental-health-needs", "People with mental health needs", "People living with mental health difficulties."),
    ("dementia", "People living with dementia", "People living with dementia and those who care for them."),
    ("low-income", "People on low incomes", "People in financial hardship."),
    ("isolated", "People who feel lonely or isolated", "People who would like more company."),
    ("community-groups", "Community groups and volunteers", "Groups, charities, councils and their volunteers."),
]


def taxonomy(context):
    categories, _ = ensure(Taxonomy, {"id": uid("taxonomy", CATEGORIES_TAXONOMY)}, {
        "slug": CATEGORIES_TAXONOMY, "name": "Leicestershire community directory categories",
        "description": "What a service offers: the categories residents search the directory by.", "version": "1",
    })
    audiences, _ = ensure(Taxonomy, {"id": uid("taxonomy", AUDIENCES_TAXONOMY)}, {
        "slug": AUDIENCES_TAXONOMY, "name": "Who it is for",
        "description": "The people a service is meant for.", "version": "1",
    })
    for code, name, description, parent in CATEGORIES:
        ensure(TaxonomyTerm, {"id": uid("term", CATEGORIES_TAXONOMY, code)}, {
            "taxonomy": categories, "code": code, "name": name, "description": description,
            "parent": TaxonomyTerm.objects.get(pk=uid("term", CATEGORIES_TAXONOMY, parent)) if parent else None,
        })
    for code, name, description in AUDIENCES:
        ensure(TaxonomyTerm, {"id": uid("term", AUDIENCES_TAXONOMY, code)},
               {"taxonomy": audiences, "code": code, "name": name, "description": description, "parent": None})


def term(code):
    taxonomy_slug = AUDIENCES_TAXONOMY if code.startswith("for:") else CATEGORIES_TAXONOMY
    return uid("term", taxonomy_slug, code.removeprefix("for:"))


# --- building blocks ----------------------------------------------------------------------------


class Builder:
    """Makes or puts back one organisation's records; numbers phones in Ofcom's drama ranges."""

    def __init__(self, context):
        self.context = context
        self.districts = {district.name: district for district in District.objects.all()}
        self.phone_count = 0
        self.mobile_count = 0
        self.term_names = dict(TaxonomyTerm.objects.values_list("pk", "name"))


    def checked_on(self, key):
        """When the listing was last checked: within the year, or for about one in ten over a year ago."""
        n = number("checked", key)
        days = 400 + n % 500 if n % 10 == 0 else 5 + n % 320
        return self.context.today - timedelta(days=days)

    def organization(self, key, *, name, kind, description, district=None, parish=None, is_demo=True, **values):
        district = self.districts[district] if isinstance(district, str) else district
        organization, _ = ensure(Organization, {"id": uid("org", key)}, {
            "name": name, "kind": kind, "description": description, "district": district, "parish": parish,
            "is_demo": is_demo, "last_checked_on": self.checked_on(key), **values,
        }, create_only=("last_checked_on",))
        return organization

    def location(self, key, organization, *, name, place, district, kind, street=None, features=(), parish=None,
                 is_demo=True, **values):
        latitude, longitude = coordinates(place, district)
        n = number("location", key)
        location, _ = ensure(Location, {"id": uid("location", key)}, {
            "organization": organization, "name": name, "kind": kind, "location_type": Location.LocationType.PHYSICAL,
            "address_1": street or f"{10 + n % 80} {STREETS[n % len(STREETS)]}", "city": town_name(place),
            "postal_code": f"{POSTCODE_AREAS[district]} {1 + n % 9}{'ABDEFGHJLNPQRSTUWXYZ'[n % 20]}{'ABDEFGHJLNPQRSTUWXYZ'[(n // 20) % 20]}",
            "district": self.districts[district], "parish": parish, "latitude": latitude, "longitude": longitude,
            "is_demo": is_demo, "last_checked_on": organization.last_checked_on, **values,
        }, create_only=("last_checked_on",))
        for feature in features:
            ensure(Accessibility, {"id": uid("access", key, feature)}, {"location": location, "feature": feature})
        return location

    def service(self, key, organization, *, name, description, terms=(), locations=(), schedules=(), cost="",
                cost_options=(), areas=(), is_demo=True, **values):
        service, created = ensure(Service, {"id": uid("service", key)}, {
            "organization": organization, "name": name, "description": description, "cost": cost,
            "is_demo": is_demo, "last_checked_on": organization.last_checked_on, **values,
        }, create_only=("last_checked_on",))
        for code in terms:
            ensure(ServiceAttribute, {"id": uid("attribute", key, code)},
                   {"service": service, "taxonomy_term_id": term(code)})
        for location in locations:
            ensure(ServiceAtLocation, {"id": uid("sal", key, location.pk)}, {"service": service, "location": location})
        for index, schedule in enumerate(schedules):
            self.schedule((key, index), service=service, **schedule)
        for index, (option, pence, about) in enumerate(cost_options):
            ensure(CostOption, {"id": uid("cost", key, index)}, {
                "service": service, "option": option, "amount_pence": pence, "amount_description": about})
        for area in areas:
            ensure(ServiceArea, {"id": uid("area", key, area)}, {"service": service, "name": area,
                                                                 "extent_type": "", "extent": ""})
        # A new service's search text, from what was just made (a changed one's save() recomputes it).
        text = service.build_search_text(terms=[self.term_names[term(code)] for code in terms],
                                         towns=[location.city for location in locations])
        if created and text != service.search_text:
            Service.objects.filter(pk=service.pk).update(search_text=text)
            service.search_text = text
            directory_changed()
        return service

    def schedule(self, key, *, service=None, location=None, byday="", opens=None, closes=None, freq="WEEKLY",
                 description="", interval=None):
        return ensure(Schedule, {"id": uid("schedule", *key) if isinstance(key, tuple) else uid("schedule", key)}, {
            "service": service, "location": location, "freq": freq if (byday or freq == "MONTHLY") else "",
            "byday": byday, "interval": interval, "opens_at": opens, "closes_at": closes, "description": description,
        })[0]

    def phone(self, key, *, private=False, **owner):
        if private:
            self.mobile_count += 1
            value, kind = f"07700 900{self.mobile_count % 1000:03d}", Phone.Type.CELL
        else:
            self.phone_count += 1
            value, kind = f"0116 496 {self.phone_count % 1000:04d}", Phone.Type.VOICE
        return ensure(Phone, {"id": uid("phone", key)}, {"number": value, "type": kind, "private": private, **owner})[0]

    def contact(self, key, *, name, email="", private=False, title="", **owner):
        return ensure(Contact, {"id": uid("contact", key)},
                      {"name": name, "email": email, "private": private, "title": title, **owner})[0]


def builder_for(context):
    """One builder for the whole load, so telephone numbers run on from one loader to the next."""
    if getattr(context, "directory_builder", None) is None:
        context.directory_builder = Builder(context)
    return context.directory_builder


def coordinates(place, district):
    if place in COORDINATES:
        latitude, longitude = COORDINATES[place]
    else:
        middle_latitude, middle_longitude = DISTRICT_MIDDLES[district]
        n = number("where", place)
        latitude = middle_latitude + ((n % 1000) / 1000 - 0.5) * 0.10
        longitude = middle_longitude + (((n // 1000) % 1000) / 1000 - 0.5) * 0.16
    return Decimal(f"{latitude:.6f}"), Decimal(f"{longitude:.6f}")


def town_name(place):
    """The town or village a parish is named after: "Bagworth and Thornton" → "Bagworth"."""
    return place.split(",")[0].split(" and ")[0].split(" with ")[0]


def times(opens, closes):
    return time(*opens), time(*closes)


DAYS = ["MO", "TU", "WE", "TH", "FR"]


# --- town and parish councils -------------------------------------------------------------------


def councils(context):
    """Every parish as a core Parish and its council (or meeting) as an organisation."""
    builder = builder_for(context)
    made = {"town": 0, "parish": 0, "meeting": 0}
    for district_name, (town, parish_councils, meetings) in PARISHES.items():
        district = builder.districts[district_name]
        rows = [(town, Parish.Kind.TOWN_COUNCIL)] + [(name, Parish.Kind.PARISH_COUNCIL) for name in parish_councils] \
            + [(name, Parish.Kind.PARISH_MEETING) for name in meetings]
        for name, kind in rows:
            parish = parish_for(name, district, kind)
            council(builder, parish, district_name)
            made[{"town_council": "town", "parish_council": "parish", "parish_meeting": "meeting"}[kind]] += 1
    context.note(f"Directory: {made['town']} town councils, {made['parish']} parish councils and "
                 f"{made['meeting']} parish meetings.")


def parish_for(name, district, kind):
    parish, _ = ensure(Parish, {"slug": slugify(name)}, {
        "name": name, "district": district, "kind": kind,
        "is_demo": name not in SEED_PARISHES,
    })
    return parish


def council_name(parish):
    if parish.kind == Parish.Kind.TOWN_COUNCIL:
        return f"{parish.name} Council" if parish.name.endswith(" Town") else f"{parish.name} Town Council"
    if parish.kind == Parish.Kind.PARISH_COUNCIL:
        return f"{parish.name} Parish Council"
    return f"{parish.name} Parish Meeting"


def council(builder, parish, district_name):
    key = f"council/{parish.slug}"
    name = council_name(parish)
    n = number(key)
    if parish.kind == Parish.Kind.PARISH_MEETING:
        description = (
            f"{parish.name} is a small parish in {district_name}, so instead of a parish council it has a parish "
            f"meeting: every elector in the parish may come, speak and vote. The meeting looks after local matters "
            f"and gives the parish's views on planning applications and council services."
        )
    elif parish.kind == Parish.Kind.TOWN_COUNCIL:
        description = (
            f"{name} is the local council for {parish.name}, in {district_name}. Its councillors are elected every "
            f"four years. It looks after the town's open spaces, allotments, play areas and community events, "
            f"supports local groups with small grants and speaks for the town on planning and services."
        )
    else:
        description = (
            f"{name} is the local council for the parish of {parish.name}, in {district_name}. It looks after "
            f"local amenities such as the recreation ground, footpaths, bus shelters and the war memorial, comments "
            f"on planning applications and works with the district and county councils for the parish."
        )
    organization = builder.organization(
        key, name=name, kind=parish.kind, description=description, district=district_name, parish=parish,
        legal_status="Local council" if parish.kind != Parish.Kind.PARISH_MEETING else "Parish meeting",
        email=f"clerk@{parish.slug}.example.org", website=f"https://{parish.slug}.example.org/",
        is_demo=parish.is_demo or parish.name in INVENTED_TOWN_COUNCILS,
    )
    builder.contact(f"{key}/clerk", name="Clerk to the council" if parish.kind != Parish.Kind.PARISH_MEETING
                    else "Chair of the parish meeting", email=f"clerk@{parish.slug}.example.org",
                    organization=organization)
    builder.phone(f"{key}/phone", organization=organization, description="Clerk's office")
    # The clerk's own mobile is for officers only: the rule that private numbers never show.
    builder.phone(f"{key}/mobile", organization=organization, private=True, description="Clerk's own mobile")
    if parish.kind == Parish.Kind.PARISH_MEETING:
        builder.service(f"{key}/meeting", organization, name="Parish meeting",
                        description=f"The parish meeting of {parish.name} meets at least twice a year, in spring and "
                                    f"autumn. Any elector in the parish may come, raise a matter and vote.",
                        terms=["local-councils", "for:everyone"], cost=Service.Cost.FREE,
                        schedules=[{"freq": "", "description": "At least twice a year, in spring and autumn. "
                                                               "Notices go on the village noticeboard."}],
                        attending_access=Service.AttendingAccess.DROP_IN)
        return organization
    opens, closes = times((19, 0), (21, 0)) if n % 3 else times((19, 30), (21, 30))
    locations = []
    if parish.kind == Parish.Kind.TOWN_COUNCIL:
        locations.append(builder.location(f"{key}/office", organization, name=f"{name} offices", place=parish.name,
                                          district=district_name, kind=Location.Kind.COUNCIL_OFFICE, parish=parish,
                                          features=[Accessibility.Feature.STEP_FREE, Accessibility.Feature.HEARING_LOOP]))
    builder.service(f"{key}/meetings", organization, name="Council meetings",
                    description="Meetings of the full council are open to the public. Residents may speak about any "
                                "matter in the public session at the start of each meeting. Agendas are posted on the "
                                "noticeboard and the website three clear days before.",
                    terms=["local-councils", "for:everyone"], cost=Service.Cost.FREE, locations=locations,
                    schedules=[{"freq": "MONTHLY", "byday": f"{1 + n % 3}{DAYS[n % 4]}", "opens": opens,
                                "closes": closes}],
                    attending_access=Service.AttendingAccess.DROP_IN)
    if parish.kind == Parish.Kind.TOWN_COUNCIL:
        builder.service(f"{key}/allotments", organization, name="Allotments",
                        description=f"{name} lets allotment plots to residents. Ask the clerk to join the waiting list.",
                        terms=["physical-activity", "for:everyone"], cost=Service.Cost.PAID,
                        cost_options=[("Full plot, a year", 4500, ""), ("Half plot, a year", 2500, "")],
                        attending_access=Service.AttendingAccess.MEMBERSHIP)
    return organization


# --- community managed libraries ----------------------------------------------------------------

HUB_SERVICES = [
    ("Adult learning", "Short courses for adults: computer skills, family history, languages and crafts. Some are "
     "free; others have a small charge.", ["learning", "for:adults"], Service.Cost.PAID, {"minimum_age": 19}),
    ("Work club", "Volunteers help you look for work: searching and applying for jobs online, writing a CV and "
     "getting ready for interviews. Free, and no need to book.", ["work", "money", "for:adults", "for:low-income"],
     Service.Cost.FREE, {"minimum_age": 16}),
    ("Keep safe place", "A safe place anyone who feels lost, scared or at risk while they are out can come into. "
     "Staff will help you call someone you trust. Look for the Keep Safe sticker on the door.",
     ["safety", "for:disabled-people", "for:everyone"], Service.Cost.FREE, {}),
    ("Community café", "Tea, coffee and homemade cakes in the library, run by volunteers. A good place to meet "
     "friends.", ["social", "for:everyone", "for:isolated"], Service.Cost.PAID, {}),
    ("Meeting room for community groups", "A room for up to 20 people for community groups, clubs and meetings, "
     "with a screen and tea-making. Book with the library.", ["venues", "for:community-groups"], Service.Cost.PAID, {}),
    ("Local Area Coordinator drop-in", "Meet your Local Area Coordinator, who helps people find what their "
     "community offers and get the support they want, without a referral.",
     ["advice", "community-support", "for:adults", "for:isolated"], Service.Cost.FREE, {}),
]


def libraries(context):
    builder = builder_for(context)
    for index, place in enumerate(LIBRARIES):
        parish = Parish.objects.get(slug=slugify(place))
        district_name = parish.district.name
        label = LIBRARY_NAMES.get(place, place)
        key = f"library/{parish.slug}"
        name = f"{label} Community Library"
        organization = builder.organization(
            key, name=name, kind=Kind.COMMUNITY_MANAGED_LIBRARY, district=district_name, parish=parish,
            description=(f"{name} is run by volunteers from the {label} community as part of Leicestershire's "
                         f"library network. As well as books, audiobooks and computers, it is a hub for the village: "
                         f"courses, clubs, a café and a place to find help."),
            legal_status="Charitable incorporated organisation", email=f"library@{parish.slug}.example.org",
        )
        features = [Accessibility.Feature.STEP_FREE, Accessibility.Feature.LARGE_PRINT]
        if index % 2 == 0:
            features.append(Accessibility.Feature.ACCESSIBLE_TOILET)
        if index % 3 == 0:
            features.append(Accessibility.Feature.HEARING_LOOP)
        library = builder.location(key, organization, name=name, place=label if label in COORDINATES else place,
                                   district=district_name, kind=Location.Kind.LIBRARY, parish=parish, features=features)
        builder.phone(f"{key}/phone", organization=organization, description="When the library is open")
        builder.contact(f"{key}/volunteers", name="Volunteer coordinator", email=f"volunteer@{parish.slug}.example.org",
                        organization=organization)
        late = DAYS[index % 5]
        builder.service(
            f"{key}/library", organization, name="Library",
            description=("Borrow books, audiobooks and large print for free, order any book from the county's "
                         "libraries, use the computers and free wifi, print and photocopy. Rhymetime for under-fives "
                         "and a reading group for adults."),
            terms=["libraries", "for:everyone", "for:children"], cost=Service.Cost.FREE, locations=[library],
            schedules=[{"byday": "TU,TH", "opens": time(10), "closes": time(12, 30)},
                       {"byday": late, "opens": time(14), "closes": time(18)},
                       {"byday": "SA", "opens": time(10), "closes": time(13)}],
        )
        for hub in (index % 6, (index + 1) % 6, (index + 3) % 6):
            title, description, terms, cost, extra = HUB_SERVICES[hub]
            schedules = []
            if hub in (1, 5):
                schedules = [{"freq": "MONTHLY" if hub == 5 else "WEEKLY", "byday": "1FR" if hub == 5 else "WE",
                              "opens": time(10), "closes": time(12)}]
            elif hub == 3:
                schedules = [{"byday": "TU,TH", "opens": time(10), "closes": time(12)}]
            elif hub == 2:
                schedules = [{"description": "Whenever the library is open"}]
            builder.service(f"{key}/hub/{hub}", organization, name=title, description=description, terms=terms,
                            cost=cost, locations=[library], schedules=schedules,
                            cost_options=[("Per course", 1500, "from")] if hub == 0 else
                            ([("Room, per hour", 1000, "")] if hub == 4 else []), **extra)
    context.note(f"Directory: {len(LIBRARIES)} community managed libraries with their hub services.")


# --- village halls and community centres --------------------------------------------------------

ACTIVITIES = [
    ("Coffee morning", "A friendly coffee morning: tea, coffee, cake and a chat. Everyone welcome.",
     ["social", "for:everyone", "for:isolated", "for:older-people"], Service.Cost.FREE, {},
     {"byday": "WE", "opens": time(10), "closes": time(12)}, "Donations welcome"),
    ("Parent and toddler group", "Toys, crafts, songs and a snack for babies and children under five, and a cuppa "
     "for their grown-ups.", ["families", "for:families", "for:children"], Service.Cost.PAID, {"maximum_age": 4},
     {"byday": "TU", "opens": time(9, 30), "closes": time(11, 30)}, "£2 a family"),
    ("Lunch club", "A hot two-course lunch and company for older people, with transport for those who need it.",
     ["social", "food", "for:older-people", "for:isolated"], Service.Cost.PAID, {"minimum_age": 60},
     {"byday": "TH", "opens": time(12), "closes": time(14)}, "£6 for lunch"),
    ("Youth club", "Games, sport, cooking and trips for young people, run by trained volunteers.",
     ["families", "for:young-people"], Service.Cost.FREE, {"minimum_age": 11, "maximum_age": 17},
     {"byday": "FR", "opens": time(18, 30), "closes": time(20, 30)}, ""),
    ("Chair-based exercise", "Gentle exercise to music, seated or standing, led by a qualified instructor.",
     ["physical-activity", "for:older-people", "for:disabled-people"], Service.Cost.PAID, {},
     {"byday": "MO", "opens": time(10, 30), "closes": time(11, 30)}, "£3 a session"),
    ("Warm space", "A warm, welcoming place to spend time in winter, with hot drinks, newspapers and games. No need "
     "to book.", ["community-support", "social", "for:low-income", "for:isolated", "for:everyone"],
     Service.Cost.FREE, {}, {"byday": "MO,WE", "opens": time(13), "closes": time(16),
                             "description": "November to March"}, ""),
    ("Community choir", "A choir for anyone who enjoys singing. No auditions and no need to read music.",
     ["arts", "social", "for:adults"], Service.Cost.PAID, {"minimum_age": 16},
     {"byday": "TU", "opens": time(19, 30), "closes": time(21)}, "£4 a session"),
]


def halls(context):
    builder = builder_for(context)
    for index, place in enumerate(HALLS):
        parish = Parish.objects.get(slug=slugify(place))
        district_name = parish.district.name
        centre = place in COMMUNITY_CENTRES
        name = f"{town_name(place)} {'Community Centre' if centre else 'Village Hall'}"
        key = f"hall/{parish.slug}"
        organization = builder.organization(
            key, name=name, kind=Kind.COMMUNITY_BUILDING, district=district_name, parish=parish,
            description=(f"{name} is run by a management committee of local volunteers for everyone in "
                         f"{town_name(place)} and nearby villages. The main hall seats 100; there is a meeting room "
                         f"and a kitchen. Local groups meet here every week, and rooms can be hired for parties, "
                         f"classes and meetings."),
            legal_status="Registered charity", email=f"bookings@{parish.slug}-hall.example.org",
        )
        ensure(OrganizationIdentifier, {"id": uid("identifier", key)}, {
            "organization": organization, "identifier_scheme": "GB-CHC", "identifier_type": "Charity number",
            "identifier": f"5{number(key) % 100000:05d}"})  # invented: real numbers are six or seven digits
        features = [Accessibility.Feature.STEP_FREE, Accessibility.Feature.ACCESSIBLE_TOILET,
                    Accessibility.Feature.ACCESSIBLE_PARKING]
        if index % 4 == 0:
            features.append(Accessibility.Feature.HEARING_LOOP)
        if index % 5 == 0:
            features.append(Accessibility.Feature.BABY_CHANGING)
        hall = builder.location(key, organization, name=name, place=place, district=district_name, parish=parish,
                                kind=Location.Kind.COMMUNITY_CENTRE if centre else Location.Kind.VILLAGE_HALL,
                                features=features)
        builder.contact(f"{key}/bookings", name="Bookings secretary", email=f"bookings@{parish.slug}-hall.example.org",
                        organization=organization)
        builder.phone(f"{key}/phone", organization=organization, description="Bookings, evenings and weekends")
        builder.service(
            f"{key}/hire", organization, name="Room hire",
            description=f"Hire the main hall, the meeting room or the kitchen at {name} for parties, classes, clubs "
                        f"and meetings. Tables, chairs and a sound system included.",
            terms=["venues", "for:community-groups", "for:everyone"], cost=Service.Cost.PAID, locations=[hall],
            cost_options=[("Main hall, per hour", 1400 + (index % 5) * 100, "local groups pay less"),
                          ("Meeting room, per hour", 800, "")],
            attending_access=Service.AttendingAccess.BOOKING,
        )
        for activity in (index % len(ACTIVITIES), (index + 3) % len(ACTIVITIES)):
            title, description, terms, cost, extra, schedule, fees = ACTIVITIES[activity]
            builder.service(f"{key}/activity/{activity}", organization, name=title, description=description,
                            terms=terms, cost=cost, locations=[hall], schedules=[schedule], fees_description=fees,
                            **extra)
    context.note(f"Directory: {len(HALLS)} village halls and community centres.")


# --- neighbourhood planning ---------------------------------------------------------------------

NP_STAGES = ([NeighbourhoodPlan.Stage.MADE] * 38 + [NeighbourhoodPlan.Stage.DESIGNATED] * 64
             + [NeighbourhoodPlan.Stage.DRAFT] * 10 + [NeighbourhoodPlan.Stage.EXAMINATION] * 6
             + [NeighbourhoodPlan.Stage.REFERENDUM] * 5)
NETWORK_MEMBERS = 250
END_OF_2019_20 = date(2020, 3, 31)


def plan_dates(stage, k):
    """Dates of a plan at `stage`, all by the end of 2019/20 (k numbers the plans at that stage)."""
    Stage = NeighbourhoodPlan.Stage
    if stage == Stage.MADE:
        designated = date(2012, 6, 1) + timedelta(days=(k * 41) % 1400)
        made = designated + timedelta(days=900 + (k * 17) % 400)
        return {"designated_on": designated, "examination_on": made - timedelta(days=150),
                "referendum_on": made - timedelta(days=40), "made_on": made}
    if stage == Stage.DESIGNATED:
        return {"designated_on": date(2016, 1, 4) + timedelta(days=(k * 23) % 1540)}
    designated = date(2014, 3, 3) + timedelta(days=(k * 61) % 1000)
    dates = {"designated_on": designated, "draft_published_on": designated + timedelta(days=560)}
    if stage in (Stage.EXAMINATION, Stage.REFERENDUM):
        dates["examination_on"] = designated + timedelta(days=820)
    return dates


def neighbourhood_plans(context):
    builder = builder_for(context)
    councils_with_plans = sorted(
        Parish.objects.filter(kind__in=[Parish.Kind.TOWN_COUNCIL, Parish.Kind.PARISH_COUNCIL])
        .exclude(district__name="Oadby and Wigston").select_related("district"),
        key=lambda parish: number("plan", parish.slug))[:len(NP_STAGES)]
    seen = {}
    for index, (parish, stage) in enumerate(zip(councils_with_plans, NP_STAGES)):
        k = seen[stage] = seen.get(stage, -1) + 1
        key = f"plan/{parish.slug}"
        organization = builder.organization(
            key, name=f"{parish.name} Neighbourhood Plan Group", kind=Kind.NEIGHBOURHOOD_PLANNING_GROUP,
            district=parish.district, parish=parish,
            description=(f"Residents and councillors of {council_name(parish)} preparing the {parish.name} "
                         f"Neighbourhood Plan: the community's own plan for where new homes, shops and green spaces "
                         f"go. Come to a drop-in event or join a working group."),
        )
        members = 2 + (1 if index < NETWORK_MEMBERS - 2 * len(NP_STAGES) else 0)
        ensure(NeighbourhoodPlan, {"organization": organization}, {
            "area_name": parish.name, "stage": stage, "members_count": members,
            "designated_on": None, "draft_published_on": None, "examination_on": None, "referendum_on": None,
            "made_on": None, **plan_dates(stage, k),
        })
        builder.contact(f"{key}/contact", name="Neighbourhood plan group", email=f"plan@{parish.slug}.example.org",
                        organization=organization)
    network = builder.organization(
        "network/neighbourhood-planning", name="Leicestershire Neighbourhood Planning Network",
        kind=Kind.COUNCIL_SERVICE, is_council_run=True, is_demo=False,
        description=(f"The county council's Communities Team supports the {len(NP_STAGES)} neighbourhood planning "
                     f"groups in Leicestershire with advice, events and co-ordinated responses from the county "
                     f"council. {NETWORK_MEMBERS} members have signed up to the network."),
        email="leicestershirecommunities@leics.gov.uk", website="https://www.leicestershirecommunities.org.uk/",
    )
    builder.service("network/neighbourhood-planning/advice", network, name="Neighbourhood planning advice",
                    description="Advice for groups preparing or thinking of starting a neighbourhood plan, "
                                "neighbourhood information events, and the county council's responses to draft plans.",
                    terms=["planning", "groups-support", "for:community-groups"], cost=Service.Cost.FREE,
                    attending_type=Service.AttendingType.MIXED, attending_access=Service.AttendingAccess.APPOINTMENT,
                    is_demo=False)
    context.note(f"Directory: {len(NP_STAGES)} neighbourhood planning groups (38 made plans, 64 designated areas), "
                 f"{NETWORK_MEMBERS} network members.")


# --- voluntary and community organisations ------------------------------------------------------

def voluntary_organisations(context):
    """The organisations the seeds name, with the services the seeds describe, and some invented groups."""
    b = builder_for(context)
    countywide = "Leicestershire"

    val = b.organization("vcs/val", name="Voluntary Action Leicestershire", alternate_name="VAL",
                         kind=Kind.VOLUNTARY_ORGANISATION, is_demo=False, website="https://valonline.org.uk/",
                         description="Voluntary Action Leicestershire supports the county's voluntary, community and "
                                     "social enterprise sector: information, advice and learning events, help with "
                                     "governance, group development and funding, and promoting volunteering.")
    b.service("vcs/val/groups", val, name="Advice and training for voluntary groups", is_demo=False,
              description="Advice on setting up and running a group: governance, structures (such as becoming an "
                          "incorporated body), funding applications and the funding toolkit, with training sessions "
                          "such as 'Introduction to Funding Applications'.",
              terms=["groups-support", "for:community-groups"], cost=Service.Cost.FREE,
              attending_type=Service.AttendingType.MIXED, attending_access=Service.AttendingAccess.APPOINTMENT,
              areas=[countywide])
    b.service("vcs/val/volunteering", val, name="Volunteer Leicestershire", is_demo=False,
              description="Find volunteering opportunities across the county, and help for groups to recruit and "
                          "support volunteers.", url="http://www.volunteerleicestershire.org.uk/",
              terms=["volunteering", "for:everyone", "for:community-groups"], cost=Service.Cost.FREE,
              attending_type=Service.AttendingType.ONLINE, attending_access=Service.AttendingAccess.DROP_IN)

    case = b.organization("vcs/case", name="Cooperative and Social Enterprise Development Agency", alternate_name="CASE",
                          kind=Kind.SOCIAL_ENTERPRISE, is_demo=False, website="https://case.coop/",
                          description="CASE supports social enterprises and co-operatives across Leicestershire: "
                                      "strategic planning, partnership links, robust income and other sources of funding.")
    b.service("vcs/case/support", case, name="Social enterprise support", is_demo=False,
              description="Help for existing and new social enterprises to plan, find income and funding, and grow.",
              terms=["groups-support", "work", "for:community-groups"], cost=Service.Cost.FREE,
              attending_access=Service.AttendingAccess.APPOINTMENT, attending_type=Service.AttendingType.MIXED)

    rcc = b.organization("vcs/rcc", name="Rural Community Council (Leicestershire and Rutland)", alternate_name="RCC",
                         kind=Kind.VOLUNTARY_ORGANISATION, is_demo=False,
                         description="The RCC supports rural communities: groups that run village halls and community "
                                     "centres, good neighbour schemes, and projects against rural isolation.")
    b.service("vcs/rcc/coffee", rcc, name="Rural Coffee Connect", is_demo=False,
              description="A pop-up mobile coffee van that travels to 20 rural places around the county to meet people "
                          "who are isolated in the countryside, connect them with their neighbours and with local "
                          "activities and services, and so reduce loneliness and improve their health and wellbeing.",
              terms=["social", "community-support", "for:isolated", "for:older-people"], cost=Service.Cost.FREE,
              schedules=[{"description": "The van visits each place about once a month: ask the RCC for the timetable."}],
              areas=["Rural Leicestershire"])
    b.service("vcs/rcc/buildings", rcc, name="Community buildings advice", is_demo=False,
              description="Support for the groups that run village halls and community centres: governance, health "
                          "and safety, business planning, charity law, insurance and funding.",
              terms=["groups-support", "venues", "for:community-groups"], cost=Service.Cost.FREE,
              attending_access=Service.AttendingAccess.APPOINTMENT, attending_type=Service.AttendingType.MIXED)

    lralc = b.organization("vcs/lralc", name="Leicestershire and Rutland Association of Local Councils",
                           alternate_name="LRALC", kind=Kind.VOLUNTARY_ORGANISATION, is_demo=False,
                           description="The association of the town and parish councils and parish meetings of "
                                       "Leicestershire and Rutland: advice, training and a bi-monthly newsletter.")
    b.service("vcs/lralc/support", lralc, name="Support for town and parish councils", is_demo=False,
              description="Advice and training for councillors and clerks, and the annual conference with the county "
                          "council.", terms=["local-councils", "groups-support", "for:community-groups"],
              cost=Service.Cost.PAID, attending_access=Service.AttendingAccess.MEMBERSHIP)

    cab = b.organization("vcs/citizens-advice", name="Citizens Advice Leicestershire", kind=Kind.VOLUNTARY_ORGANISATION,
                         is_demo=False, description="Free, independent advice on benefits, debt, housing and work, "
                                                    "across the county.")
    b.service("vcs/citizens-advice/advice", cab, name="Advice on benefits, debt, housing and work", is_demo=False,
              description="Help to claim the benefits you are due, manage debt and money, stay in your home, keep your "
                          "job, and get charitable help with essential household goods.",
              terms=["advice", "money", "for:adults", "for:low-income"], cost=Service.Cost.FREE,
              attending_type=Service.AttendingType.MIXED, attending_access=Service.AttendingAccess.APPOINTMENT,
              minimum_age=18)
    charnwood_cab = b.organization("vcs/charnwood-cab", name="Charnwood Citizens Advice Bureau",
                                   kind=Kind.VOLUNTARY_ORGANISATION, district="Charnwood", is_demo=False,
                                   description="Free, independent advice for people in Charnwood.")
    b.service("vcs/charnwood-cab/advice", charnwood_cab, name="Advice on benefits, debt, housing and work",
              is_demo=False, description="Advice on benefits, debt, homelessness and employment for people in Charnwood.",
              terms=["advice", "money", "for:adults", "for:low-income"], cost=Service.Cost.FREE,
              attending_access=Service.AttendingAccess.APPOINTMENT, minimum_age=18)

    healthwatch = b.organization("vcs/healthwatch", name="Healthwatch Leicester and Leicestershire",
                                 kind=Kind.VOLUNTARY_ORGANISATION, is_demo=False,
                                 description="Healthwatch gives local people a voice about their health and social "
                                             "care services and works with the services to put things right.")
    b.service("vcs/healthwatch/voice", healthwatch, name="Tell us about health and care services", is_demo=False,
              description="Tell Healthwatch what you think of GP surgeries, hospitals, dentists and care homes; it "
                          "shares patients' and carers' experiences to improve services.",
              terms=["health", "advice", "for:everyone", "for:carers"], cost=Service.Cost.FREE,
              attending_type=Service.AttendingType.MIXED)

    worklink = b.organization("vcs/worklink", name="Hinckley Worklink", kind=Kind.SOCIAL_ENTERPRISE,
                              district="Hinckley and Bosworth", is_demo=False,
                              website="https://www.worklinkproject.co.uk/",
                              description="A reuse project in Hinckley: donated furniture and electrical goods go to "
                                          "people moving out of temporary accommodation or in hardship.")
    b.service("vcs/worklink/furniture", worklink, name="Donate and find reused furniture", is_demo=False,
              description="Donate furniture and electrical items, and find graded reused goods for your home.",
              url="https://www.worklinkproject.co.uk/donate-items.html",
              terms=["community-support", "for:low-income"], cost=Service.Cost.PAID)
    sofa = b.organization("vcs/sofa", name="SOFA", kind=Kind.SOCIAL_ENTERPRISE, district="Charnwood", is_demo=False,
                          website="http://sofareuse.org/",
                          description="A furniture reuse charity in Loughborough: donated furniture and electrical "
                                      "goods for people who need them.")
    b.service("vcs/sofa/furniture", sofa, name="Donate and find reused furniture", is_demo=False,
              description="Donate furniture or electrical items for collection, and buy good reused furniture at low "
                          "prices.", url="http://sofareuse.org/donate/", terms=["community-support", "for:low-income"],
              cost=Service.Cost.PAID)
    faith = b.organization("vcs/inter-faith", name="Leicestershire Inter Faith Forum", kind=Kind.FAITH_GROUP,
                           is_demo=False,
                           description="The Forum supports faith and belief communities to share news of their "
                                       "activities and services that promote good relations and shared values.")
    b.service("vcs/inter-faith/events", faith, name="Inter faith events", is_demo=False,
              description="Public events and talks on faith, justice and belonging, open to people of every faith "
                          "and none.", terms=["social", "for:everyone"], cost=Service.Cost.FREE)

    # Invented groups (marked demo): a spread of kinds, needs and districts for search to find.
    invented = [
        ("shed", "Soar Valley Men's Shed", Kind.COMMUNITY_GROUP, "Charnwood", "Mountsorrel",
         "A workshop where men (and women) meet to make, mend and chat.",
         ("Workshop sessions", "Woodwork, repairs and projects for the community, with tea and good company.",
          ["arts", "social", "for:adults", "for:isolated"], Service.Cost.PAID, {"byday": "TU,TH", "opens": time(10), "closes": time(15)})),
        ("carers", "Wreake Valley Carers Group", Kind.COMMUNITY_GROUP, "Melton", "Asfordby",
         "A peer support group for unpaid carers, with speakers and a monthly afternoon out.",
         ("Carers' support group", "Meet other carers, share tips and hear from advisers. Sitting can be arranged so "
          "you can come.", ["carers", "for:carers"], Service.Cost.FREE, {"freq": "MONTHLY", "byday": "2WE", "opens": time(13, 30), "closes": time(15, 30)})),
        ("dementia", "Harborough Memory Café", Kind.COMMUNITY_GROUP, "Harborough", "Great Bowden",
         "A monthly café for people living with dementia and the people who care for them.",
         ("Memory café", "Music, reminiscence and a friendly cup of tea for people living with dementia and their "
          "carers.", ["social", "carers", "for:dementia", "for:carers", "for:older-people"], Service.Cost.FREE,
          {"freq": "MONTHLY", "byday": "3TH", "opens": time(14), "closes": time(16)})),
        ("youth", "Coalville Youth Project", Kind.VOLUNTARY_ORGANISATION, "North West Leicestershire", "Hugglescote and Donington le Heath",
         "Youth work, mentoring and holiday activities for young people in and around Coalville.",
         ("Drop-in youth sessions", "Somewhere to go after school: games, cooking, music and someone to talk to.",
          ["families", "for:young-people"], Service.Cost.FREE, {"byday": "MO,WE", "opens": time(16), "closes": time(19)})),
        ("walking", "Bosworth Health Walks", Kind.COMMUNITY_GROUP, "Hinckley and Bosworth", "Market Bosworth",
         "Short, led walks around Market Bosworth for people who want to get more active.",
         ("Health walks", "An hour's gentle walk with trained walk leaders, finishing with a cuppa.",
          ["physical-activity", "for:older-people", "for:adults"], Service.Cost.FREE,
          {"byday": "FR", "opens": time(10), "closes": time(11)})),
        ("choir", "Oadby Community Choir", Kind.COMMUNITY_GROUP, "Oadby and Wigston", None,
         "A friendly choir singing pop, folk and show tunes; concerts for local charities.",
         ("Choir rehearsals", "Come and sing: no auditions, no need to read music.", ["arts", "social", "for:adults"],
          Service.Cost.PAID, {"byday": "WE", "opens": time(19, 30), "closes": time(21)})),
        ("transport", "Melton Community Transport", Kind.VOLUNTARY_ORGANISATION, "Melton", "Melton Mowbray",
         "Volunteer drivers and an accessible minibus for people who cannot use buses.",
         ("Door-to-door transport", "Rides to appointments, shops and clubs with volunteer drivers; book two days "
          "ahead.", ["transport", "for:older-people", "for:disabled-people"], Service.Cost.PAID,
          {"byday": "MO,TU,WE,TH,FR", "opens": time(9), "closes": time(16), "description": "Book by telephone"})),
        ("foodbank", "Lutterworth Community Larder", Kind.COMMUNITY_GROUP, "Harborough", "Lutterworth",
         "A community larder: members pay a small amount each week for a bag of food worth much more.",
         ("Community larder", "Choose food and household items each week for £4. No referral needed.",
          ["food", "money", "for:low-income", "for:families"], Service.Cost.PAID,
          {"byday": "SA", "opens": time(10), "closes": time(12)})),
        ("repair", "Shepshed Repair Café", Kind.COMMUNITY_GROUP, "Charnwood", "Shepshed",
         "Volunteers fix broken household things for free, and show you how.",
         ("Repair café", "Bring broken lamps, clothes, toys and small appliances; volunteers fix them with you.",
          ["arts", "community-support", "for:everyone"], Service.Cost.FREE,
          {"freq": "MONTHLY", "byday": "1SA", "opens": time(10), "closes": time(13)})),
        ("peer", "Wigston Mental Health Peer Support", Kind.COMMUNITY_GROUP, "Oadby and Wigston", None,
         "A peer support group run by and for people with experience of mental health difficulties.",
         ("Peer support group", "A safe space to talk and listen, facilitated by trained peer supporters.",
          ["mental-health", "for:mental-health-needs", "for:adults"], Service.Cost.FREE,
          {"byday": "TH", "opens": time(18), "closes": time(19, 30)})),
        ("church", "St Mary's Church, Hinckley: Warm Welcome", Kind.FAITH_GROUP, "Hinckley and Bosworth", None,
         "A parish church that opens its hall for a warm welcome and a hot meal every week.",
         ("Community meal", "A free hot meal and company, for anyone. No questions asked.",
          ["food", "social", "for:everyone", "for:low-income", "for:isolated"], Service.Cost.FREE,
          {"byday": "WE", "opens": time(12), "closes": time(14)})),
        ("parents", "Blaby Parent Carer Forum", Kind.VOLUNTARY_ORGANISATION, "Blaby", "Enderby",
         "A forum for parents and carers of disabled children and children with special educational needs.",
         ("Parent carer coffee mornings", "Meet other parent carers and get information about services.",
          ["families", "disability", "carers", "for:carers", "for:families", "for:disabled-people"],
          Service.Cost.FREE, {"freq": "MONTHLY", "byday": "2TU", "opens": time(10), "closes": time(12)})),
    ]
    for key, name, kind, district_name, place, description, (title, what, terms, cost, schedule) in invented:
        parish = Parish.objects.filter(slug=slugify(place)).first() if place else None
        organization = b.organization(f"vcs/{key}", name=name, kind=kind, district=district_name, parish=parish,
                                      description=description, email=f"hello@{key}.example.org",
                                      website=f"https://{key}.example.org/")
        town = place or ("Oadby" if "Oadby" in name else "Wigston" if "Wigston" in name else "Hinckley")
        venue = b.location(f"vcs/{key}/venue", organization, name=f"{name} base" if kind != Kind.FAITH_GROUP
                           else "St Mary's Church Hall", place=town, district=district_name, parish=parish,
                           kind=Location.Kind.PLACE_OF_WORSHIP if kind == Kind.FAITH_GROUP else Location.Kind.COMMUNITY_CENTRE,
                           features=[Accessibility.Feature.STEP_FREE])
        b.phone(f"vcs/{key}/phone", organization=organization)
        b.service(f"vcs/{key}/service", organization, name=title, description=what, terms=terms, cost=cost,
                  locations=[venue], schedules=[schedule])
    context.note(f"Directory: {10 + len(invented)} voluntary and community organisations (and the case studies).")


# --- the seeds' case studies --------------------------------------------------------------------


def case_studies(context):
    """Each case study as the seed tells it; where and when are invented (the services are marked demo)."""
    b = builder_for(context)

    def parish(name):
        return Parish.objects.filter(slug=slugify(name)).first()

    measham = b.organization(
        "case/measham", name="Measham Community and Recreation Centre", kind=Kind.COMMUNITY_BUILDING, is_demo=False,
        district="North West Leicestershire", parish=parish("Measham"),
        description="A community and recreation centre in Measham. Its walking football club, for people over 50 "
                    "at risk of long-term health conditions, is run with Measham Medical Unit and volunteers, with "
                    "support from Measham Parish Council and a SHIRE Community Grant.")
    centre = b.location("case/measham/centre", measham, name="Measham Community and Recreation Centre",
                        place="Measham", district="North West Leicestershire", parish=parish("Measham"),
                        kind=Location.Kind.SPORTS_VENUE,
                        features=[Accessibility.Feature.STEP_FREE, Accessibility.Feature.ACCESSIBLE_TOILET,
                                  Accessibility.Feature.ACCESSIBLE_PARKING])
    b.service("case/measham/walking-football", measham, name="Walking football",
              description="A weekly hour of walking football for people over 50 who are at risk of developing "
                          "long-term health conditions. The rules are those of five-a-side football with one "
                          "exception: if you run, the other side gets a free kick. It builds fitness, and new "
                          "friendships: players stay for a drink afterwards.",
              eligibility_description="People over 50. Doctors at Measham Medical Unit refer people who would "
                                      "benefit; ask your GP, or ask the centre about joining.",
              terms=["physical-activity", "health", "for:older-people", "for:adults"], minimum_age=50,
              cost=Service.Cost.PAID, fees_description="A small charge a session; the first session is free.",
              locations=[centre], schedules=[{"byday": "WE", "opens": time(11), "closes": time(12)}],
              attending_access=Service.AttendingAccess.REFERRAL)
    b.phone("case/measham/phone", organization=measham)

    desford = b.organization(
        "case/desford", name="Desford Good Neighbour Scheme", kind=Kind.COMMUNITY_GROUP, is_demo=False,
        district="Hinckley and Bosworth", parish=parish("Desford"),
        description="Set up by Desford Parish Council with support from the Rural Community Council. Community "
                    "volunteers help people in the parish of Desford, which includes Botcheston, Newtown Unthank and "
                    "Kirby Grange, with everyday tasks, with particular regard to the more vulnerable.")
    b.service("case/desford/help", desford, name="Good neighbour help",
              description="Volunteers from the village help with day-to-day tasks: a lift to the doctor's, collecting "
                          "shopping or prescriptions, a friendly visit or a small job around the house, so that "
                          "people can stay in their own homes for longer.",
              terms=["community-support", "volunteering", "for:older-people", "for:disabled-people", "for:isolated"],
              cost=Service.Cost.FREE, fees_description="Free; drivers may ask for a contribution to fuel.",
              areas=["Desford", "Botcheston", "Newtown Unthank", "Kirby Grange"],
              attending_access=Service.AttendingAccess.APPOINTMENT, attending_type=Service.AttendingType.PHONE)
    b.phone("case/desford/phone", organization=desford, description="Leave a message and a volunteer will call back")

    mayflower = b.organization(
        "case/mayflower", name="The Mayflower Project", kind=Kind.VOLUNTARY_ORGANISATION, is_demo=False,
        district="Hinckley and Bosworth", parish=parish("Markfield"),
        description="The Mayflower Project in Markfield provides weekly drop-in sessions for socially isolated "
                    "adults and older people, many with long-term health conditions, and people who have been "
                    "through bereavement, divorce or separation. It also gives carers and families a break.")
    mayflower_venue = b.location("case/mayflower/venue", mayflower, name="The Mayflower Project, Markfield",
                                 place="Markfield", district="Hinckley and Bosworth", parish=parish("Markfield"),
                                 kind=Location.Kind.COMMUNITY_CENTRE, features=[Accessibility.Feature.STEP_FREE])
    b.service("case/mayflower/drop-in", mayflower, name="Weekly drop-in",
              description="Talks, discussions and activities for members, to reduce the risks of loneliness, and "
                          "respite for carers and family members of the people who come.",
              terms=["social", "carers", "for:isolated", "for:older-people", "for:adults", "for:carers"],
              cost=Service.Cost.FREE, minimum_age=18, locations=[mayflower_venue],
              schedules=[{"byday": "TH", "opens": time(10), "closes": time(14)}])

    accept = b.organization(
        "case/accept", name="ACCEPT", kind=Kind.VOLUNTARY_ORGANISATION, is_demo=False,
        district="Hinckley and Bosworth", legal_status="Registered charity",
        description="ACCEPT is a Hinckley-based charity that supports adults with mental health difficulties "
                    "through meaningful activity and meeting new people, helping their recovery, confidence and "
                    "independence.")
    accept_venue = b.location("case/accept/venue", accept, name="ACCEPT, Hinckley", place="Hinckley",
                              district="Hinckley and Bosworth", kind=Location.Kind.COMMUNITY_CENTRE)
    for slug, title, description, byday in [
        ("growing", "Growing healthy food", "Grow organic vegetables in the charity's garden, learn new skills and "
                                            "take home what you grow.", "MO,WE"),
        ("arts", "Arts and crafts", "Painting, pottery and crafts in a relaxed group.", "TU"),
    ]:
        b.service(f"case/accept/{slug}", accept, name=title, description=description,
                  terms=["mental-health", "arts" if slug == "arts" else "health", "for:mental-health-needs", "for:adults"],
                  cost=Service.Cost.FREE, minimum_age=18, locations=[accept_venue],
                  schedules=[{"byday": byday, "opens": time(10), "closes": time(15)}],
                  attending_access=Service.AttendingAccess.REFERRAL)

    remap = b.organization(
        "case/remap", name="Remap Leicestershire and Rutland", kind=Kind.VOLUNTARY_ORGANISATION, is_demo=False,
        description="Remap's volunteer experts make bespoke equipment that helps disabled people live more "
                    "independent lives, and give it free to the people who need it.")
    b.service("case/remap/equipment", remap, name="Made-to-measure equipment for disabled people",
              description="When no equipment on the market does the job, Remap's volunteers design and make one: for "
                          "example a low board on braked castors with a car seat, so a young mother who uses a manual "
                          "wheelchair can move her child safely from room to room, or a holder so a visually impaired "
                          "man can use a white cane and a walking stick with one hand.",
              terms=["disability", "for:disabled-people"], cost=Service.Cost.FREE,
              attending_access=Service.AttendingAccess.REFERRAL, attending_type=Service.AttendingType.MIXED,
              areas=["Leicestershire", "Rutland"])

    cotesbach = b.organization(
        "case/cotesbach", name="Cotesbach Educational Trust", kind=Kind.VOLUNTARY_ORGANISATION, is_demo=False,
        district="Harborough", parish=parish("Cotesbach"),
        description="An education centre in a historic listed building in Cotesbach, home of the Local History Café.")
    trust = b.location("case/cotesbach/centre", cotesbach, name="Cotesbach Educational Trust education centre",
                       place="Cotesbach", district="Harborough", parish=parish("Cotesbach"),
                       kind=Location.Kind.COMMUNITY_CENTRE)
    b.service("case/cotesbach/history-cafe", cotesbach, name="Local History Café",
              description="Lunch and conversation about history and genealogy for older people, including people "
                          "living with dementia, who meet and make new friends. Members' memories of local life go "
                          "into the centre's own archives.",
              terms=["heritage", "social", "for:older-people", "for:dementia", "for:isolated"],
              cost=Service.Cost.PAID, fees_description="Lunch at cost.", locations=[trust],
              schedules=[{"freq": "MONTHLY", "byday": "2TU", "opens": time(12), "closes": time(14, 30)}],
              attending_access=Service.AttendingAccess.BOOKING)

    arc = b.organization(
        "case/arc", name="The Arc Community Hub", kind=Kind.COMMUNITY_BUILDING, is_demo=False,
        description="A community hub whose work was presented at the county council's 'Celebrating Great "
                    "Communities' event in December 2019. The details of its activities here are the demo's.")
    b.service("case/arc/hub", arc, name="Community hub activities",
              description="Groups, advice sessions and a café run with local volunteers; ask the hub what is on this "
                          "week.", terms=["social", "community-support", "for:everyone"], cost=Service.Cost.FREE,
              schedules=[{"byday": "MO,TU,WE,TH,FR", "opens": time(9, 30), "closes": time(15, 30)}])

    well = b.organization(
        "case/well", name="The Well", kind=Kind.COMMUNITY_GROUP, is_demo=False, district="Harborough",
        parish=parish("Kibworth Beauchamp"),
        description="The Well in Kibworth focuses on health and wellbeing, for the volunteers and for the people "
                    "who use its café space. With help from VAL it has recruited new volunteers, including one for "
                    "social media.")
    well_cafe = b.location("case/well/cafe", well, name="The Well café", place="Kibworth Beauchamp",
                           district="Harborough", parish=parish("Kibworth Beauchamp"), kind=Location.Kind.COMMUNITY_HUB,
                           features=[Accessibility.Feature.STEP_FREE, Accessibility.Feature.ACCESSIBLE_TOILET])
    b.service("case/well/cafe", well, name="Wellbeing café",
              description="A café space where anyone can drop in for a drink, a chat and information about local "
                          "support for health and wellbeing.",
              terms=["health", "social", "for:everyone", "for:isolated"], cost=Service.Cost.PAID, locations=[well_cafe],
              schedules=[{"byday": "TU,WE,TH,FR,SA", "opens": time(9), "closes": time(14)}])
    b.service("case/well/volunteering", well, name="Volunteer at The Well",
              description="Volunteer in the café, welcome visitors or help with social media.",
              terms=["volunteering", "for:adults"], cost=Service.Cost.FREE, locations=[well_cafe],
              attending_access=Service.AttendingAccess.APPOINTMENT)

    melton = b.organization(
        "case/melton-space", name="Melton Space", kind=Kind.SOCIAL_ENTERPRISE, is_demo=False, district="Melton",
        parish=parish("Melton Mowbray"), legal_status="Incorporated (formerly an unincorporated association)",
        description="Melton Space helps the local community make and fix things, sharing ideas and skills, and "
                    "runs the visitor centre at Melton Country Park, trading as a café and hiring out rooms.")
    park = b.location("case/melton-space/park", melton, name="Melton Country Park visitor centre",
                      place="Melton Mowbray", district="Melton", parish=parish("Melton Mowbray"),
                      kind=Location.Kind.COMMUNITY_HUB,
                      features=[Accessibility.Feature.STEP_FREE, Accessibility.Feature.ACCESSIBLE_TOILET,
                                Accessibility.Feature.BABY_CHANGING, Accessibility.Feature.ACCESSIBLE_PARKING])
    b.service("case/melton-space/make-and-fix", melton, name="Make and fix sessions",
              description="Bring something to mend or make: tools, materials and people who know how.",
              terms=["arts", "community-support", "for:everyone"], cost=Service.Cost.FREE, locations=[park],
              schedules=[{"freq": "MONTHLY", "byday": "1SA,3SA", "opens": time(10), "closes": time(13)}])
    b.service("case/melton-space/cafe", melton, name="Visitor centre café",
              description="Drinks, snacks and lunches at the visitor centre in Melton Country Park.",
              terms=["social", "for:everyone"], cost=Service.Cost.PAID, locations=[park],
              schedules=[{"byday": "MO,TU,WE,TH,FR,SA,SU", "opens": time(9), "closes": time(16)}])
    b.service("case/melton-space/rooms", melton, name="Rooms to hire",
              description="Meeting and activity rooms at the visitor centre.", terms=["venues", "for:community-groups"],
              cost=Service.Cost.PAID, locations=[park], attending_access=Service.AttendingAccess.BOOKING)

    church = b.organization(
        "case/new-life", name="New Life Community Church", kind=Kind.FAITH_GROUP, is_demo=False, district="Charnwood",
        description="A church in the Gorse Covert area of Loughborough. Its food bank, opened in December 2019, gave "
                    "emergency food to over 130 people in its first months; a SHIRE Community Grant pays for a "
                    "part-time Food Bank Manager who co-ordinates, trains and supervises the volunteers.")
    church_hall = b.location("case/new-life/church", church, name="New Life Community Church, Gorse Covert",
                             place="Loughborough", district="Charnwood", kind=Location.Kind.PLACE_OF_WORSHIP,
                             features=[Accessibility.Feature.STEP_FREE])
    b.service("case/new-life/food-bank", church, name="Food bank",
              description="Emergency food for people in crisis: a parcel of food and household essentials, and a "
                          "friendly welcome. Volunteers can point you to other help.",
              terms=["food", "money", "for:low-income", "for:families", "for:everyone"], cost=Service.Cost.FREE,
              locations=[church_hall], schedules=[{"byday": "TU,FR", "opens": time(10), "closes": time(12)}],
              attending_access=Service.AttendingAccess.DROP_IN)
    context.note("Directory: the seeds' 11 case studies as organisations with services.")


# --- the council's own services -----------------------------------------------------------------


def council_services(context):
    b = builder_for(context)
    team = b.organization(
        "council/communities-team", name="Leicestershire County Council Communities Team", kind=Kind.COUNCIL_SERVICE,
        is_council_run=True, is_demo=False, email="leicestershirecommunities@leics.gov.uk",
        website="https://www.leicestershirecommunities.org.uk/",
        description="The county council's Communities Team supports communities to be active, resilient and "
                    "inclusive: SHIRE Community Grants, support for town and parish councils, neighbourhood "
                    "planning, community managed libraries and volunteering.")
    b.service("council/communities-team/grants", team, name="SHIRE Community Grants", is_demo=False,
              description="Grants for charities, voluntary and community organisations and social enterprises for "
                          "services, projects and activities that improve the lives of vulnerable and disadvantaged "
                          "people.", url="https://www.leicestershirecommunities.org.uk/grants/",
              terms=["groups-support", "for:community-groups"], cost=Service.Cost.FREE,
              attending_type=Service.AttendingType.ONLINE, attending_access=Service.AttendingAccess.REFERRAL)
    lac = b.organization(
        "council/local-area-coordination", name="Local Area Coordination", kind=Kind.COUNCIL_SERVICE,
        is_council_run=True, is_demo=False,
        description="Local Area Coordinators help people find what their community offers and get the support "
                    "they want, working from bases such as community managed libraries.")
    b.service("council/local-area-coordination/coordinators", lac, name="Local Area Coordinators", is_demo=False,
              description="A Local Area Coordinator gets to know you and your community and helps you find and use "
                          "local support, without a referral or an assessment.",
              terms=["advice", "community-support", "for:adults", "for:isolated", "for:disabled-people"],
              cost=Service.Cost.FREE, attending_type=Service.AttendingType.MIXED,
              attending_access=Service.AttendingAccess.APPOINTMENT)
    context.note("Directory: 2 of the council's own services (their listings change only with an officer's approval).")


# --- managers, a waiting change and an error report; search text ---------------------------------

MANAGERS = [
    # username, first name, last name, [(organisation key, first edit approved)]
    ("community", "Cara", "Community", [("case/measham", True), ("case/desford", True)]),
    ("newmanager", "Nina", "Newmanager", [("case/well", False)]),
]


def managers_and_reports(context):
    officer = context.user("officer")
    for username, first, last, links in MANAGERS:
        user = community_user(context, username, first, last)
        for key, trusted in links:
            ensure(Manager, {"organization_id": uid("org", key), "user": user},
                   {"approved": True, "first_edit_approved": trusted, "added_by": officer},
                   create_only=("first_edit_approved",))
    asker = community_user(context, "asker", "Asa", "Asker")
    ensure(Manager, {"organization_id": uid("org", "case/mayflower"), "user": asker}, {"approved": False},
           create_only=("approved",))

    well_cafe = Service.objects.get(pk=uid("service", "case/well/cafe"))
    proposed = ("A café space where anyone can drop in for a drink, a chat and information about local support for "
                "health and wellbeing. Now with a weekly knit and natter group on Thursdays.")
    ensure(PendingEdit, {"organization_id": uid("org", "case/well"), "target_type": "service",
                         "target_id": well_cafe.pk, "proposed_by": context.user("newmanager")}, {
        "target_label": well_cafe.name, "action": PendingEdit.Action.UPDATE, "changes": {"description": proposed},
        "original": {"description": well_cafe.description}, "reason": PendingEdit.Reason.NEW_MANAGER,
    }, create_only=("target_label", "action", "changes", "original", "reason"))
    hall = Organization.objects.get(pk=uid("org", "hall/foxton"))
    ensure(ErrorReport, {"organization": hall, "target_type": "organization", "target_id": hall.pk,
                         "page": hall.get_absolute_url()}, {
        "page_title": hall.name, "message": "The bookings telephone number on this page has changed.",
    }, create_only=("page_title", "message"))
    context.note(f"Directory: {Organization.objects.count()} organisations, {Service.objects.count()} services, "
                 f"{Location.objects.count()} places. Community sign-ins: community (manages Measham Community and "
                 f"Recreation Centre and Desford Good Neighbour Scheme), newmanager (a new manager of The Well), "
                 f"asker (has asked to manage The Mayflower Project).")


def community_user(context, username, first, last):
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username)
        user.set_password(context.password)
    wanted = {"first_name": first, "last_name": last, "email": f"{username}@example.org",
              "role": User.Role.COMMUNITY, "is_staff": False, "is_superuser": False, "is_active": True}
    changed = [name for name, value in wanted.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, wanted[name])
    if user.pk is None or changed:
        user.save()
    return user


@register
def directory(context):
    """The directory's demo data, in order: taxonomy, councils, libraries, halls, plans, groups, case studies."""
    taxonomy(context)
    councils(context)
    libraries(context)
    halls(context)
    neighbourhood_plans(context)
    voluntary_organisations(context)
    case_studies(context)
    council_services(context)
    managers_and_reports(context)
