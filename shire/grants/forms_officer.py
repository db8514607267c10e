"""Forms for the officers' assessment, decision, payment and monitoring pages, and the applicants' monitoring return.

They render through templates/grants/_field.html and list their problems in the shared GOV.UK
error summary (core/_error_summary.html) through `error_links()`, like the other grants forms.
The rules themselves are in assessment.py and awards.py: these forms only read what was typed.
"""
from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from shire.consult.forms_staff import DateField

from . import assessment, awards, services
from .forms import GovukFormMixin, PoundsField, YesNoField, _whole_number
from .models import Decision, Outcome


def _text(label, required_message, rows=5, help_text="", required=True, max_length=None):
    messages = {"required": required_message}
    if max_length:
        messages["max_length"] = f"{label} must be {max_length} characters or fewer"
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages=messages,
    )


class ReturnForm(GovukFormMixin, forms.Form):
    message = _text(
        "What do you need from the applicant?",
        "Enter what the applicant needs to tell you or send",
        help_text="The applicant sees this on their application and in an e-mail. Say exactly what to add or change.",
        rows=6,
        max_length=5000,
    )


class AssessorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.display_name


class AssignForm(GovukFormMixin, forms.Form):
    assessor = AssessorChoiceField(
        queryset=None,
        label="Who will assess this application?",
        help_text="Officers of the programme's team who are not already assessing it and have no conflict of interest.",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select who will assess this application", "invalid_choice": "Select one of the officers listed"},
    )

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessor"].queryset = assessment.eligible_assessors(application)


class ConflictForm(GovukFormMixin, forms.Form):
    reason = _text(
        "Why do you have a conflict of interest?",
        "Enter why you have a conflict of interest",
        help_text="For example, you are a trustee of the organisation or a relative works for it. "
        "Only the team's records keep this. You will no longer see this application.",
        rows=4,
        max_length=2000,
    )


class ScoreForm(GovukFormMixin, forms.Form):
    """A score (0 to the criterion's maximum) and a comment for each of the round's criteria."""

    def __init__(self, *args, criteria, scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        scores = scores or {}
        for criterion in self.criteria:
            name = criterion.name
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=f"Score for ‘{name}’",
                choices=[(str(n), str(n)) for n in range(criterion.max_score + 1)],
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
                help_text=f"0 (not met) to {criterion.max_score} (fully met). Weight {criterion.weight}."
                + (f" {criterion.description}" if criterion.description else ""),
                error_messages={
                    "required": f"Select a score for ‘{name}’",
                    "invalid_choice": f"Select a score for ‘{name}’ from 0 to {criterion.max_score}",
                },
            )
            self.fields[f"comment_{criterion.pk}"] = _text(
                f"Comment on ‘{name}’", f"Enter a comment on ‘{name}’", rows=3, max_length=5000,
                help_text="Why you gave this score.",
            )
            if criterion.pk in scores:
                score = scores[criterion.pk]
                self.initial.setdefault(f"score_{criterion.pk}", str(score.score))
                self.initial.setdefault(f"comment_{criterion.pk}", score.comment)

    def rows(self):
        """(criterion, score field, comment field) for each criterion, in order."""
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def scores(self):
        return {
            c.pk: (self.cleaned_data[f"score_{c.pk}"], self.cleaned_data[f"comment_{c.pk}"]) for c in self.criteria
        }


