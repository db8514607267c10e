"""Forms for the grants pages: officers' setup, applicants' accounts, organisations, eligibility and applications.

Every form renders through templates/grants/_field.html (GOV.UK Design System markup chosen from the
field's widget) and lists its problems in the GOV.UK error summary through `error_links()`.
Messages follow the Design System's wording for each kind of error.
"""
import re

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.utils.text import slugify

from shire.consult.forms_staff import DateBoundField, DateField
from shire.core.models import District, User

from . import services
from .models import (
    ApplicantOrganisation,
    ApplicationQuestion,
    Criterion,
    EligibilityQuestion,
    OrganisationType,
    Programme,
    RequiredDocument,
    Round,
    Theme,
)

YES_NO = [("yes", "Yes"), ("no", "No")]
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
_CHARITY = re.compile(r"^\d{6,8}(-\d{1,2})?$")
_COMPANY = re.compile(r"^([0-9]{8}|[A-Z]{2}[0-9]{6})$")
# Paths under /grants/setup/... that are not slugs.
RESERVED_SLUGS = frozenset({"new"})


class GovukFormMixin:
    """error_links() for the error summary: (message, #anchor) in the order the fields appear."""

    def error_links(self):
        links = []
        first = next(iter(self.fields), None)
        for error in self.non_field_errors():
            links.append((error, f"#{self[first].auto_id}" if first else ""))
        for field in self:
            if isinstance(field, DateBoundField):
                anchor = field.first_error_id
            elif isinstance(field.field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
                anchor = f"{field.auto_id}_0" if field.field.choices else field.auto_id
            else:
                anchor = field.auto_id
            for error in field.errors:
                links.append((error, f"#{anchor}"))
        return links


class YesNoField(forms.TypedChoiceField):
    """GOV.UK yes/no radios giving True or False."""

    def __init__(self, *, required_message, **kwargs):
        super().__init__(
            choices=YES_NO,
            coerce=lambda value: value == "yes",
            widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
            error_messages={"required": required_message, "invalid_choice": required_message},
            **kwargs,
        )

    def prepare_value(self, value):
        if value is True:
            return "yes"
        if value is False:
            return "no"
        return value


class PoundsField(forms.Field):
    """An amount typed in pounds ('2,500' or '£2500.50'); cleaned to pence."""

    def __init__(self, *, noun, minimum_pence=0, **kwargs):
        self.noun = noun
        self.minimum_pence = minimum_pence
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("required", f"Enter the {noun.lower()}")
        kwargs.setdefault("widget", forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "decimal", "prefix": "£"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return services.format_pounds_input(value)
        return value

    def to_python(self, value):
        if isinstance(value, int):
            return value
        try:
            pence = services.parse_pounds(value)
        except ValueError:
            raise ValidationError(f"{self.noun} must be an amount in pounds, like 2500 or 2,500.50", code="invalid") from None
        if pence is not None and pence < self.minimum_pence:
            raise ValidationError(
                f"{self.noun} must be at least {services.pounds(self.minimum_pence)}", code="min_value"
            )
        return pence


def _whole_number(noun, minimum=0, maximum=None, **kwargs):
    messages = {
        "required": f"Enter the {noun.lower()}",
        "invalid": f"{noun} must be a whole number, like 3",
        "min_value": f"{noun} must be {minimum} or more",
    }
    if maximum is not None:
        messages["max_value"] = f"{noun} must be {maximum} or less"
    return forms.IntegerField(
        min_value=minimum,
        max_value=maximum,
        error_messages=messages,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}),
        **kwargs,
    )


def unique_slug(model, base, exclude_pk=None, fallback="item", **scope):
    base = slugify(base)[:80].strip("-") or fallback
    taken = model.objects.filter(**scope)
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    candidate, number = base, 1
    while candidate in RESERVED_SLUGS or taken.filter(slug=candidate).exists():
        number += 1
        suffix = f"-{number}"
        candidate = base[: 80 - len(suffix)].rstrip("-") + suffix
    return candidate


# --- officers' setup ------------------------------------------------------------------------------


