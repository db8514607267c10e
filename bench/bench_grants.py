"""Benchmark: a grant round takes a surge like the Communities Fund's, and the dashboards stay fast.

    DATABASE_URL=postgres://USER:PASSWORD@127.0.0.1:PORT/DB .venv/bin/python -m bench.bench_grants
    ... --clients 20 --applications 1000 --total 10000 --samples 40 --write-docs

Needs PostgreSQL on this machine (loopback only: the benchmark refuses any other host). It makes a new
database on that server (shire_bench_grants_..., dropped at the end), migrates it and:

1. Surge. Sets up an open round and `--clients` community members, each a member of its share of
   the organisations (one application per organisation, as the round allows). Starts the site with
   bench/grants_server.py on 127.0.0.1 (a fixed pool of worker threads, like gunicorn's threaded
   worker; DEBUG off; `--server runserver` uses `shire runserver` instead) in its own process, and has `--clients` threads apply over HTTP exactly as a browser does: sign in, then for
   each organisation the eligibility check (POST .../apply/), the form (POST .../edit/), the upload of
   the required PDF (multipart POST .../documents/), and "Send application" (POST .../check/).
   One application in 20 is double-clicked: its eligibility check and its "Send" are each POSTed twice
   at the same moment. Then checks that none was lost or duplicated: the round holds exactly
   `--applications` applications, all submitted, with distinct references, one per organisation, each
   with exactly one "submitted" step in its trail, and the references the clients were given are
   exactly those in the database.
2. Dashboards. Adds applications (with decisions, awards, instalments, monitoring returns, and an
   assessed round with scores) until the database holds `--total`, then, signed in as an officer of
   the team, times `--samples` requests of each page after 3 warm-up requests: the officers' dashboard,
   their grants index, the surge round's triage list (first and last page, and filtered), an assessed
   round's panel (first and last page), and the public open data page. p50 and p95 of the wall time
   each request took, seen by the client, and the server process's CPU time per request.

Target (issue "Grants"): 1,000 applications from concurrent clients with none lost or duplicated;
the dashboards under 300 ms with 10,000 applications in the database. A benchmark, not a test.
"""
import argparse
import http.client
import json
import os
import platform
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHIRE = REPO / ".venv" / "bin" / "shire"
PASSWORD = "bench-password-not-secret"
SURGE_SLUG = "bench-surge"
TARGET_MS = 300.0
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --- the database -------------------------------------------------------------------------------


