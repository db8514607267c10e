"""People, teams, the audit log, places, and the e-mails Shire sends in the background.

Residents answer consultations without an account; only council staff have users here.
An officer works in one or more teams; a team owns consultations (and, later, grant
programmes), and only its members see what the public sent it.
"""
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class User(AbstractUser):
    class Role(models.TextChoices):
        OFFICER = "officer", "Officer"
        ADMINISTRATOR = "administrator", "Administrator"
        # A member of a community organisation: applies for grants, keeps its directory page up to date.
        COMMUNITY = "community", "Community member"

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.OFFICER)

    # Names and e-mail addresses are personal data: never shown on public pages or in exports.
    PERSONAL_FIELDS = ("first_name", "last_name", "email")

    @property
    def is_officer(self):
        """Every member of staff can use the staff pages; administrators too."""
        return self.is_active and self.role in (self.Role.OFFICER, self.Role.ADMINISTRATOR)

    @property
    def is_administrator(self):
        return self.is_active and self.role == self.Role.ADMINISTRATOR

    @property
    def display_name(self):
        """How staff pages name this person to other staff: full name, else the username."""
        return self.get_full_name() or self.get_username()


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def has_member(self, user):
        return bool(user and user.is_authenticated and user.is_active) and self.members.filter(pk=user.pk).exists()


class AuditEvent(models.Model):
    """Who did what to which record, kept for every officer decision and every download."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=80)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type}:{self.object_id}"


class District(models.Model):
    """A district or borough council area of the county (Leicestershire has seven)."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    gss_code = models.CharField("ONS GSS code", max_length=9, unique=True, help_text="e.g. E07000129 for Blaby")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Parish(models.Model):
    """A civil parish: governed by a town council, a parish council or a parish meeting."""

    class Kind(models.TextChoices):
        TOWN_COUNCIL = "town_council", "Town council"
        PARISH_COUNCIL = "parish_council", "Parish council"
        PARISH_MEETING = "parish_meeting", "Parish meeting"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="parishes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    is_demo = models.BooleanField(default=False, help_text="invented for the demo data set")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="unique_parish_name_in_district")]

    def __str__(self):
        return self.name


class OutgoingEmail(models.Model):
    """One notification e-mail to one person (nobody sees another's address), queued by
    core.mail.queue_email and sent by the background worker, with retries.

    Once sent, its body is blanked: what it said is personal and need not be kept; the address and
    subject stay, for 90 days (mail.KEEP_FOR), so an administrator can answer "did my e-mail go?".
    `about` names what it is about by ids only ("Decision letter for application 12"), so it can go
    in logs."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Not sent: given up"

    # Personal data: seen by administrators only (admin.py), never logged.
    PERSONAL_FIELDS = ("to", "subject", "body", "html")

    about = models.CharField(max_length=200, help_text="what it is about, by ids only (no personal data)")
    to = models.EmailField("to", max_length=254)
    subject = models.CharField(max_length=500)
    body = models.TextField(blank=True, help_text="blanked once sent")
    html = models.TextField("HTML", blank=True, help_text="blanked once sent; blank if the e-mail is plain text")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # When a worker last claimed it to send: one "being sent" for long lost its worker (mail.STRANDED_AFTER).
    attempted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error_type = models.CharField(
        max_length=100, blank=True, help_text="the kind of error of the last attempt that failed (its message is not kept: it can quote addresses)")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.about} ({self.get_status_display().lower()})"
