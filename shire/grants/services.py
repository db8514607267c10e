"""The rules for grants, called by the setup, applicant and officer pages and by the command line.

The application state machine
-----------------------------
    draft ──▶ submitted ──▶ in_assessment ──▶ awarded | part_awarded | declined
                  │  ▲            │
                  ▼  │            ▼
               returned ──▶ resubmitted ──▶ in_assessment ...

`transition(application, to_status, actor, note="")` is the only way an application's status
changes. It locks the row, checks that the step is allowed from the current status and that the
actor may take it (applicants submit and resubmit their own organisation's applications; officers
of the programme's team do everything else), writes an ApplicationEvent and a core AuditEvent,
and returns the event. Anything else raises TransitionError (or PermissionDenied for the wrong actor).
"""
import hashlib
import logging
import re
import secrets
import zipfile
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from shire.core import audit
from shire.core.mail import queue_email

from .models import (
    ApplicantOrganisation,
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationQuestion,
    BankDetails,
    Invitation,
    Membership,
    OrganisationType,
    Programme,
    RequiredDocument,
    Round,
)

S = Application.Status
log = logging.getLogger(__name__)


class GrantsError(Exception):
    """A request that the rules refuse; the message says why, in words the user can act on."""


class TransitionError(GrantsError):
    """A status change the state machine does not allow."""


def mail_not_sent(what, error):
    """Log that an e-mail could not be sent, naming only the kind of error: smtplib's messages
    (SMTPRecipientsRefused, for one) carry the recipients' addresses, which never go in logs."""
    log.error("%s not sent: the mail server refused or could not be reached (%s)", what, type(error).__name__)


# --- who may do what ------------------------------------------------------------------------


def can_manage_programme(user, programme):
    """The programme's grants officers, the officers of its team, set it up, see every application and
    decide; assessors from outside the team see only what is assigned to them (assessment.may_see)."""
    return bool(getattr(user, "is_officer", False)) and programme.team.has_member(user)


def can_manage_round(user, round_):
    return can_manage_programme(user, round_.programme)


def can_manage_application(user, application):
    return can_manage_round(user, application.round)


def is_applicant(user):
    """A signed-in, active community member (the only role that applies for grants)."""
    return bool(user and user.is_authenticated and user.is_active and user.role == user.Role.COMMUNITY)


def organisations_of(user):
    if not is_applicant(user):
        return ApplicantOrganisation.objects.none()
    return ApplicantOrganisation.objects.filter(memberships__user=user).order_by("name")


def is_member(user, organisation):
    return is_applicant(user) and organisation.has_member(user)


def applications_of(user):
    """Every application of every organisation the user belongs to (none for staff accounts)."""
    if not is_applicant(user):
        return Application.objects.none()
    return Application.objects.filter(organisation__memberships__user=user).select_related(
        "round__programme", "organisation", "theme"
    )


def can_view_application(user, application):
    return is_member(user, application.organisation)


# --- the state machine -----------------------------------------------------------------------

APPLICANT = "applicant"
OFFICER = "officer"

# from status -> {to status: who may take the step}
TRANSITIONS = {
    S.DRAFT: {S.SUBMITTED: APPLICANT},
    S.SUBMITTED: {S.RETURNED: OFFICER, S.IN_ASSESSMENT: OFFICER, S.DECLINED: OFFICER},
    S.RETURNED: {S.RESUBMITTED: APPLICANT},
    S.RESUBMITTED: {S.RETURNED: OFFICER, S.IN_ASSESSMENT: OFFICER, S.DECLINED: OFFICER},
    S.IN_ASSESSMENT: {S.RETURNED: OFFICER, S.AWARDED: OFFICER, S.PART_AWARDED: OFFICER, S.DECLINED: OFFICER},
    S.AWARDED: {},
    S.PART_AWARDED: {},
    S.DECLINED: {},
}


def allowed_transitions(application):
    return TRANSITIONS.get(application.status, {})


