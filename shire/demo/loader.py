"""The Leicestershire demo data set, loaded by `shire demo load`.

Loading is idempotent: each loader creates what is missing and puts the demo records back to
their demo values, saving a record only when a value differs, so a second run changes nothing.

Other capabilities add their demo data with a loader function `fn(context)`, either listed in
LOADERS here or registered from a `demo_data` module in their app (found automatically):

    # shire/grants/demo_data.py
    from shire.demo.loader import register

    @register
    def grant_programmes(context):
        team = context.team("communities-team")
        ...
        context.note("Grant programmes: 2")

Loaders run in order (those here, then registered ones in INSTALLED_APPS order), all in one
transaction, so a failure leaves the database as it was.
"""
import csv
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from shire.consult import services as consult_services
from shire.consult.models import AnswerCoding, Consultation, Theme, WorkshopNote
from shire.consult.xlsform import read_xlsform
from shire.core.models import District, Team, User

# Demo data, not a secret: printed by `shire demo load` and documented in shire/demo/README.md.
DEMO_PASSWORD = "shire-demo-password"

FORMS = Path(__file__).resolve().parent / "forms"
COMMUNITIES_FORM = FORMS / "communities_strategy_2017.xlsx"

COMMUNITIES_CONTACT = {"contact_name": "Communities Team", "contact_email": "communitiesteam@leics.gov.uk"}


@dataclass
class DemoContext:
    today: date
    password: str = DEMO_PASSWORD
    notes: list = field(default_factory=list)

    def note(self, message):
        self.notes.append(message)

    def team(self, slug):
        return Team.objects.get(slug=slug)

    def user(self, username):
        return User.objects.get(username=username)


def ensure(model, lookup, values, create_only=()):
    """Get or create the record matching `lookup`; set `values` on it, saving only what differs.

    Fields named in `create_only` are set when the record is created and left alone afterwards.
    Returns (record, created).
    """
    record = model.objects.filter(**lookup).first()
    if record is None:
        return model.objects.create(**lookup, **values), True
    changed = [name for name, value in values.items() if name not in create_only and getattr(record, name) != value]
    for name in changed:
        setattr(record, name, values[name])
    if changed:
        record.save(update_fields=changed + (["updated_at"] if hasattr(record, "updated_at") else []))
    return record, False


# --- people -------------------------------------------------------------------------------------

TEAMS = [("Communities Team", "communities-team"), ("Highways Team", "highways-team")]

USERS = [
    # username, first name, last name, role, is_staff/is_superuser, team slug
    ("officer", "Olivia", "Officer", User.Role.OFFICER, False, "communities-team"),
    ("admin", "Adam", "Administrator", User.Role.ADMINISTRATOR, True, "communities-team"),
    ("highways", "Harriet", "Highways", User.Role.OFFICER, False, "highways-team"),
]


def people(context):
    for name, slug in TEAMS:
        ensure(Team, {"slug": slug}, {"name": name})
    for username, first, last, role, staff, team_slug in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username)
            user.set_password(context.password)  # only when created: re-hashing would change the row
        wanted = {"first_name": first, "last_name": last, "email": f"{username}@example.gov.uk", "role": role,
                  "is_staff": staff, "is_superuser": staff, "is_active": True}
        changed = [name for name, value in wanted.items() if getattr(user, name) != value]
        for name in changed:
            setattr(user, name, wanted[name])
        if user.pk is None or changed:
            user.save()
        team = context.team(team_slug)
        if not team.has_member(user):
            team.members.add(user)
    context.note(f"Teams: {', '.join(name for name, _ in TEAMS)}.")
    context.note(f"Users: {', '.join(u[0] for u in USERS)}.")


# --- consultations ------------------------------------------------------------------------------

