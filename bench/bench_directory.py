"""Benchmark: the directory's search page and the Open Referral UK API's list pages, 10,000 services
in PostgreSQL, 20 concurrent clients.

    DATABASE_URL=postgres://USER:PASSWORD@127.0.0.1:PORT/NAME .venv/bin/python -m bench.bench_directory
    ... --write-docs        # and write the figures into docs/performance.md ("## Directory")

DATABASE_URL names a PostgreSQL server and a role that may create databases. The benchmark:

1. creates a fresh database on that server (dropped at the end), migrates it, and generates the
   directory: 7 districts, 210 parishes, 2,500 organisations, 4,000 places, 10,000 services (each
   at one or two places, under one to three of 20 terms, with opening times, a cost, public and
   private contacts and phone numbers), seeded so every run has the same data;
2. serves the site with gunicorn on 127.0.0.1 (loopback only): WORKERS sync worker processes, as
   production would run it (Django's runserver is one process, and a thread-per-request server
   in one process, such as waitress, shares one core through the GIL; gunicorn's processes use
   both cores of this machine);
3. for each page, runs CLIENTS clients (coroutines on one event loop) that each send requests one
   after another (a new connection each, as gunicorn's sync workers close them) until REQUESTS requests have been
   answered, and records each answer's time from connecting to the last byte. Every URL of a
   page varies (words searched, page numbers) over a fixed list;
4. does it twice: with the shared cache as configured (*cached*), and with the caches of the search
   pages and API answers turned off (*uncached*: every answer built from the database, as for
   searches that are all different);
5. reports p50, p95 and p99 latency and the throughput of each page, the CPU time a request costs
   the server (gunicorn's workers), PostgreSQL (when it runs on this machine) and the load
   generator itself, and checks every answer was a 200. The issue's target: p95 under 100 ms for
   the directory search and each API list page.

A benchmark, not a test: nothing here fails the test suite. The load stays on loopback and every
loop is bounded by a request count and a time limit.
"""
import argparse
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs" / "performance.md"
SECTION = "## Directory"
TARGET_MS = 100.0
SEED = 2026

WORDS = ["football", "walking", "café", "library", "lunch", "club", "youth", "coffee", "support", "garden",
         "choir", "yoga", "history", "food", "advice", "carers", "dementia", "craft", "bowls", "reading"]
TOWNS = ["Hinckley", "Loughborough", "Melton Mowbray", "Market Harborough", "Coalville", "Wigston", "Oadby",
         "Lutterworth", "Ashby-de-la-Zouch", "Shepshed", "Syston", "Measham", "Desford", "Markfield", "Kibworth",
         "Blaby", "Enderby", "Narborough", "Anstey", "Ibstock"]
DISTRICTS = [("Blaby", "blaby", "E07000129"), ("Charnwood", "charnwood", "E07000130"),
             ("Harborough", "harborough", "E07000131"), ("Hinckley and Bosworth", "hinckley-and-bosworth", "E07000132"),
             ("Melton", "melton", "E07000133"), ("North West Leicestershire", "north-west-leicestershire", "E07000134"),
             ("Oadby and Wigston", "oadby-and-wigston", "E07000135")]
CATEGORIES = ["Health and wellbeing", "Sport and exercise", "Food", "Money and debt advice", "Learning",
              "Arts and crafts", "Music", "Local history", "Gardening", "Social groups", "Volunteering",
              "Children and families", "Young people", "Transport", "Housing", "Employment"]
AUDIENCES = ["Older people", "Carers", "Families", "Young people"]


# --- data ---------------------------------------------------------------------------------------