def transition(application, to_status, actor, note="", visible_to_applicant=True):
    """Move `application` to `to_status` as `actor`; returns the ApplicationEvent written.

    Runs in a transaction and locks the application row, so two people acting at once cannot both
    move it from the same status. `application` is refreshed with the new status.
    """
    to_status = S(to_status)
    with transaction.atomic():
        locked = Application.objects.select_for_update().select_related("round__programme__team", "organisation").get(
            pk=application.pk
        )
        from_status = locked.status
        who = TRANSITIONS.get(from_status, {}).get(to_status)
        if who is None:
            raise TransitionError(
                f"Application {locked.reference} is {S(from_status).label.lower()}: "
                f"it cannot become {to_status.label.lower()}."
            )
        if who == APPLICANT and not is_member(actor, locked.organisation):
            raise PermissionDenied("Only a member of the applying organisation can do this.")
        if who == OFFICER and not can_manage_application(actor, locked):
            raise PermissionDenied("Only an officer of the programme's team can do this.")
        now = timezone.now()
        locked.status = to_status
        fields = ["status", "updated_at"]
        if to_status in (S.SUBMITTED, S.RESUBMITTED):
            if locked.submitted_at is None:
                locked.submitted_at = now
                fields.append("submitted_at")
            locked.last_submitted_at = now
            fields.append("last_submitted_at")
        locked.save(update_fields=fields)
        event = ApplicationEvent.objects.create(
            application=locked,
            kind=ApplicationEvent.Kind.STATUS,
            from_status=from_status,
            to_status=to_status,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            at=now,
            note=note,
            visible_to_applicant=visible_to_applicant,
        )
        audit.record(
            actor, f"grants.application.{to_status.value}", locked, from_status=from_status, to_status=to_status.value
        )
    for name in ("status", "submitted_at", "last_submitted_at", "updated_at"):
        setattr(application, name, getattr(locked, name))
    return event


def log_event(application, kind, actor, note="", visible_to_applicant=True):
    """Add a step that is not a status change (scored, decided, paid, ...) to the application's trail."""
    event = ApplicationEvent.objects.create(
        application=application,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
        visible_to_applicant=visible_to_applicant,
    )
    audit.record(actor, f"grants.application.{kind}", application)
    return event


def applicant_timeline(application):
    """The events an applicant may see, oldest first: never officers' or assessors' private notes."""
    return application.events.filter(visible_to_applicant=True).select_related("actor").order_by("at", "id")


# --- organisations, members and invitations ---------------------------------------------------


def create_organisation(user, **fields):
    """Create an applicant organisation with `user` as its lead contact."""
    if not is_applicant(user):
        raise PermissionDenied("Only a community member's account can create an applicant organisation.")
    with transaction.atomic():
        organisation = ApplicantOrganisation.objects.create(**fields)
        Membership.objects.create(organisation=organisation, user=user, role=Membership.Role.LEAD)
        audit.record(user, "grants.organisation.created", organisation)
    return organisation


def update_organisation(organisation, user, **fields):
    if not is_member(user, organisation):
        raise PermissionDenied
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.save()
    audit.record(user, "grants.organisation.updated", organisation, fields=sorted(fields))
    return organisation