def bench_database(url):
    """Create a new database on the server of `url`; returns (its URL, a function that drops it)."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("bench_grants needs PostgreSQL: set DATABASE_URL=postgres://USER:PASSWORD@127.0.0.1:PORT/DB")
    if (parts.hostname or "") not in LOOPBACK and not (parts.hostname or "").startswith("127."):
        sys.exit(f"bench_grants only runs against a server on this machine (loopback), not {parts.hostname}")
    name = f"shire_bench_grants_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    bench_url = urllib.parse.urlunsplit(parts._replace(path="/" + name))

    def drop():
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')

    return bench_url, drop


def setup_django(env):
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shire.settings")
    import django

    django.setup()


# --- set-up --------------------------------------------------------------------------------------


def make_surge_round(clients, applications):
    """An open round, an officer, and `clients` members sharing `applications` organisations."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone as dj_timezone

    from shire.core.models import Team, User
    from shire.demo.loader import DemoContext, places
    from shire.grants.models import (
        ApplicantOrganisation,
        ApplicationQuestion,
        Criterion,
        EligibilityQuestion,
        Membership,
        OrganisationType,
        Programme,
        RequiredDocument,
        Round,
        Theme,
    )

    today = dj_timezone.localdate()
    places(DemoContext(today=today))
    team = Team.objects.create(name="Communities Team", slug="communities-team")
    password = make_password(PASSWORD)  # hashed once, shared by every bench account
    officer = User.objects.create(username="bench-officer", password=password, role=User.Role.OFFICER,
                                  email="bench-officer@example.gov.uk")
    team.members.add(officer)
    programme = Programme.objects.create(name="Communities Fund", slug="communities-fund", code="CF", team=team,
                                         kind=Programme.Kind.EMERGENCY_FUND)
    round_ = Round.objects.create(
        programme=programme, name="Surge round", slug=SURGE_SLUG, budget_pence=150_000_000,
        opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=27),
        eligible_org_types=[OrganisationType.CHARITY, OrganisationType.COMMUNITY_GROUP],
        min_request_pence=50_000, max_request_pence=2_500_000, status=Round.Status.PUBLISHED, published_at=dj_timezone.now(),
    )
    Theme.objects.create(programme=programme, round=round_, name="Keeping services going", slug="keeping-going")
    ApplicationQuestion.objects.create(round=round_, order=1, label="Who will benefit?", max_words=100)
    ApplicationQuestion.objects.create(round=round_, order=2, label="How many people?", kind="number")
    RequiredDocument.objects.create(round=round_, order=1, name="Latest accounts", allowed_types=["pdf"])
    EligibilityQuestion.objects.create(round=round_, order=1, question="Are you not-for-profit?", reason="Not-for-profit only.")
    for order, name in enumerate(["Need", "Difference", "Value for money"], 1):
        Criterion.objects.create(round=round_, order=order, name=name, weight=4 - order, max_score=5)
    members = User.objects.bulk_create(
        User(username=f"bench-member-{n}@example.org", email=f"bench-member-{n}@example.org", password=password,
             role=User.Role.COMMUNITY, first_name="Bench", last_name=f"Member {n}")
        for n in range(clients)
    )
    from shire.core.models import District

    districts = list(District.objects.order_by("pk"))
    organisations = ApplicantOrganisation.objects.bulk_create(
        ApplicantOrganisation(name=f"Bench organisation {n:05d}", org_type=OrganisationType.COMMUNITY_GROUP,
                              district=districts[n % len(districts)], is_demo=True)
        for n in range(applications)
    )
    Membership.objects.bulk_create(
        Membership(organisation=organisation, user=members[n % clients], role=Membership.Role.LEAD)
        for n, organisation in enumerate(organisations)
    )
    plan = {member.username: [] for member in members}
    for n, organisation in enumerate(organisations):
        plan[members[n % clients].username].append(organisation.pk)
    return {
        "round": round_.slug,
        "question_ids": list(round_.questions.values_list("pk", flat=True).order_by("order")),
        "document_id": round_.required_documents.get().pk,
        "eligibility_ids": list(round_.eligibility_questions.values_list("pk", flat=True)),
        "theme_id": round_.themes().get().pk,
        "district_ids": [d.pk for d in districts],
        "plan": plan,
    }


# --- a small HTTP client ------------------------------------------------------------------------


class Browser:
    """One visitor: cookies, CSRF token, form posts and file uploads, over http.client on loopback."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}
        self.lock = threading.Lock()

    def request(self, method, path, body=None, content_type=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        with self.lock:
            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers = {"Host": f"127.0.0.1:{self.port}", "Connection": "close"}
        if cookie:
            headers["Cookie"] = cookie
        if content_type:
            headers["Content-Type"] = content_type
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        with self.lock:
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                value = rest.split(";", 1)[0]
                if "Max-Age=0" in header or value in ("", '""'):
                    self.cookies.pop(name.strip(), None)
                else:
                    self.cookies[name.strip()] = value
        return response.status, response.headers.get("Location", ""), content

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, fields, files=None):
        fields = dict(fields)
        with self.lock:
            fields["csrfmiddlewaretoken"] = self.cookies.get("csrftoken", "")
        if not files:
            body = urllib.parse.urlencode(fields, doseq=True).encode()
            return self.request("POST", path, body, "application/x-www-form-urlencoded")
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, content, mime) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {mime}\r\n\r\n".encode() + content + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", path, b"".join(parts), f"multipart/form-data; boundary={boundary}")

    def sign_in(self, path, username):
        self.get(path)
        status, location, _ = self.post(path, {"username": username, "password": PASSWORD})
        if status != 302:
            raise RuntimeError(f"sign-in failed for {username}: {status}")


def at_once(*calls):
    """Run the calls at the same moment (a double click); returns their results."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


REFERENCE = re.compile(r"/grants/applications/([A-Za-z0-9-]+)/")


