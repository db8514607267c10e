"""Grant programmes, their rounds, the applications community organisations send, and what follows:
assessment, decision, award, payments and monitoring.

Money is always in pence (integers). Dates are the council's calendar dates (Europe/London).

Who sees what
-------------
* A programme belongs to a council team (core.Team); that team's officers are its grants
  officers: they set it up, see every application, triage, assess, decide and pay.
* Staff outside the team on the programme's `assessors` list (panel members, officers of other
  teams) may be assigned applications to score, and see only those (assessment.may_see).
* An applicant organisation has members (core.User with role "community"); they see only their
  own organisation's applications.
* Fields named in a model's PERSONAL_FIELDS are personal data: never on public pages, in open
  data or in logs. PRIVATE_FIELDS are confidential to the organisation and the council team
  (bank details, answers, case studies before consent): never in open data or logs either.

Records that must not be silently changed
-----------------------------------------
ApplicationEvent, Decision and DecisionAmendment are append-only: saving an existing row or
deleting one raises ImmutableRecordError, and their querysets refuse update() and delete().
A decision is corrected by adding a DecisionAmendment, never by editing the Decision.
"""
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ImmutableRecordError(Exception):
    """Raised on an attempt to change or delete an append-only record."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableRecordError(f"{self.model.__name__} rows cannot be updated")

    def delete(self):
        raise ImmutableRecordError(f"{self.model.__name__} rows cannot be deleted")


class AppendOnlyModel(models.Model):
    """A model whose rows are written once: insert only, no update, no delete."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ImmutableRecordError(f"{type(self).__name__} {self.pk} cannot be changed; add a new record instead")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError(f"{type(self).__name__} {self.pk} cannot be deleted")


# --- organisation types and outcomes (shared choices) ------------------------------------------


class OrganisationType(models.TextChoices):
    CHARITY = "charity", "Registered charity"
    COMMUNITY_GROUP = "community_group", "Voluntary or community group"
    SOCIAL_ENTERPRISE = "social_enterprise", "Social enterprise"
    COMMUNITY_INTEREST_COMPANY = "cic", "Community interest company"
    FAITH_GROUP = "faith_group", "Faith group (for community, not religious, activities)"
    TOWN_OR_PARISH_COUNCIL = "town_parish_council", "Town or parish council, or parish meeting"
    OTHER = "other", "Other"


class Outcome(models.TextChoices):
    """The outcomes SHIRE Community Grant funded projects report (the Communities Team's list, 2019-20)."""

    HEALTH_WELLBEING = "health_wellbeing", "Improving health, wellbeing and quality of life"
    POSITIVE_LIFESTYLE = "positive_lifestyle", "Enabling positive lifestyle choices"
    CONFIDENCE_INDEPENDENCE = "confidence_independence", "Improving confidence and independence"
    PARTICIPATION = "participation", "Enabling vulnerable groups to participate more fully in society"


# --- programmes and rounds ----------------------------------------------------------------------


class Programme(models.Model):
    class Kind(models.TextChoices):
        COMMUNITY_GRANTS = "community_grants", "Community grants"
        EMERGENCY_FUND = "emergency_fund", "Emergency fund"

    name = models.CharField(max_length=160, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    # Short upper-case letters at the start of every application reference, e.g. SCG-000123.
    code = models.CharField(
        max_length=12, unique=True, help_text="Letters at the start of application references, e.g. SCG"
    )
    description = models.TextField(blank=True)
    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="grant_programmes")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMMUNITY_GRANTS)
    # The team's officers are the programme's grants officers: they see every application and run
    # every step. Assessors from outside the team (panel members, officers of other teams asked to
    # score) see and score only the applications assigned to them.
    assessors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="grant_programmes_assessed",
        help_text="Staff outside the team who may be asked to score this programme's applications",
    )
    is_demo = models.BooleanField(default=False, help_text="invented for the demo data set")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Round(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CLOSED = "closed", "Closed early"

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="rounds")
    name = models.CharField(max_length=160)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    budget_pence = models.PositiveBigIntegerField()
    opens_on = models.DateField()
    closes_on = models.DateField()
    # Eligibility: who may apply and for how much.
    eligible_org_types = models.JSONField(default=list, help_text="OrganisationType values that may apply")
    must_be_in_leicestershire = models.BooleanField(default=True)
    min_request_pence = models.PositiveBigIntegerField(default=0)
    max_request_pence = models.PositiveBigIntegerField()
    max_applications_per_organisation = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["programme__name", "-opens_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="unique_round_name_in_programme"),
            models.CheckConstraint(condition=Q(opens_on__lte=models.F("closes_on")), name="round_opens_before_closes"),
            models.CheckConstraint(
                condition=Q(min_request_pence__lte=models.F("max_request_pence")), name="round_min_not_above_max"
            ),
        ]

    def __str__(self):
        return f"{self.programme.name}: {self.name}"

    def phase(self, today=None):
        """upcoming, open or closed by the calendar (closing day included), or closed if closed early."""
        today = today or timezone.localdate()
        if self.status == self.Status.CLOSED or today > self.closes_on:
            return "closed"
        if today < self.opens_on:
            return "upcoming"
        return "open"

    def is_open(self, today=None):
        """Published and within its dates: applications may be started and submitted."""
        return self.status == self.Status.PUBLISHED and self.phase(today) == "open"

    def themes(self):
        """The programme's themes plus this round's own, in order."""
        return Theme.objects.filter(Q(programme=self.programme_id, round__isnull=True) | Q(round=self)).order_by(
            "order", "name"
        )

    def eligible_org_type_labels(self):
        labels = dict(OrganisationType.choices)
        return [labels.get(value, value) for value in self.eligible_org_types]