def save_bank_details(organisation, user, account_name, sort_code, account_number):
    """Record (or replace) where the organisation's awards are paid. Members only; the audit entry
    says that they changed, never what they are."""
    if not is_member(user, organisation):
        raise PermissionDenied
    with transaction.atomic():
        details, created = BankDetails.objects.update_or_create(
            organisation=organisation,
            defaults={"account_name": account_name, "sort_code": sort_code, "account_number": account_number, "updated_by": user},
        )
        audit.record(user, "grants.organisation.bank_details_added" if created else "grants.organisation.bank_details_changed", organisation)
    return details


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def invite_member(organisation, email, invited_by, accept_url):
    """E-mail an invitation to join `organisation`. `accept_url(token)` makes the link.

    Returns the Invitation. The token is only in the e-mail; the database keeps its hash.
    """
    if not is_member(invited_by, organisation):
        raise PermissionDenied
    email = email.strip()
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise GrantsError("That person is already a member of this organisation.")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        # A new invitation replaces any earlier one to the same address.
        organisation.invitations.filter(email__iexact=email, accepted_at__isnull=True, cancelled_at__isnull=True).update(
            cancelled_at=now
        )
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            token_hash=hash_token(token),
            invited_by=invited_by,
            created_at=now,
            expires_at=now + timedelta(days=Invitation.VALID_DAYS),
        )
        audit.record(invited_by, "grants.organisation.invited", organisation, invitation=invitation.pk)
        context = {
            "organisation": organisation,
            "inviter": invited_by,
            "url": accept_url(token),
            "valid_days": Invitation.VALID_DAYS,
            "service_name": settings.SERVICE_NAME,
            "council_name": settings.COUNCIL_NAME,
        }
        # Sent inside the transaction: the token is only in the e-mail, so an invitation whose
        # e-mail did not go is of no use; the error leaving the block rolls it back.
        try:
            send_mail(
                subject=f"Join {organisation.name} on {settings.COUNCIL_NAME}'s grants service",
                message=render_to_string("grants/emails/invitation.txt", context),
                from_email=None,
                recipient_list=[email],
            )
        except OSError as error:
            mail_not_sent(f"Invitation to organisation {organisation.pk}", error)
            raise GrantsError("We could not send the invitation e-mail just now, so nothing was saved. Try again later.") from None
    return invitation


def find_invitation(token):
    """The usable invitation for `token`, or None (unknown, used, cancelled or expired)."""
    if not token:
        return None
    invitation = Invitation.objects.select_related("organisation").filter(token_hash=hash_token(token)).first()
    if invitation is None or not invitation.is_usable():
        return None
    return invitation


# Why an invitation link no longer works, as its page and the refusal to join say it.
INVITATION_PROBLEMS = {
    "cancelled": "This invitation was cancelled by the organisation. If you should be a member, ask one of its lead contacts to invite you again.",
    "replaced": "This invitation was replaced by a newer one. Use the link in the latest invitation e-mail.",
    "accepted": "This invitation has already been used. If it was you, sign in to see the organisation.",
    "expired": "This invitation has expired. Ask a member of the organisation to invite you again.",
    "unknown": "This invitation link does not work. Check it was copied whole from the e-mail, or ask to be invited again.",
}


def invitation_state(token):
    """(state, invitation) for an invitation link: state is "usable", "cancelled" (by a lead contact),
    "replaced" (by a newer invitation to the same address, which cancels it), "accepted", "expired" or
    "unknown" (invitation None)."""
    invitation = Invitation.objects.select_related("organisation").filter(token_hash=hash_token(token or "")).first()
    if invitation is None:
        return "unknown", None
    if invitation.accepted_at is not None:
        return "accepted", invitation
    if invitation.cancelled_at is not None:
        newer = invitation.organisation.invitations.filter(email__iexact=invitation.email, created_at__gt=invitation.created_at)
        return ("replaced" if newer.exists() else "cancelled"), invitation
    if not invitation.is_usable():
        return "expired", invitation
    return "usable", invitation


