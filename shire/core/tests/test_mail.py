"""Notification e-mails in the background (core/mail.py): queued with the action, sent by the real
worker, tried again later when the mail server fails, given up after five attempts, never sent twice,
and never logged with an address or what they say."""
import logging
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shire.core import mail as core_mail
from shire.core.models import OutgoingEmail, User
from shire.core.testing import mail_server_down, run_background_work, with_worker
from shire.core.tests.factories import make_officer

ADDRESS = "resident@example.org"
ABOUT = "Acknowledgement of application 12"


class RefusingBackend(EmailBackend):
    """A mail server that refuses the recipient: smtplib's error quotes the address."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({a: (550, b"mailbox unavailable") for m in messages for a in m.to})


class BrokenMessageBackend(EmailBackend):
    """A message that cannot be sent whatever the server does (a fault in Shire, not the network)."""

    def send_messages(self, messages):
        raise ValueError(f"cannot encode the message to {messages[0].to[0]}")


class SecondWorkerMidSend(EmailBackend):
    """While this worker is sending, another worker (or a retry that raced it) tries the same e-mail."""

    second_worker_said = []

    def send_messages(self, messages):
        SecondWorkerMidSend.second_worker_said.append(core_mail.deliver_email.call(OutgoingEmail.objects.get().pk))
        return super().send_messages(messages)


def use_mailer(settings, backend):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.{backend.__name__}"}}


def queue(**kwargs):
    return core_mail.queue_email(ADDRESS, "Application SHIRE-1 received", "Dear member,\nWe have it.", about=ABOUT, **kwargs)


def waiting_tasks(email):
    return DBTaskResult.objects.filter(task_path="shire.core.mail.deliver_email", status="READY",
                                       args_kwargs__args=[email.pk])


def make_due(email):
    """Let the time pass until the e-mail's next attempt is due."""
    waiting_tasks(email).update(run_after=timezone.now() - timedelta(seconds=1))


@pytest.mark.django_db
def test_queueing_writes_the_email_and_its_task_and_sends_nothing_yet():
    email = queue()
    assert (email.to, email.status, email.attempts, email.about) == (ADDRESS, "queued", 0, ABOUT)
    [task] = DBTaskResult.objects.all()
    assert (task.status, task.task_path, task.args_kwargs) == (
        "READY", "shire.core.mail.deliver_email", {"args": [email.pk], "kwargs": {}})  # ids only
    assert not mail.outbox


@with_worker
def test_the_worker_sends_it_and_keeps_only_who_and_what_about():
    email = queue()
    run_background_work()
    [message] = mail.outbox
    assert (message.to, message.subject, message.body) == ([ADDRESS], "Application SHIRE-1 received", "Dear member,\nWe have it.")
    assert not message.alternatives
    email.refresh_from_db()
    assert (email.status, email.attempts, email.error_type, email.body, email.html) == ("sent", 1, "", "", "")
    assert email.sent_at is not None and (email.to, email.subject) == (ADDRESS, "Application SHIRE-1 received")
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@with_worker
def test_emails_sent_or_given_up_long_ago_are_forgotten_as_the_next_is_sent():
    long_ago = timezone.now() - core_mail.KEEP_FOR - timedelta(days=1)
    recently = timezone.now() - core_mail.KEEP_FOR + timedelta(days=1)
    old_sent = OutgoingEmail.objects.create(to=ADDRESS, subject="s", about="old", status="sent", sent_at=long_ago,
                                            created_at=long_ago)
    old_failed = OutgoingEmail.objects.create(to=ADDRESS, subject="s", body="kept until forgotten", about="old",
                                              status="failed", created_at=long_ago)
    kept = [OutgoingEmail.objects.create(to=ADDRESS, subject="s", about="recent", status="sent", sent_at=recently,
                                         created_at=recently),
            OutgoingEmail.objects.create(to=ADDRESS, subject="s", about="waiting", status="queued", created_at=long_ago)]
    email = queue()
    assert OutgoingEmail.objects.filter(pk__in=[old_sent.pk, old_failed.pk]).count() == 2  # nothing sent yet
    run_background_work()
    remaining = set(OutgoingEmail.objects.values_list("pk", flat=True))
    assert remaining == {email.pk, *(e.pk for e in kept)}


@with_worker
def test_an_email_stranded_by_a_worker_that_stopped_while_sending_is_marked_given_up_not_sent_again():
    now = timezone.now()
    stranded = OutgoingEmail.objects.create(to=ADDRESS, subject="s", body="b", about="stranded", status="sending",
                                            attempts=1, attempted_at=now - core_mail.STRANDED_AFTER - timedelta(seconds=1))
    sending = OutgoingEmail.objects.create(to=ADDRESS, subject="s", body="b", about="sending", status="sending",
                                           attempts=1, attempted_at=now - timedelta(seconds=30))
    queue()
    run_background_work()
    assert len(mail.outbox) == 1  # only the new one: the stranded one may have gone, so it is not sent again
    stranded.refresh_from_db()
    sending.refresh_from_db()
    assert (stranded.status, stranded.error_type, stranded.attempts) == ("failed", "WorkerStopped", 1)
    assert sending.status == "sending"


@with_worker
def test_an_html_email_goes_with_its_plain_text():
    queue(html="<p>Dear member,</p>")
    run_background_work()
    [message] = mail.outbox
    assert message.body == "Dear member,\nWe have it."
    assert [(a.content, a.mimetype) for a in message.alternatives] == [("<p>Dear member,</p>", "text/html")]