def generate(services_count, seed=SEED):
    """Fill the (empty, migrated) database Django is connected to. Returns {what: how many}."""
    from django.db import transaction

    from shire.core.models import District, Parish
    from shire.directory.list_rows import refresh
    from shire.directory.models import (
        Accessibility, Contact, CostOption, Location, Organization, Phone, Schedule, Service, ServiceAtLocation,
        ServiceAttribute, Taxonomy, TaxonomyTerm, search_text_of,
    )

    rng = random.Random(seed)
    ids = lambda: uuid.UUID(int=rng.getrandbits(128), version=4)  # noqa: E731 - seeded UUIDs
    with transaction.atomic():
        districts = [District.objects.get_or_create(gss_code=gss, defaults={"name": name, "slug": slug})[0]
                     for name, slug, gss in DISTRICTS]
        parishes = []
        for number in range(210):
            district = districts[number % len(districts)]
            parishes.append(Parish(name=f"Bench parish {number:03}", slug=f"bench-parish-{number:03}",
                                   district=district, kind=Parish.Kind.PARISH_COUNCIL, is_demo=True))
        Parish.objects.bulk_create(parishes, ignore_conflicts=True)
        parishes = list(Parish.objects.filter(slug__startswith="bench-parish-"))
        categories = Taxonomy.objects.create(id=ids(), slug="categories", name="Categories", description="What it is about")
        audiences = Taxonomy.objects.create(id=ids(), slug="who-it-is-for", name="Who it is for", description="Who it is for")
        terms = [TaxonomyTerm(id=ids(), taxonomy=categories, code=f"c{n}", name=name, description=name)
                 for n, name in enumerate(CATEGORIES)]
        terms += [TaxonomyTerm(id=ids(), taxonomy=audiences, code=f"a{n}", name=name, description=name)
                  for n, name in enumerate(AUDIENCES)]
        TaxonomyTerm.objects.bulk_create(terms)

        organizations = []
        for number in range(max(1, services_count // 4)):
            name = f"{rng.choice(TOWNS)} {rng.choice(WORDS)} {rng.choice(['group', 'club', 'trust', 'society'])} {number}"
            parish = rng.choice(parishes)
            organizations.append(Organization(
                id=ids(), name=name, description=f"A community group in {parish.name}. " * 3,
                kind=rng.choice(Organization.Kind.values), district_id=parish.district_id, parish=parish,
                email=f"hello{number}@example.org", website=f"https://example.org/{number}",
                last_checked_on=date(2026, 1, 1) - timedelta(days=rng.randrange(700)), is_demo=True,
                search_text=search_text_of(name, f"A community group in {parish.name}.")))
        Organization.objects.bulk_create(organizations, batch_size=1000)

        locations = []
        for number in range(max(1, services_count * 2 // 5)):
            town = rng.choice(TOWNS)
            parish = rng.choice(parishes)
            locations.append(Location(
                id=ids(), organization=rng.choice(organizations), name=f"{town} {rng.choice(['Village Hall', 'Library', 'Community Centre', 'Church Hall'])} {number}",
                kind=rng.choice(Location.Kind.values), address_1=f"{number} High Street", city=town,
                postal_code=f"LE{rng.randrange(1, 68)} {rng.randrange(1, 10)}AB", district_id=parish.district_id, parish=parish,
                latitude=round(52.45 + rng.random() * 0.45, 6), longitude=round(-1.55 + rng.random() * 0.8, 6), is_demo=True))
        Location.objects.bulk_create(locations, batch_size=1000)
        Accessibility.objects.bulk_create([Accessibility(id=ids(), location=location, feature=feature)
                                           for location in locations[::2] for feature in ("step_free", "hearing_loop")],
                                          batch_size=2000)

        services, pairings, attributes, schedules, costs, contacts, phones = [], [], [], [], [], [], []
        for number in range(services_count):
            organization = rng.choice(organizations)
            words = rng.sample(WORDS, 3)
            name = f"{words[0].capitalize()} {words[1]} {number}"
            description = f"A {words[1]} and {words[2]} session for everyone. Come along, meet people, have a cup of tea."
            service = Service(id=ids(), organization=organization, name=name, description=description,
                              status=rng.choice([Service.Status.ACTIVE] * 9 + [Service.Status.TEMPORARILY_CLOSED]),
                              cost=rng.choice(["free", "paid", ""]), minimum_age=rng.choice([None, None, 18, 50]),
                              last_checked_on=date(2026, 1, 1) - timedelta(days=rng.randrange(700)), is_demo=True,
                              fees_description="£2 a session", email=f"service{number}@example.org")
            places = rng.sample(locations, rng.choice([1, 1, 2]))
            chosen_terms = rng.sample(terms, rng.choice([1, 2, 3]))
            service.search_text = search_text_of(name, "", description, organization.name, "",
                                                 *[t.name for t in chosen_terms], *[p.city for p in places])
            service.name_key = search_text_of(name)
            services.append(service)
            for place in places:
                pairings.append(ServiceAtLocation(id=ids(), service=service, location=place))
            for term in chosen_terms:
                attributes.append(ServiceAttribute(id=ids(), service=service, taxonomy_term=term))
            schedules.append(Schedule(id=ids(), service=service, freq="WEEKLY", byday=rng.choice(["MO", "TU", "WE,FR"]),
                                      opens_at="10:00", closes_at="12:00"))
            costs.append(CostOption(id=ids(), service=service, option="Per session", amount_pence=rng.choice([0, 200, 350])))
            public = Contact(id=ids(), service=service, name="Organiser", email=f"organiser{number}@example.org")
            private = Contact(id=ids(), service=service, name="Private person", private=True)
            contacts += [public, private]
            phones += [Phone(id=ids(), contact=public, number=f"0116 496 {number % 10000:04}"),
                       Phone(id=ids(), service=service, number="07700 900000", private=True)]
        for model, rows in ((Service, services), (ServiceAtLocation, pairings), (ServiceAttribute, attributes),
                            (Schedule, schedules), (CostOption, costs), (Contact, contacts), (Phone, phones)):
            model.objects.bulk_create(rows, batch_size=2000)
        # What the directory's own writes keep beside each service (bulk_create sends no save signal).
        refresh([service.pk for service in services])
    from django.db import connection

    with connection.cursor() as cursor:
        # As autovacuum leaves a table after a bulk load: statistics for the planner, and the
        # visibility map that lets counts and page ids be read from an index alone.
        cursor.execute("VACUUM ANALYZE")
    return {"organisations": len(organizations), "places": len(locations), "services": len(services),
            "services at places": len(pairings), "terms": len(terms)}


# --- the load -----------------------------------------------------------------------------------

def page_urls(services_count):
    """{page: [paths]}: what each measured page asks for, varied over a fixed list."""
    rng = random.Random(SEED)
    per_page = 50
    last = max(1, services_count // per_page)
    pages = [rng.randrange(1, last + 1) for _ in range(40)]
    from urllib.parse import quote

    words = [quote(w) for w in WORDS] + [quote(f"{a} {b}") for a, b in zip(WORDS[::2], WORDS[1::2])]
    return {
        "directory search /directory/?q=…": [f"/directory/?q={w}" for w in words],
        "directory search, no words, page N": [f"/directory/?page={p}" for p in pages],
        "API /services?page=N": [f"/api/oruk/services?page={p}" for p in pages],
        "API /services?search=…": [f"/api/oruk/services?search={w}" for w in words],
        "API /services?full=true&page=N (no target)": [f"/api/oruk/services?full=true&page={p}" for p in pages],
        "API /service_at_locations?page=N": [f"/api/oruk/service_at_locations?page={p}" for p in pages],
        "API /organizations?page=N": [f"/api/oruk/organizations?page={p % max(1, services_count // 200) + 1}" for p in pages],
        "API /taxonomies": ["/api/oruk/taxonomies"],
        "API /taxonomy_terms": ["/api/oruk/taxonomy_terms"],
    }


def hammer(port, paths, clients, requests, time_limit):
    """Latencies (ms) of `requests` GETs over `paths` from `clients` concurrent clients; (latencies, errors, seconds).

    The clients are coroutines on one event loop, each with its own connection a request (gunicorn's
    sync workers close it after the answer): a thread per client and http.client cost the machine
    several times the CPU, which the server then lacked.
    """
    import asyncio

    latencies, errors = [], []
    counter = iter(range(requests))

    async def client(offset, deadline):
        index = offset
        while time.monotonic() < deadline and next(counter, None) is not None:
            path = paths[index % len(paths)]
            index += 7
            started = time.perf_counter()
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                             "Accept: application/json, text/html\r\n\r\n".encode())
                body = await reader.read(-1)
                writer.close()
                status = body[9:12].decode("ascii", "replace")
            except OSError as error:
                status = str(error)
            latencies.append((time.perf_counter() - started) * 1000)
            if status != "200":
                errors.append(f"{status} for {path}")

    async def run():
        deadline = time.monotonic() + time_limit
        await asyncio.gather(*(client(n, deadline) for n in range(clients)))

    started = time.perf_counter()
    asyncio.run(run())
    return latencies, errors, time.perf_counter() - started


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not start on port {port}")


def start_server(port, workers, env, log):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "shire.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--worker-class", "sync", "--backlog", "256", "--log-level", "warning"],
        cwd=REPO, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    wait_for(port)
    return server


def cpu_seconds(pid):
    """User and system CPU seconds of process `pid` and its children, living and ended (from /proc),
    or None when it is not on this machine."""
    if pid is None:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(entry.name) == pid:
            total += sum(int(x) for x in fields[11:15])  # its own time, and its ended children's
        elif int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def postmaster_pid(database_url):
    """The PostgreSQL server's process id, when it runs on this machine (a backend's parent)."""
    import psycopg

    with psycopg.connect(_libpq(database_url)) as connection:
        backend = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
        process = Path("/proc") / str(backend)
        try:
            if "postgres" not in (process / "comm").read_text():
                return None
            return int((process / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            return None  # another machine's


def cpu_text(ms):
    return "-" if ms is None else f"{ms:.1f} ms"


def stop_server(server):
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


# --- the report ---------------------------------------------------------------------------------

def machine(database_url):
    info = {"nproc": len(os.sched_getaffinity(0)), "python": platform.python_version(),
            "os": f"{platform.system()} {platform.release()}"}
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            info["cpu"] = line.split(":", 1)[1].strip()
            break
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            info["ram_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    import django
    import gunicorn
    import psycopg

    info["django"], info["gunicorn"] = django.get_version(), gunicorn.__version__
    with psycopg.connect(_libpq(database_url)) as connection:
        info["postgresql"] = connection.execute("SHOW server_version").fetchone()[0]
    info["load"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return info


def _libpq(url):
    return url.replace("postgres://", "postgresql://", 1)


def markdown(info, counts, results, meta):
    lines = [SECTION, "",
             f"Figures from `bench/bench_directory.py`: {counts['services']:,} services in PostgreSQL, "
             f"{meta['clients']} concurrent clients on loopback, {meta['requests']:,} requests a page "
             f"({meta['requests'] // 5:,} for full=true). "
             f"The issue's target: a directory search and each API list page under {TARGET_MS:.0f} ms at the 95th "
             "percentile.", "",
             f"Measured {meta['when']}, load average {info['load']} at the start and {info['load_after']} at the end "
             "(other work shares this machine), with:", "", "```",
             "DATABASE_URL=postgres://... .venv/bin/python -m bench.bench_directory --write-docs"
             + (f" --workers {meta['workers']}" if meta["workers_given"] else ""), "```", "",
             "| page | one client alone: p50 | 20 clients: requests | p50 | p95 | p99 | throughput "
             "| CPU a request: server | PostgreSQL | clients | within target |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for name, result in results.items():
        within = "(none)" if "no target" in name else "yes" if result["p95"] < TARGET_MS else "**no**"
        lines.append(f"| {name} | {result['alone']:.1f} ms | {result['count']:,} | {result['p50']:.1f} ms | "
                     f"{result['p95']:.1f} ms | {result['p99']:.1f} ms | {result['rps']:.0f}/s | "
                     f"{cpu_text(result['server_cpu'])} | {cpu_text(result['postgres_cpu'])} | "
                     f"{cpu_text(result['clients_cpu'])} | {within} |")
    lines += ["",
              f"- Data (generated, seed {SEED}): " + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + "; "
              "each service has opening times, a cost, a public and a private contact and phone number. "
              "The tables are vacuumed and analysed after loading, as autovacuum leaves them.",
              f"- Server: gunicorn {info['gunicorn']}, {meta['workers']} sync worker processes, `shire.wsgi`, DEBUG off, "
              "persistent database connections (CONN_MAX_AGE 60), the shared cache in the database (settings.CACHES). "
              "Clients: coroutines on one event loop sending GETs back to back, a new connection each; time measured "
              "from connecting to the last byte. Every answer was checked to be a 200."
              + (f" Errors: {meta['errors']}." if meta["errors"] else ""),
              "- *(cached)*: as configured by default: search pages kept 5 minutes and API answers a minute in the "
              "shared cache, under the directory's version; the benchmark asks for 30 to 40 different searches or "
              "pages a page type, so after the first round most answers come from the cache. *(uncached)*: "
              "`SHIRE_PAGE_CACHE_SECONDS=0 SHIRE_API_CACHE_SECONDS=0`, every answer built from the database, as for "
              "searches that are all different, or a harvester reading every page once. What each process keeps in "
              "memory for the directory's version stays on in both (the search form's choices and its HTML, the totals of the "
              "unfiltered lists): it is not an answer, and production keeps it too. Both read the rows the directory "
              "keeps for each service's lists (list_rows: its API JSON, its search result and map point, made when "
              "a service, organisation or place is saved): they are stored data, kept current by every write, not "
              "answers kept for a time.",
              "- *CPU a request*: CPU time (user and system, from /proc) over the 20-client run divided by the requests "
              "answered: *server* is gunicorn's processes, *PostgreSQL* the database server's, *clients* the load "
              "generator's own (this process). With 2 cores, the throughput can be at most 2,000 ms divided by their sum; "
              "what is left over went to other work on the machine. CPU time measured while other work runs is higher "
              "than on an idle machine (shared caches and cores and, with more worker processes than cores, "
              "switching between them).",
              "- What an uncached page costs, and what was done about it, is in docs/directory.md ('Where the time of one request goes'): "
              "per-request CPU measured with cProfile of each view and `EXPLAIN (ANALYZE, BUFFERS)` of each query "
              "on this data.",
              "- `full=true` pages nest each of the 50 services fully (organisation, places with addresses and "
              "accessibility, contacts, phones, times, costs, terms): about 20 queries whatever the page's length, "
              "but building some 1,600 model objects costs tens of milliseconds of CPU a page, so they are measured "
              "with fewer requests and have no target; a client wanting full records should ask for fewer a page.",
              "- *One client alone*: the median time of 40 requests sent one at a time, before the 20 clients: how long "
              "a request takes with no queue.",
              "- The clients, gunicorn and PostgreSQL share the machine's cores, so the latency includes "
              "queueing behind the other 19 clients: with 20 clients always waiting, p50 is roughly 20 divided "
              "by the throughput.",
              reading(results, meta['clients'], info['nproc']), "",
              "Machine:", "",
              f"- {info['nproc']} CPU cores available (`nproc`), {info.get('cpu', '')}; {info.get('ram_gib', '?')} GiB RAM",
              f"- {info['os']}, Python {info['python']}, Django {info['django']}, PostgreSQL {info['postgresql']}", ""]
    return "\n".join(lines)


def reading(results, clients, cores):
    """What the figures say about the target, in words, from the figures.

    With `clients` always waiting, each request waits on average for the CPU of all of them:
    clients x (CPU a request) / cores is the least mean latency even on an idle machine.
    """
    sentences = []
    for mode in ("uncached", "cached"):
        rows = {name.rsplit(" (", 1)[0]: r for name, r in results.items()
                if name.endswith(f"({mode})") and "no target" not in name}
        if not rows:
            continue
        missed = [name for name, r in rows.items() if r["p95"] >= TARGET_MS]
        sentence = f"{mode}, {len(rows) - len(missed)} of {len(rows)} pages are within the target"
        costs = {name: (r["server_cpu"] or 0) + (r["postgres_cpu"] or 0) + r["clients_cpu"] for name, r in rows.items()}
        sentence += (f"; a request costs the machine {min(costs.values()):.1f} to {max(costs.values()):.1f} ms of CPU, "
                     f"the load generator's share at most {max(r['clients_cpu'] for r in rows.values()):.1f} ms")
        for name in missed:
            floor = clients * costs[name] / cores
            sentence += (f"; {name}: {costs[name]:.1f} ms a request, so {clients} clients wait at least {floor:.0f} ms "
                         "on average even on an idle machine" + (
                             " (past the target whatever else runs: the work a request costs must shrink)"
                             if floor >= TARGET_MS else
                             " (under the target on average: much of its wait was other work on the machine, "
                             "though its 95th percentile lies above the mean)"))
        sentences.append(sentence)
    return "- Reading the figures: " + ". ".join(s[0].upper() + s[1:] for s in sentences) + "."


def write_docs(text):
    """Put `text` in docs/performance.md as its "## Directory" section, replacing an earlier one."""
    current = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Performance\n"
    start = current.find("\n" + SECTION + "\n")
    if start == -1:
        DOCS.write_text(current.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n", encoding="utf-8")
        return
    end = current.find("\n## ", start + 1)
    after = current[end + 1:] if end != -1 else ""
    DOCS.write_text(current[:start + 1] + text.rstrip("\n") + "\n" + ("\n" + after if after else ""), encoding="utf-8")


# --- main ---------------------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=1000, help="requests a page (default 1000)")
    parser.add_argument("--workers", type=int, help="gunicorn worker processes (default: 2 x cores + 1)")
    parser.add_argument("--time-limit", type=float, default=120, help="seconds at most a page")
    parser.add_argument("--modes", default="cached,uncached",
                        help="pages and answers with the shared cache, without it, or both (default)")
    parser.add_argument("--pages", default="",
                        help="only the pages whose names or paths hold one of these words (comma-separated)")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    if args.pages and args.write_docs:
        parser.error("--write-docs records every page: leave out --pages")
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (and a role that may create databases).")
    workers = args.workers or 2 * len(os.sched_getaffinity(0)) + 1

    sys.path.insert(0, str(REPO))
    from bench.bench_consult import postgres_database

    info = machine(url)
    database, drop = postgres_database(url)
    workdir = Path(tempfile.mkdtemp(prefix="shire-bench-directory-"))
    env = {**os.environ, "DATABASE_URL": database, "SHIRE_DATA_DIR": str(workdir), "SHIRE_DEBUG": "0",
           "SHIRE_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    server = None
    try:
        os.environ.update({k: env[k] for k in ("DATABASE_URL", "SHIRE_DATA_DIR", "SHIRE_ALLOWED_HOSTS")})
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shire.settings")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        counts = generate(args.services)
        print(f"generated {counts} in {time.perf_counter() - started:.1f} s", flush=True)
        from django.db import connections

        connections.close_all()

        postgres = postmaster_pid(database)
        results, all_errors = {}, []
        for mode in args.modes.split(","):
            seconds = {"cached": ("60", "300"), "uncached": ("0", "0")}[mode]
            port = free_port()
            server = start_server(port, workers, {**env, "SHIRE_API_CACHE_SECONDS": seconds[0],
                                                  "SHIRE_PAGE_CACHE_SECONDS": seconds[1]},
                                  workdir / f"gunicorn-{mode}.log")
            try:
                for name, paths in page_urls(args.services).items():
                    if args.pages and not any(word in name or word in paths[0] for word in args.pages.split(",")):
                        continue
                    label = f"{name} ({mode})"
                    hammer(port, paths, args.clients, max(40, args.clients * 4), 30)  # warm every worker
                    alone, _, _ = hammer(port, paths, 1, 40, 30)  # one client: the time a request takes, no queue
                    count = args.requests // 5 if "full=true" in name else args.requests  # 50 nested services a page
                    before = (cpu_seconds(server.pid), cpu_seconds(postgres), time.process_time())
                    latencies, errors, elapsed = hammer(port, paths, args.clients, count, args.time_limit)
                    after = (cpu_seconds(server.pid), cpu_seconds(postgres), time.process_time())
                    all_errors += errors
                    server_ms, postgres_ms, clients_ms = (
                        None if b is None or a is None else (a - b) * 1000 / len(latencies) for a, b in zip(after, before))
                    results[label] = {"count": len(latencies), "p50": statistics.median(latencies),
                                      "p95": percentile(latencies, 0.95), "p99": percentile(latencies, 0.99),
                                      "rps": len(latencies) / elapsed, "alone": statistics.median(alone),
                                      "server_cpu": server_ms, "postgres_cpu": postgres_ms, "clients_cpu": clients_ms}
                    r = results[label]
                    print(f"{label:55} n={r['count']:5} p50={r['p50']:6.1f} ms p95={r['p95']:6.1f} ms "
                          f"p99={r['p99']:6.1f} ms {r['rps']:6.0f}/s cpu: server {cpu_text(server_ms)} "
                          f"postgres {cpu_text(postgres_ms)} clients {cpu_text(clients_ms)} errors={len(errors)}",
                          flush=True)
            finally:
                stop_server(server)
                server = None
        info["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        meta = {"clients": args.clients, "requests": args.requests, "workers": workers,
                "workers_given": args.workers is not None,
                "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "errors": f"{len(all_errors)} (first: {all_errors[0]})" if all_errors else ""}
        text = markdown(info, counts, results, meta)
        print("\n" + text)
        if args.write_docs:
            write_docs(text)
            print(f"wrote the figures into {DOCS.relative_to(REPO)}")
        return 1 if all_errors else 0
    finally:
        if server is not None:
            stop_server(server)
        from django.db import connections

        connections.close_all()
        drop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
