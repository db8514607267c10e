"""The officers' results report as files, prepared in the background and kept for download.

A PDF of a few hundred responses takes Shire ten seconds or so to write, too long to keep a web
worker waiting, so the results page queues the work (`start`) and Shire's background worker
(tasks.prepare_report_document, `shire db_worker`) writes the report with
`reports.render_report`, the same function as `shire consult report`, into private storage.
A `ReportDocument` row keeps the state officers see: waiting, under way, ready or failed, who
asked, when, and the file. A document made from the same data is offered again rather than
made again: `signature` fingerprints the report's inputs cheaply, and a document whose
fingerprint no longer matches is out of date. One document a format and grouping is prepared at
a time (a database constraint); once a new one is ready, the ones before it go, files and all.
"""
import hashlib
import json
import logging
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import dateformat, timezone

from shire.core import audit

from . import reports, tasks
from .models import AnswerCoding, ReportDocument, Response, Theme, WorkshopNote, WorkshopVote

logger = logging.getLogger(__name__)

# The formats in the order the results page offers them, with the names officers know them by.
FORMAT_NAMES = {"pdf": "PDF", "docx": "Word (DOCX)", "xlsx": "Excel (XLSX)", "csv": "CSV", "json": "JSON",
                "html": "HTML (web page)"}
FOLDER = "consultations/reports"
FAULT = ("Shire could not prepare the report because of a fault in Shire itself (the details are in its log for "
         "whoever runs Shire). Nothing was changed: prepare it again, and if it fails again, tell whoever runs Shire.")


class DocumentError(reports.ReportError):
    """The document cannot be prepared now; the message says why."""


class DocumentUnderWay(DocumentError):
    """The format (and grouping) already has a document queued or being prepared."""


def signature(consultation, group_by=None):
    """A fingerprint of what the report of `consultation` is made from: the consultation and its
    questionnaire, the responses, workshop votes and notes, themes and codings, and the grouping.
    A handful of counts and newest ids and times, so it costs a few small queries, not a report;
    it changes whenever any of them is added, changed (where they record when) or removed."""
    questionnaire = getattr(consultation, "questionnaire", None)
    codings = AnswerCoding.objects.filter(consultation=consultation).aggregate(
        n=Count("id"), last=Max("id"), last_coded=Max("coded_at"), last_reviewed=Max("reviewed_at"),
        confirmed=Count("id", filter=Q(reviewed=True)), seconds=Count("second_theme"))
    inputs = [
        consultation.pk, consultation.updated_at, group_by or "",
        [questionnaire.pk, questionnaire.uploaded_at] if questionnaire else None,
        Response.objects.filter(consultation=consultation).aggregate(n=Count("id"), last=Max("id"), at=Max("submitted_at")),
        # Votes are a few dozen rows and are changed in place: all of them, with their workshops' names.
        list(WorkshopVote.objects.filter(workshop__consultation=consultation).order_by("id")
             .values_list("id", "workshop__name", "question", "option", "votes")),
        WorkshopNote.objects.filter(consultation=consultation).aggregate(n=Count("id"), last=Max("id")),
        Theme.objects.filter(consultation=consultation).aggregate(n=Count("id"), last=Max("id"), at=Max("updated_at")),
        codings,
    ]
    return hashlib.sha256(json.dumps(inputs, default=str, sort_keys=True).encode()).hexdigest()


def check(consultation, fmt, group_by=None):
    """Refuse at once what the worker would refuse: an unknown format, no questionnaire, a grouping
    by a question without choices (DocumentError)."""
    if fmt not in FORMAT_NAMES:
        raise DocumentError(f"{fmt!r} is not a report format; use one of {', '.join(FORMAT_NAMES)}.")
    try:
        definition = reports.definition_of(consultation)
    except reports.ReportError as error:
        raise DocumentError(str(error)) from None
    if group_by and group_by not in {q["name"] for q in reports.group_questions(definition)}:
        raise DocumentError("Choose a question with choices to group the respondents by.")


def current_document(consultation, fmt, group_by=None):
    """The newest document in this format and grouping, or None; one whose worker was lost is
    marked failed first (tasks.given_up_if_lost)."""
    return tasks.given_up_if_lost(
        ReportDocument.objects.filter(consultation=consultation, format=fmt, group_by=group_by or "")
        .select_related("started_by").first())


def ready_document(consultation, fmt, group_by=None):
    """The document in this format and grouping that can be downloaded (up to date or not), or None."""
    return (ReportDocument.objects.filter(consultation=consultation, format=fmt, group_by=group_by or "",
                                          status=ReportDocument.Status.DONE)
            .select_related("started_by").first())


def _when(moment):
    moment = timezone.localtime(moment)
    return f"{dateformat.format(moment, 'G:i')} on {dateformat.format(moment, 'j F Y')}"


def under_way_message(document, fmt):
    if document is None:  # finished a moment ago
        return f"Shire was already preparing the {FORMAT_NAMES[fmt]} report. Check its progress, then try again"
    return (f"Shire is already preparing the {FORMAT_NAMES[fmt]} report (asked for by {document.started_by_name} at "
            f"{_when(document.requested_at)}). Wait for it to be ready")