def apply_all(port, username, organisation_ids, setup, results, errors, double_every=20):
    browser = Browser(port)
    try:
        browser.sign_in("/grants/sign-in/", username)
    except Exception as error:  # noqa: BLE001 - reported, not raised: the count check will show it
        errors.append(f"{username}: {error}")
        return
    apply_path = f"/grants/rounds/{setup['round']}/apply/"
    for organisation_id in organisation_ids:
        started = time.perf_counter()
        double = organisation_id % double_every == 0
        try:
            eligibility = {"organisation": organisation_id, "in_leicestershire": "yes", "amount": "2500"}
            eligibility.update({f"q{pk}": "yes" for pk in setup["eligibility_ids"]})
            if double:
                answers = at_once(lambda: browser.post(apply_path, eligibility), lambda: browser.post(apply_path, eligibility))
            else:
                answers = [browser.post(apply_path, eligibility)]
            references = {REFERENCE.search(location).group(1) for status, location, _ in answers
                          if status == 302 and REFERENCE.search(location)}
            if len(references) != 1:
                errors.append(f"{username}: organisation {organisation_id}: eligibility gave {[a[0] for a in answers]}")
                continue
            reference = references.pop()
            base = f"/grants/applications/{reference}/"
            form = {
                "title": f"Keeping going {organisation_id}", "summary": "Replacing lost income so our service can continue.",
                "theme": setup["theme_id"], "amount": "2500",
                "district": setup["district_ids"][organisation_id % len(setup["district_ids"])],
                f"q{setup['question_ids'][0]}": "Older people living alone", f"q{setup['question_ids'][1]}": "40",
            }
            status, location, _ = browser.post(base + "edit/", form)
            if status != 302:
                errors.append(f"{reference}: form answered {status}")
                continue
            status, _, _ = browser.post(base + "documents/", {"document": setup["document_id"]},
                                        {"file": ("accounts.pdf", PDF, "application/pdf")})
            if status != 302:
                errors.append(f"{reference}: upload answered {status}")
                continue
            send_started = time.perf_counter()
            if double:
                answers = at_once(lambda: browser.post(base + "check/", {}), lambda: browser.post(base + "check/", {}))
            else:
                answers = [browser.post(base + "check/", {})]
            sent = [a for a in answers if a[0] == 302 and a[1].endswith("/sent/")]
            if not sent:
                errors.append(f"{reference}: send answered {[a[0] for a in answers]}")
                continue
            results.append({
                "reference": reference, "organisation": organisation_id, "double": double,
                "sent_answers": len(sent), "seconds": time.perf_counter() - started,
                "send_seconds": time.perf_counter() - send_started,
            })
        except Exception as error:  # noqa: BLE001 - a lost request must show in the counts, not stop the client
            errors.append(f"{username}: organisation {organisation_id}: {type(error).__name__}: {error}")


