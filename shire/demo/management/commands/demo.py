"""`shire demo load`: the Leicestershire demo data (teams, users, consultations), safe to run again."""
from django.core.management.base import BaseCommand

from shire.demo import loader


class Command(BaseCommand):
    help = "Demo data: `load` creates or restores the Leicestershire demo data set (idempotent)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        sub.add_parser("load", help="Load the demo data; running it again changes nothing.")

    def handle(self, *args, action, **options):
        getattr(self, "handle_" + action)(**options)

    def handle_load(self, **_):
        for note in loader.load():
            self.stdout.write(note)
        self.stdout.write(f"Demo data loaded. Sign in as officer, admin or highways with the password {loader.DEMO_PASSWORD!r}; "
                          "never load demo data into a live database.")