class Theme(models.Model):
    """A priority the programme funds under, e.g. "disadvantaged young people" (SHIRE 2019-20).

    A theme with no round belongs to every round of its programme; one with a round to that round only.
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="themes")
    round = models.ForeignKey(Round, null=True, blank=True, on_delete=models.CASCADE, related_name="own_themes")
    name = models.CharField(max_length=160)
    slug = models.SlugField(max_length=80)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "slug"], name="unique_theme_slug_in_programme"),
        ]

    def __str__(self):
        return self.name


class EligibilityQuestion(models.Model):
    """A yes/no question of a round's eligibility check, beyond organisation type, place and amount.

    An applicant whose answer differs from `eligible_answer` is stopped and shown `reason`.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="eligibility_questions")
    order = models.PositiveSmallIntegerField(default=0)
    question = models.CharField(max_length=300)
    hint = models.CharField(max_length=300, blank=True)
    eligible_answer = models.BooleanField(default=True)
    reason = models.CharField(max_length=300, help_text="Shown to an applicant who answers the other way")

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.question


class ApplicationQuestion(models.Model):
    """A question on a round's application form. Answers are kept in Application.answers under str(pk)."""

    class Kind(models.TextChoices):
        TEXT = "text", "Short text"
        LONG_TEXT = "long_text", "Long text"
        NUMBER = "number", "Whole number"
        MONEY = "money", "Amount of money (pounds)"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(max_length=300)
    hint = models.TextField(blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.LONG_TEXT)
    required = models.BooleanField(default=True)
    max_words = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.label

    @property
    def key(self):
        return str(self.pk)


class RequiredDocument(models.Model):
    """A document the applicant uploads, e.g. the constitution or the latest accounts."""

    class FileType(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word (DOCX)"
        XLSX = "xlsx", "Excel (XLSX)"
        JPEG = "jpeg", "JPEG image"
        PNG = "png", "PNG image"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="required_documents")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=160)
    hint = models.CharField(max_length=300, blank=True)
    allowed_types = models.JSONField(default=list, help_text="FileType values")
    max_size_bytes = models.PositiveIntegerField(default=5 * 1024 * 1024)
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.name

    def allowed_type_labels(self):
        labels = dict(self.FileType.choices)
        return [labels.get(value, value) for value in self.allowed_types]


class Criterion(models.Model):
    """A scoring criterion: assessors score 0..max_score; the weighted total ranks applications."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    weight = models.PositiveSmallIntegerField(default=1)
    max_score = models.PositiveSmallIntegerField(default=5)

    class Meta:
        ordering = ["order", "id"]
        verbose_name_plural = "criteria"
        constraints = [
            models.CheckConstraint(condition=Q(max_score__gt=0), name="criterion_max_score_positive"),
        ]

    def __str__(self):
        return self.name


# --- applicants --------------------------------------------------------------------------------


class ApplicantOrganisation(models.Model):
    # A small group's address is often a volunteer's home: personal data.
    PERSONAL_FIELDS = ("address", "postcode")

    name = models.CharField(max_length=200)
    org_type = models.CharField("type of organisation", max_length=24, choices=OrganisationType.choices)
    charity_number = models.CharField(max_length=20, blank=True)
    company_number = models.CharField(max_length=20, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    district = models.ForeignKey(
        "core.District", null=True, blank=True, on_delete=models.PROTECT, related_name="grant_organisations"
    )
    website = models.URLField(blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        through_fields=("organisation", "user"),
        related_name="grant_organisations",
    )
    is_demo = models.BooleanField(default=False, help_text="invented for the demo data set")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def has_member(self, user):
        return bool(user and user.is_authenticated and user.is_active) and self.memberships.filter(user=user).exists()


class Membership(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", "Lead contact"
        MEMBER = "member", "Member"

    organisation = models.ForeignKey(ApplicantOrganisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grant_memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="unique_membership"),
        ]

    def __str__(self):
        return f"{self.user_id} in {self.organisation_id} ({self.role})"

    @property
    def member_name(self):
        """How the organisation's pages and messages name the member: their name, else their e-mail."""
        return self.user.get_full_name() or self.user.email


