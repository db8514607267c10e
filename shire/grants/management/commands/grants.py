"""`shire grants ...`: the grants jobs for scripts and checks.

    shire grants export-360giving --output grants.json            every awarded grant, 360Giving JSON
    shire grants export-360giving --output grants.csv --format csv  the same with the standard's column titles
    shire grants summary --format json                            awards by programme, round and theme
                                                                  (awards.summary(), the dashboards' figures)

The export is checked against the 360Giving schema before anything is written; if it is not valid,
or there is nothing to publish, the command exits non-zero and the output file is left as it was.
"""
import json
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shire.grants import open_data


class Command(BaseCommand):
    help = "Grants: export awarded grants as 360Giving open data; summarise awards."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))

        p = sub.add_parser(
            "export-360giving",
            help="Write every awarded grant as 360Giving data (JSON, or CSV/XLSX with the standard's column titles).",
        )
        p.add_argument("--output", required=True, help="file to write; - for standard output (JSON and CSV only)")
        p.add_argument("--format", choices=sorted(open_data.FORMATS), help="json, csv or xlsx (default: from the file name, else json)")

        p = sub.add_parser("summary", help="Per programme and round: number of awards and total awarded (pence), and by theme.")
        p.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, action, **options):
        handler = getattr(self, "handle_" + action.replace("-", "_"))
        try:
            handler(**options)
        except open_data.OpenDataError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"{error.filename or options.get('output')}: {error.strerror}.") from error

    def handle_export_360giving(self, output, format=None, **_):
        fmt = format or _format_from_name(output)
        if output == "-" and fmt == "xlsx":
            raise CommandError("An XLSX file cannot be written to standard output: give --output FILE.xlsx.")
        json_bytes = open_data.export()
        content = json_bytes if fmt == "json" else open_data.flatten(json_bytes, fmt)
        if output == "-":
            self.stdout.write(content.decode("utf-8"), ending="")
            return
        _write_atomically(Path(output), content)
        count = len(json.loads(json_bytes)["grants"])
        self.stderr.write(f"Wrote {count} grants as 360Giving {fmt.upper()} to {output}.")

    def handle_summary(self, format="text", **_):
        from shire.grants import awards

        data = awards.summary()
        if format == "json":
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(summary_text(data), ending="")


def summary_text(programmes):
    """awards.summary() as lines of plain text."""
    from shire.grants.services import pounds

    def line(name, row):
        awards = row["awards"]
        return f"{name}: {awards} award{'' if awards == 1 else 's'}, {pounds(row['amount_pence']) or '£0'}"

    total = {"awards": sum(p["awards"] for p in programmes), "amount_pence": sum(p["amount_pence"] for p in programmes)}
    lines = [line("All programmes", total)]
    for programme in programmes:
        lines += ["", line(programme["name"], programme)]
        for round_ in programme["rounds"]:
            lines.append("  " + line(round_["name"], round_) + f" of {pounds(round_['budget_pence']) or '£0'} budget")
            lines += ["    " + line(theme["name"], theme) for theme in round_["themes"]]
    return "\n".join(lines) + "\n"


def _format_from_name(name):
    suffix = Path(name).suffix.lower().lstrip(".")
    return suffix if suffix in open_data.FORMATS else "json"


def _write_atomically(path, content):
    """Write to a temporary file beside `path`, then rename: a reader never sees half a file."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CommandError(f"{path}: the folder {folder} does not exist.")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
