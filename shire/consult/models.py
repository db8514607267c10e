"""Consultations, their questionnaires and the responses people send.

A questionnaire is kept as the normalised definition that `xlsform.py` builds from an
XLSForm (see docs/consultations.md for its shape), plus the uploaded file itself.
A response is one JSON answer set, keyed by the XLSForm question names.
"""
import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone


class Consultation(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    document = models.FileField(upload_to="consultations/documents/", blank=True)
    opens_on = models.DateField()
    closes_on = models.DateField()
    contact_name = models.CharField("who to contact", max_length=120)
    contact_email = models.EmailField("contact e-mail address")
    contact_phone = models.CharField("contact telephone", max_length=40, blank=True)
    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="consultations")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    # "We asked, you said": the results page is public only once an officer publishes it.
    results_published_at = models.DateTimeField(null=True, blank=True)
    results_summary = models.TextField("what we did with your views", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opens_on", "title"]

    def __str__(self):
        return self.title

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    def phase(self, today=None):
        """upcoming, open or closed, by the council's calendar (closing day included)."""
        today = today or timezone.localdate()
        if today < self.opens_on:
            return "upcoming"
        if today > self.closes_on:
            return "closed"
        return "open"

    def is_open(self, today=None):
        return self.is_published and self.phase(today) == "open"


class Questionnaire(models.Model):
    consultation = models.OneToOneField(Consultation, on_delete=models.CASCADE, related_name="questionnaire")
    title = models.CharField(max_length=200)
    form_id = models.CharField(max_length=120)
    version = models.CharField(max_length=60, blank=True)
    definition = models.JSONField()
    source_file = models.FileField(upload_to="consultations/forms/", blank=True)
    source_name = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.title


class Response(models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", "Online"
        IMPORTED = "imported", "Imported"

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="responses")
    # The reference the respondent is given, and the response_id column of exports and imports.
    response_id = models.CharField(max_length=64)
    answers = models.JSONField()
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "response_id"], name="unique_response_id_per_consultation"),
        ]

    def __str__(self):
        return self.response_id


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class Draft(models.Model):
    """An unfinished response, found again by a secret token kept in a cookie or sent by e-mail.

    Only the token's hash is stored, so a copy of the database cannot be used to take over drafts.
    """

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="drafts")
    token_hash = models.CharField(max_length=64, unique=True)
    answers = models.JSONField(default=dict)
    email = models.EmailField(blank=True)  # personal data: only to send the resume link and the copy
    is_preview = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"draft {self.pk} of {self.consultation.slug}"


class Workshop(models.Model):
    """An engagement workshop held during a consultation, whose results enter the report beside online answers."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="workshops")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["consultation", "name"], name="unique_workshop_name")]

    def __str__(self):
        return self.name


class WorkshopVote(models.Model):
    """Dot votes (or any count) given to one option of one question at one workshop."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="votes")
    question = models.CharField(max_length=120)
    option = models.CharField(max_length=120)
    votes = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "question", "option"], name="unique_workshop_vote"),
        ]


# -- Themes in free-text answers (docs/consultations.md, "Themes in free-text answers") ----------


class Theme(models.Model):
    """One theme of the codebook of one free-text question: proposed by Shire, typed in by an
    officer or imported from a codebook CSV. `key` is stable (snake_case) and names the theme in
    the JSON report; `name` and `description` are what people read."""

    class Origin(models.TextChoices):
        PROPOSED = "proposed", "Proposed by Shire"
        OFFICER = "officer", "Added by an officer"
        IMPORTED = "imported", "Imported from a codebook"

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="themes")
    question = models.CharField(max_length=120)
    key = models.CharField(max_length=60)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=500, blank=True)
    key_phrases = models.JSONField(default=list, blank=True)
    # Example answers shown with a proposed theme, redacted (they are Shire's proposal, not codings).
    examples = models.JSONField(default=list, blank=True)
    order = models.PositiveIntegerField(default=0)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.OFFICER)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "question", "key"], name="unique_theme_key_per_question"),
        ]

    def __str__(self):
        return self.name


