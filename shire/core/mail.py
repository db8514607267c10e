"""Notification e-mails, sent in the background with retries.

A notification (an acknowledgement, a decision letter, a reminder) is queued with `queue_email`: an
OutgoingEmail row and a task to deliver it, written in the caller's transaction. The Tasks
framework's database backend keeps the task in the same database, so the two commit with the
action they tell someone about: if the action rolls back nothing is sent, and the worker
(`shire db_worker`) never sees a half-made action. Task arguments are ids only.

`deliver_email` claims the row (queued -> sending, one conditional UPDATE, so two workers or a
retry racing another never both send it), sends it with the configured mailer and marks it sent.
When the mail server refuses or cannot be reached, it records the kind of error and queues another
attempt after RETRY_AFTER_MINUTES; the fifth failure gives up (status failed). Logs name the row
and what it is about, never the address or what it says: smtplib's messages can quote addresses.

E-mails someone waits for on the page (an invitation's token, a consultation's resume link) are
still sent in the request, so the page can say at once if one did not go.
"""
import logging
from datetime import timedelta

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.tasks import task
from django.utils import timezone

from .models import OutgoingEmail

log = logging.getLogger(__name__)
Status = OutgoingEmail.Status

# How long to wait before the second, third, fourth and fifth attempts; after five, give up.
RETRY_AFTER_MINUTES = (1, 5, 15, 60)
MAX_ATTEMPTS = len(RETRY_AFTER_MINUTES) + 1
# Who was e-mailed is personal data, kept only as long as someone may ask whether an e-mail went:
# rows sent, or given up, longer ago than this are deleted as the worker sends the next e-mail.
KEEP_FOR = timedelta(days=90)
# An e-mail "being sent" for this long lost its worker (killed while sending: the mailer's own
# timeout is 30 seconds). It may or may not have gone, so it is not sent again; it is marked given
# up ("WorkerStopped"), where administrators look for e-mails that did not go.
STRANDED_AFTER = timedelta(minutes=10)


def queue_email(to, subject, body, *, html="", about):
    """Queue one e-mail to one address, to be sent by the background worker; returns its OutgoingEmail.

    `about` says what it is about by ids only ("Decision letter for application 12"): it is logged."""
    with transaction.atomic():
        email = OutgoingEmail.objects.create(to=to, subject=subject, body=body, html=html, about=about)
        deliver_email.enqueue(email.pk)
    return email


@task
def deliver_email(email_id):
    """Send a queued e-mail (the worker runs this). Returns what happened, in one word."""
    # The claim: only one worker moves the row on from queued, so an e-mail is never sent twice.
    if not OutgoingEmail.objects.filter(pk=email_id, status=Status.QUEUED).update(
            status=Status.SENDING, attempts=F("attempts") + 1, attempted_at=timezone.now()):
        return "skipped"
    email = OutgoingEmail.objects.get(pk=email_id)
    message = EmailMultiAlternatives(subject=email.subject, body=email.body, to=[email.to])
    if email.html:
        message.attach_alternative(email.html, "text/html")
    try:
        message.send()
    except OSError as error:  # the mail server refused or could not be reached (smtplib's errors are OSErrors)
        return _not_sent(email, error, retry=True)
    except Exception as error:  # a fault in the message itself: trying again would fail again
        # Not raised on: the worker would log the error's message, which can quote the address.
        return _not_sent(email, error, retry=False)
    now = timezone.now()
    OutgoingEmail.objects.filter(pk=email_id).update(status=Status.SENT, sent_at=now, body="", html="", error_type="")
    _tidy(now)
    return "sent"


def _tidy(now):
    """What the worker sees to as it sends an e-mail (no scheduler needed): e-mails stranded by a
    worker that stopped while sending are marked given up, and those sent, or given up, more than
    KEEP_FOR ago are deleted."""
    OutgoingEmail.objects.filter(status=Status.SENDING, attempted_at__lt=now - STRANDED_AFTER).update(
        status=Status.FAILED, error_type="WorkerStopped")
    # An e-mail is created before it is sent, so created_at bounds the sent ones too, and the
    # (status, created_at) index finds both without reading every e-mail sent in KEEP_FOR.
    cutoff = now - KEEP_FOR
    OutgoingEmail.objects.filter(created_at__lt=cutoff).filter(
        Q(status=Status.SENT, sent_at__lt=cutoff) | Q(status=Status.FAILED)).delete()


def _not_sent(email, error, retry):
    """Record a failed attempt (the kind of error only) and queue the next one, or give up."""
    kind = type(error).__name__
    with transaction.atomic():
        if retry and email.attempts < MAX_ATTEMPTS:
            wait = RETRY_AFTER_MINUTES[email.attempts - 1]
            OutgoingEmail.objects.filter(pk=email.pk).update(status=Status.QUEUED, error_type=kind)
            deliver_email.using(run_after=timezone.now() + timedelta(minutes=wait)).enqueue(email.pk)
            log.warning("E-mail %s (%s) not sent: %s on attempt %s of %s; trying again in %s minute%s",
                        email.pk, email.about, kind, email.attempts, MAX_ATTEMPTS, wait, "s" if wait != 1 else "")
            return "retrying"
        OutgoingEmail.objects.filter(pk=email.pk).update(status=Status.FAILED, error_type=kind)
    log.error("E-mail %s (%s) not sent: %s on attempt %s; given up", email.pk, email.about, kind, email.attempts)
    return "failed"
