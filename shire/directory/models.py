"""The community directory: organisations, the places they use and the services they run.

The tables follow the Human Services Data Specification (HSDS) 3.0, as profiled by Open Referral
UK 3.0, so that the API and the HSDS tabular files map one to one:

    HSDS table               model                      notes
    organization             Organization               + kind, district, parish, managers (Shire's own)
    organization_identifier  OrganizationIdentifier     charity and company numbers
    service                  Service                    last_checked_on is HSDS `assured_date`
    location                 Location                   one physical address kept on the location
    address                  Location.address_*         `address_id` is the address row's stable id
    accessibility            Accessibility              `feature` is Shire's code for filtering
    service_at_location      ServiceAtLocation
    contact / phone          Contact / Phone            `private` rows never leave the staff pages
    schedule                 Schedule
    cost_option              CostOption                 amounts in pence (HSDS `amount` is pounds)
    service_area / language  ServiceArea / Language
    funding                  Funding
    taxonomy / taxonomy_term Taxonomy / TaxonomyTerm
    attribute                ServiceAttribute           links services to taxonomy terms

Every HSDS record has a UUID primary key, as HSDS requires. Shire's own records (managers,
pending edits, the change history, error reports) use ordinary integer keys.

Personal data: contact names, e-mail addresses and phone numbers marked `private`, and the
e-mail address on an error report. Each model with personal data lists it in PERSONAL_FIELDS.
"""
import unicodedata
import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

# A listing is flagged when nobody has checked it for this long.
STALE_AFTER = timedelta(days=365)

# The taxonomies Shire's search reads, by slug.
CATEGORIES_TAXONOMY = "categories"
AUDIENCES_TAXONOMY = "who-it-is-for"


def stale_cutoff(today=None):
    """Listings last checked before this date are stale."""
    return (today or timezone.localdate()) - STALE_AFTER


class PublicQuerySet(models.QuerySet):
    def public(self):
        """Only the rows that may appear on public pages and in the API."""
        return self.filter(private=False)


# --- organisations ------------------------------------------------------------------------------