class ProgrammeForm(GovukFormMixin, forms.ModelForm):
    slug = forms.SlugField(
        label="Web address (optional)",
        required=False,
        max_length=80,
        help_text="The last part of the programme's web address: lower case letters, numbers and hyphens. "
        "Leave it empty to make one from the name.",
        error_messages={"invalid": "Web address must only include lower case letters, numbers and hyphens"},
    )
    team = forms.ModelChoiceField(
        queryset=None,
        empty_label=None,
        help_text="The team that runs the programme. Only its officers can set it up, assess and decide.",
        error_messages={"required": "Select the team that runs the programme", "invalid_choice": "Select one of your teams"},
    )

    class Meta:
        model = Programme
        fields = ["name", "slug", "code", "kind", "description", "team"]
        labels = {
            "name": "Name",
            "code": "Reference letters",
            "kind": "Kind of programme",
            "description": "Description",
        }
        help_texts = {
            "name": "Like “SHIRE Community Grants”.",
            "code": "2 to 6 capital letters at the start of every application's reference, like SCG.",
            "description": "What the programme funds and why. Shown to applicants.",
        }
        widgets = {
            "kind": forms.RadioSelect,
            "code": forms.TextInput(attrs={"class": "govuk-input--width-5", "spellcheck": "false"}),
            "description": forms.Textarea(attrs={"rows": 5}),
        }
        error_messages = {
            "name": {
                "required": "Enter the programme's name",
                "unique": "Another programme already has this name",
                "max_length": "Name must be 160 characters or fewer",
            },
            "code": {"required": "Enter the reference letters", "unique": "Another programme already uses these letters"},
            "kind": {"required": "Select the kind of programme"},
        }

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["kind"].choices = Programme.Kind.choices
        if self.instance.pk is None and len(teams) == 1:
            self.initial.setdefault("team", teams[0].pk)

    def clean_code(self):
        code = (self.cleaned_data.get("code") or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{2,6}", code):
            raise ValidationError("Reference letters must be 2 to 6 capital letters, like SCG", code="invalid")
        if self.instance.pk and code != self.instance.code and self.instance.rounds.filter(applications__isnull=False).exists():
            raise ValidationError("Applications already have references with these letters, so they cannot change")
        return code

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or ""
        if slug in RESERVED_SLUGS:
            raise ValidationError(f"Web address cannot be “{slug}”; choose another", code="reserved")
        if slug and Programme.objects.exclude(pk=self.instance.pk).filter(slug=slug).exists():
            raise ValidationError("Another programme already uses this web address; choose another", code="taken")
        return slug

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("slug") and not self.errors.get("slug") and cleaned.get("name"):
            cleaned["slug"] = unique_slug(Programme, cleaned["name"], self.instance.pk, "programme")
        return cleaned


class RoundForm(GovukFormMixin, forms.ModelForm):
    slug = forms.SlugField(
        label="Web address (optional)",
        required=False,
        max_length=80,
        help_text="Lower case letters, numbers and hyphens. Leave it empty to make one from the programme and round names.",
        error_messages={"invalid": "Web address must only include lower case letters, numbers and hyphens"},
    )
    budget_pence = PoundsField(noun="Budget", label="Budget", help_text="The most the round can award in total, in pounds.")
    opens_on = DateField(noun="Opening date", label="Opening date", help_text="The first day applications can be sent. For example, 30 3 2020")
    closes_on = DateField(
        noun="Closing date", label="Closing date", help_text="The last day applications can be sent, until midnight. For example, 24 4 2020"
    )
    eligible_org_types = forms.MultipleChoiceField(
        label="Who may apply",
        choices=OrganisationType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select every type of organisation that may apply.",
        error_messages={"required": "Select at least one type of organisation that may apply"},
    )
    must_be_in_leicestershire = YesNoField(
        label="Must projects benefit people in Leicestershire?",
        required_message="Select yes if projects must benefit people in Leicestershire",
    )
    min_request_pence = PoundsField(noun="Smallest grant", label="Smallest grant", help_text="In pounds. Enter 0 for no minimum.")
    max_request_pence = PoundsField(noun="Largest grant", label="Largest grant", help_text="In pounds.", minimum_pence=1)
    max_applications_per_organisation = _whole_number(
        "Applications per organisation", minimum=1, maximum=50, label="Applications per organisation",
        help_text="How many applications one organisation may send to this round.",
    )

    class Meta:
        model = Round
        fields = [
            "name", "slug", "description", "budget_pence", "opens_on", "closes_on", "eligible_org_types",
            "must_be_in_leicestershire", "min_request_pence", "max_request_pence", "max_applications_per_organisation",
        ]
        labels = {"name": "Name", "description": "Description"}
        help_texts = {
            "name": "Like “2019-20” or “Round 2”.",
            "description": "What this round funds, anything that differs from the programme. Shown to applicants.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        error_messages = {
            "name": {"required": "Enter the round's name", "max_length": "Name must be 160 characters or fewer"},
        }

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        if self.instance.pk is None:
            self.initial.setdefault("must_be_in_leicestershire", True)
            self.initial.setdefault("max_applications_per_organisation", 1)
            self.initial.setdefault("min_request_pence", 0)

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or ""
        if slug in RESERVED_SLUGS:
            raise ValidationError(f"Web address cannot be “{slug}”; choose another", code="reserved")
        if slug and Round.objects.exclude(pk=self.instance.pk).filter(slug=slug).exists():
            raise ValidationError("Another round already uses this web address; choose another", code="taken")
        return slug

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("name")
        if name and Round.objects.filter(programme=self.programme, name=name).exclude(pk=self.instance.pk).exists():
            self.add_error("name", ValidationError("This programme already has a round with this name", code="taken"))
        if not cleaned.get("slug") and not self.errors.get("slug") and name:
            cleaned["slug"] = unique_slug(Round, f"{self.programme.slug}-{name}", self.instance.pk, "round")
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", ValidationError("Closing date must be the same as or after the opening date"))
        low, high, budget = cleaned.get("min_request_pence"), cleaned.get("max_request_pence"), cleaned.get("budget_pence")
        if low is not None and high is not None and low > high:
            self.add_error("max_request_pence", ValidationError("Largest grant must be the same as or more than the smallest grant"))
        if high is not None and budget is not None and high > budget:
            self.add_error("max_request_pence", ValidationError("Largest grant cannot be more than the budget"))
        # A budget below what the round has awarded is refused when it is saved, under the round's
        # lock (awards.lock_round_for_budget), where no decision can award in between.
        return cleaned


class AssessorForm(GovukFormMixin, forms.Form):
    email = forms.EmailField(
        label="E-mail address of their staff account",
        help_text="A panel member or an officer of another team. They will see only the applications assigned to them.",
        max_length=254,
        widget=forms.EmailInput(attrs={"class": "govuk-input--width-30"}),
        error_messages={
            "required": "Enter the e-mail address of their staff account",
            "invalid": "Enter an e-mail address in the correct format, like name@example.gov.uk",
        },
    )


class ThemeForm(GovukFormMixin, forms.ModelForm):
    order = _whole_number("Position", minimum=0, maximum=999, label="Position", help_text="Themes are listed from the lowest number.")

    class Meta:
        model = Theme
        fields = ["name", "description", "order"]
        labels = {"name": "Theme", "description": "Description (optional)"}
        help_texts = {"name": "Like “Disadvantaged young people”."}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"name": {"required": "Enter the theme", "max_length": "Theme must be 160 characters or fewer"}}

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.initial.setdefault("order", 0)

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("name")
        if name and Theme.objects.filter(programme=self.programme, name__iexact=name).exclude(pk=self.instance.pk).exists():
            self.add_error("name", ValidationError("This programme already has a theme with this name"))
        return cleaned

    def save(self, commit=True):
        theme = super().save(commit=False)
        theme.programme = self.programme
        if not theme.slug:
            theme.slug = unique_slug(Theme, theme.name, theme.pk, "theme", programme=self.programme)
        if commit:
            theme.save()
        return theme