@with_worker
def test_an_action_that_rolls_back_sends_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        queue()
        raise RuntimeError("the action failed after its e-mail was queued")
    assert not OutgoingEmail.objects.exists() and not DBTaskResult.objects.exists()
    run_background_work()
    assert not mail.outbox


@with_worker
def test_a_failed_attempt_is_tried_again_later_and_the_log_names_no_one(settings, caplog):
    mail_server_down(settings)  # shire.core.testing.MailServerDown: SMTPServerDisconnected
    email = queue()
    before = timezone.now()
    with caplog.at_level(logging.DEBUG):
        run_background_work()
    email.refresh_from_db()
    assert (email.status, email.attempts, email.error_type, email.sent_at) == ("queued", 1, "SMTPServerDisconnected", None)
    assert email.body == "Dear member,\nWe have it."  # kept for the next attempt
    [retry] = waiting_tasks(email)
    assert before + timedelta(minutes=1) <= retry.run_after <= timezone.now() + timedelta(minutes=1)
    assert f"E-mail {email.pk} ({ABOUT}) not sent: SMTPServerDisconnected on attempt 1 of 5; trying again in 1 minute" in caplog.text
    assert ADDRESS not in caplog.text and "received" not in caplog.text and "Dear member" not in caplog.text

    # The next attempt waits for its time: running the worker now sends nothing.
    run_background_work()
    email.refresh_from_db()
    assert email.attempts == 1 and not mail.outbox

    # When it is due and the server is back, it goes.
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    make_due(email)
    run_background_work()
    email.refresh_from_db()
    assert (email.status, email.attempts, email.error_type, email.body) == ("sent", 2, "", "")
    assert [m.to for m in mail.outbox] == [[ADDRESS]]


@with_worker
def test_five_failed_attempts_give_up_waiting_longer_each_time(settings, caplog):
    use_mailer(settings, RefusingBackend)
    email = queue()
    waits = []
    with caplog.at_level(logging.DEBUG):
        for attempt in range(1, 6):
            started = timezone.now()
            run_background_work()
            email.refresh_from_db()
            assert email.attempts == attempt and email.error_type == "SMTPRecipientsRefused"
            retry = waiting_tasks(email).first()
            if retry:
                waits.append(round((retry.run_after - started).total_seconds() / 60))
                make_due(email)
    assert waits == [1, 5, 15, 60]
    assert email.status == "failed" and not waiting_tasks(email).exists() and not mail.outbox
    assert f"E-mail {email.pk} ({ABOUT}) not sent: SMTPRecipientsRefused on attempt 5; given up" in caplog.text
    assert "@" not in caplog.text  # the refusal quotes the address: it is never logged
    # No task failed in the worker's eyes: nothing with the error's message is in its log or its table.
    assert not DBTaskResult.objects.filter(status="FAILED").exists()


@with_worker
def test_a_fault_in_the_message_gives_up_at_once_without_logging_it(settings, caplog):
    use_mailer(settings, BrokenMessageBackend)
    email = queue()
    with caplog.at_level(logging.DEBUG):
        run_background_work()
    email.refresh_from_db()
    assert (email.status, email.attempts, email.error_type) == ("failed", 1, "ValueError")
    assert not waiting_tasks(email).exists()
    assert f"E-mail {email.pk} ({ABOUT}) not sent: ValueError on attempt 1; given up" in caplog.text
    assert ADDRESS not in caplog.text


@with_worker
def test_an_email_is_never_sent_twice(settings):
    use_mailer(settings, SecondWorkerMidSend)
    SecondWorkerMidSend.second_worker_said.clear()
    email = queue()
    core_mail.deliver_email.enqueue(email.pk)  # a second task for the same e-mail, as a racing retry would be
    run_background_work()
    assert SecondWorkerMidSend.second_worker_said == ["skipped"]  # mid-send
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 1)
    assert list(DBTaskResult.objects.values_list("return_value", flat=True).order_by("enqueued_at")) == ["sent", "skipped"]

    # Once sent, a task for it changes nothing.
    core_mail.deliver_email.enqueue(email.pk)
    run_background_work()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_administrators_alone_see_the_emails_and_cannot_change_them():
    sent = queue()
    OutgoingEmail.objects.filter(pk=sent.pk).update(status="failed", error_type="SMTPRecipientsRefused")
    admin = make_officer("admin", role=User.Role.ADMINISTRATOR)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    page = client.get("/admin/core/outgoingemail/?status__exact=failed")
    assert page.status_code == 200
    text = page.content.decode()
    assert ADDRESS in text and ABOUT in text and "SMTPRecipientsRefused" in text
    assert "Not sent: given up" in text  # the filter on status
    assert client.get("/admin/core/outgoingemail/add/").status_code == 403
    assert client.post(f"/admin/core/outgoingemail/{sent.pk}/change/", {"to": "someone@example.org"}).status_code == 403
    assert client.post(f"/admin/core/outgoingemail/{sent.pk}/delete/", {"post": "yes"}).status_code == 403
    assert OutgoingEmail.objects.get().to == ADDRESS

    # An officer let into the admin with every permission still does not see them.
    officer = make_officer("officer")
    officer.is_staff = officer.is_superuser = True
    officer.save()
    client.force_login(officer)
    assert client.get("/admin/core/outgoingemail/").status_code == 403
    assert client.get(f"/admin/core/outgoingemail/{sent.pk}/change/").status_code == 403
    assert "outgoingemail" not in client.get("/admin/").content.decode()