class Organization(models.Model):
    """An organisation that runs services: a council, a charity, a group, a social enterprise."""

    class Kind(models.TextChoices):
        TOWN_COUNCIL = "town_council", "Town council"
        PARISH_COUNCIL = "parish_council", "Parish council"
        PARISH_MEETING = "parish_meeting", "Parish meeting"
        VOLUNTARY_ORGANISATION = "voluntary_organisation", "Voluntary organisation"
        COMMUNITY_GROUP = "community_group", "Community group"
        SOCIAL_ENTERPRISE = "social_enterprise", "Social enterprise"
        FAITH_GROUP = "faith_group", "Faith group"
        COMMUNITY_BUILDING = "community_building", "Community building or hub"
        COMMUNITY_MANAGED_LIBRARY = "community_managed_library", "Community managed library"
        NEIGHBOURHOOD_PLANNING_GROUP = "neighbourhood_planning_group", "Neighbourhood planning group"
        COUNCIL_SERVICE = "council_service", "Council service"

    COUNCIL_KINDS = (Kind.TOWN_COUNCIL, Kind.PARISH_COUNCIL, Kind.PARISH_MEETING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    alternate_name = models.CharField(max_length=200, blank=True)
    description = models.TextField()
    email = models.EmailField("public e-mail address", blank=True)
    website = models.URLField(blank=True)
    kind = models.CharField(max_length=40, choices=Kind.choices)
    legal_status = models.CharField(max_length=120, blank=True, help_text="e.g. Charitable incorporated organisation")
    year_incorporated = models.PositiveSmallIntegerField(null=True, blank=True)
    logo = models.URLField(blank=True)
    uri = models.URLField(blank=True, help_text="a persistent identifier for the organisation, if it has one")
    parent_organization = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="child_organizations"
    )
    district = models.ForeignKey(
        "core.District", null=True, blank=True, on_delete=models.PROTECT, related_name="directory_organizations",
        help_text="empty for organisations working across the county",
    )
    parish = models.ForeignKey(
        "core.Parish", null=True, blank=True, on_delete=models.PROTECT, related_name="directory_organizations"
    )
    # Council-run listings (the county council's own services, libraries it still runs) change only
    # with an officer's approval, whoever edits them.
    is_council_run = models.BooleanField(default=False)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Manager", through_fields=("organization", "user"),
        related_name="managed_organizations", blank=True,
    )
    last_checked_on = models.DateField(null=True, blank=True, help_text="when someone last confirmed the listing")
    stale_reminder_sent_on = models.DateField(null=True, blank=True)
    is_demo = models.BooleanField(default=False, help_text="invented for the demo data set")
    # Lower-cased name, other name and description, for word search on any database.
    search_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["kind", "name"]),
            models.Index(fields=["last_checked_on"]),
            # A word search lists the first few organisations with the words by name: read in this
            # order, it stops at the sixth, where the trigram index found them all to sort them.
            models.Index(fields=["name", "id"], name="directory_organization_named"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("directory:organization", args=[self.pk])

    def save(self, *args, **kwargs):
        self.search_text = search_text_of(self.name, self.alternate_name, self.description)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @property
    def is_council(self):
        return self.kind in self.COUNCIL_KINDS

    def is_stale(self, today=None):
        return self.last_checked_on is None or self.last_checked_on < stale_cutoff(today)


class OrganizationIdentifier(models.Model):
    """A registered number: charity (GB-CHC), company (GB-COH), or another scheme."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="identifiers")
    identifier_scheme = models.CharField(max_length=40, blank=True, help_text="org-id.guide scheme, e.g. GB-CHC")
    identifier_type = models.CharField(max_length=80, help_text="e.g. Charity number")
    identifier = models.CharField(max_length=80)

    class Meta:
        ordering = ["identifier_type", "identifier"]

    def __str__(self):
        return f"{self.identifier_type} {self.identifier}"


class Manager(models.Model):
    """A community member who keeps an organisation's listing up to date.

    `approved`: an officer has confirmed the person speaks for the organisation; only approved
    managers can edit. `first_edit_approved`: false for a new manager, whose edits wait for an
    officer's approval until an officer approves one of them.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="manager_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="directory_manager_links")
    approved = models.BooleanField(default=False)
    first_edit_approved = models.BooleanField(default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="unique_manager")]

    def __str__(self):
        return f"{self.user} manages {self.organization}"


# --- taxonomy -----------------------------------------------------------------------------------