# --- the server ----------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """The site in its own process on loopback: bench/grants_server.py (a fixed pool of worker threads,
    like gunicorn's threaded worker), or `shire runserver` (a new thread for every request)."""

    def __init__(self, env, log_path, kind="threads", threads=8):
        self.port = free_port()
        self.log_path = log_path
        self.log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        if kind == "runserver":
            command = [str(SHIRE), "runserver", f"127.0.0.1:{self.port}", "--noreload"]
        else:
            command = [sys.executable, "-m", "bench.grants_server", "--port", str(self.port), "--threads", str(threads)]
        self.process = subprocess.Popen(command, env=env, cwd=REPO, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _, _ = Browser(self.port).get("/grants/")
                if status == 200:
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the server did not start: see {log_path}")

    def errors(self):
        """The kinds of exception the server logged, with how often: {"psycopg.OperationalError: ...": n}."""
        found = {}
        for line in Path(self.log_path).read_text(errors="replace").splitlines():
            if re.match(r"^[\w.]+(Error|Exception): ", line):
                key = line[:160]
                found[key] = found.get(key, 0) + 1
        return found

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# --- the surge ------------------------------------------------------------------------------------


def surge(port, setup, clients):
    results, errors = [], []
    threads = [
        threading.Thread(target=apply_all, args=(port, username, ids, setup, results, errors), daemon=True)
        for username, ids in setup["plan"].items()
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=3600)
    elapsed = time.perf_counter() - started
    return results, errors, elapsed


def check_surge(results, applications):
    """None lost, none duplicated: (checks, problems)."""
    from django.db.models import Count

    from shire.grants.models import Application, ApplicationEvent

    problems = []
    in_db = Application.objects.filter(round__slug=SURGE_SLUG)
    references = list(in_db.values_list("reference", flat=True))
    statuses = dict(in_db.values_list("status").annotate(n=Count("id")).order_by())
    per_org = in_db.values("organisation").annotate(n=Count("id")).filter(n__gt=1).count()
    steps = (
        ApplicationEvent.objects.filter(application__round__slug=SURGE_SLUG, kind="status", to_status="submitted")
        .values("application").annotate(n=Count("id"))
    )
    steps_per_app = {row["n"] for row in steps}
    client_refs = [r["reference"] for r in results]
    checks = {
        "applications_in_database": len(references),
        "submitted": statuses.get("submitted", 0),
        "distinct_references": len(set(references)),
        "organisations_with_more_than_one": per_org,
        "submitted_steps_per_application": sorted(steps_per_app),
        "sent_according_to_clients": len(client_refs),
        "distinct_client_references": len(set(client_refs)),
        "double_clicked": sum(1 for r in results if r["double"]),
        "double_clicks_answered_sent_twice": sum(1 for r in results if r["sent_answers"] > 1),
    }
    if len(references) != applications:
        problems.append(f"{len(references)} applications in the database, expected {applications}")
    if statuses.get("submitted", 0) != applications:
        problems.append(f"statuses {statuses}")
    if len(set(references)) != len(references):
        problems.append("duplicate references")
    if per_org:
        problems.append(f"{per_org} organisations have more than one application")
    if steps_per_app != {1}:
        problems.append(f"submitted steps per application: {sorted(steps_per_app)}")
    if sorted(client_refs) != sorted(references):
        problems.append("the references the clients were given differ from those in the database")
    return checks, problems


# --- more applications, then the dashboards -------------------------------------------------------


def fill(total):
    """Add applications (and their decisions, awards, instalments, returns) until `total` are in the database."""
    from django.db import transaction
    from django.utils import timezone as dj_timezone

    from shire.core.models import District, Team, User
    from shire.grants.models import (
        ApplicantOrganisation,
        Application,
        AssessorAssignment,
        Award,
        Criterion,
        Decision,
        MonitoringReturn,
        OrganisationType,
        PaymentInstalment,
        Programme,
        Round,
        Score,
        Theme,
    )

    existing = Application.objects.count()
    missing = total - existing
    if missing <= 0:
        return 0
    rng = random.Random(2020)
    team = Team.objects.get(slug="communities-team")
    officer = User.objects.get(username="bench-officer")
    districts = list(District.objects.all())
    shire = Programme.objects.create(name="SHIRE Community Grants", slug="shire-community-grants", code="SCG", team=team)
    themes = [Theme.objects.create(programme=shire, name=name, slug=f"theme-{n}", order=n) for n, name in enumerate(
        ["Disadvantaged young people", "Older people, adults and people with mental health issues",
         "Wider community vulnerability"])]
    fund = Programme.objects.get(slug="communities-fund")
    rounds = []
    for year in range(2016, 2024):
        rounds.append((Round.objects.create(
            programme=shire, name=f"{year}-{(year + 1) % 100:02d}", slug=f"shire-{year}", budget_pence=10**11,
            opens_on=date(year, 4, 1), closes_on=date(year, 5, 31), min_request_pence=0, max_request_pence=1_000_000,
            status=Round.Status.PUBLISHED), themes))
    for n in range(1, 4):
        rounds.append((Round.objects.create(
            programme=fund, name=f"Round {n}", slug=f"fund-{n}", budget_pence=10**11, opens_on=date(2020, 3 * n, 1),
            closes_on=date(2020, 3 * n, 28), min_request_pence=0, max_request_pence=2_500_000,
            status=Round.Status.PUBLISHED), [None]))
    panel_round = Round.objects.create(
        programme=shire, name="Being assessed", slug="shire-assessing", budget_pence=50_000_000,
        opens_on=date(2024, 4, 1), closes_on=date(2024, 5, 31), min_request_pence=0, max_request_pence=1_000_000,
        status=Round.Status.PUBLISHED)
    criteria = [Criterion.objects.create(round=panel_round, order=n, name=f"Criterion {n}", weight=n, max_score=5)
                for n in (1, 2, 3)]
    organisations = ApplicantOrganisation.objects.bulk_create(
        ApplicantOrganisation(name=f"Filled organisation {n:05d}", org_type=OrganisationType.CHARITY,
                              district=districts[n % len(districts)], charity_number=f"99{n:05d}", is_demo=True)
        for n in range(2000)
    )
    now = dj_timezone.now()
    made = 0
    panel_count = min(500, missing)
    batch_size = 1000
    while made < missing:
        with transaction.atomic():
            count = min(batch_size, missing - made)
            batch = []
            for n in range(made, made + count):
                if n < panel_count:
                    round_, round_themes, status = panel_round, themes, Application.Status.IN_ASSESSMENT
                else:
                    round_, round_themes = rounds[n % len(rounds)]
                    roll = rng.random()
                    status = (Application.Status.AWARDED if roll < 0.45 else Application.Status.DECLINED if roll < 0.85
                              else Application.Status.SUBMITTED)
                batch.append(Application(
                    round=round_, organisation=organisations[n % len(organisations)], reference=f"FILL-{n:06d}",
                    theme=rng.choice(round_themes), title=f"Project {n}", summary="A project.",
                    amount_requested_pence=rng.randint(10, 1000) * 1000, beneficiary_district=rng.choice(districts),
                    status=status, submitted_at=now, last_submitted_at=now,
                ))
            created = Application.objects.bulk_create(batch)
            decisions, awards = [], []
            for application in created:
                if application.status == Application.Status.AWARDED:
                    decisions.append(Decision(application=application, outcome="award", reasons="Funded.", decided_by=officer,
                                              amount_awarded_pence=application.amount_requested_pence))
                    awards.append(Award(application=application, amount_pence=application.amount_requested_pence,
                                        award_date=application.round.closes_on + timedelta(days=30)))
                elif application.status == Application.Status.DECLINED:
                    decisions.append(Decision(application=application, outcome="decline", reasons="Not funded.",
                                              decided_by=officer))
            Decision.objects.bulk_create(decisions)
            Award.objects.bulk_create(awards)
            PaymentInstalment.objects.bulk_create(
                PaymentInstalment(award=award, number=1, due_on=award.award_date, amount_pence=award.amount_pence,
                                  paid_on=award.award_date)
                for award in awards)
            MonitoringReturn.objects.bulk_create(
                MonitoringReturn(award=award, due_on=award.award_date + timedelta(days=365),
                                 submitted_on=None if rng.random() < 0.2 else award.award_date + timedelta(days=300),
                                 people_helped=rng.randint(5, 300))
                for award in awards)
            panel_apps = [a for a in created if a.round_id == panel_round.pk]
            assignments = AssessorAssignment.objects.bulk_create(
                AssessorAssignment(application=application, assessor=officer, assigned_by=officer,
                                   completed_at=now) for application in panel_apps)
            Score.objects.bulk_create(
                Score(assignment=assignment, criterion=criterion, score=rng.randint(0, 5))
                for assignment in assignments for criterion in criteria)
            made += count
    return made


def percentile(values, fraction):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1)))))
    return ordered[index]