class Invitation(models.Model):
    """An invitation, sent by e-mail, to join an organisation. Only the token's hash is stored."""

    PERSONAL_FIELDS = ("email",)
    VALID_DAYS = 14

    organisation = models.ForeignKey(ApplicantOrganisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def is_usable(self, now=None):
        now = now or timezone.now()
        return self.accepted_at is None and self.cancelled_at is None and now < self.expires_at


class BankDetails(models.Model):
    """Where an award is paid. Private: only the organisation's members and its programme's officers."""

    PRIVATE_FIELDS = ("account_name", "sort_code", "account_number")

    organisation = models.OneToOneField(ApplicantOrganisation, on_delete=models.CASCADE, related_name="bank_details")
    account_name = models.CharField(max_length=120)
    sort_code = models.CharField(max_length=8)
    account_number = models.CharField(max_length=8)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "bank details"

    def __str__(self):
        return f"bank details of {self.organisation_id}"


# --- applications ------------------------------------------------------------------------------


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "More information needed"
        RESUBMITTED = "resubmitted", "Resubmitted"
        IN_ASSESSMENT = "in_assessment", "Being assessed"
        AWARDED = "awarded", "Awarded"
        PART_AWARDED = "part_awarded", "Awarded in part"
        DECLINED = "declined", "Not funded"

    DECIDED_STATUSES = (Status.AWARDED, Status.PART_AWARDED, Status.DECLINED)
    FUNDED_STATUSES = (Status.AWARDED, Status.PART_AWARDED)
    # Statuses in which the applicant may edit the form and documents.
    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    # Answers may describe people (beneficiaries, volunteers): confidential to the organisation and the team.
    PRIVATE_FIELDS = ("answers",)

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey(ApplicantOrganisation, on_delete=models.PROTECT, related_name="applications")
    # Programme code and number, e.g. SCG-000042; given when the application is created.
    reference = models.CharField(max_length=40, unique=True, null=True, blank=True)
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.PROTECT, related_name="applications")
    title = models.CharField("project title", max_length=200, blank=True)
    summary = models.TextField("project summary", blank=True)
    amount_requested_pence = models.PositiveBigIntegerField(null=True, blank=True)
    beneficiary_district = models.ForeignKey(
        "core.District", null=True, blank=True, on_delete=models.PROTECT, related_name="grant_applications"
    )
    answers = models.JSONField(default=dict, blank=True)
    # What the applicant answered in the round's eligibility check before starting (for triage).
    eligibility_answers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, help_text="first submission")
    last_submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["round", "status"]),
            models.Index(fields=["organisation", "round"]),
        ]

    def __str__(self):
        return self.reference or f"application {self.pk}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if not self.reference:
            # Stable, URL-safe and unique: the programme's code and the row's number.
            self.reference = f"{self.round.programme.code}-{self.pk:06d}"
            type(self).objects.filter(pk=self.pk).update(reference=self.reference)

    @property
    def is_editable(self):
        return self.status in self.EDITABLE_STATUSES

    @property
    def is_decided(self):
        return self.status in self.DECIDED_STATUSES

    def answer_list(self):
        """(question, answer) for each question of the round, in order."""
        return [(question, self.answers.get(question.key, "")) for question in self.round.questions.all()]


def _document_path(instance, filename):
    # The stored name is random: the uploaded name (personal data, sometimes) is kept only in `name`.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"grants/{instance.application.round_id}/{instance.application_id}/{secrets.token_hex(16)}.{ext}"