def start(consultation, fmt, user, group_by=None):
    """The document in format `fmt` (and grouping) of the report as it stands: the one already
    prepared if the data has not changed since, else a new one queued for the background worker.
    Returns (document, queued). Refused with DocumentError (check) or DocumentUnderWay; a new
    one is audited."""
    check(consultation, fmt, group_by)
    current = current_document(consultation, fmt, group_by)
    if current is not None and current.active:
        raise DocumentUnderWay(under_way_message(current, fmt))
    ready = ready_document(consultation, fmt, group_by)
    if ready is not None and ready.signature == signature(consultation, group_by):
        return ready, False
    try:
        with transaction.atomic():
            document = tasks.queue(ReportDocument, tasks.prepare_report_document, user,
                                   consultation=consultation, format=fmt, group_by=group_by or "")
            audit.record(user, "consultation.results_report_requested", consultation, format=fmt,
                         group_by=group_by or "", document=document.pk)
    except IntegrityError:
        # Another officer's request asked for it a moment ago.
        raise DocumentUnderWay(under_way_message(current_document(consultation, fmt, group_by), fmt)) from None
    return document, True


def prepare(document):
    """Write the document's report and store it (the worker's part): the fields to record.

    The fingerprint is taken before the report is read, so an answer that arrives meanwhile makes
    the document out of date rather than leaving it wrongly up to date."""
    consultation, group_by = document.consultation, document.group_by or None
    signed = signature(consultation, group_by)
    try:
        data = reports.render_report(consultation, document.format, group_by=group_by)
        name = default_storage.save(f"{FOLDER}/{consultation.pk}/{secrets.token_hex(16)}.{reports.FORMATS[document.format][1]}",
                                    ContentFile(data))
    except reports.ReportError:
        raise  # the officer's to act on, as it is
    except Exception:  # a fault in a renderer, or the storage (the disk full, say)
        logger.exception("Report document %s: could not be prepared", document.pk)
        raise DocumentError(FAULT) from None
    return {"file": name, "size": len(data), "signature": signed}


def tidy(document, fields, recorded):
    """After the worker recorded the document ready (`recorded`), delete the ones before it and
    their files (once that is committed); if it was given up meanwhile, delete its new file."""
    if not recorded:
        default_storage.delete(fields["file"])
        return
    with transaction.atomic():
        older = ReportDocument.objects.filter(
            consultation=document.consultation_id, format=document.format, group_by=document.group_by,
            pk__lt=document.pk, status__in=[ReportDocument.Status.DONE, ReportDocument.Status.FAILED])
        names = [name for name in older.values_list("file", flat=True) if name]
        older.delete()
        transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


def describe(document, fmt, up_to_date=None):
    """What the officer is told about a format's document (the results page and its status
    endpoint); `up_to_date` says whether a ready one matches the data now."""
    if document is None:
        return None
    name, Status = FORMAT_NAMES[fmt], ReportDocument.Status
    if document.status in ReportDocument.ACTIVE:
        heading = f"Preparing the {name} report…"
        detail = (["Waiting for Shire's background worker to start. If it waits for more than a few minutes, ask "
                   "whoever runs Shire to check the worker (shire db_worker) is running."]
                  if document.status == Status.QUEUED else
                  ["Under way. This takes a few seconds for a few hundred responses, a few minutes for many thousands. "
                   "You can carry on."])
    elif document.status == Status.DONE:
        heading = f"The {name} report is ready"
        detail = [f"Prepared at {_when(document.finished_at)} by {document.started_by_name}."]
        if not up_to_date:
            detail.append("Answers have changed since it was prepared: prepare it again for the latest figures.")
    else:
        heading = f"Shire could not prepare the {name} report"
        detail = list(document.errors)
    return {
        "id": document.pk,
        "format": fmt,
        "status": document.status,
        "active": document.active,
        "heading": heading,
        "detail": detail,
        "up_to_date": bool(up_to_date) if document.status == Status.DONE else None,
        "started_by": document.started_by_name,
        "requested_at": document.requested_at,
        "finished_at": document.finished_at,
    }


def state(consultation, fmt, group_by=None, signed=None):
    """For one format (and grouping): what to tell the officer about its newest document and,
    separately, the ready one to download (which stays while a newer one is prepared, or failed).
    `signed` is the data's fingerprint now, if already taken."""
    current = current_document(consultation, fmt, group_by)
    ready = current if current is not None and current.status == ReportDocument.Status.DONE else \
        ready_document(consultation, fmt, group_by)
    if ready is not None and signed is None:
        signed = signature(consultation, group_by)
    up_to_date = ready is not None and ready.signature == signed
    return {
        "format": fmt,
        "name": FORMAT_NAMES[fmt],
        "group_by": group_by or "",
        "work": describe(current, fmt, up_to_date=up_to_date if current is ready else None),
        "ready": ready,
        "up_to_date": up_to_date,
    }


def states(consultation, group_by=None):
    """`state` for every format, the fingerprint taken once."""
    signed = signature(consultation, group_by)
    return [state(consultation, fmt, group_by, signed) for fmt in FORMAT_NAMES]


def open_for_download(document, user):
    """The stored file of a ready document, opened for reading; the download is audited."""
    handle = document.file.open("rb")
    audit.record(user, "consultation.results_downloaded", document.consultation, format=document.format,
                 group_by=document.group_by)
    return handle