class WorkshopNote(models.Model):
    """One point noted at a workshop about a free-text question, coded with the same themes as the
    online answers and counted beside them."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="workshop_notes")
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="notes")
    question = models.CharField(max_length=120)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["workshop_id", "id"]

    def __str__(self):
        return f"note {self.pk} from {self.workshop}"


class AnswerCoding(models.Model):
    """The theme of one answer to a free-text question (a response's answer or a workshop note):
    suggested by Shire (reviewed=False) or decided by an officer (reviewed=True).

    `second_theme` is Shire's runner-up suggestion until the answer is reviewed; after review it is
    the second theme the officer confirmed (or none). Only confirmed second themes are counted."""

    class Sentiment(models.TextChoices):
        AGREE = "agree", "Agrees"
        DISAGREE = "disagree", "Disagrees"
        MIXED = "mixed", "Mixed"
        UNCLEAR = "unclear", "Unclear"

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="answer_codings")
    question = models.CharField(max_length=120)
    response = models.ForeignKey(Response, null=True, blank=True, on_delete=models.CASCADE, related_name="codings")
    note = models.ForeignKey(WorkshopNote, null=True, blank=True, on_delete=models.CASCADE, related_name="codings")
    # Deleting a theme sends its answers back to uncoded (their codings go); a second theme just clears.
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="codings")
    second_theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="second_codings")
    confidence = models.FloatField(null=True, blank=True)
    second_confidence = models.FloatField(null=True, blank=True)
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices, default=Sentiment.UNCLEAR)
    reviewed = models.BooleanField(default=False)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    coded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(response__isnull=False, note__isnull=True)
                           | models.Q(response__isnull=True, note__isnull=False)),
                name="coding_of_a_response_or_a_note",
            ),
            models.UniqueConstraint(fields=["question", "response"], condition=models.Q(response__isnull=False),
                                    name="one_coding_per_response_answer"),
            models.UniqueConstraint(fields=["note"], condition=models.Q(note__isnull=False),
                                    name="one_coding_per_workshop_note"),
        ]
        indexes = [models.Index(fields=["consultation", "question", "reviewed", "confidence"])]

    def __str__(self):
        return f"coding {self.pk}: {self.theme_id}"

    @property
    def source_id(self):
        """The id the themes engine knows this answer by: r<response pk> or n<note pk>."""
        return f"r{self.response_id}" if self.response_id else f"n{self.note_id}"


class BackgroundWork(models.Model):
    """What every piece of Shire's background work records (consult/tasks.py): its state, who asked
    for it and when, when it ran, the worker's heartbeat, the Tasks framework's result id and, if it
    could not finish, why. The newest row is the current state."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Under way"
        DONE = "done", "Done"
        FAILED = "failed", "Could not finish"

    # The states of work not yet finished (at most one at a time for the same thing).
    ACTIVE = (Status.QUEUED, Status.RUNNING)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Marked every few seconds by the worker while the work runs (consult/tasks.py).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The Tasks framework's result id, to notice work its worker lost.
    task_id = models.CharField(max_length=64, blank=True)
    errors = models.JSONField(default=list, blank=True)  # messages for the officer, when it could not finish

    class Meta:
        abstract = True
        ordering = ["-requested_at", "-id"]

    @property
    def active(self):
        return self.status in self.ACTIVE

    @property
    def started_by_name(self):
        """Who asked for the work, as officers see it ("someone" once their account is gone)."""
        return self.started_by.display_name if self.started_by else "someone"


class ThemeWork(BackgroundWork):
    """Shire's work on one free-text question that runs in the background (consult/tasks.py):
    proposing themes or coding the answers. A question has at most one piece of work queued or
    running at a time."""

    class Kind(models.TextChoices):
        PROPOSE = "propose", "Proposing themes"
        CODE = "code", "Coding the answers"

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="theme_work")
    question = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # What the officer asked for: {"max_themes": 12, "replace": false} when proposing.
    options = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)  # counts, when done

    class Meta(BackgroundWork.Meta):
        constraints = [
            models.UniqueConstraint(fields=["consultation", "question"], condition=models.Q(status__in=["queued", "running"]),
                                    name="one_theme_work_at_a_time"),
        ]

    def __str__(self):
        return f"{self.kind} {self.question}: {self.status}"


# -- The officers' results report, prepared in the background (consult/documents.py) --------------


class ReportDocument(BackgroundWork):
    """The results report in one format (and grouping), prepared by Shire's background worker
    (consult/tasks.py) and kept in private storage for the consultation's team to download.

    At most one a format and grouping is queued or running at a time, and once one is ready, the
    ones before it are deleted with their files. `signature` fingerprints the data it was made
    from (documents.signature): when the data's fingerprint no longer matches, the document is out
    of date."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="report_documents")
    format = models.CharField(max_length=10)  # a key of reports.FORMATS
    group_by = models.CharField(max_length=120, blank=True)  # the grouping question, or "" for none
    # When ready: the stored file (a random name under consultations/reports/, never served from a
    # URL of its own), its size in bytes and the fingerprint of the data it was made from.
    file = models.FileField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    signature = models.CharField(max_length=64, blank=True)

    class Meta(BackgroundWork.Meta):
        constraints = [
            models.UniqueConstraint(fields=["consultation", "format", "group_by"],
                                    condition=models.Q(status__in=["queued", "running"]),
                                    name="one_report_document_at_a_time"),
        ]

    def __str__(self):
        return f"{self.format} report of {self.consultation_id}: {self.status}"
