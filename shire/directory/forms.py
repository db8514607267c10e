"""The directory's forms: the public search and error report, the managers' edit forms, the officers' forms.

Edit forms never save: views hand their cleaned data to services.propose, which applies the change
or keeps it for an officer. Every form gives `error_links` for the GOV.UK error summary.
"""
import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.choices import BaseChoiceIterator

from shire.core.models import District, Parish, User

from . import services
from .models import (
    AUDIENCES_TAXONOMY,
    CATEGORIES_TAXONOMY,
    Accessibility,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    TaxonomyTerm,
)


def clean_text(value):
    """Drop NUL and other control characters (except new lines and tabs) that databases and pages refuse."""
    return "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs"))


class TextField(forms.CharField):
    """A CharField that quietly drops control characters instead of refusing them."""

    def to_python(self, value):
        if isinstance(value, str):
            value = clean_text(value)
        return super().to_python(value)


class GovukForm(forms.Form):
    """Error links for the GOV.UK error summary, in the order of the fields."""

    @property
    def error_links(self):
        links = [(error, "") for error in self.non_field_errors()]
        for bound in self:
            for error in bound.errors:
                links.append((error, f"#{first_input_id(bound)}"))
        return links


def first_input_id(bound):
    if bound.widget_type in ("radioselect", "checkboxselectmultiple"):
        return f"{bound.auto_id}_0" if bound.field.choices else bound.auto_id
    return bound.auto_id


# --- public -------------------------------------------------------------------------------------