class DecisionForm(GovukFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="What is the decision?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the decision", "invalid_choice": "Select the decision"},
    )
    amount = PoundsField(
        noun="Amount to award",
        label="Amount to award (for an award in part only)",
        required=False,
        minimum_pence=1,
    )
    reasons = _text(
        "Reasons for the decision",
        "Enter the reasons for the decision",
        help_text="The decision letter gives these to the applicant.",
        rows=5,
        max_length=5000,
    )
    conditions = _text(
        "Conditions of the award (optional)",
        "",
        help_text="Anything beyond the standard conditions, which every award letter lists. For example: spend the "
        "grant by 31 March 2021; acknowledge the council's funding in your publicity. They cannot be changed later.",
        rows=3,
        required=False,
        max_length=5000,
    )
    instalments = _whole_number(
        "Number of payments", minimum=1, maximum=awards.MAX_INSTALMENTS, label="Number of payments",
        help_text="The award is split evenly; any odd pence go in the first payment.",
    )
    first_payment_on = DateField(noun="First payment date", label="First payment date", help_text="For example, 14 4 2020")
    months_between_payments = _whole_number(
        "Months between payments", minimum=1, maximum=12, label="Months between payments",
    )
    returns = _whole_number(
        "Number of monitoring returns", minimum=1, maximum=awards.MAX_RETURNS, label="Number of monitoring returns",
    )
    first_return_on = DateField(noun="First return's due date", label="First monitoring return due", help_text="For example, 31 3 2021")
    months_between_returns = _whole_number(
        "Months between returns", minimum=1, maximum=24, label="Months between returns",
    )

    AWARD_FIELDS = ("instalments", "first_payment_on", "months_between_payments", "returns", "first_return_on",
                    "months_between_returns")

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application
        requested = services.pounds(application.amount_requested_pence)
        choices = []
        if application.status == application.Status.IN_ASSESSMENT:
            choices += [
                (Decision.Outcome.AWARD.value, f"Award in full ({requested})"),
                (Decision.Outcome.PART.value, f"Award in part (less than {requested})"),
            ]
        choices.append((Decision.Outcome.DECLINE.value, "Decline"))
        self.fields["outcome"].choices = choices
        today = timezone.localdate()
        self.initial.setdefault("instalments", 1)
        self.initial.setdefault("first_payment_on", today + timedelta(days=14))
        self.initial.setdefault("months_between_payments", 3)
        self.initial.setdefault("returns", 1)
        self.initial.setdefault("first_return_on", awards.add_months(today, 12))
        self.initial.setdefault("months_between_returns", 6)
        if self.data and self.data.get("outcome") == Decision.Outcome.DECLINE:
            # Payments and returns do not apply: do not fail a decline on them.
            for name in self.AWARD_FIELDS:
                self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        requested = self.application.amount_requested_pence or 0
        if outcome == Decision.Outcome.PART:
            amount = cleaned.get("amount")
            if amount is None and "amount" not in self.errors:
                self.add_error("amount", ValidationError("Enter the amount to award"))
            elif amount is not None and amount >= requested:
                self.add_error(
                    "amount",
                    ValidationError(f"Amount to award must be less than the {services.pounds(requested)} asked for"),
                )
        if outcome == Decision.Outcome.DECLINE and (cleaned.get("conditions") or "").strip():
            self.add_error("conditions", ValidationError("A declined application has no conditions: leave this empty"))
        if outcome in (Decision.Outcome.AWARD, Decision.Outcome.PART):
            today = timezone.localdate()
            if cleaned.get("first_payment_on") and cleaned["first_payment_on"] < today:
                self.add_error("first_payment_on", ValidationError("First payment date must be today or in the future"))
            if cleaned.get("first_return_on") and cleaned["first_return_on"] <= today:
                self.add_error("first_return_on", ValidationError("First monitoring return must be due in the future"))
        return cleaned

    def plan(self):
        data = self.cleaned_data
        return awards.AwardPlan(
            instalments=data.get("instalments") or 1,
            first_payment_on=data.get("first_payment_on"),
            months_between_payments=data.get("months_between_payments") or 3,
            returns=data.get("returns") or 1,
            first_return_on=data.get("first_return_on"),
            months_between_returns=data.get("months_between_returns") or 6,
        )


class CorrectionForm(DecisionForm):
    """Correct a recorded decision: the outcome and amount it should have been, and why. The payment and
    monitoring fields are asked only when the correction makes an award where there is none."""

    def __init__(self, *args, application, makes_award, **kwargs):
        super().__init__(*args, application=application, **kwargs)
        outcome, amount = application.decision.current()
        requested = services.pounds(application.amount_requested_pence)
        del self.fields["conditions"]
        self.fields["outcome"].label = "What should the decision be?"
        self.fields["outcome"].choices = [
            (Decision.Outcome.AWARD.value, f"Award in full ({requested})"),
            (Decision.Outcome.PART.value, f"Award in part (less than {requested})"),
            (Decision.Outcome.DECLINE.value, "Decline"),
        ]
        self.fields["reasons"] = _text(
            "Why is the decision being corrected?",
            "Enter why the decision is being corrected",
            help_text="The applicant sees this on their application and in the corrected decision letter. "
            "The decision as first recorded is kept.",
            rows=4,
            max_length=5000,
        )
        if not makes_award:
            for name in self.AWARD_FIELDS:
                del self.fields[name]
        self.initial.setdefault("outcome", outcome)
        if outcome == Decision.Outcome.PART:
            self.initial.setdefault("amount", amount)


class MarkPaidForm(GovukFormMixin, forms.Form):
    paid_on = DateField(noun="Payment date", label="Date paid", help_text="For example, 14 4 2020")
    reference = forms.CharField(
        label="Payment reference (optional)",
        required=False,
        max_length=60,
        help_text="From the finance system, if there is one.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
        error_messages={"max_length": "Payment reference must be 60 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("paid_on", timezone.localdate())

    def clean_paid_on(self):
        paid_on = self.cleaned_data.get("paid_on")
        if paid_on and paid_on > timezone.localdate():
            raise ValidationError("Payment date must be today or in the past")
        return paid_on


class MonitoringReturnForm(GovukFormMixin, forms.Form):
    people_helped = _whole_number(
        "Number of people helped", minimum=0, maximum=10_000_000, label="How many people has the project helped?",
        help_text="Since the grant was awarded, or since your last return.",
    )
    outcomes = forms.MultipleChoiceField(
        label="What has the project achieved?",
        choices=Outcome.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
        error_messages={"required": "Select at least one thing the project has achieved"},
    )
    money_spent = PoundsField(
        noun="Money spent", label="How much of the grant have you spent?", help_text="In pounds. Enter 0 if none yet.",
    )
    case_study = _text(
        "Case study",
        "Enter a case study",
        help_text="Tell us about one person or group the project helped and what changed for them. "
        "Do not give anyone's name unless they have agreed.",
        rows=8,
        max_length=10_000,
    )
    case_study_may_be_published = YesNoField(
        label="May the council publish the case study?",
        required_message="Select yes if the council may publish the case study",
        help_text="For example, in its annual report. We will remove names.",
    )

    def __init__(self, *args, award, **kwargs):
        super().__init__(*args, **kwargs)
        self.award = award

    def clean_money_spent(self):
        spent = self.cleaned_data.get("money_spent")
        if spent is not None and spent > self.award.amount_pence:
            raise ValidationError(f"Money spent cannot be more than the {services.pounds(self.award.amount_pence)} awarded")
        return spent