def accept_invitation(token, user):
    """Join the invitation's organisation as `user`; returns the organisation."""
    if not is_applicant(user):
        raise GrantsError("Staff accounts cannot join an applicant organisation. Sign in with a community account.")
    with transaction.atomic():
        state, invitation = invitation_state(token)
        if state == "usable":
            # Locked, then checked again: a lead contact may cancel it at this moment.
            invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
            state, _ = invitation_state(token)
        if state != "usable":
            raise GrantsError(INVITATION_PROBLEMS[state])
        organisation = invitation.organisation
        Membership.objects.get_or_create(
            organisation=organisation,
            user=user,
            defaults={"role": Membership.Role.MEMBER, "invited_by": invitation.invited_by},
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit.record(user, "grants.organisation.joined", organisation, invitation=invitation.pk)
    return organisation


def is_lead_contact(user, organisation):
    """A lead contact is the organisation's administrator: they remove members, cancel invitations and
    make other members lead contacts."""
    return is_applicant(user) and organisation.memberships.filter(user=user, role=Membership.Role.LEAD).exists()


def _as_lead_contact(organisation, user):
    """Lock the organisation's row and check, under the lock, that `user` is still one of its lead contacts:
    two lead contacts removing each other at the same moment take turns, and the second is refused."""
    locked = ApplicantOrganisation.objects.select_for_update().get(pk=organisation.pk)
    if not is_lead_contact(user, locked):
        raise PermissionDenied("Only a lead contact of the organisation can do this.")
    return locked


def _lead_contact_and_member(organisation, membership, by):
    """Inside a transaction: the organisation locked with `by` checked as its lead contact, and
    `membership` read again under the lock (someone may have removed it meanwhile)."""
    locked = _as_lead_contact(organisation, by)
    membership = locked.memberships.select_related("user").filter(pk=membership.pk).first()
    if membership is None:
        raise GrantsError("That person is no longer a member of this organisation.")
    return locked, membership


def remove_member(organisation, membership, by):
    """`by`, a lead contact, takes `membership` off the organisation; from their next request the person
    removed sees none of its applications (404). The last lead contact cannot be removed, by anyone."""
    if not is_member(by, organisation):
        raise PermissionDenied
    with transaction.atomic():
        locked, membership = _lead_contact_and_member(organisation, membership, by)
        if (
            membership.role == Membership.Role.LEAD
            and not locked.memberships.filter(role=Membership.Role.LEAD).exclude(pk=membership.pk).exists()
        ):
            who = "you" if membership.user_id == by.pk else "they"
            raise GrantsError(
                f"{who.capitalize()} are the only lead contact of {locked.name}, so {who} cannot be removed: "
                "an organisation always needs one."
            )
        membership.delete()
        audit.record(by, "grants.organisation.member_removed", locked, user=membership.user_id, role=membership.role)
    return membership


def make_lead_contact(organisation, membership, by, organisation_url=None):
    """`by`, a lead contact, makes the member `membership` a lead contact too, so the organisation can be
    handed over. The member's e-mail saying so is queued with the change. Returns the membership."""
    if not is_member(by, organisation):
        raise PermissionDenied
    with transaction.atomic():
        locked, membership = _lead_contact_and_member(organisation, membership, by)
        if membership.role == Membership.Role.LEAD:
            raise GrantsError(f"{membership.member_name} is already a lead contact of {locked.name}.")
        membership.role = Membership.Role.LEAD
        membership.save(update_fields=["role"])
        audit.record(by, "grants.organisation.lead_contact_added", locked, user=membership.user_id)
        context = {
            "organisation": locked,
            "by": by,
            "url": organisation_url,
            "service_name": settings.SERVICE_NAME,
            "council_name": settings.COUNCIL_NAME,
        }
        if membership.user.email:
            queue_email(
                membership.user.email,
                f"You are now a lead contact of {locked.name}",
                render_to_string("grants/emails/lead_contact.txt", context),
                about=f"Lead contact e-mail for organisation {locked.pk}",
            )
    return membership


def step_down(organisation, by):
    """`by`, a lead contact, becomes an ordinary member while another lead contact remains: an
    organisation always keeps one. Under the organisation's lock, so two lead contacts stepping down at
    the same moment take turns and the second is refused."""
    if not is_member(by, organisation):
        raise PermissionDenied
    with transaction.atomic():
        locked = _as_lead_contact(organisation, by)
        membership = locked.memberships.get(user=by)
        if not locked.memberships.filter(role=Membership.Role.LEAD).exclude(pk=membership.pk).exists():
            raise GrantsError(
                f"You are the only lead contact of {locked.name}, so you cannot step down: "
                "make another member a lead contact first."
            )
        membership.role = Membership.Role.MEMBER
        membership.save(update_fields=["role"])
        audit.record(by, "grants.organisation.lead_contact_stepped_down", locked, user=by.pk)
    return membership


def cancel_invitation(organisation, invitation, by):
    """`by`, a lead contact, cancels an invitation not yet accepted: its link says so from then on."""
    if not is_member(by, organisation):
        raise PermissionDenied
    with transaction.atomic():
        locked = _as_lead_contact(organisation, by)
        invitation = Invitation.objects.select_for_update().filter(pk=invitation.pk, organisation=locked).first()
        if invitation is None:
            raise GrantsError("That invitation is not one of this organisation's.")
        if invitation.accepted_at is not None:
            raise GrantsError("That invitation has already been accepted: remove the member instead.")
        if invitation.cancelled_at is not None:
            raise GrantsError("That invitation was already cancelled.")
        invitation.cancelled_at = timezone.now()
        invitation.save(update_fields=["cancelled_at"])
        audit.record(by, "grants.organisation.invitation_cancelled", locked, invitation=invitation.pk)
    return invitation


# --- rounds open to applicants -----------------------------------------------------------------


def open_rounds(today=None):
    today = today or timezone.localdate()
    return (
        Round.objects.filter(status=Round.Status.PUBLISHED, opens_on__lte=today, closes_on__gte=today)
        .select_related("programme")
        .order_by("closes_on", "name")
    )


def public_rounds(today=None):
    """Rounds the public may read about: published ones (open, upcoming and closed)."""
    return Round.objects.filter(status__in=[Round.Status.PUBLISHED, Round.Status.CLOSED]).select_related("programme")


# --- eligibility ----------------------------------------------------------------------------


def pounds(pence):
    """£1,234 or £1,234.56, for messages."""
    if pence is None:
        return ""
    whole, part = divmod(int(pence), 100)
    return f"£{whole:,}" + (f".{part:02d}" if part else "")


def eligibility_reasons(round_, organisation, in_leicestershire, amount_pence, answers=None):
    """Why `organisation` may not apply to `round_` with these answers: a list of sentences (empty if eligible).

    `answers` maps EligibilityQuestion pk to True/False.
    """
    answers = answers or {}
    reasons = []
    if not round_.is_open():
        reasons.append(f"{round_.name} is not open for applications.")
    if round_.eligible_org_types and organisation.org_type not in round_.eligible_org_types:
        label = dict(OrganisationType.choices).get(organisation.org_type, organisation.org_type).lower()
        allowed = ", ".join(label.lower() for label in round_.eligible_org_type_labels())
        reasons.append(f"This round is open only to these types of organisation: {allowed}. Yours is a {label}.")
    if round_.must_be_in_leicestershire and not in_leicestershire:
        reasons.append("This round funds only projects that benefit people in Leicestershire.")
    if amount_pence is not None:
        if amount_pence < round_.min_request_pence:
            reasons.append(f"The smallest grant this round gives is {pounds(round_.min_request_pence)}.")
        if amount_pence > round_.max_request_pence:
            reasons.append(f"The largest grant this round gives is {pounds(round_.max_request_pence)}.")
    for question in round_.eligibility_questions.all():
        answer = answers.get(question.pk)
        if answer is not None and answer != question.eligible_answer:
            reasons.append(question.reason)
    if applications_left(round_, organisation) <= 0:
        reasons.append(
            f"Your organisation has already applied to {round_.name}: each organisation may send "
            f"{round_.max_applications_per_organisation} application"
            f"{'' if round_.max_applications_per_organisation == 1 else 's'} to this round."
        )
    return reasons


def applications_left(round_, organisation):
    used = Application.objects.filter(round=round_, organisation=organisation).count()
    return round_.max_applications_per_organisation - used


def start_application(round_, organisation, user, eligibility):
    """Create a draft after a passed eligibility check. `eligibility` is what was answered.

    Checks the rules again under a lock on the organisation, so two members starting at once
    cannot exceed the round's limit of applications per organisation.
    """
    if not is_member(user, organisation):
        raise PermissionDenied
    with transaction.atomic():
        ApplicantOrganisation.objects.select_for_update().get(pk=organisation.pk)
        reasons = eligibility_reasons(
            round_,
            organisation,
            eligibility.get("in_leicestershire", False),
            eligibility.get("amount_pence"),
            {int(k): v for k, v in eligibility.get("questions", {}).items()},
        )
        if reasons:
            raise GrantsError(" ".join(reasons))
        application = Application.objects.create(
            round=round_,
            organisation=organisation,
            created_by=user,
            amount_requested_pence=eligibility.get("amount_pence"),
            beneficiary_district=organisation.district,
            eligibility_answers=eligibility,
        )
        audit.record(user, "grants.application.started", application, round=round_.slug)
    return application


# --- the application form ---------------------------------------------------------------------

_MONEY = re.compile(r"^£?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$")


def parse_pounds(text):
    """'£1,234.50' -> 123450 pence; None if blank; ValueError if not an amount."""
    text = (text or "").strip()
    if not text:
        return None
    if not _MONEY.match(text):
        raise ValueError(text)
    text = text.lstrip("£").strip().replace(",", "")
    whole, _, part = text.partition(".")
    return int(whole) * 100 + int((part + "00")[:2])


def format_pounds_input(pence):
    """123450 -> '1234.50', 100000 -> '1000': what a money input shows."""
    if pence is None:
        return ""
    whole, part = divmod(int(pence), 100)
    return f"{whole}.{part:02d}" if part else str(whole)


def word_count(text):
    return len((text or "").split())


TITLE_LENGTH = Application._meta.get_field("title").max_length


def save_draft(application, user, fields):
    """Keep whatever the applicant typed, valid or not ("Save and come back later").

    `fields` holds title, summary, theme (Theme or None), amount_text, district (District or None)
    and answers (question key -> text). Nothing is validated except that the application may be edited.
    """
    if not is_member(user, application.organisation):
        raise PermissionDenied
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if not locked.is_editable:
            raise GrantsError("This application has been sent and cannot be changed now.")
        title = fields.get("title", "")
        application.title = title[:TITLE_LENGTH]
        application.summary = fields.get("summary", "")
        application.theme = fields.get("theme")
        application.beneficiary_district = fields.get("district")
        answers = dict(fields.get("answers", {}))
        if len(title) > TITLE_LENGTH:
            # Too long for the column: kept whole, so the form shows what was typed, with the error on submit.
            answers["_title_text"] = title
        amount_text = fields.get("amount_text", "")
        try:
            application.amount_requested_pence = parse_pounds(amount_text)
            answers.pop("_amount_text", None)
        except ValueError:
            # Not an amount: keep what was typed so the form shows it again, with the error on submit.
            application.amount_requested_pence = None
            answers["_amount_text"] = amount_text
        application.answers = answers
        application.save(
            update_fields=["title", "summary", "theme", "beneficiary_district", "amount_requested_pence", "answers", "updated_at"]
        )
        audit.record(user, "grants.application.saved", application)
    return application


def submission_errors(application):
    """Everything that stops the application being sent, as {field name: message}, in form order."""
    errors = {}
    round_ = application.round
    if application.answers.get("_title_text"):
        errors["title"] = f"Project title must be {TITLE_LENGTH} characters or fewer"
    elif not application.title.strip():
        errors["title"] = "Enter your project's title"
    if not application.summary.strip():
        errors["summary"] = "Enter a summary of your project"
    elif word_count(application.summary) > 250:
        errors["summary"] = "The summary must be 250 words or fewer"
    themes = list(round_.themes())
    if themes and application.theme_id is None:
        errors["theme"] = "Select the theme your project fits best"
    elif application.theme_id and application.theme_id not in {t.pk for t in themes}:
        errors["theme"] = "Select one of this round's themes"
    if application.answers.get("_amount_text"):
        errors["amount"] = "Enter the amount as pounds, like 2500 or 2,500.50"
    elif application.amount_requested_pence is None:
        errors["amount"] = "Enter how much you are asking for"
    elif application.amount_requested_pence < round_.min_request_pence:
        errors["amount"] = f"The amount must be at least {pounds(round_.min_request_pence)}"
    elif application.amount_requested_pence > round_.max_request_pence:
        errors["amount"] = f"The amount must be {pounds(round_.max_request_pence)} or less"
    if application.beneficiary_district_id is None:
        errors["district"] = "Select the district where most of the people your project helps live"
    for question in round_.questions.all():
        error = answer_error(question, application.answers.get(question.key, ""))
        if error:
            errors[f"q{question.pk}"] = error
    uploaded = set(application.documents.values_list("required_document_id", flat=True))
    for document in round_.required_documents.filter(required=True):
        if document.pk not in uploaded:
            errors[f"doc{document.pk}"] = f"Upload {document.name[:1].lower()}{document.name[1:]}"
    return errors


def answer_error(question, value):
    value = (value or "").strip()
    if not value:
        return f"Answer ‘{question.label}’" if question.required else ""
    kind = ApplicationQuestion.Kind
    if question.kind == kind.NUMBER and not re.fullmatch(r"-?\d+", value.replace(",", "")):
        return f"‘{question.label}’ must be a whole number, like 12"
    if question.kind == kind.MONEY:
        try:
            parse_pounds(value)
        except ValueError:
            return f"‘{question.label}’ must be an amount in pounds, like 2500 or 2,500.50"
    if question.max_words and word_count(value) > question.max_words:
        return f"‘{question.label}’ must be {question.max_words} words or fewer (you have {word_count(value)})"
    return ""


def submit_application(application, user, acknowledgement_url=None):
    """Send the application (first time or after it was returned). Returns (event, errors).

    If anything is missing or wrong, nothing changes and the errors say what to fix. Otherwise the
    status moves on, the trail and the audit log record it, and an acknowledgement e-mail to every
    member of the organisation is queued with it.
    """
    if not is_member(user, application.organisation):
        raise PermissionDenied
    with transaction.atomic():
        locked = Application.objects.select_for_update().select_related("round__programme", "organisation").get(
            pk=application.pk
        )
        if locked.status == S.DRAFT and not locked.round.is_open():
            raise GrantsError(f"{locked.round.name} closed on {locked.round.closes_on:%-d %B %Y}: applications can no longer be sent.")
        if not locked.is_editable:
            raise GrantsError("This application has already been sent.")
        errors = submission_errors(locked)
        if errors:
            return None, errors
        to_status = S.SUBMITTED if locked.status == S.DRAFT else S.RESUBMITTED
        event = transition(locked, to_status, user)
        queue_acknowledgement(locked, to_status, acknowledgement_url)
    for name in ("status", "submitted_at", "last_submitted_at"):
        setattr(application, name, getattr(locked, name))
    return event, {}


def member_emails(application):
    """The addresses of the application's organisation's active members who have one, longest-standing first."""
    return list(
        application.organisation.memberships.filter(user__is_active=True)
        .exclude(user__email="")
        .order_by("joined_at", "id")
        .values_list("user__email", flat=True)
    )


def queue_acknowledgement(application, status, url=None):
    """Queue the acknowledgement of a sent application for every active member with an e-mail address."""
    recipients = member_emails(application)
    context = {
        "application": application,
        "round": application.round,
        "resubmitted": status == S.RESUBMITTED,
        "amount": pounds(application.amount_requested_pence),
        "url": url,
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
    }
    verb = "resubmitted" if status == S.RESUBMITTED else "received"
    subject = f"Application {application.reference} {verb}: {application.round.name}"
    body = render_to_string("grants/emails/acknowledgement.txt", context)
    # One e-mail per member: members' addresses are not shown to each other.
    for email in recipients:
        queue_email(email, subject, body, about=f"Acknowledgement of application {application.pk}")


# --- documents ---------------------------------------------------------------------------------

EXTENSIONS = {
    "pdf": RequiredDocument.FileType.PDF,
    "docx": RequiredDocument.FileType.DOCX,
    "xlsx": RequiredDocument.FileType.XLSX,
    "jpg": RequiredDocument.FileType.JPEG,
    "jpeg": RequiredDocument.FileType.JPEG,
    "png": RequiredDocument.FileType.PNG,
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpeg": "image/jpeg",
    "png": "image/png",
}


def sniff(uploaded):
    """The FileType the file's contents show it to be, or None: never trusts the name or the browser."""
    uploaded.seek(0)
    head = uploaded.read(8)
    uploaded.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(uploaded) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            uploaded.seek(0)
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
    return None


def document_error(required_document, uploaded):
    """Why this upload is refused, in a sentence; '' if it is accepted."""
    allowed = required_document.allowed_types or list(CONTENT_TYPES)
    labels = " or ".join(dict(RequiredDocument.FileType.choices)[t] for t in allowed)
    name = uploaded.name or ""
    if uploaded.size == 0:
        return f"The selected file is empty. Choose a {labels} file with something in it."
    if uploaded.size > required_document.max_size_bytes:
        return f"The selected file must be smaller than {human_size(required_document.max_size_bytes)}."
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    claimed = EXTENSIONS.get(ext)
    if claimed is None or claimed not in allowed:
        return f"The selected file must be a {labels}."
    if sniff(uploaded) != claimed:
        return f"The selected file is not a real {dict(RequiredDocument.FileType.choices)[claimed]} file. Choose a {labels} file."
    return ""


def human_size(size):
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g}MB"
    return f"{size / 1024:g}KB"


