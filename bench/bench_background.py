"""Benchmark: Shire's background worker sending notification e-mails and preparing the officers'
report files, each timed as `shire db_worker --batch`, the worker itself, run as its own process.

    .venv/bin/python -m bench.bench_background                 # 1,000 e-mails and the 2017 report's files
    .venv/bin/python -m bench.bench_background --emails 5000 --write-docs

A fresh SQLite database in a temporary folder gets the Leicestershire demo data (`shire demo
load`); whatever the loader queued is sent first, untimed. Then, each step queued by a small
script (`shire shell`) and timed while one worker process drains the queue:

1. N e-mails queued in one transaction (`core.mail.queue_email`), sent to the file mailer;
2. the 2017 consultation's results report as a PDF (`consult.documents.start`);
3. the same report as Word, Excel, CSV, JSON and HTML, queued together.

Each timing includes starting Python and Django in the worker (about a second). The queue is
checked after each step: every e-mail sent, every file ready. Nothing is asserted about time.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from bench.bench_consult import REPO, machine, run, shire_command, write_section

SLUG = "communities-strategy-2017"
START, END = "<!-- bench_background: start -->", "<!-- bench_background: end -->"
WORKER = ["db_worker", "--batch", "--no-startup-delay", "--no-reload", "--verbosity", "0"]

QUEUE_EMAILS = """
from django.db import transaction
from shire.core.mail import queue_email
with transaction.atomic():
    for i in range({count}):
        queue_email(f"member{{i}}@example.org", f"Application SHIRE-{{i}} received", "Dear member,\\nWe have it.\\n" * 20,
                    about=f"Benchmark e-mail {{i}}")
"""
QUEUE_DOCUMENTS = """
from shire.consult import documents
from shire.consult.models import Consultation
from shire.core.models import User
consultation = Consultation.objects.get(slug={slug!r})
for fmt in {formats!r}:
    documents.start(consultation, fmt, User.objects.get(username="officer"))
"""
STATE = """
import json
from shire.consult.models import ReportDocument
from shire.core.models import OutgoingEmail
print(json.dumps({"emails": dict((s, OutgoingEmail.objects.filter(status=s).count()) for s in ("queued", "sending", "sent", "failed")),
                  "documents": {d.format: [d.status, d.size] for d in ReportDocument.objects.all()}}))
"""


def shell(env, code):
    """Run Python in `shire shell` against the benchmark's database; its printed output."""
    done = subprocess.run(shire_command() + ["shell", "--no-imports", "-c", code], env=env, cwd=REPO,
                          capture_output=True, text=True, check=True)
    return done.stdout


def state(env):
    return json.loads(shell(env, STATE).strip().splitlines()[-1])


def bench(workdir, count):
    data = workdir / "data"
    data.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(SHIRE_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE="shire.settings")
    log = workdir / "steps.log"
    shire = shire_command()
    run(shire + ["migrate", "--no-input"], env, log)
    run(shire + ["demo", "load"], env, log)
    run(shire + WORKER, env, log)  # what the loader queued (two corrected decision letters)
    before = state(env)["emails"]["sent"]

    steps = []
    shell(env, QUEUE_EMAILS.format(count=count))
    timing = run(shire + WORKER, env, log)
    emails = state(env)["emails"]
    if emails["sent"] - before != count or emails["queued"] or emails["failed"]:
        raise SystemExit(f"not every e-mail was sent: {emails}")
    steps.append((f"{count:,} notification e-mails (queued in one transaction; the file mailer)", timing))

    for formats, what in ((["pdf"], "the 2017 results report as a PDF"),
                          (["docx", "xlsx", "csv", "json", "html"], "the same report as Word, Excel, CSV, JSON and HTML, queued together")):
        shell(env, QUEUE_DOCUMENTS.format(slug=SLUG, formats=formats))
        timing = run(shire + WORKER, env, log)
        documents = state(env)["documents"]
        if any(documents.get(fmt, ["missing"])[0] != "done" for fmt in formats):
            raise SystemExit(f"not every file was prepared: {documents}")
        sizes = ", ".join(f"{fmt.upper()} {documents[fmt][1] / 1024:,.0f} KiB" for fmt in formats)
        steps.append((f"{what} ({sizes})", timing))
    return steps


def markdown(info, steps, meta):
    lines = [
        "## Background work: e-mails and report files",
        "",
        "Figures from `bench/bench_background.py`: one `shire db_worker --batch` process, started cold, drains what",
        "was queued on a fresh SQLite database with the demo data. Each time includes starting Python and Django",
        "in the worker.",
        "",
        f"Measured {meta['date']} with:",
        "",
        "```",
        meta["command"],
        "```",
        "",
        "| step | wall time | CPU time | peak memory (RSS) | load before |",
        "|---|---:|---:|---:|---:|",
    ]
    for what, timing in steps:
        lines.append(f"| {what} | {timing.seconds:.1f} s | {timing.cpu:.1f} s | {timing.peak:.0f} MiB | {timing.load:.2f} |")
    lines += [
        "",
        f"Machine: {info['cpu']}, {info['nproc']} cores, {info.get('ram_gib', '?')} GiB; {info['os']}; Python"
        f" {info['python']}, Django {info['django']}, SQLite {info['sqlite']}; load average at the start {info.get('load', '?')}.",
    ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--emails", type=int, default=1000)
    parser.add_argument("--write-docs", action="store_true", help="record the figures in docs/performance.md")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    args = parser.parse_args(argv)
    info = machine()
    workdir = Path(tempfile.mkdtemp(prefix="shire-bench-background-"))
    try:
        steps = bench(workdir, args.emails)
    finally:
        if args.keep:
            print(f"working folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    command = ".venv/bin/python -m bench.bench_background" + (f" --emails {args.emails}" if args.emails != 1000 else "")
    meta = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "command": command + " --write-docs"}
    section = markdown(info, steps, meta)
    print(section)
    if args.write_docs:
        write_section(REPO / "docs" / "performance.md", section, START, END)


if __name__ == "__main__":
    sys.exit(main())
