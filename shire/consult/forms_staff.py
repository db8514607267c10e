"""Forms for the officers' consultation pages.

Fields are rendered by hand in GOV.UK Design System markup (see templates/consult/staff/); the
messages follow the Design System's wording for each kind of error.
"""
import os
import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms.boundfield import BoundField
from django.utils.text import slugify

from .models import Consultation
from .services import RESERVED_SLUGS, slug_problem

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
XLSFORM_MAX_BYTES = 10 * 1024 * 1024

_DATE_PARTS = ("day", "month", "year")
_PHONE = re.compile(r"^\+?[0-9 ()\-]{6,40}$")


# -- GOV.UK date input -------------------------------------------------------------------------


class DateInput(forms.Widget):
    """Three text boxes, NAME_day, NAME_month and NAME_year, as the GOV.UK date input pattern."""

    def value_from_datadict(self, data, files, name):
        return {part: (data.get(f"{name}_{part}") or "").strip() for part in _DATE_PARTS}

    def value_omitted_from_data(self, data, files, name):
        return not any(f"{name}_{part}" in data for part in _DATE_PARTS)

    def id_for_label(self, id_):
        return f"{id_}_day" if id_ else id_


class DateBoundField(BoundField):
    """Gives templates the three boxes with what was typed (or the saved date) and which to mark in error."""

    @property
    def parts(self):
        value = self.value()
        if isinstance(value, date):
            typed = {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        elif isinstance(value, dict):
            typed = {part: value.get(part, "") for part in _DATE_PARTS}
        else:
            typed = dict.fromkeys(_DATE_PARTS, "")
        in_error = set()
        if self.errors:
            codes = {error.code for error in self.form.errors.as_data().get(self.name, [])}
            missing = [part for part in _DATE_PARTS if not typed[part]]
            if "year_digits" in codes:
                in_error = {"year"}
            elif "incomplete" in codes and missing:
                in_error = set(missing)  # only the boxes left empty
            else:
                in_error = set(_DATE_PARTS)  # the date as a whole is wrong
        return [
            {
                "name": part,
                "html_name": f"{self.html_name}_{part}",
                "id": f"{self.auto_id}_{part}",
                "label": part.capitalize(),
                "value": typed[part],
                "width": 4 if part == "year" else 2,
                "error": part in in_error,
            }
            for part in _DATE_PARTS
        ]

    @property
    def first_error_id(self):
        for part in self.parts:
            if part["error"]:
                return part["id"]
        return f"{self.auto_id}_day"


class DateField(forms.Field):
    """A date typed as day, month and year, with the GOV.UK messages naming the date (`noun`)."""

    widget = DateInput

    def __init__(self, *, noun, **kwargs):
        self.noun = noun
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("required", f"Enter the {noun.lower()}")
        super().__init__(**kwargs)

    def get_bound_field(self, form, field_name):
        return DateBoundField(form, self, field_name)

    def to_python(self, value):
        if isinstance(value, date):
            return value
        if not value or not any(value.values()):
            return None
        missing = [part for part in _DATE_PARTS if not value.get(part)]
        if missing:
            raise ValidationError(f"{self.noun} must include a {' and '.join(missing)}", code="incomplete")
        try:
            day, month, year = (int(value[part]) for part in _DATE_PARTS)
        except ValueError:
            raise ValidationError(f"{self.noun} must be a real date", code="invalid") from None
        if not re.fullmatch(r"\d{4}", value["year"]):
            raise ValidationError("Year must include 4 numbers", code="year_digits")
        try:
            return date(year, month, day)
        except ValueError:
            raise ValidationError(f"{self.noun} must be a real date", code="invalid") from None

    def has_changed(self, initial, data):
        try:
            data = self.to_python(data)
        except ValidationError:
            return True
        return initial != data


# -- Consultation details ---------------------------------------------------------------------


def validate_pdf(upload):
    """A PDF by name and by content (it must start %PDF), of at most 20 MB."""
    if not upload.name.lower().endswith(".pdf"):
        raise ValidationError("The selected file must be a PDF", code="not_pdf")
    if upload.size == 0:
        raise ValidationError("The selected file is empty", code="empty")
    if upload.size > DOCUMENT_MAX_BYTES:
        raise ValidationError(
            f"The selected file must be smaller than {DOCUMENT_MAX_BYTES // (1024 * 1024)}MB", code="too_big"
        )
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    if head != b"%PDF":
        raise ValidationError("The selected file must be a PDF", code="not_pdf")


def unique_slug(base, exclude_pk=None):
    """`base`, or `base-2`, `base-3`... whichever is free, within the field's 80 characters."""
    base = base[:80].strip("-") or "consultation"
    taken = Consultation.objects.exclude(pk=exclude_pk) if exclude_pk else Consultation.objects.all()
    candidate, number = base, 1
    while candidate in RESERVED_SLUGS or taken.filter(slug=candidate).exists():
        number += 1
        suffix = f"-{number}"
        candidate = base[: 80 - len(suffix)].rstrip("-") + suffix
    return candidate


class ConsultationForm(forms.ModelForm):
    """Create or edit a consultation. `teams` are the teams the officer belongs to: the only owners offered."""

    slug = forms.SlugField(
        required=False,
        max_length=80,
        error_messages={
            "invalid": "Web address must only include lower case letters, numbers and hyphens",
            "max_length": "Web address must be 80 characters or fewer",
        },
    )
    document = forms.FileField(required=False)
    opens_on = DateField(noun="Opening date")
    closes_on = DateField(noun="Closing date")
    team = forms.ModelChoiceField(
        queryset=None,
        empty_label=None,
        error_messages={"required": "Select the team that runs the consultation", "invalid_choice": "Select one of your teams"},
    )

    class Meta:
        model = Consultation
        fields = [
            "title", "slug", "summary", "document", "opens_on", "closes_on",
            "contact_name", "contact_email", "contact_phone", "team",
        ]
        error_messages = {
            "title": {"required": "Enter a title", "max_length": "Title must be 200 characters or fewer"},
            "summary": {"required": "Enter a summary"},
            "contact_name": {
                "required": "Enter who to contact",
                "max_length": "Who to contact must be 120 characters or fewer",
            },
            "contact_email": {
                "required": "Enter the contact e-mail address",
                "invalid": "Enter an e-mail address in the correct format, like name@example.gov.uk",
            },
            "contact_phone": {"max_length": "Telephone number must be 40 characters or fewer"},
        }

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        if self.instance.pk is None and "team" not in self.initial and len(teams) == 1:
            self.initial["team"] = teams[0].pk
        if self.instance.pk is not None and self.instance.is_published:
            # The public already has links to it: the address cannot change while published.
            self.fields["slug"].disabled = True

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or ""
        problem = slug and slug_problem(slug)
        if problem:
            raise ValidationError(f"Web address {problem}", code="invalid")
        if slug and Consultation.objects.exclude(pk=self.instance.pk).filter(slug=slug).exists():
            raise ValidationError("Another consultation already uses this web address; choose another", code="taken")
        return slug

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if isinstance(document, UploadedFile):  # not the file already saved, when editing
            validate_pdf(document)
        return document

    def clean_contact_phone(self):
        phone = (self.cleaned_data.get("contact_phone") or "").strip()
        if phone and not _PHONE.fullmatch(phone):
            raise ValidationError("Enter a telephone number, like 0116 232 3232 or +44 116 232 3232", code="invalid")
        return phone

    def clean(self):
        cleaned = super().clean()
        title = cleaned.get("title")
        if not cleaned.get("slug") and not self.errors.get("slug") and title:
            slug = slugify(title)
            if not slug:
                self.add_error("slug", ValidationError("Enter a web address; the title has no letters to make one from", code="required"))
            else:
                cleaned["slug"] = unique_slug(slug, exclude_pk=self.instance.pk)
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error(
                "closes_on",
                ValidationError("Closing date must be the same as or after the opening date", code="before_opening"),
            )
        return cleaned

    def error_links(self):
        """(message, anchor) pairs for the GOV.UK error summary, in the order the fields appear."""
        links = []
        for error in self.non_field_errors():
            links.append((error, "#id_title"))
        for field in self:
            anchor = field.first_error_id if isinstance(field, DateBoundField) else field.auto_id
            for error in field.errors:
                links.append((error, f"#{anchor}"))
        return links


# -- Questionnaire upload ---------------------------------------------------------------------


class QuestionnaireUploadForm(forms.Form):
    # Empty files are refused below, with the file's name, rather than by Django's nameless message.
    form_file = forms.FileField(allow_empty_file=True, error_messages={"required": "Select an XLSForm file (.xlsx)"})

    def clean_form_file(self):
        upload = self.cleaned_data["form_file"]
        name = os.path.basename(upload.name)
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(f"The selected file must be an Excel .xlsx file ({name} is not)", code="not_xlsx")
        if not upload.size:
            raise ValidationError(f"The selected file is empty ({name})", code="empty")
        if upload.size > XLSFORM_MAX_BYTES:
            raise ValidationError(
                f"The selected file must be smaller than {XLSFORM_MAX_BYTES // (1024 * 1024)}MB ({name} is larger)", code="too_big"
            )
        upload.seek(0)
        head = upload.read(4)
        upload.seek(0)
        if head != b"PK\x03\x04":  # every .xlsx is a ZIP archive
            raise ValidationError(f"The selected file is not a valid .xlsx file ({name} is not an Excel workbook)", code="not_xlsx")
        return upload