class Taxonomy(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField()
    uri = models.URLField(blank=True)
    version = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "taxonomies"

    def __str__(self):
        return self.name


class TaxonomyTerm(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.CASCADE, related_name="terms")
    code = models.SlugField(max_length=80, help_text="short, URL-safe, unique in its taxonomy")
    name = models.CharField(max_length=200)
    description = models.TextField()
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    term_uri = models.URLField(blank=True)
    language = models.CharField(max_length=12, blank=True, default="en")

    class Meta:
        ordering = ["taxonomy__name", "name"]
        constraints = [models.UniqueConstraint(fields=["taxonomy", "code"], name="unique_term_code")]

    def __str__(self):
        return self.name


# --- places -------------------------------------------------------------------------------------


class Location(models.Model):
    """A place where services are offered (a hall, a library), or a virtual or postal location."""

    class LocationType(models.TextChoices):
        PHYSICAL = "physical", "Physical"
        VIRTUAL = "virtual", "Online"
        POSTAL = "postal", "Postal"

    class Kind(models.TextChoices):
        VILLAGE_HALL = "village_hall", "Village hall"
        COMMUNITY_CENTRE = "community_centre", "Community centre"
        COMMUNITY_HUB = "community_hub", "Community hub"
        LIBRARY = "library", "Library"
        PLACE_OF_WORSHIP = "place_of_worship", "Place of worship"
        SPORTS_VENUE = "sports_venue", "Sports ground or leisure centre"
        SCHOOL = "school", "School"
        COUNCIL_OFFICE = "council_office", "Council office"
        OUTDOOR = "outdoor", "Outdoor space"
        OFFICE = "office", "Office"
        OTHER = "other", "Other"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="locations"
    )
    location_type = models.CharField(max_length=10, choices=LocationType.choices, default=LocationType.PHYSICAL)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.OTHER)
    url = models.URLField(blank=True, help_text="for an online location")
    name = models.CharField(max_length=200)
    alternate_name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    transportation = models.TextField("getting there", blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    external_identifier = models.CharField(max_length=80, blank=True, help_text="e.g. the UPRN")
    external_identifier_type = models.CharField(max_length=40, blank=True)
    # HSDS keeps addresses in their own table; Shire keeps one physical address on the location,
    # with a stable id for the address row that the API and the tabular export give.
    address_id = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    address_1 = models.CharField("address line 1", max_length=200, blank=True)
    address_2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField("town or city", max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    state_province = models.CharField("county", max_length=100, blank=True, default="Leicestershire")
    postal_code = models.CharField("postcode", max_length=10, blank=True)
    country = models.CharField(max_length=2, default="GB", help_text="ISO 3166-1 alpha-2")
    district = models.ForeignKey(
        "core.District", null=True, blank=True, on_delete=models.PROTECT, related_name="directory_locations"
    )
    parish = models.ForeignKey(
        "core.Parish", null=True, blank=True, on_delete=models.PROTECT, related_name="directory_locations"
    )
    last_checked_on = models.DateField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("directory:location", args=[self.pk])

    @property
    def has_address(self):
        return bool(self.address_1 and self.city and self.postal_code)

    @property
    def address_lines(self):
        parts = [self.address_1, self.address_2, self.city, self.postal_code]
        return [part for part in parts if part]


class Accessibility(models.Model):
    """One accessibility feature of a location (HSDS `accessibility`)."""

    class Feature(models.TextChoices):
        STEP_FREE = "step_free", "Step-free access"
        ACCESSIBLE_TOILET = "accessible_toilet", "Accessible toilet"
        HEARING_LOOP = "hearing_loop", "Hearing loop"
        ACCESSIBLE_PARKING = "accessible_parking", "Accessible parking"
        CHANGING_PLACES = "changing_places", "Changing Places toilet"
        BABY_CHANGING = "baby_changing", "Baby changing"
        LARGE_PRINT = "large_print", "Large print and audio materials"
        OTHER = "other", "Other"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="accessibility")
    feature = models.CharField(max_length=30, choices=Feature.choices)
    description = models.TextField(blank=True)
    details = models.TextField(blank=True)
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["feature"]
        verbose_name_plural = "accessibility"
        constraints = [models.UniqueConstraint(fields=["location", "feature"], name="unique_location_feature")]

    def __str__(self):
        return self.get_feature_display()


# --- services -----------------------------------------------------------------------------------


class Service(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        DEFUNCT = "defunct", "Closed for good"
        TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"

    class Cost(models.TextChoices):
        FREE = "free", "Free"
        PAID = "paid", "There is a charge"
        UNKNOWN = "", "Not known"

    class AttendingType(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"
        PHONE = "phone", "By telephone"
        MIXED = "mixed", "In person, online or by telephone"

    class AttendingAccess(models.TextChoices):
        DROP_IN = "drop_in", "Drop in"
        APPOINTMENT = "appointment", "By appointment"
        REFERRAL = "referral", "By referral"
        MEMBERSHIP = "membership", "Members only"
        BOOKING = "booking", "Book a place"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(max_length=200)
    alternate_name = models.CharField(max_length=200, blank=True)
    description = models.TextField()
    url = models.URLField("web page", blank=True)
    email = models.EmailField("public e-mail address", blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    cost = models.CharField(max_length=4, choices=Cost.choices, default=Cost.UNKNOWN, blank=True)
    fees_description = models.TextField("about the cost", blank=True)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    eligibility_description = models.TextField("who it is for", blank=True)
    application_process = models.TextField("how to join or apply", blank=True)
    interpretation_services = models.TextField(blank=True)
    accessibility = models.TextField("accessibility", blank=True, help_text="how the service meets disabled people's needs")
    attending_type = models.CharField(max_length=12, choices=AttendingType.choices, default=AttendingType.IN_PERSON)
    attending_access = models.CharField(max_length=12, choices=AttendingAccess.choices, default=AttendingAccess.DROP_IN)
    wait_time = models.CharField(max_length=200, blank=True)
    accreditations = models.TextField(blank=True)
    alert = models.TextField(blank=True, help_text="a short notice shown at the top of the page")
    taxonomy_terms = models.ManyToManyField(TaxonomyTerm, through="ServiceAttribute", related_name="services", blank=True)
    last_checked_on = models.DateField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)
    # Lower-cased service name and description with its organisation's names and its terms, kept up
    # to date by services.refresh_search_text: word search reads one column of one table.
    search_text = models.TextField(blank=True, editable=False)
    # The name alone, folded as search_text is: a word search puts the services with its first word
    # in their own name first by this, where UPPER(name) LIKE made PostgreSQL fold every match's name.
    name_key = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["status", "name"]),
            # The search with no words lists every listed service by name: a page is read from
            # this index in order, where the table would be sorted whole for each page.
            models.Index(fields=["name", "id"], name="directory_service_listed",
                         condition=models.Q(status__in=["active", "temporarily closed"])),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("directory:service", args=[self.pk])

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        self.name_key = search_text_of(self.name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text", "name_key"}
        super().save(*args, **kwargs)

    def build_search_text(self, terms=None, towns=None):
        """The service's words with its organisation's names, its terms and the towns it is offered in.

        `terms` and `towns` (lists of names) save the queries when the caller has them already.
        """
        organization = self.organization
        if not self._state.adding:
            if terms is None:
                terms = list(self.taxonomy_terms.values_list("name", flat=True))
            if towns is None:
                towns = list(Location.objects.filter(service_at_locations__service=self)
                             .values_list("city", flat=True).distinct())
        return search_text_of(self.name, self.alternate_name, self.description, organization.name,
                              organization.alternate_name, *sorted(terms or []), *sorted(set(towns or [])))

    @property
    def is_free(self):
        return self.cost == self.Cost.FREE

    def ages_label(self):
        low, high = self.minimum_age, self.maximum_age
        if low is None and high is None:
            return ""
        if low is not None and high is not None:
            return f"Ages {low} to {high}"
        if low is not None:
            return f"Ages {low} and over"
        return f"Ages up to {high}"


class ServiceAttribute(models.Model):
    """Links a service to a taxonomy term (HSDS `attribute` with link_entity "service")."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="attributes")
    taxonomy_term = models.ForeignKey(TaxonomyTerm, on_delete=models.CASCADE, related_name="service_attributes")
    value = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "taxonomy_term"], name="unique_service_term")]

    link_type = "service"
    link_entity = "service"


class ServiceAtLocation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="service_at_locations")
    description = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "location"], name="unique_service_at_location")]

    def __str__(self):
        return f"{self.service} at {self.location}"


class ServiceListRow(models.Model):
    """What the directory's lists show of a service, made when it (or its organisation or places)
    changes, by list_rows.refresh: a page of a list joins these rather than making each row. A table
    of its own, so that searches reading the services' rows do not read these too."""

    service = models.OneToOneField(Service, primary_key=True, on_delete=models.CASCADE, related_name="list_row")
    # As the API's list of services gives it (api_data.service_json), as JSON text.
    json = models.TextField()
    # Its item in the search results (an <li>) and its point on the results map, escaped HTML
    # (search_html.result_rows).
    result_html = models.TextField()
    map_point = models.TextField(blank=True)


class ServiceAtLocationListRow(models.Model):
    """A service at a location as the API's list of them gives it, as JSON text (see ServiceListRow)."""

    service_at_location = models.OneToOneField(ServiceAtLocation, primary_key=True, on_delete=models.CASCADE,
                                               related_name="list_row")
    json = models.TextField()


class CostOption(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    option = models.CharField(max_length=200, help_text="e.g. Per session")
    amount_pence = models.PositiveIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, default="GBP")
    amount_description = models.CharField(max_length=200, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["amount_pence", "option"]

    def __str__(self):
        return self.option

    @property
    def amount(self):
        """In pounds, as HSDS gives it."""
        return None if self.amount_pence is None else Decimal(self.amount_pence) / 100


class ServiceArea(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    extent = models.TextField(blank=True)
    extent_type = models.CharField(max_length=40, blank=True)
    uri = models.URLField(blank=True, help_text="e.g. the ONS code's page for a district")

    def __str__(self):
        return self.name


class Language(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.CASCADE, related_name="languages")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.CASCADE, related_name="languages")
    name = models.CharField(max_length=80)
    code = models.CharField(max_length=12, blank=True, help_text="ISO 639")
    note = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return self.name


class Funding(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="funding"
    )
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.CASCADE, related_name="funding")
    source = models.CharField(max_length=200)

    def __str__(self):
        return self.source


# --- contacts and opening times -----------------------------------------------------------------


class Contact(models.Model):
    """A named contact. `private` contacts are for officers only: never on pages or in the API."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts")
    service_at_location = models.ForeignKey(
        ServiceAtLocation, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(max_length=120, blank=True, help_text="a role, such as 'Clerk', rather than a person where you can")
    title = models.CharField(max_length=120, blank=True)
    department = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True)
    private = models.BooleanField(default=False, help_text="for the council only: never shown on the page or in open data")

    objects = PublicQuerySet.as_manager()

    PERSONAL_FIELDS = ("name", "email")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name or self.title or "Contact"


class Phone(models.Model):
    class Type(models.TextChoices):
        VOICE = "voice", "Telephone"
        TEXT = "text", "Text message"
        TEXTPHONE = "textphone", "Textphone"
        CELL = "cell", "Mobile"
        VIDEO = "video", "Video call"
        FAX = "fax", "Fax"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="phones")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.CASCADE, related_name="phones")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.CASCADE, related_name="phones")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="phones")
    service_at_location = models.ForeignKey(
        ServiceAtLocation, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    number = models.CharField(max_length=40)
    extension = models.PositiveIntegerField(null=True, blank=True)
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.VOICE)
    description = models.CharField(max_length=200, blank=True)
    private = models.BooleanField(default=False, help_text="for the council only: never shown on the page or in open data")

    objects = PublicQuerySet.as_manager()

    PERSONAL_FIELDS = ("number",)

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return self.number


class Schedule(models.Model):
    """Opening times or a session, in HSDS's iCalendar-like terms (freq, byday, opens_at...)."""

    class Freq(models.TextChoices):
        WEEKLY = "WEEKLY", "Weekly"
        MONTHLY = "MONTHLY", "Monthly"

    DAYS = [("MO", "Monday"), ("TU", "Tuesday"), ("WE", "Wednesday"), ("TH", "Thursday"),
            ("FR", "Friday"), ("SA", "Saturday"), ("SU", "Sunday")]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules")
    service_at_location = models.ForeignKey(
        ServiceAtLocation, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    dtstart = models.DateField(null=True, blank=True, help_text="the first occurrence")
    until = models.DateField(null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    wkst = models.CharField(max_length=2, blank=True, choices=DAYS)
    freq = models.CharField(max_length=7, choices=Freq.choices, blank=True)
    interval = models.PositiveSmallIntegerField(null=True, blank=True)
    byday = models.CharField(max_length=40, blank=True, help_text="e.g. MO,WE or 2TU (the second Tuesday)")
    bymonthday = models.CharField(max_length=40, blank=True)
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    description = models.TextField(blank=True)
    schedule_link = models.URLField(blank=True)
    attending_type = models.CharField(max_length=40, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["byday", "opens_at"]

    def __str__(self):
        return self.description or self.byday or "Schedule"


# --- neighbourhood planning ---------------------------------------------------------------------


class NeighbourhoodPlan(models.Model):
    """A neighbourhood plan, prepared by a neighbourhood planning group (usually its parish council)."""

    class Stage(models.TextChoices):
        DESIGNATED = "designated", "Area designated"
        DRAFT = "draft", "Draft plan"
        EXAMINATION = "examination", "Examination"
        REFERENDUM = "referendum", "Referendum"
        MADE = "made", "Made (adopted)"

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="neighbourhood_plan")
    area_name = models.CharField(max_length=200)
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.DESIGNATED)
    designated_on = models.DateField("area designated on", null=True, blank=True)
    draft_published_on = models.DateField(null=True, blank=True)
    examination_on = models.DateField(null=True, blank=True)
    referendum_on = models.DateField(null=True, blank=True)
    made_on = models.DateField("made (adopted) on", null=True, blank=True)
    members_count = models.PositiveSmallIntegerField(
        default=0, help_text="the group's members in the county's neighbourhood planning network"
    )
    plan_url = models.URLField(blank=True)

    class Meta:
        ordering = ["area_name"]

    def __str__(self):
        return f"{self.area_name} neighbourhood plan"


# --- editing, history and reports ---------------------------------------------------------------


class PendingEdit(models.Model):
    """A change a manager proposed that waits for an officer (a new manager's, or to a council-run listing).

    `changes` maps field names to their proposed values in JSON form ({"name": "New name"}); for a
    new record `target_id` is empty until it is approved. `original` keeps the values the manager
    saw, so the officer sees what would change.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    class Action(models.TextChoices):
        CREATE = "create", "Add"
        UPDATE = "update", "Change"
        DELETE = "delete", "Remove"

    class Reason(models.TextChoices):
        NEW_MANAGER = "new_manager", "A new manager's first edit"
        COUNCIL_RUN = "council_run", "A council-run listing"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="pending_edits")
    target_type = models.CharField(max_length=40, help_text="model name, e.g. service")
    target_id = models.UUIDField(null=True, blank=True)
    target_label = models.CharField(max_length=200)
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.UPDATE)
    changes = models.JSONField(default=dict)
    original = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["proposed_at", "id"]
        indexes = [models.Index(fields=["status", "proposed_at"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.target_type} {self.target_label}"


class ChangeRecord(models.Model):
    """One change that was applied to the directory: the page history managers and officers read.

    `changes` maps field names to {"old": ..., "new": ...} in JSON form.
    """

    class Action(models.TextChoices):
        CREATE = "create", "Added"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Removed"
        CHECKED = "checked", "Checked and confirmed"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="change_records")
    target_type = models.CharField(max_length=40)
    target_id = models.UUIDField(null=True, blank=True)
    target_label = models.CharField(max_length=200)
    action = models.CharField(max_length=10, choices=Action.choices)
    changes = models.JSONField(default=dict, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pending_edit = models.ForeignKey(PendingEdit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.get_action_display()} {self.target_type} {self.target_label}"


class ErrorReport(models.Model):
    """Someone told us a page is wrong. The reporter's e-mail address is personal data."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        RESOLVED = "resolved", "Resolved"
        DISMISSED = "dismissed", "Dismissed"

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="error_reports"
    )
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.UUIDField(null=True, blank=True)
    page = models.CharField(max_length=300, help_text="the page's path")
    page_title = models.CharField(max_length=200, blank=True)
    message = models.TextField()
    reporter_email = models.EmailField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    PERSONAL_FIELDS = ("reporter_email",)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Report on {self.page}"


def search_text_of(*parts):
    """`parts` in one lower-cased (casefolded, NFKC) line, for a case-insensitive `contains` on any database.

    Search casefolds what people type the same way, so case and compatibility forms match in
    every script, on SQLite (whose LIKE folds ASCII only) as on PostgreSQL.
    """
    text = " ".join(" ".join(str(part).split()) for part in parts if part)
    return unicodedata.normalize("NFKC", text).casefold()