class SearchForm(GovukForm):
    """The public search. Every field is optional; a bad value is reported and left out of the search."""

    q = TextField(label="Search words", required=False, strip=True)
    category = forms.ChoiceField(label="Category", required=False)
    need = forms.ChoiceField(label="Who it is for", required=False)
    age = forms.IntegerField(label="Age of the person it is for", required=False, min_value=0, max_value=120,
                             widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
                             error_messages={"invalid": "Enter an age in years, like 8 or 67",
                                             "min_value": "Enter an age of 0 or more",
                                             "max_value": "Enter an age of 120 or less"})
    district = forms.ChoiceField(label="District", required=False)
    parish = forms.ChoiceField(label="Town or parish", required=False)
    free = forms.BooleanField(label="Free of charge only", required=False)
    access = forms.MultipleChoiceField(label="Accessibility", required=False,
                                       choices=[c for c in Accessibility.Feature.choices if c[0] != "other"],
                                       widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, options=None, **kwargs):
        super().__init__(*args, **kwargs)
        options = options or services.search_options()
        if "form" not in options:
            options["form"] = _search_choices(options)
        kept = options["form"]
        self.terms, self.need_terms = kept["terms"], kept["need_terms"]
        self.districts, self.parishes = kept["districts"], kept["parishes"]
        for name in ("category", "need", "district", "parish"):
            self.fields[name].choices = kept[name]
        for name in ("category", "need", "district", "parish", "access"):
            self.fields[name].error_messages["invalid_choice"] = "Choose from the list"

    def search(self):
        """The Search the valid fields ask for (invalid fields are left out)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return services.Search(
            words=services.search_words(data.get("q") or ""),
            category=self.terms.get(data.get("category") or ""),
            need=self.need_terms.get(data.get("need") or ""),
            district=self.districts.get(data.get("district") or ""),
            parish=self.parishes.get(data.get("parish") or ""),
            age=data.get("age"),
            free_only=bool(data.get("free")),
            access=list(data.get("access") or []),
        )

    @property
    def truncated(self):
        return len((self.data.get("q") or "")) > services.MAX_QUERY_CHARACTERS


class KeptChoices(BaseChoiceIterator):
    """Choices made once for a directory version and shared by every search form of that version.

    Django leaves a BaseChoiceIterator as it is when a field is given it, where a list (210 parishes)
    would be gone through again on every request; the select_options tag keeps the options' HTML here.
    """

    def __init__(self, choices):
        self.choices = choices
        self.options_html = None

    def __iter__(self):
        return iter(self.choices)


def _search_choices(options):
    """The search form's lookups and choices from services.search_options' records."""
    terms = {term.code: term for term in options["categories"]}
    need_terms = {term.code: term for term in options["needs"]}
    districts = {district.slug: district for district in options["districts"]}
    # Grouped by district: a long list reads better in sections.
    groups = {}
    for parish in options["parishes"]:
        groups.setdefault(parish.district.name, []).append((parish.slug, parish.name))
    return {
        "terms": terms, "need_terms": need_terms, "districts": districts,
        "parishes": {parish.slug: parish for parish in options["parishes"]},
        "category": KeptChoices([("", "Any category")] + [(code, term.name) for code, term in terms.items()]),
        "need": KeptChoices([("", "Anyone")] + [(code, term.name) for code, term in need_terms.items()]),
        "district": KeptChoices([("", "Anywhere in Leicestershire")] + [
            (slug, district.name) for slug, district in districts.items()]),
        "parish": KeptChoices([("", "Any town or parish")] + list(groups.items())),
    }


class ErrorReportForm(GovukForm):
    message = TextField(label="What is wrong on this page?", max_length=2000, widget=forms.Textarea,
                        help_text="Tell us what is out of date or wrong, and what it should say if you know. "
                                  "Do not include personal or financial information.",
                        error_messages={"required": "Enter what is wrong on the page",
                                        "max_length": "What is wrong must be 2,000 characters or fewer"})
    email = forms.EmailField(label="Your e-mail address (optional)", required=False,
                             help_text="Only if you would like us to reply. We will not show it to anyone else.",
                             error_messages={"invalid": "Enter an e-mail address in the correct format, like name@example.com"})


# --- managers' edit forms -----------------------------------------------------------------------


class EditForm(GovukForm):
    """Base for the edit forms: `fields_for_change` are the names services.EDITABLE lists."""

    target_type = None

    def __init__(self, *args, organization=None, user=None, **kwargs):
        self.organization, self.user = organization, user
        super().__init__(*args, **kwargs)

    def change_values(self):
        names = services.EDITABLE[self.target_type][1]
        if self.target_type == "organization" and self.user is not None and self.user.is_officer:
            names = names + services.OFFICER_ORGANIZATION_FIELDS
        return services.values_from_form(self.cleaned_data, self.target_type, names)

    @classmethod
    def initial_from(cls, obj):
        names = services.EDITABLE[cls.target_type][1]
        if cls.target_type == "organization":
            names = names + services.OFFICER_ORGANIZATION_FIELDS
        return services.current_values(obj, cls.target_type, names)


class OrganizationForm(EditForm):
    target_type = "organization"
    name = TextField(label="Name", max_length=200, error_messages={"required": "Enter the organisation's name"})
    alternate_name = TextField(label="Other name (optional)", max_length=200, required=False,
                               help_text="Another name people know it by, or its initials.")
    description = TextField(label="What the organisation does", widget=forms.Textarea,
                            error_messages={"required": "Enter what the organisation does"})
    email = forms.EmailField(label="Public e-mail address (optional)", required=False,
                             help_text="Shown on the page. Use a shared address, not a person's own.",
                             error_messages={"invalid": "Enter an e-mail address in the correct format, like name@example.com"})
    website = forms.URLField(label="Website (optional)", required=False, assume_scheme="https",
                             error_messages={"invalid": "Enter a web address, like https://www.example.org.uk"})
    legal_status = TextField(label="Legal status (optional)", max_length=120, required=False,
                             help_text="For example, charitable incorporated organisation or unincorporated association.")
    year_incorporated = forms.IntegerField(label="Year it was set up (optional)", required=False, min_value=1000,
                                           max_value=2100,
                                           error_messages={"invalid": "Enter a year, like 1998",
                                                           "min_value": "Enter a year, like 1998",
                                                           "max_value": "Enter a year, like 1998"})
    # Officers only (removed for managers in __init__).
    kind = forms.ChoiceField(label="Kind of organisation", choices=Organization.Kind.choices)
    district = forms.ModelChoiceField(label="District (optional)", queryset=District.objects.all(), required=False,
                                      empty_label="Across the county")
    parish = forms.ModelChoiceField(label="Town or parish (optional)", queryset=Parish.objects.all(), required=False,
                                    empty_label="None")
    is_council_run = forms.BooleanField(label="Run by the council: every change by a manager waits for an officer",
                                        required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not (self.user and self.user.is_officer):
            for name in services.OFFICER_ORGANIZATION_FIELDS:
                del self.fields[name]


POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


class ServiceForm(EditForm):
    target_type = "service"
    name = TextField(label="Name of the service or activity", max_length=200,
                     error_messages={"required": "Enter the name of the service"})
    description = TextField(label="What it offers", widget=forms.Textarea,
                            error_messages={"required": "Enter what the service offers"})
    status = forms.ChoiceField(label="Is it running?", choices=Service.Status.choices, widget=forms.RadioSelect,
                               initial=Service.Status.ACTIVE)
    alert = TextField(label="Notice (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                      help_text="A short notice shown at the top of the page, such as “No session on 26 December”.")
    categories = forms.ModelMultipleChoiceField(label="Categories", queryset=TaxonomyTerm.objects.none(),
                                                required=False, widget=forms.CheckboxSelectMultiple)
    needs = forms.ModelMultipleChoiceField(label="Who it is for", queryset=TaxonomyTerm.objects.none(),
                                           required=False, widget=forms.CheckboxSelectMultiple)
    minimum_age = forms.IntegerField(label="Youngest age (optional)", required=False, min_value=0, max_value=120,
                                     widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
                                     error_messages={"invalid": "Enter the youngest age in years, like 50"})
    maximum_age = forms.IntegerField(label="Oldest age (optional)", required=False, min_value=0, max_value=120,
                                     widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
                                     error_messages={"invalid": "Enter the oldest age in years, like 18"})
    eligibility_description = TextField(label="Who can come (optional)", required=False,
                                        widget=forms.Textarea(attrs={"rows": 3}))
    cost = forms.ChoiceField(label="Does it cost anything?", choices=[
        (Service.Cost.FREE, "It is free"), (Service.Cost.PAID, "There is a charge"), ("", "Not known")],
        widget=forms.RadioSelect, required=False)
    fees_description = TextField(label="About the cost (optional)", required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}), help_text="For example, £2 a session, tea included.")
    attending_access = forms.ChoiceField(label="How to join", choices=Service.AttendingAccess.choices,
                                         widget=forms.RadioSelect, initial=Service.AttendingAccess.DROP_IN)
    attending_type = forms.ChoiceField(label="How it is offered", choices=Service.AttendingType.choices,
                                       widget=forms.RadioSelect, initial=Service.AttendingType.IN_PERSON)
    application_process = TextField(label="How to join or apply (optional)", required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    accessibility = TextField(label="Accessibility (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="How the service meets the needs of disabled people.")
    locations = forms.ModelMultipleChoiceField(label="Where it is offered", queryset=Location.objects.none(),
                                               required=False, widget=forms.CheckboxSelectMultiple)
    url = forms.URLField(label="Web page (optional)", required=False, assume_scheme="https",
                         error_messages={"invalid": "Enter a web address, like https://www.example.org.uk"})
    email = forms.EmailField(label="Public e-mail address (optional)", required=False,
                             error_messages={"invalid": "Enter an e-mail address in the correct format, like name@example.com"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = TaxonomyTerm.objects.filter(taxonomy__slug=CATEGORIES_TAXONOMY).order_by("name")
        self.fields["needs"].queryset = TaxonomyTerm.objects.filter(taxonomy__slug=AUDIENCES_TAXONOMY).order_by("name")
        self.fields["locations"].queryset = Location.objects.filter(organization=self.organization).order_by("name")

    def clean(self):
        data = super().clean()
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if low is not None and high is not None and low > high:
            self.add_error("maximum_age", "The oldest age must be the same as or more than the youngest age")
        data["taxonomy_terms"] = list(data.get("categories") or []) + list(data.get("needs") or [])
        return data

    @classmethod
    def initial_from(cls, obj):
        values = super().initial_from(obj)
        terms = TaxonomyTerm.objects.filter(pk__in=values.pop("taxonomy_terms")).select_related("taxonomy")
        values["categories"] = [t.pk for t in terms if t.taxonomy.slug == CATEGORIES_TAXONOMY]
        values["needs"] = [t.pk for t in terms if t.taxonomy.slug == AUDIENCES_TAXONOMY]
        return values


class LocationForm(EditForm):
    target_type = "location"
    name = TextField(label="Name of the place", max_length=200, error_messages={"required": "Enter the name of the place"})
    kind = forms.ChoiceField(label="What kind of place is it?", choices=Location.Kind.choices)
    location_type = forms.ChoiceField(label="Is it a building people visit?", choices=[
        (Location.LocationType.PHYSICAL, "Yes, a place people visit"),
        (Location.LocationType.VIRTUAL, "No, it is online"),
        (Location.LocationType.POSTAL, "No, it is a postal address")],
        widget=forms.RadioSelect, initial=Location.LocationType.PHYSICAL)
    description = TextField(label="About the place (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    address_1 = TextField(label="Address line 1", max_length=200, required=False)
    address_2 = TextField(label="Address line 2 (optional)", max_length=200, required=False)
    city = TextField(label="Town or village", max_length=100, required=False)
    postal_code = TextField(label="Postcode", max_length=10, required=False,
                            widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "off"}))
    district = forms.ModelChoiceField(label="District", queryset=District.objects.all(), required=False,
                                      empty_label="Choose a district")
    parish = forms.ModelChoiceField(label="Town or parish (optional)", queryset=Parish.objects.all(), required=False,
                                    empty_label="None")
    transportation = TextField(label="Getting there (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                               help_text="Buses, parking, the nearest station.")
    features = forms.MultipleChoiceField(label="Accessibility", required=False, widget=forms.CheckboxSelectMultiple,
                                         choices=Accessibility.Feature.choices)
    latitude = forms.DecimalField(label="Latitude (optional)", required=False, max_digits=9, decimal_places=6,
                                  min_value=49, max_value=61, help_text="For the map, like 52.6369.",
                                  error_messages={"invalid": "Enter a latitude in degrees, like 52.6369"})
    longitude = forms.DecimalField(label="Longitude (optional)", required=False, max_digits=9, decimal_places=6,
                                   min_value=-9, max_value=2, help_text="For the map, like -1.1398.",
                                   error_messages={"invalid": "Enter a longitude in degrees, like -1.1398"})
    url = forms.URLField(label="Web address (for an online place)", required=False, assume_scheme="https",
                         error_messages={"invalid": "Enter a web address, like https://www.example.org.uk"})

    def clean_postal_code(self):
        value = " ".join(self.cleaned_data["postal_code"].upper().split())
        if value and not POSTCODE.match(value):
            raise ValidationError("Enter a real postcode, like LE3 8RA")
        if value and " " not in value:
            value = f"{value[:-3]} {value[-3:]}"
        return value

    def clean(self):
        data = super().clean()
        if data.get("location_type") == Location.LocationType.PHYSICAL:
            for name, message in (("address_1", "Enter the first line of the address"),
                                  ("city", "Enter the town or village"), ("postal_code", "Enter the postcode")):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        if data.get("location_type") == Location.LocationType.VIRTUAL and not data.get("url") and "url" not in self.errors:
            self.add_error("url", "Enter the web address of the online place")
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            if "longitude" not in self.errors and "latitude" not in self.errors:
                self.add_error("longitude" if data.get("longitude") is None else "latitude",
                               "Enter both the latitude and the longitude, or neither")
        return data


class ContactForm(EditForm):
    target_type = "contact"
    name = TextField(label="Name or role", max_length=120,
                     help_text="A role such as “Clerk” or “Bookings secretary” is best: a role stays right when people change.",
                     error_messages={"required": "Enter a name or a role"})
    title = TextField(label="Job title (optional)", max_length=120, required=False)
    email = forms.EmailField(label="E-mail address (optional)", required=False,
                             error_messages={"invalid": "Enter an e-mail address in the correct format, like name@example.com"})
    service = forms.ModelChoiceField(label="Contact for", queryset=Service.objects.none(), required=False,
                                     empty_label="The whole organisation")
    private = forms.BooleanField(label="Keep private: for the council only, never shown on the page", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(organization=self.organization).order_by("name")


PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")


class PhoneForm(EditForm):
    target_type = "phone"
    number = TextField(label="Telephone number", max_length=40, error_messages={"required": "Enter a telephone number"})
    type = forms.ChoiceField(label="Kind of number", choices=Phone.Type.choices)
    description = TextField(label="When to call (optional)", max_length=200, required=False,
                            help_text="For example, Monday to Friday, 9am to 5pm.")
    service = forms.ModelChoiceField(label="Number for", queryset=Service.objects.none(), required=False,
                                     empty_label="The whole organisation")
    private = forms.BooleanField(label="Keep private: for the council only, never shown on the page", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(organization=self.organization).order_by("name")

    def clean_number(self):
        value = " ".join(self.cleaned_data["number"].split())
        if not PHONE.match(value):
            raise ValidationError("Enter a telephone number, like 0116 305 0000")
        return value


WEEK_OF_MONTH = [("", "Every week"), ("1", "The first in the month"), ("2", "The second in the month"),
                 ("3", "The third in the month"), ("4", "The fourth in the month"), ("-1", "The last in the month")]


class ScheduleForm(EditForm):
    target_type = "schedule"
    service = forms.ModelChoiceField(label="Service", queryset=Service.objects.none(), required=False,
                                     empty_label="None: these are a place's opening times",
                                     help_text="The service or activity these times are for.")
    location = forms.ModelChoiceField(label="Place", queryset=Location.objects.none(), required=False,
                                      empty_label="None", help_text="Choose a place for its opening times.")
    days = forms.MultipleChoiceField(label="Days", choices=Schedule.DAYS, widget=forms.CheckboxSelectMultiple,
                                     error_messages={"required": "Choose at least one day"})
    week_of_month = forms.ChoiceField(label="Which weeks", choices=WEEK_OF_MONTH, required=False)
    interval = forms.ChoiceField(label="How often", choices=[("1", "Every week (or month)"), ("2", "Every other week")],
                                 required=False)
    opens_at = forms.TimeField(label="Starts or opens at", input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
                               help_text="Use the 24-hour clock, like 09:30 or 19:00.",
                               error_messages={"required": "Enter when it starts", "invalid": "Enter a time, like 09:30 or 19:00"})
    closes_at = forms.TimeField(label="Ends or closes at", input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
                                help_text="Use the 24-hour clock, like 12:00 or 21:30.",
                                error_messages={"required": "Enter when it ends", "invalid": "Enter a time, like 12:00 or 21:30"})
    description = TextField(label="Anything else about these times (optional)", max_length=500, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}), help_text="For example, not in August.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(organization=self.organization).order_by("name")
        self.fields["location"].queryset = Location.objects.filter(organization=self.organization).order_by("name")

    def clean(self):
        data = super().clean()
        if not data.get("service") and not data.get("location") and "service" not in self.errors:
            self.add_error("service", "Choose the service or the place these times are for")
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "The end time must be after the start time")
        week = data.get("week_of_month") or ""
        days = data.get("days") or []
        data["freq"] = Schedule.Freq.MONTHLY if week else Schedule.Freq.WEEKLY
        data["byday"] = ",".join(f"{week}{day}" for day in [code for code, _ in Schedule.DAYS if code in days])
        data["interval"] = int(data.get("interval") or 1) if not week else 1
        return data

    @classmethod
    def initial_from(cls, obj):
        values = super().initial_from(obj)
        parts = [part.strip() for part in (obj.byday or "").split(",") if part.strip()]
        values["days"] = [part[-2:] for part in parts]
        values["week_of_month"] = next((part[:-2] for part in parts if part[:-2]), "")
        values["interval"] = str(obj.interval or 1)
        for name in ("opens_at", "closes_at"):
            if getattr(obj, name):
                values[name] = getattr(obj, name).strftime("%H:%M")
        return values


FORMS = {"organization": OrganizationForm, "service": ServiceForm, "location": LocationForm, "contact": ContactForm,
         "phone": PhoneForm, "schedule": ScheduleForm}


# --- officers -----------------------------------------------------------------------------------


class DecisionForm(GovukForm):
    note = TextField(label="Note for the record (optional)", required=False, max_length=1000,
                     widget=forms.Textarea(attrs={"rows": 2}))


class AddManagerForm(GovukForm):
    username = TextField(label="Their account's username", max_length=150,
                         help_text="The username of a community member's account.",
                         error_messages={"required": "Enter a username"})

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise ValidationError("There is no account with that username")
        if user.role != User.Role.COMMUNITY:
            raise ValidationError("That is a staff account: officers can already edit every listing")
        self.user = user
        return username


class ReportStatusForm(GovukForm):
    status = forms.ChoiceField(choices=[("resolved", "Resolved"), ("dismissed", "Dismissed")])

