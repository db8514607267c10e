"""`shire directory ...`: the officer jobs for the community directory, for scripts and cron.

Sub-commands:
  remind-stale   e-mail the managers of every listing nobody has checked for 12 months
                 (at most once every 30 days a listing), and list what was done.
  export-hsds    write the whole directory as the HSDS 3.0 tabular data package (CSV files and
                 datapackage.json) into a folder, or a .zip.
  import-hsds    read such a package (a folder or a .zip): every bad row is listed (file, row,
                 column, message) and nothing is imported unless every row is good.

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
    help = ("Community directory: reminders about listings nobody has checked for 12 months; "
            "import and export of the HSDS tabular data package.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))

        p = sub.add_parser("remind-stale", help="E-mail the managers of listings not checked for 12 months.")
        p.add_argument("--today", type=iso_date, help="the date to count from (default: today), like 2026-03-31")
        p.add_argument("--base-url", default=os.environ.get("SHIRE_BASE_URL", "http://localhost:8000"),
                       help="the site's address for the links in the e-mails (default: $SHIRE_BASE_URL)")
        p.add_argument("--dry-run", action="store_true", help="count the stale listings and send nothing")

        p = sub.add_parser("export-hsds", help="Write the directory as the HSDS 3.0 tabular data package.")
        p.add_argument("output", help="a folder (made if missing), or a file name ending .zip")

        p = sub.add_parser("import-hsds", help="Import an HSDS 3.0 tabular data package: all of it, or nothing.")
        p.add_argument("source", help="the package's folder, or a .zip of it")
        p.add_argument("--check", action="store_true", help="check the package and report, importing nothing")

    def handle(self, *args, action, **options):
        getattr(self, "handle_" + action.replace("-", "_"))(**options)

    def handle_remind_stale(self, today=None, base_url="", dry_run=False, **_):
        stale = services.stale_organizations(today)
        if dry_run:
            self.stdout.write(f"{stale.count()} listings have not been checked for 12 months. Nothing was sent.")
            return
        reminded, queued = services.send_stale_reminders(today, base_url=base_url.rstrip("/"))
        self.stdout.write(f"{stale.count()} listings have not been checked for 12 months. "
                          f"Reminded the managers of {reminded} of them: {queued} e-mail{'s' if queued != 1 else ''} "
                          "queued for Shire's background worker (shire db_worker) to send.")

    def handle_export_hsds(self, output, **_):
        from pathlib import Path

        from shire.core import audit
        from shire.directory import hsds_tabular

        path = Path(output)
        try:
            if path.suffix.lower() == ".zip":
                with path.open("wb") as archive:
                    warnings, problems = hsds_tabular.export_zip(archive)
                written = f"{path} (zip)"
            else:
                names, warnings, problems = hsds_tabular.export_folder(path)
                written = f"{len(names)} files in {path}"
        except OSError as error:
            raise CommandError(f"{error.filename or output}: {error.strerror}.") from error
        audit.record(None, "directory.hsds_export", hsds_tabular.PACKAGE, via="command line")
        for warning in warnings:
            self.stderr.write(f"Note: {warning}")
        for problem in problems:
            self.stderr.write(f"Not valid HSDS: {problem}")
        self.stdout.write(f"Wrote the directory as HSDS 3.0 tabular data: {written}.")
        if problems:
            raise CommandError(f"The export does not validate against HSDS 3.0's table schemas: {len(problems)} problems.")

    def handle_import_hsds(self, source, check=False, **_):
        from shire.directory import hsds_tabular

        try:
            files = hsds_tabular.read_source(source)
            records, warnings, problems = hsds_tabular.check_package(files)
            if problems:
                raise hsds_tabular.PackageRejected(problems, warnings)
            for warning in warnings:
                self.stderr.write(f"Note: {warning}")
            if check:
                count = sum(len(instances) for _, instances in records)
                self.stdout.write(f"{source}: {count} records, no problems. Nothing was imported (--check).")
                return
            result = hsds_tabular.write_records(records, warnings)
        except hsds_tabular.PackageRejected as rejected:
            for warning in rejected.warnings:
                self.stderr.write(f"Note: {warning}")
            raise CommandError(f"{source}: {rejected.message()}") from None
        except OSError as error:
            raise CommandError(f"{error.filename or source}: {error.strerror}.") from error
        self.stdout.write(f"{source}: {result.summary()}")
        for table, (added, updated) in result.counts.items():
            if added or updated:
                self.stdout.write(f"  {table}: {added} added, {updated} updated")