class ApplicationDocument(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    required_document = models.ForeignKey(
        RequiredDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="uploads"
    )
    file = models.FileField(upload_to=_document_path, max_length=200)
    name = models.CharField("file name as uploaded", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.name


class ApplicationEvent(AppendOnlyModel):
    """The application's audit trail: every state change and every step (scored, decided, paid).

    Append-only. Events with visible_to_applicant=False (assessors' and officers' private notes)
    are never shown to the organisation.
    """

    class Kind(models.TextChoices):
        STATUS = "status", "Status changed"
        NOTE = "note", "Note"
        DOCUMENT = "document", "Document"
        ASSIGNED = "assigned", "Assessor assigned"
        CONFLICT = "conflict", "Conflict of interest declared"
        SCORED = "scored", "Scored"
        DECIDED = "decided", "Decision recorded"
        DECISION_AMENDED = "decision_amended", "Decision amended"
        LETTER = "letter", "Decision letter sent"
        PAID = "paid", "Payment made"
        MONITORING = "monitoring", "Monitoring return"

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.STATUS)
    from_status = models.CharField(max_length=16, choices=Application.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Application.Status.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    note = models.TextField(blank=True)
    visible_to_applicant = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.application_id} {self.kind} {self.from_status}->{self.to_status}"


# --- assessment --------------------------------------------------------------------------------


class AssessorAssignment(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grant_assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    conflict_declared = models.BooleanField(default=False)
    conflict_reason = models.TextField(blank=True)
    conflict_declared_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "assessor"], name="unique_assessor_per_application"),
        ]

    def __str__(self):
        return f"{self.assessor_id} assesses {self.application_id}"


class Score(models.Model):
    assignment = models.ForeignKey(AssessorAssignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["criterion__order", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="unique_score_per_criterion"),
        ]


# --- decisions, awards, payments, monitoring ---------------------------------------------------


class Decision(AppendOnlyModel):
    """The panel's decision on an application. Written once; corrected only by DecisionAmendment."""

    class Outcome(models.TextChoices):
        AWARD = "award", "Award in full"
        PART = "part", "Award in part"
        DECLINE = "decline", "Decline"

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    amount_awarded_pence = models.PositiveBigIntegerField(default=0)
    reasons = models.TextField()
    # The award's special conditions ("spend by 31 March"), written with the decision and as final.
    conditions = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="decline", amount_awarded_pence=0)
                | (~Q(outcome="decline") & Q(amount_awarded_pence__gt=0)),
                name="decision_amount_matches_outcome",
            ),
        ]

    def __str__(self):
        return f"{self.application_id}: {self.outcome}"

    def current(self):
        """(outcome, amount_awarded_pence) after any amendments."""
        latest = self.amendments.order_by("-at", "-id").first()
        if latest is None:
            return self.outcome, self.amount_awarded_pence
        return latest.new_outcome, latest.new_amount_pence


class DecisionAmendment(AppendOnlyModel):
    """A correction to a decision, with who, when and why. The original decision stays as it was."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="amendments")
    previous_outcome = models.CharField(max_length=8, choices=Decision.Outcome.choices)
    previous_amount_pence = models.PositiveBigIntegerField()
    new_outcome = models.CharField(max_length=8, choices=Decision.Outcome.choices)
    new_amount_pence = models.PositiveBigIntegerField()
    reason = models.TextField()
    amended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]


class Award(models.Model):
    """Money granted to an application. amount_pence is the current amount (after any amendment)."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="award")
    amount_pence = models.PositiveBigIntegerField()
    award_date = models.DateField()
    planned_start_on = models.DateField(null=True, blank=True)
    planned_end_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-award_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_pence__gt=0), name="award_amount_positive"),
        ]

    def __str__(self):
        return f"award to {self.application_id}"


class PaymentInstalment(models.Model):
    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="instalments")
    number = models.PositiveSmallIntegerField(default=1)
    due_on = models.DateField()
    amount_pence = models.PositiveBigIntegerField()
    paid_on = models.DateField(null=True, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payment_reference = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["due_on", "number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["award", "number"], name="unique_instalment_number"),
            models.CheckConstraint(condition=Q(amount_pence__gt=0), name="instalment_amount_positive"),
        ]

    @property
    def is_paid(self):
        return self.paid_on is not None


class MonitoringReturn(models.Model):
    """What a funded project reports: people helped, outcomes (from Outcome), money spent, a case study."""

    # Case studies tell individuals' stories: published only with the organisation's consent.
    PRIVATE_FIELDS = ("case_study",)

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="monitoring_returns")
    due_on = models.DateField()
    submitted_on = models.DateField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    people_helped = models.PositiveIntegerField(null=True, blank=True)
    outcomes = models.JSONField(default=list, blank=True, help_text="Outcome values")
    money_spent_pence = models.PositiveBigIntegerField(null=True, blank=True)
    case_study = models.TextField(blank=True)
    case_study_may_be_published = models.BooleanField(default=False)

    class Meta:
        ordering = ["due_on", "id"]

    def is_late(self, today=None):
        today = today or timezone.localdate()
        if self.submitted_on is None:
            return today > self.due_on
        return self.submitted_on > self.due_on

    def outcome_labels(self):
        labels = dict(Outcome.choices)
        return [labels.get(value, value) for value in self.outcomes]