SUMMARY_2017 = (
    "The Leicestershire Communities Strategy sets out the way in which the County Council proposes to work with "
    "communities in the coming months and years. The Council proposes to focus its limited resources on three "
    "priorities: helping communities to help the individuals and families most in need, enabling community groups "
    "to provide services for their communities, and effective commissioning of, and support for, the voluntary "
    "sector. Eight 'building blocks' - things that people told us make communities strong and resilient - underpin "
    "the delivery of the three priorities.\n\n"
    "We asked whether these priorities and building blocks are the right things to focus on, what order of "
    "priority people would put the building blocks in, and whether we have identified the right actions. We also "
    "asked who is most in need of support in Leicestershire's communities, how people want to engage with the "
    "Council, who the community champions are and how to overcome barriers to volunteering."
)

SUMMARY_OPEN = (
    "Our vision is for Leicestershire's communities to thrive, to be inclusive, and to be places where people "
    "take pride in their local area. We would like to hear your views on how we can deliver the Communities "
    "Strategy together: how we can work together to build confidence and capacity in communities, what role the "
    "voluntary and community sector can play, and how you or your organisation can help us to achieve our "
    "priorities.\n\n"
    "This consultation uses the questionnaire of the 2017 Communities Strategy consultation and stays open for a "
    "year, so that the public pages can be tried out."
)


def consultations(context):
    team = context.team("communities-team")
    officer = context.user("officer")
    definition = read_xlsform(COMMUNITIES_FORM.read_bytes(), COMMUNITIES_FORM.name)
    closed, _ = ensure(Consultation, {"slug": "communities-strategy-2017"}, {
        "title": "Communities Strategy consultation 2017",
        "summary": SUMMARY_2017,
        "opens_on": date(2017, 1, 9),
        "closes_on": date(2017, 3, 31),
        "team": team,
        "created_by": officer,
        **COMMUNITIES_CONTACT,
    })
    opens = context.today
    open_copy, _ = ensure(Consultation, {"slug": "communities-strategy-2017-open"}, {
        "title": "Communities Strategy consultation (open demo)",
        "summary": SUMMARY_OPEN,
        "opens_on": opens,
        "closes_on": _one_year_later(opens),
        "team": team,
        "created_by": officer,
        **COMMUNITIES_CONTACT,
    }, create_only=("opens_on", "closes_on"))
    published_2017 = timezone.make_aware(datetime.combine(date(2017, 1, 9), time(9, 0)))
    for consultation, published_at in ((closed, published_2017), (open_copy, None)):
        _attach(context, consultation, definition, officer)
        if not consultation.is_published:
            consult_services.publish(consultation, officer)
            if published_at:
                consultation.published_at = published_at
                consultation.save(update_fields=["published_at"])
        context.note(f"Consultation {consultation.slug}: {consultation.phase(context.today)}, "
                     f"{consultation.opens_on.isoformat()} to {consultation.closes_on.isoformat()}.")


def _attach(context, consultation, definition, officer):
    """Attach the 2017 form unless the consultation already has it; never replace answered forms."""
    current = getattr(consultation, "questionnaire", None) if consultation.pk else None
    if current is not None and current.definition == definition:
        return
    if consultation.responses.exists():
        context.note(f"{consultation.slug} has responses, so its questionnaire was left as it is.")
        return
    consult_services.attach_questionnaire(consultation, COMMUNITIES_FORM.read_bytes(), COMMUNITIES_FORM.name, user=officer)


def _one_year_later(day):
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


SEED003 = Path(__file__).resolve().parent / "data" / "seed003"

RESULTS_2017 = (
    "We published the Communities Strategy 2017-21 in the light of what you told us. We kept the three "
    "priorities, which most respondents supported, made 'understand local priorities' the first building "
    "block, and set out in the action plan how we will support volunteers rather than replace paid staff."
)


def consultation_results(context):
    """The 2017 consultation's 90 online responses and its workshops' dot votes, rebuilt so that the
    report reproduces seed 003's published figures (see shire/demo/data/seed003/), and its public page."""
    from shire.consult import imports

    consultation = Consultation.objects.get(slug="communities-strategy-2017")
    if not consultation.responses.exists():
        count = imports.import_responses(consultation, SEED003 / "responses_2017.csv")
        context.note(f"Responses imported into {consultation.slug}: {count}.")
    if not consultation.workshops.exists():
        imports.import_workshops(consultation, SEED003 / "workshops_2017.csv")
        context.note(f"Workshop results imported into {consultation.slug}.")
    if consultation.results_published_at is None:
        consultation.results_published_at = timezone.make_aware(datetime.combine(date(2017, 6, 1), time(9, 0)))
        consultation.results_summary = RESULTS_2017
        consultation.save(update_fields=["results_published_at", "results_summary", "updated_at"])