def cpu_seconds(pid):
    """User + system CPU time the process has used so far (Linux /proc), or None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_pages(port, samples, surge_size, scored, server_pid=None):
    """p50/p95/max wall time of each page as the client sees it, the page's size, and the server
    process's CPU time per request (the machine is shared: CPU time is what the page itself costs)."""
    from django.urls import reverse

    from shire.grants.views_officer import PAGE_SIZE

    browser = Browser(port)
    browser.sign_in(reverse("core:login"), "bench-officer")
    triage = reverse("grants:grants_officer:triage", args=[SURGE_SLUG])
    panel = reverse("grants:grants_officer:panel", args=["shire-assessing"])
    last_triage, last_panel = -(-surge_size // PAGE_SIZE), -(-scored // PAGE_SIZE)
    pages = [
        ("officers' dashboard", reverse("grants:grants_officer:dashboard")),
        ("officers' grants index (rounds with counts)", reverse("grants:grants_officer:index")),
        (f"triage list of the surge round ({surge_size:,} applications), first page of {PAGE_SIZE}", triage),
        (f"... its last page (page {last_triage})", f"{triage}?page={last_triage}"),
        ("... filtered to those submitted, first page", f"{triage}?status=submitted"),
        (f"panel of an assessed round ({scored:,} scored applications, budget left), first page of {PAGE_SIZE}", panel),
        (f"... its last page (page {last_panel}; running totals over the ranks above)", f"{panel}?page={last_panel}"),
        ("public open data page", reverse("grants:grants_open_data:index")),
    ]
    timings = {}
    for name, path in pages:
        for _ in range(3):
            status, _, content = browser.get(path)
        if status != 200:
            timings[name] = {"path": path, "status": status}
            continue
        seconds = []
        cpu_before = cpu_seconds(server_pid) if server_pid else None
        for _ in range(samples):
            started = time.perf_counter()
            status, _, content = browser.get(path)
            seconds.append(time.perf_counter() - started)
        cpu_after = cpu_seconds(server_pid) if server_pid else None
        ms = [s * 1000 for s in seconds]
        timings[name] = {
            "path": path, "status": status, "samples": samples, "kib": round(len(content) / 1024, 1),
            "p50_ms": round(statistics.median(ms), 1), "p95_ms": round(percentile(ms, 0.95), 1),
            "max_ms": round(max(ms), 1),
        }
        if cpu_before is not None and cpu_after is not None:
            timings[name]["server_cpu_ms"] = round((cpu_after - cpu_before) * 1000 / samples, 1)
    return timings


def time_downloads(port, samples):
    """The open data files: the first request (the file built, checked against the schema and, for CSV
    and XLSX, flattened) and then the cached ones."""
    from django.urls import reverse

    browser = Browser(port)
    timings = {}
    for fmt in ("json", "csv", "xlsx"):
        path = reverse("grants:grants_open_data:download", args=[fmt])
        started = time.perf_counter()
        status, _, content = browser.get(path)
        cold = (time.perf_counter() - started) * 1000
        warm = []
        for _ in range(samples):
            started = time.perf_counter()
            browser.get(path)
            warm.append((time.perf_counter() - started) * 1000)
        timings[fmt] = {"path": path, "status": status, "bytes": len(content), "first_ms": round(cold),
                        "cached_p50_ms": round(statistics.median(warm), 1), "cached_p95_ms": round(percentile(warm, 0.95), 1)}
    return timings


# --- reporting ----------------------------------------------------------------------------------


def machine():
    info = {"nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["ram_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    info["python"] = platform.python_version()
    info["os"] = f"{platform.system()} {platform.release()}"
    try:
        info["load_before"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        pass
    return info


def server_version():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def markdown(report):
    surge_ = report["surge"]
    lines = [
        "## Grants",
        "",
        f"Measured {report['date']} with `{report['command']}` on {report['machine'].get('cpu', '?')}, "
        f"{report['machine'].get('nproc')} cores, {report['machine'].get('ram_gib')} GiB, Python "
        f"{report['machine']['python']}, PostgreSQL {report['postgresql']} on loopback (default durability: fsync on), "
        + (f"the site served by `bench/grants_server.py` ({report['threads']} long-lived worker threads, like gunicorn's "
           "threaded worker; DEBUG off) in its own process. " if report["server"] == "threads" else
           "the site served by `shire runserver` (a new thread for every request; DEBUG off) in its own process. ")
        + f"Load average before the run: {report['machine'].get('load_before', '?')}"
        + (f", after it: {report['load_after']}" if report.get("load_after") else "")
        + " (other work shares this machine).",
        "",
        "### A surge of applications (the Communities Fund's first round took over 250 in under four weeks)",
        "",
        f"{report['clients']} concurrent clients, each signed in as a community member, applied for "
        f"{report['applications']:,} organisations over HTTP exactly as a browser does: eligibility check, form, "
        "PDF upload, \"Send application\" (4 POSTs each, plus the sign-in). One application in 20 was double-clicked: "
        "its eligibility check and its \"Send\" were each POSTed twice at the same moment.",
        "",
        "| check | result |",
        "|---|---|",
        f"| applications sent (clients got the \"sent\" page) | {surge_['checks']['sent_according_to_clients']} |",
        f"| applications in the database, all submitted | {surge_['checks']['applications_in_database']} "
        f"({surge_['checks']['submitted']} submitted) |",
        f"| distinct references | {surge_['checks']['distinct_references']} (clients': {surge_['checks']['distinct_client_references']}, the same set) |",
        f"| organisations with more than one application | {surge_['checks']['organisations_with_more_than_one']} |",
        f"| \"submitted\" steps per application in the trail | {surge_['checks']['submitted_steps_per_application']} |",
        f"| double-clicked applications | {surge_['checks']['double_clicked']} (both \"Send\" POSTs answered \"sent\": "
        f"{surge_['checks']['double_clicks_answered_sent_twice']}, still one application and one step each) |",
        f"| client errors (a request answered 500 or failed) | {surge_['error_count']} |",
        f"| lost or duplicated | **{'none' if not surge_['problems'] else '; '.join(surge_['problems'])}** |",
        "",
        f"Wall time {surge_['elapsed_s']} s: {surge_['applications_per_s']} applications a second "
        f"({surge_['requests_per_s']} requests a second). Per application (all four steps) p50 {surge_['apply_p50_ms']} ms, "
        f"p95 {surge_['apply_p95_ms']} ms; \"Send application\" alone p50 {surge_['send_p50_ms']} ms, "
        f"p95 {surge_['send_p95_ms']} ms.",
        "",
        f"### Dashboards with {report['fill']['total_applications']:,} applications in the database",
        "",
        f"{report['fill']['added']:,} applications added to the surge's {report['applications']:,} "
        "(over 8 SHIRE rounds, 3 Communities Fund rounds and one round being assessed: 45% awarded, with "
        "instalments and monitoring returns, 40% declined, the rest waiting; the first 500 added are scored "
        f"applications in the assessed round). {report['samples']} requests of each page, one after another, signed in as an officer of the team, "
        "after 3 warm-up requests; times are the client's, from request to the last byte.",
        "",
        f"| page | p50 | p95 | max | server CPU per request | HTML | under {TARGET_MS:.0f} ms (p95) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, row in report["pages"].items():
        if "p50_ms" not in row:
            lines.append(f"| {name} (`{row['path']}`) | answered {row['status']} | | | | | |")
            continue
        cpu = f"{row['server_cpu_ms']} ms" if "server_cpu_ms" in row else ""
        size = f"{row['kib']} KiB" if "kib" in row else ""
        lines.append(f"| {name} (`{row['path']}`) | {row['p50_ms']} ms | {row['p95_ms']} ms | {row['max_ms']} ms | "
                     f"{cpu} | {size} | {'yes' if row['p95_ms'] < TARGET_MS else '**no**'} |")
    downloads = report.get("downloads")
    if downloads:
        lines += [
            "",
            f"The open data files with {report['fill']['published_grants']:,} published grants: the first request builds "
            "the file, checks it against the 360Giving schema and (CSV, XLSX) flattens it with flattentool; later ones "
            "are served from the cache until an award changes.",
            "",
            "| file | size | first request | cached p50 | cached p95 |",
            "|---|---|---|---|---|",
        ]
        for fmt, row in downloads.items():
            lines.append(f"| `{row['path']}` | {row['bytes'] / 1024 / 1024:.1f} MiB | {row['first_ms'] / 1000:.1f} s | "
                         f"{row['cached_p50_ms']} ms | {row['cached_p95_ms']} ms |")
    lines += [
        "",
        "Notes:",
        "",
        "- Served by `shire runserver` instead (`--server runserver`), the same surge lost requests: the development "
        "server starts a thread for every request, and with Shire's `CONN_MAX_AGE` of 60 s each thread's PostgreSQL "
        "connection stays open after the thread ends, until the garbage collector closes it. Connections piled up to "
        "the server's limit and 242 of 1,000 applications were not sent: one of their requests answered 500 (\"remaining connection slots are "
        "reserved\"); the clients were told and what had been typed was kept as drafts, but those applicants would have had to try "
        "again. A server with long-lived worker threads (gunicorn's threaded worker in production, "
        "`bench/grants_server.py` here) holds one connection per thread and lost nothing.",
        "- The triage list and the panel are paged (50 rows a page, Django's Paginator, GOV.UK pagination), so a page "
        "costs about the same whatever the round's size. Before paging, with every row on one page, the triage list of "
        "the 1,000 surge applications took p95 800 ms and the panel of 500 scored applications p95 537 ms (about 470 KiB "
        "of HTML), measured the same way on 2026-11-24 (load average 14.6). The panel still ranks the whole round in "
        "the database (scores and the running totals, a window function over the ranking) to show any one page; the "
        "budget, awarded and left figures are the whole round's on every page.",
        "- The machine was shared with other work during the run (load average above): the same pages measured "
        "alone are faster, so read these as upper bounds.",
    ]
    lines += ["", "Raw figures: `bench/grants_results.json`.", ""]
    return "\n".join(lines)


def write_docs(report):
    """Put the "## Grants" section in docs/performance.md: replaced if there, else appended."""
    path = REPO / "docs" / "performance.md"
    text = path.read_text() if path.exists() else "# Performance\n"
    section = markdown(report)
    match = re.search(r"^## Grants\n.*?(?=^## (?!#)|\Z)", text, flags=re.S | re.M)
    if match:
        text = text[: match.start()] + section + ("\n" if match.end() < len(text) else "") + text[match.end():]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--total", type=int, default=10_000, help="applications in the database when the dashboards are timed")
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--server", choices=["threads", "runserver"], default="threads",
                        help="threads: bench/grants_server.py (default); runserver: `shire runserver`")
    parser.add_argument("--threads", type=int, default=8, help="worker threads of bench/grants_server.py")
    parser.add_argument("--keep-database", action="store_true", help="leave the bench database for a closer look")
    parser.add_argument("--docs-from-results", action="store_true",
                        help="only rewrite the docs/performance.md section from bench/grants_results.json")
    parser.add_argument("--write-docs", action="store_true", help="record the figures in docs/performance.md")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 64 or not 1 <= args.applications <= 20_000 or args.total > 200_000 or args.samples > 1000:
        sys.exit("keep the loops bounded: 1-64 clients, up to 20,000 applications, 200,000 in all, 1,000 samples")
    if args.docs_from_results:
        write_docs(json.loads((REPO / "bench" / "grants_results.json").read_text()))
        print("recorded in docs/performance.md", flush=True)
        return 0
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit(__doc__)

    bench_url, drop = bench_database(url)
    data_dir = Path(tempfile.mkdtemp(prefix="grants-bench-data-"))
    (data_dir / "static").mkdir()
    env = {**os.environ, "DATABASE_URL": bench_url, "SHIRE_DATA_DIR": str(data_dir),
           "SHIRE_SECRET_KEY": secrets.token_urlsafe(40), "SHIRE_DEBUG": "0", "DJANGO_SETTINGS_MODULE": "shire.settings"}
    server = None
    report = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "command": "DATABASE_URL=postgres://…@127.0.0.1:PORT/… .venv/bin/python -m bench.bench_grants "
                   + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine(), "clients": args.clients, "applications": args.applications, "samples": args.samples,
        "server": args.server, "threads": args.threads,
    }
    try:
        subprocess.run([str(SHIRE), "migrate", "-v", "0"], env=env, cwd=REPO, check=True)
        setup_django(env)
        report["postgresql"] = server_version()
        print(f"setting up {args.applications} organisations for {args.clients} clients", flush=True)
        setup = make_surge_round(args.clients, args.applications)
        from django.db import connections

        connections.close_all()
        server = Server(env, data_dir / "server.log", kind=args.server, threads=args.threads)
        print(f"{args.server} server on 127.0.0.1:{server.port}; {args.clients} clients applying", flush=True)
        results, errors, elapsed = surge(server.port, setup, args.clients)
        server_errors = server.errors()
        checks, problems = check_surge(results, args.applications)
        apply_ms = [r["seconds"] * 1000 for r in results] or [0]
        send_ms = [r["send_seconds"] * 1000 for r in results] or [0]
        requests = len(results) * 4 + sum(1 for r in results if r["double"]) * 2 + args.clients * 2
        report["surge"] = {
            "checks": checks, "problems": problems, "errors": errors[:20], "error_count": len(errors),
            "server_errors": server_errors, "elapsed_s": round(elapsed, 1),
            "applications_per_s": round(len(results) / elapsed, 1), "requests_per_s": round(requests / elapsed, 1),
            "apply_p50_ms": round(statistics.median(apply_ms)), "apply_p95_ms": round(percentile(apply_ms, 0.95)),
            "send_p50_ms": round(statistics.median(send_ms)), "send_p95_ms": round(percentile(send_ms, 0.95)),
        }
        print(json.dumps(report["surge"], indent=2), flush=True)
        print(f"filling the database to {args.total} applications", flush=True)
        added = fill(args.total)
        from shire.grants.models import Application

        report["fill"] = {"added": added, "total_applications": Application.objects.count()}
        connections.close_all()
        print("timing the dashboards", flush=True)
        scored = Application.objects.filter(round__slug="shire-assessing").count()
        report["pages"] = time_pages(server.port, args.samples, args.applications, scored, server.process.pid)
        print(json.dumps(report["pages"], indent=2), flush=True)
        from shire.grants import open_data

        report["fill"]["published_grants"] = open_data.published_awards().count()
        report["downloads"] = time_downloads(server.port, min(args.samples, 10))
        print(json.dumps(report["downloads"], indent=2), flush=True)
    finally:
        if server is not None:
            server.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not be set up yet
            pass
        if args.keep_database:
            print(f"kept the database: {bench_url}", flush=True)
        else:
            drop()
    report["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    (REPO / "bench" / "grants_results.json").write_text(json.dumps(report, indent=2) + "\n")
    if args.write_docs:
        write_docs(report)
        print("recorded in docs/performance.md", flush=True)
    failed = bool(report["surge"]["problems"])
    print("surge: " + ("LOST OR DUPLICATED: " + "; ".join(report["surge"]["problems"]) if failed else "none lost or duplicated"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
