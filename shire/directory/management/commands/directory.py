"""`shire directory ...`: the officer jobs for the community directory, for scripts and cron.

Sub-commands:
  remind-stale   e-mail the managers of every listing nobody has checked for 12 months
                 (at most once every 30 days a listing), and list what was done.

Each sub-command is a method `handle_<name>`; add one with a parser in add_arguments.
"""
import os
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from shire.directory import services


def iso_date(value):
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date like 2026-03-31.") from None


class Command(BaseCommand):
    help = "Community directory: reminders about listings nobody has checked for 12 months."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))

        p = sub.add_parser("remind-stale", help="E-mail the managers of listings not checked for 12 months.")
        p.add_argument("--today", type=iso_date, help="the date to count from (default: today), like 2026-03-31")
        p.add_argument("--base-url", default=os.environ.get("SHIRE_BASE_URL", "http://localhost:8000"),
                       help="the site's address for the links in the e-mails (default: $SHIRE_BASE_URL)")
        p.add_argument("--dry-run", action="store_true", help="count the stale listings and send nothing")

    def handle(self, *args, action, **options):
        getattr(self, "handle_" + action.replace("-", "_"))(**options)

    def handle_remind_stale(self, today=None, base_url="", dry_run=False, **_):
        stale = services.stale_organizations(today)
        if dry_run:
            self.stdout.write(f"{stale.count()} listings have not been checked for 12 months. Nothing was sent.")
            return
        reminded, sent = services.send_stale_reminders(today, base_url=base_url.rstrip("/"))
        self.stdout.write(f"{stale.count()} listings have not been checked for 12 months. "
                          f"Reminded the managers of {reminded} of them: {sent} e-mail{'s' if sent != 1 else ''} sent.")