class EligibilityQuestionForm(GovukFormMixin, forms.ModelForm):
    eligible_answer = YesNoField(
        label="Which answer lets the applicant carry on?",
        required_message="Select the answer that lets the applicant carry on",
    )
    order = _whole_number("Position", minimum=0, maximum=999, label="Position")

    class Meta:
        model = EligibilityQuestion
        fields = ["question", "hint", "eligible_answer", "reason", "order"]
        labels = {"question": "Question", "hint": "Hint (optional)", "reason": "Reason shown to applicants who cannot carry on"}
        help_texts = {
            "question": "A yes or no question, like “Has your organisation been running for at least a year?”",
            "reason": "Like “This round funds only organisations that have been running for at least a year.”",
        }
        error_messages = {
            "question": {"required": "Enter the question", "max_length": "Question must be 300 characters or fewer"},
            "reason": {"required": "Enter the reason", "max_length": "Reason must be 300 characters or fewer"},
            "hint": {"max_length": "Hint must be 300 characters or fewer"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("order", 0)
        self.initial.setdefault("eligible_answer", True)


class ApplicationQuestionForm(GovukFormMixin, forms.ModelForm):
    required = YesNoField(label="Must applicants answer it?", required_message="Select yes if applicants must answer it")
    max_words = _whole_number(
        "Word limit", minimum=1, maximum=5000, label="Word limit (optional)", required=False,
        help_text="For short and long text answers. Leave empty for no limit.",
    )
    order = _whole_number("Position", minimum=0, maximum=999, label="Position")

    class Meta:
        model = ApplicationQuestion
        fields = ["label", "hint", "kind", "required", "max_words", "order"]
        labels = {"label": "Question", "hint": "Hint (optional)", "kind": "Kind of answer"}
        widgets = {"kind": forms.RadioSelect, "hint": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "label": {"required": "Enter the question", "max_length": "Question must be 300 characters or fewer"},
            "kind": {"required": "Select the kind of answer"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ApplicationQuestion.Kind.choices
        self.initial.setdefault("order", 0)
        self.initial.setdefault("required", True)


class RequiredDocumentForm(GovukFormMixin, forms.ModelForm):
    allowed_types = forms.MultipleChoiceField(
        label="File types accepted",
        choices=RequiredDocument.FileType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one file type"},
    )
    max_size_mb = _whole_number("Largest file size", minimum=1, maximum=10, label="Largest file size, in MB",
                                help_text="Up to 10MB.")
    required = YesNoField(label="Must applicants upload it?", required_message="Select yes if applicants must upload it")
    order = _whole_number("Position", minimum=0, maximum=999, label="Position")

    class Meta:
        model = RequiredDocument
        fields = ["name", "hint", "allowed_types", "required", "order"]
        labels = {"name": "Document", "hint": "Hint (optional)"}
        help_texts = {"name": "Like “Your organisation's constitution”."}
        error_messages = {
            "name": {"required": "Enter the document's name", "max_length": "Name must be 160 characters or fewer"},
            "hint": {"max_length": "Hint must be 300 characters or fewer"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("order", 0)
        self.initial.setdefault("required", True)
        self.initial.setdefault("allowed_types", ["pdf", "docx"])
        self.initial.setdefault("max_size_mb", max(1, self.instance.max_size_bytes // (1024 * 1024)))
        # Keep the fields in the page's order.
        self.order_fields(["name", "hint", "allowed_types", "max_size_mb", "required", "order"])

    def save(self, commit=True):
        document = super().save(commit=False)
        document.max_size_bytes = self.cleaned_data["max_size_mb"] * 1024 * 1024
        if commit:
            document.save()
        return document


class CriterionForm(GovukFormMixin, forms.ModelForm):
    weight = _whole_number("Weight", minimum=1, maximum=100, label="Weight",
                           help_text="How much the criterion counts: a criterion of weight 2 counts twice as much as one of weight 1.")
    max_score = _whole_number("Highest score", minimum=1, maximum=100, label="Highest score",
                              help_text="Assessors score from 0 to this number.")
    order = _whole_number("Position", minimum=0, maximum=999, label="Position")

    class Meta:
        model = Criterion
        fields = ["name", "description", "weight", "max_score", "order"]
        labels = {"name": "Criterion", "description": "Guidance for assessors (optional)"}
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        error_messages = {"name": {"required": "Enter the criterion", "max_length": "Criterion must be 160 characters or fewer"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("order", 0)
        self.initial.setdefault("weight", 1)
        self.initial.setdefault("max_score", 5)


# --- applicants -----------------------------------------------------------------------------------


class AccountForm(GovukFormMixin, forms.Form):
    first_name = forms.CharField(label="First name", max_length=150, error_messages={"required": "Enter your first name"})
    last_name = forms.CharField(label="Last name", max_length=150, error_messages={"required": "Enter your last name"})
    email = forms.EmailField(
        label="E-mail address",
        help_text="You will sign in with this. We send acknowledgements and decisions to it.",
        error_messages={
            "required": "Enter your e-mail address",
            "invalid": "Enter an e-mail address in the correct format, like name@example.com",
        },
    )
    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        widget=forms.PasswordInput,
        help_text="At least 12 characters. Avoid common words and passwords you use elsewhere.",
        error_messages={"required": "Enter a password"},
    )
    password2 = forms.CharField(
        label="Confirm your password", strip=False, widget=forms.PasswordInput, error_messages={"required": "Confirm your password"}
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(username__iexact=email).exists() or User.objects.filter(email__iexact=email).exists():
            raise ValidationError("An account with this e-mail address already exists. Sign in instead.", code="taken")
        return email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", ValidationError("The passwords do not match", code="mismatch"))
        elif first:
            candidate = User(
                username=cleaned.get("email") or "", email=cleaned.get("email") or "",
                first_name=cleaned.get("first_name") or "", last_name=cleaned.get("last_name") or "",
            )
            try:
                password_validation.validate_password(first, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def save(self):
        data = self.cleaned_data
        return User.objects.create_user(
            username=data["email"],
            email=data["email"],
            password=data["password1"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            role=User.Role.COMMUNITY,
        )


class ApplicantPasswordResetForm(GovukFormMixin, PasswordResetForm):
    """Django's reset form for community accounts only: staff passwords are reset by an administrator."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["email"]
        field.label = "E-mail address"
        field.help_text = "The address you sign in with. If it has an account, we will send it a link to choose a new password."
        field.error_messages = {
            "required": "Enter your e-mail address",
            "invalid": "Enter an e-mail address in the correct format, like name@example.com",
        }

    def get_users(self, email):
        return (user for user in super().get_users(email) if user.role == User.Role.COMMUNITY)


class ApplicantSetPasswordForm(GovukFormMixin, SetPasswordForm):
    error_messages = {"password_mismatch": "The passwords do not match"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = "At least 12 characters. Avoid common words and passwords you use elsewhere."
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].label = "Confirm your new password"
        self.fields["new_password2"].help_text = ""
        self.fields["new_password2"].error_messages["required"] = "Confirm your new password"


class OrganisationForm(GovukFormMixin, forms.ModelForm):
    district = forms.ModelChoiceField(
        queryset=District.objects.order_by("name"),
        required=False,
        label="District (optional)",
        empty_label="Outside Leicestershire, or not sure",
        help_text="The district or borough where your organisation is based.",
    )

    class Meta:
        model = ApplicantOrganisation
        fields = ["name", "org_type", "charity_number", "company_number", "address", "postcode", "district", "website"]
        labels = {
            "name": "Organisation name",
            "org_type": "Type of organisation",
            "charity_number": "Registered charity number (optional)",
            "company_number": "Company number (optional)",
            "address": "Address",
            "postcode": "Postcode",
            "website": "Website (optional)",
        }
        help_texts = {
            "charity_number": "From the Charity Commission, like 1123456.",
            "company_number": "From Companies House, like 01234567.",
        }
        widgets = {
            "org_type": forms.RadioSelect,
            "address": forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
            "postcode": forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "postal-code"}),
            "charity_number": forms.TextInput(attrs={"class": "govuk-input--width-10"}),
            "company_number": forms.TextInput(attrs={"class": "govuk-input--width-10"}),
        }
        error_messages = {
            "name": {"required": "Enter your organisation's name", "max_length": "Name must be 200 characters or fewer"},
            "org_type": {"required": "Select the type of organisation"},
            "website": {"invalid": "Enter a web address, like https://example.org.uk"},
            "postcode": {"max_length": "Enter a real postcode, like LE3 8RA"},
            "charity_number": {"max_length": "Enter a charity number of 6 to 8 digits, like 1123456"},
            "company_number": {"max_length": "Enter a company number of 8 characters, like 01234567 or SC123456"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_type"].choices = OrganisationType.choices
        self.fields["address"].required = True
        self.fields["address"].error_messages["required"] = "Enter your organisation's address"
        self.fields["postcode"].required = True
        self.fields["postcode"].error_messages["required"] = "Enter your organisation's postcode"

    def clean_postcode(self):
        postcode = re.sub(r"\s+", "", self.cleaned_data.get("postcode") or "").upper()
        if postcode and not _POSTCODE.fullmatch(postcode):
            raise ValidationError("Enter a real postcode, like LE3 8RA", code="invalid")
        return f"{postcode[:-3]} {postcode[-3:]}" if postcode else ""

    def clean_charity_number(self):
        number = (self.cleaned_data.get("charity_number") or "").strip()
        if number and not _CHARITY.fullmatch(number):
            raise ValidationError("Enter a charity number of 6 to 8 digits, like 1123456", code="invalid")
        return number

    def clean_company_number(self):
        number = (self.cleaned_data.get("company_number") or "").strip().upper()
        if number and not _COMPANY.fullmatch(number):
            raise ValidationError("Enter a company number of 8 characters, like 01234567 or SC123456", code="invalid")
        return number

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("org_type") == OrganisationType.CHARITY and not cleaned.get("charity_number") and not self.errors.get("charity_number"):
            self.add_error("charity_number", ValidationError("Enter your registered charity number", code="required"))
        return cleaned


class BankDetailsForm(GovukFormMixin, forms.Form):
    account_name = forms.CharField(
        label="Name on the account", max_length=120,
        help_text="The organisation's account: we do not pay grants into personal accounts.",
        error_messages={"required": "Enter the name on the account", "max_length": "Name on the account must be 120 characters or fewer"},
    )
    sort_code = forms.CharField(
        label="Sort code", help_text="Must be 6 digits long, like 30-99-50.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric", "spellcheck": "false"}),
        error_messages={"required": "Enter a sort code"},
    )
    account_number = forms.CharField(
        label="Account number", help_text="Must be between 6 and 8 digits long.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "numeric", "spellcheck": "false"}),
        error_messages={"required": "Enter an account number"},
    )

    def clean_sort_code(self):
        # Spaces and dashes as people type them; kept as 12-34-56.
        digits = re.sub(r"[\s-]", "", self.cleaned_data["sort_code"])
        if not re.fullmatch(r"\d{6}", digits):
            raise ValidationError("Enter a valid sort code like 30-99-50", code="invalid")
        return f"{digits[:2]}-{digits[2:4]}-{digits[4:]}"

    def clean_account_number(self):
        digits = re.sub(r"[\s-]", "", self.cleaned_data["account_number"])
        if not re.fullmatch(r"\d{6,8}", digits):
            raise ValidationError("Enter a valid account number like 00733445", code="invalid")
        # Six- and seven-digit numbers are written with leading zeros to eight, as banks do.
        return digits.zfill(8)


class InviteForm(GovukFormMixin, forms.Form):
    email = forms.EmailField(
        label="Their e-mail address",
        help_text="We will send them a link to join. It works once, for 14 days.",
        error_messages={
            "required": "Enter their e-mail address",
            "invalid": "Enter an e-mail address in the correct format, like name@example.com",
        },
    )


class EligibilityForm(GovukFormMixin, forms.Form):
    """The short check before an application starts: which organisation, place, amount and the round's own questions."""

    def __init__(self, *args, round, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round
        self.questions = list(round.eligibility_questions.all())
        self.fields["organisation"] = forms.ModelChoiceField(
            queryset=organisations,
            label="Which organisation is applying?",
            widget=forms.RadioSelect,
            empty_label=None,
            error_messages={"required": "Select the organisation that is applying", "invalid_choice": "Select one of your organisations"},
        )
        if len(organisations) == 1:
            self.initial.setdefault("organisation", organisations[0].pk)
        self.fields["in_leicestershire"] = YesNoField(
            label="Will your project benefit people who live in Leicestershire?",
            help_text="Leicestershire County Council's area: Blaby, Charnwood, Harborough, Hinckley and Bosworth, "
            "Melton, North West Leicestershire and Oadby and Wigston. Not Leicester city or Rutland.",
            required_message="Select yes if your project will benefit people who live in Leicestershire",
        )
        self.fields["amount"] = PoundsField(
            noun="Amount",
            label="How much will you ask for?",
            help_text=f"In pounds. This round gives grants of {services.pounds(round.min_request_pence)} "
            f"to {services.pounds(round.max_request_pence)}. You can change it later.",
            minimum_pence=0,
        )
        for question in self.questions:
            self.fields[f"q{question.pk}"] = YesNoField(
                label=question.question,
                help_text=question.hint,
                required_message=f"Select yes or no: {question.question}",
            )

    def answers(self):
        """What was answered, as stored on the application (JSON-safe)."""
        data = self.cleaned_data
        return {
            "in_leicestershire": data["in_leicestershire"],
            "amount_pence": data["amount"],
            "questions": {str(q.pk): data[f"q{q.pk}"] for q in self.questions},
        }

    def reasons(self):
        data = self.cleaned_data
        return services.eligibility_reasons(
            self.round,
            data["organisation"],
            data["in_leicestershire"],
            data["amount"],
            {q.pk: data[f"q{q.pk}"] for q in self.questions},
        )


class ApplicationForm(GovukFormMixin, forms.Form):
    """The application form. Nothing is required here: everything typed is saved as a draft,
    and services.submission_errors() says what must be fixed when the applicant sends it."""

    title = forms.CharField(label="Project title", required=False, max_length=200,
                            help_text="A short name for the project, like “Rural coffee connect”.")
    summary = forms.CharField(
        label="Summary of your project",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What you will do, who it helps and what difference it makes. 250 words or fewer.",
    )
    theme = forms.ModelChoiceField(queryset=Theme.objects.none(), required=False, label="Which theme does your project fit best?",
                                   widget=forms.RadioSelect, empty_label=None)
    amount = forms.CharField(
        label="How much are you asking for?",
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "decimal", "prefix": "£"}),
    )
    district = forms.ModelChoiceField(
        queryset=District.objects.order_by("name"),
        required=False,
        label="Where do most of the people your project helps live?",
        empty_label="Select a district",
    )

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application
        round_ = application.round
        self.fields["theme"].queryset = round_.themes()
        if not self.fields["theme"].queryset.exists():
            del self.fields["theme"]
        self.fields["amount"].help_text = (
            f"In pounds. Between {services.pounds(round_.min_request_pence)} and {services.pounds(round_.max_request_pence)}."
        )
        self.questions = list(round_.questions.all())
        for question in self.questions:
            field_kwargs = {"label": question.label + ("" if question.required else " (optional)"), "required": False}
            hint = question.hint
            if question.max_words:
                hint = f"{hint} {question.max_words} words or fewer.".strip()
            field_kwargs["help_text"] = hint
            if question.kind == ApplicationQuestion.Kind.LONG_TEXT:
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), **field_kwargs)
            elif question.kind == ApplicationQuestion.Kind.MONEY:
                field = forms.CharField(
                    widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "decimal", "prefix": "£"}),
                    **field_kwargs,
                )
            elif question.kind == ApplicationQuestion.Kind.NUMBER:
                field = forms.CharField(widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}), **field_kwargs)
            else:
                field = forms.CharField(**field_kwargs)
            self.fields[f"q{question.pk}"] = field
        if not self.is_bound:
            self.initial.update(self.saved_values())

    def saved_values(self):
        app = self.application
        values = {
            "title": app.answers.get("_title_text") or app.title,
            "summary": app.summary,
            "theme": app.theme_id,
            "amount": app.answers.get("_amount_text") or services.format_pounds_input(app.amount_requested_pence),
            "district": app.beneficiary_district_id,
        }
        for question in self.questions:
            values[f"q{question.pk}"] = app.answers.get(question.key, "")
        return values

    def draft_fields(self):
        """What was typed, for services.save_draft, even where it is not valid."""
        data = self.data
        theme = None
        if "theme" in self.fields and data.get("theme"):
            theme = self.fields["theme"].queryset.filter(pk=_int(data.get("theme"))).first()
        district = District.objects.filter(pk=_int(data.get("district"))).first() if data.get("district") else None
        answers = {question.key: (data.get(f"q{question.pk}") or "").strip() for question in self.questions}
        return {
            "title": (data.get("title") or "").strip(),
            "summary": (data.get("summary") or "").strip(),
            "theme": theme,
            "amount_text": (data.get("amount") or "").strip(),
            "district": district,
            "answers": answers,
        }

    def show_errors(self, errors):
        """Put submission_errors() on the fields they belong to (the form need not be bound)."""
        if self._errors is None:
            self._errors = ErrorDict()
        if not hasattr(self, "cleaned_data"):
            self.cleaned_data = {}
        for name, message in errors.items():
            if name in self.fields:
                self.add_error(name, message)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class DocumentUploadForm(forms.Form):
    file = forms.FileField(
        label="Choose a file",
        error_messages={"required": "Select a file to upload", "empty": "The selected file is empty", "invalid": "Select a file to upload"},
    )
    # services.add_document checks the type (by name and by content) and size against the RequiredDocument.