# The 2017 consultation's free-text questions the demo has themes for (their answers, Q33's
# workshop notes and the theme labels are in data/seed003/free_text_2017.csv; Q30, ideas for
# volunteering, has answers only, for the officer to ask Shire to propose themes).
CODED_2017 = "q33_general_comments"  # the council coded these answers before publishing
CODEBOOK_ONLY_2017 = "q31_hubs_council"  # a codebook, for the officer to have the answers coded


def consultation_themes(context):
    """The themes of the 2017 consultation's free-text answers: Q33's codebook with every answer,
    and the points noted about it at the workshops, coded and reviewed by the officer (so the
    published report shows its themes, quotes and workshop counts), and Q31's codebook with no
    answer coded yet. Only what is missing is added."""
    from shire.consult import coding  # the themes engine's code (numpy), loaded only when loading

    consultation = Consultation.objects.get(slug="communities-strategy-2017")
    officer = context.user("officer")
    for question in (CODED_2017, CODEBOOK_ONLY_2017):
        if not Theme.objects.filter(consultation=consultation, question=question).exists():
            path = SEED003 / f"codebook_{question}.csv"
            added, _ = coding.import_codebook(consultation, question, officer, path.read_bytes(), path.name)
            context.note(f"Themes of {question} in {consultation.slug}: {added}.")
    with open(SEED003 / "free_text_2017.csv", encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["question"] == CODED_2017]
    decisions, note_decisions = [], []
    if not AnswerCoding.objects.filter(consultation=consultation, question=CODED_2017, response__isnull=False).exists():
        decisions = [(row["response_id"], row["theme"], row["second_theme"]) for row in rows if row["response_id"]]
    if not WorkshopNote.objects.filter(consultation=consultation, question=CODED_2017).exists():
        for workshop in dict.fromkeys(row["workshop"] for row in rows if row["workshop"]):  # in the file's order
            noted = [row for row in rows if row["workshop"] == workshop]
            notes = coding.add_workshop_notes(consultation, CODED_2017, officer, workshop,
                                              "\n".join(row["text"] for row in noted))
            note_decisions += [(note, row["theme"], row["second_theme"]) for note, row in zip(notes, noted)]
    if decisions or note_decisions:
        coding.record_officer_coding(consultation, CODED_2017, officer, decisions, note_decisions)
        context.note(f"Answers to {CODED_2017} in {consultation.slug} coded by the officer: {len(decisions)}, "
                     f"and workshop notes: {len(note_decisions)}.")


# --- places -------------------------------------------------------------------------------------

# Leicestershire's seven districts with their ONS GSS codes.
DISTRICTS = [
    ("Blaby", "E07000129"),
    ("Charnwood", "E07000130"),
    ("Harborough", "E07000131"),
    ("Hinckley and Bosworth", "E07000132"),
    ("Melton", "E07000133"),
    ("North West Leicestershire", "E07000134"),
    ("Oadby and Wigston", "E07000135"),
]


def places(context):
    from django.utils.text import slugify

    for name, code in DISTRICTS:
        ensure(District, {"gss_code": code}, {"name": name, "slug": slugify(name)})
    context.note(f"Districts: {len(DISTRICTS)}.")


# --- running them -------------------------------------------------------------------------------

LOADERS = [people, places, consultations, consultation_results, consultation_themes]
_registered = []


def register(loader):
    """Add a loader function from another app's demo_data module; returns it, so it works as a decorator."""
    if loader not in _registered and loader not in LOADERS:
        _registered.append(loader)
    return loader


def load(today=None):
    """Load every demo data set; returns the notes the loaders made, for the command to print."""
    autodiscover_modules("demo_data")
    context = DemoContext(today=today or timezone.localdate())
    with transaction.atomic():
        for loader in [*LOADERS, *_registered]:
            loader(context)
    return context.notes
