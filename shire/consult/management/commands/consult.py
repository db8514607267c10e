"""`shire consult ...`: the officer jobs for consultations, for scripts and checks.

Each sub-command checks its whole input before writing anything, and exits non-zero with a
message naming the file, row and column when the input is bad.
"""
from django.core.management.base import BaseCommand, CommandError

from shire.consult import services
from shire.consult.models import Consultation
from shire.consult.xlsform import XLSFormError


class Command(BaseCommand):
    help = "Consultations: import forms, responses and workshop results; write results reports."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))

        p = sub.add_parser("import-form", help="Attach an XLSForm (.xlsx) to the consultation SLUG (created as a draft if new).")
        p.add_argument("form")
        p.add_argument("--slug", required=True)
        p.add_argument("--team", help="slug of the team that owns a new consultation")

        p = sub.add_parser("import-responses", help="Import responses from CSV or XLSX (response_id, then one column a question).")
        p.add_argument("slug")
        p.add_argument("responses")

        p = sub.add_parser("import-workshops", help="Import workshop results (columns workshop,question,option,votes).")
        p.add_argument("slug")
        p.add_argument("workshops")

        p = sub.add_parser("report", help="Write the results report.")
        p.add_argument("slug")
        p.add_argument("--format", required=True, choices=["json", "html", "pdf", "docx", "xlsx", "csv"])
        p.add_argument("--output", required=True)

        p = sub.add_parser("suggest-themes", help="Code free-text comments with a codebook's themes (CSV in, CSV out).")
        p.add_argument("--codebook", required=True, help="CSV with columns theme,name,description")
        p.add_argument("--comments", required=True, help="CSV with columns id,text")
        p.add_argument("--coded", help="CSV with columns id,theme: comments an officer has already coded")
        p.add_argument("--output", required=True, help="CSV written with columns id,theme,confidence,second_theme")

        p = sub.add_parser("discover-themes", help="Propose themes found in free-text comments.")
        p.add_argument("--comments", required=True, help="CSV with columns id,text")
        p.add_argument("--output", required=True, help="CSV written with columns theme,name,description")
        p.add_argument("--max-themes", type=int, default=12)

    def execute(self, *args, **options):
        if options.get("action") == "report":
            # The report only reads. The system checks load every URL and view of the site, which
            # costs about half a second of the report's five (issue "Consultations II"); `shire
            # check`, the test suite and every other command still run them.
            options["skip_checks"] = True
        return super().execute(*args, **options)

    def handle(self, *args, action, **options):
        handler = getattr(self, "handle_" + action.replace("-", "_"))
        try:
            handler(**options)
        except XLSFormError as error:
            raise CommandError(f"{options.get('form')}: the form was not imported.\n{error}") from error
        except services.ConsultationError as error:
            raise CommandError(str(error)) from error

        except OSError as error:
            raise CommandError(f"{error.filename}: {error.strerror}.") from error

    def handle_suggest_themes(self, codebook, comments, coded, output, **_):
        from shire.consult import theme_files

        count = theme_files.suggest_themes(codebook, comments, coded, output)
        self.stdout.write(f"Suggested themes for {count} comments in {output}.")

    def handle_discover_themes(self, comments, output, max_themes, **_):
        from shire.consult import theme_files

        count = theme_files.discover_themes(comments, output, max_themes=max_themes)
        self.stdout.write(f"Wrote {count} proposed themes to {output}.")

    def consultation(self, slug):
        try:
            return Consultation.objects.get(slug=slug)
        except Consultation.DoesNotExist:
            raise CommandError(f"There is no consultation with the slug {slug!r}.") from None

    def handle_import_form(self, form, slug, team=None, **_):
        from shire.core.models import Team

        owner = None
        if team:
            owner = Team.objects.filter(slug=team).first()
            if owner is None:
                raise CommandError(f"There is no team with the slug {team!r}.")
        questionnaire = services.import_form(form, slug, team=owner)
        count = sum(1 for page in questionnaire.definition["pages"] for q in page["items"] if q["type"] != "note")
        self.stdout.write(f"Imported {questionnaire.title!r} into {slug}: {len(questionnaire.definition['pages'])} pages, {count} questions.")

    def handle_import_responses(self, slug, responses, **_):
        from shire.consult import imports

        result = imports.import_responses(self.consultation(slug), responses)
        self.stdout.write(f"Imported {result} responses into {slug}.")

    def handle_import_workshops(self, slug, workshops, **_):
        from shire.consult import imports

        result = imports.import_workshops(self.consultation(slug), workshops)
        self.stdout.write(f"Imported {result} workshop results into {slug}.")

    def handle_report(self, slug, format, output, **_):
        from shire.consult import reports

        try:
            reports.write_report(self.consultation(slug), format, output)
        except reports.ReportError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Wrote the {format} report for {slug} to {output}.")