def add_document(application, required_document, uploaded, user):
    """Store an upload for `required_document`, replacing an earlier one. Raises GrantsError if refused."""
    if not is_member(user, application.organisation):
        raise PermissionDenied
    if required_document.round_id != application.round_id:
        raise GrantsError("That document is not part of this round's application.")
    error = document_error(required_document, uploaded)
    if error:
        raise GrantsError(error)
    kind = sniff(uploaded)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if not locked.is_editable:
            raise GrantsError("This application has been sent, so its documents cannot be changed now.")
        old = list(application.documents.filter(required_document=required_document))
        document = ApplicationDocument(
            application=application,
            required_document=required_document,
            name=_safe_name(uploaded.name),
            content_type=CONTENT_TYPES[kind],
            size=uploaded.size,
            sha256=digest.hexdigest(),
            uploaded_by=user,
        )
        document.file.save(uploaded.name, uploaded, save=False)
        document.save()
        for previous in old:
            _delete_document(previous)
        audit.record(user, "grants.document.uploaded", application, document=document.pk, kind=kind, size=document.size)
    return document


def remove_document(document, user):
    application = document.application
    if not is_member(user, application.organisation):
        raise PermissionDenied
    if not application.is_editable:
        raise GrantsError("This application has been sent, so its documents cannot be changed now.")
    pk = document.pk
    _delete_document(document)
    audit.record(user, "grants.document.removed", application, document=pk)


def _delete_document(document):
    storage, name = document.file.storage, document.file.name
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))


def _safe_name(name):
    name = (name or "document").replace("\\", "/").rsplit("/", 1)[-1]
    return re.sub(r"[\x00-\x1f]", "", name)[:200] or "document"


# --- lists for the officers' pages -------------------------------------------------------------


def programmes_for(user):
    """The programmes of the officer's teams."""
    if not getattr(user, "is_officer", False):
        return Programme.objects.none()
    return Programme.objects.filter(team__in=user.teams.all()).select_related("team").order_by("name")


def visible_statuses_q():
    """Applications officers work on: everything but drafts."""
    return ~Q(status=S.DRAFT)
