"""Helpers for tests that run Shire's background work as production does."""
import signal
import smtplib

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command

# The worker commits as it goes and closes connections it finds in a transaction, as in production:
# tests that run it commit too (the database is emptied after each).
with_worker = pytest.mark.django_db(transaction=True)


def run_background_work():
    """Run every task that is due, as `shire db_worker --batch` does (in this process, with the real
    database backend), then give back the signal handlers the worker takes over. Tests that call it
    are marked `with_worker`. Tasks queued to run later (an e-mail's next attempt) are left waiting."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)


class MailServerDown(EmailBackend):
    """A mail server that drops the connection, as smtplib reports it. Tests set it as the mailer
    (`settings.MAILERS`, see `mail_server_down`) to see what happens when e-mail cannot go."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def mail_server_down(settings):
    """Make every e-mail fail as if the mail server were down (`settings` is pytest-django's fixture)."""
    settings.MAILERS = {"default": {"BACKEND": "shire.core.testing.MailServerDown"}}
