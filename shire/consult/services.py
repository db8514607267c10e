"""The rules for consultations, called by the staff pages, the public pages and the command line."""
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.utils import timezone

from shire.core import audit
from shire.core.models import Team

from . import xlsform
from .models import Consultation, Draft, Questionnaire, Response
from .questionnaire import clean_answers


class ConsultationError(Exception):
    """A request that the rules refuse; the message says why, in words an officer can act on."""


# Paths under /staff/consultations/ that are not consultation slugs.
RESERVED_SLUGS = frozenset({"new"})
SLUG_MAX = Consultation._meta.get_field("slug").max_length


def slug_problem(slug):
    """Why `slug` cannot be a consultation's web address, or None if it can: one rule for every caller.

    The words follow the name of the field ("Web address", "--slug")."""
    try:
        validate_slug(slug)
    except ValidationError:
        return f"“{slug}” may use only letters, numbers, hyphens and underscores"
    if len(slug) > SLUG_MAX:
        return f"may have at most {SLUG_MAX} characters (this one has {len(slug)})"
    if slug in RESERVED_SLUGS:
        return f"“{slug}” is the address of another page; choose another"
    return None


def can_manage(user, consultation):
    """Officers of the consultation's team manage it and see its responses; nobody else does."""
    return bool(getattr(user, "is_officer", False)) and consultation.team.has_member(user)


can_view_responses = can_manage


def attach_questionnaire(consultation, data, filename, user=None):
    """Read an XLSForm and make it the consultation's questionnaire.

    Raises xlsform.XLSFormError listing every problem, and changes nothing, if the form is not
    valid; raises ConsultationError if responses already exist (their answers follow the old form).
    """
    definition = xlsform.read_xlsform(data, filename)
    with transaction.atomic():
        if consultation.responses.exists():
            raise ConsultationError(
                f"{consultation.title} already has responses, so its questionnaire cannot be replaced."
            )
        Questionnaire.objects.filter(consultation=consultation).delete()
        questionnaire = Questionnaire(
            consultation=consultation,
            title=definition["title"],
            form_id=definition["form_id"],
            version=definition.get("version") or "",
            definition=definition,
            source_name=filename,
            uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        )
        questionnaire.source_file.save(filename, ContentFile(data), save=False)
        questionnaire.save()
        audit.record(user, "questionnaire.attached", consultation, form_id=questionnaire.form_id, file=filename)
    return questionnaire


def import_form(path, slug, team=None, user=None):
    """`shire consult import-form`: attach the form to the consultation SLUG, creating it as a draft if new."""
    problem = slug_problem(slug)
    if problem:
        raise ConsultationError(f"--slug {problem}.")
    with open(path, "rb") as handle:
        data = handle.read()
    definition = xlsform.read_xlsform(data, str(path))  # check before creating anything
    with transaction.atomic():
        consultation = Consultation.objects.filter(slug=slug).first()
        if consultation is None:
            team = team or Team.objects.order_by("pk").first() or Team.objects.create(name="Communities Team", slug="communities-team")
            today = timezone.localdate()
            consultation = Consultation.objects.create(
                slug=slug,
                title=definition["title"],
                summary=definition["title"],
                opens_on=today,
                closes_on=today + timedelta(weeks=12),
                contact_name=team.name,
                contact_email="",
                team=team,
            )
            audit.record(user, "consultation.created", consultation, via="import-form")
        return attach_questionnaire(consultation, data, str(path).rsplit("/", 1)[-1], user=user)


def publish(consultation, user):
    if not hasattr(consultation, "questionnaire"):
        raise ConsultationError("Attach a questionnaire before publishing the consultation.")
    if consultation.closes_on < consultation.opens_on:
        raise ConsultationError("The closing date must be on or after the opening date.")
    consultation.status = Consultation.Status.PUBLISHED
    consultation.published_at = timezone.now()
    consultation.save(update_fields=["status", "published_at", "updated_at"])
    audit.record(user, "consultation.published", consultation)


def unpublish(consultation, user):
    consultation.status = Consultation.Status.DRAFT
    consultation.save(update_fields=["status", "updated_at"])
    audit.record(user, "consultation.unpublished", consultation)


_REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I/L to misread


def new_reference():
    code = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


def store_response(consultation, answers, channel=Response.Channel.ONLINE):
    """Store a complete, already validated answer set in one transaction, with a fresh reference."""
    for _ in range(5):
        try:
            with transaction.atomic():
                return Response.objects.create(
                    consultation=consultation, response_id=new_reference(), answers=answers, channel=channel
                )
        except IntegrityError:  # the one-in-a-trillion clash of references: draw again
            continue
    raise ConsultationError("Could not allocate a reference for this response; please try again.")


def submit_draft(consultation, draft_id):
    """Send a draft: check its answers again in full, whatever the browser sent on the way, and if
    they pass store them and delete the draft in one transaction (a preview draft stores nothing).

    Returns (response or None, errors by question name); raises Draft.DoesNotExist if the draft has
    gone, for example sent already from another tab.
    """
    with transaction.atomic():
        draft = Draft.objects.select_for_update().get(pk=draft_id, consultation=consultation)
        kept, errors = clean_answers(consultation.questionnaire.definition, draft.answers)
        if errors:
            return None, errors
        response = None if draft.is_preview else store_response(consultation, kept)
        draft.delete()
    return response, {}
