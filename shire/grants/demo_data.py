"""The grants part of the Leicestershire demo data, loaded by `shire demo load`.

It reproduces the published figures exactly (`shire grants summary --format json` shows them):

SHIRE Community Grants 2019-20 (seed 004): 90 projects awarded £386,715 in all:
    disadvantaged young people                                  24 projects   £112,401
    older people, adults and people with mental health issues   47 projects   £190,816
    wider community vulnerability                               19 projects    £83,498

Communities Fund (seeds 004 and 002), launched on Monday 30 March 2020 for VCSE organisations
hit by the Covid-19 pandemic; 379 grants over 3 rounds, "nearly £2.6m":
    Round 1   30 March - 24 April 2020 (under four weeks)  262 applications  160 grants  £1,500,000
    Round 2   15 June - 10 July 2020                        140 applications  121 grants    £708,465
    Round 3   2 - 27 November 2020                          115 applications   98 grants    £385,310
                                                                              379 grants  £2,593,775
The seeds give round 1's figures (over 250 applications, 160 organisations, £1.5m) and the three
rounds' total (379 grants, nearly £2.6m). The split between rounds 2 and 3, the dates of rounds 2
and 3, the budgets and the numbers of declined applications are choices made for the demo.

What else is here, so every page has something to show: declined applications with reasons, a few
awards in part, payment instalments (most paid, the latest SHIRE ones not yet), monitoring returns
(most on time, some late, some never sent, so flagged late), bank details, and an open round
(dates set on the first load, relative to that day, and kept after) for trying the applicant's
journey. Two community members (grants.applicant@example.org and grants.member@example.org,
password as for the other demo users) belong to three of the organisations.

So that the newer features have something to show, the first of those organisations has both of them
as lead contacts and an invitation not yet accepted (made on the first load, valid for the usual 14
days from then; never e-mailed), and its SHIRE 2019-20 decision was recorded as an award in full by
mistake and then corrected to the part award the panel agreed, through `awards.amend_decision` (the
correction is dated the day of the first load; the second payment was held until it was put right).
The published figures count the corrected award.

Every organisation is invented and marked is_demo, except the two the seed names as SHIRE
2019-20 grants (RCC Rural Coffee Connect, £10,000 as the seed says, and New Life Community Church's
food bank, whose amount is a demo choice). Charity numbers start 99 and company numbers ZZ, outside
the registers' real ranges; e-mail addresses and websites use example.org; postcodes use the
non-geographic LE99 district; bank details use sort codes 00-99-xx.

Deterministic: one seeded random.Random for every choice, so each load makes the same records.
Idempotent: set-up records go through ensure(); a round's applications, decisions, awards,
payments and returns are made only if the round has none yet (they are history: later loads leave
them alone).
"""
import random
import secrets
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.text import slugify

from shire.core.models import District, User
from shire.demo.loader import ensure, register

from . import awards
from .models import (
    ApplicantOrganisation,
    Application,
    ApplicationEvent,
    ApplicationQuestion,
    Award,
    BankDetails,
    Criterion,
    Decision,
    EligibilityQuestion,
    Invitation,
    Membership,
    MonitoringReturn,
    OrganisationType,
    Outcome,
    PaymentInstalment,
    Programme,
    RequiredDocument,
    Round,
    Theme,
)

S = Application.Status
OT = OrganisationType
SEED = 2019_2020

# --- the figures --------------------------------------------------------------------------------

SHIRE_THEMES = [
    # (slug, name, projects, total in pounds), in the seed's order
    ("disadvantaged-young-people", "Disadvantaged young people", 24, 112_401),
    ("older-people-adults-mental-health", "Older people, adults and people with mental health issues", 47, 190_816),
    ("wider-community-vulnerability", "Wider community vulnerability", 19, 83_498),
]
SHIRE_DECLINED = 30

CF_ROUNDS = [
    # (slug, name, opens, closes, budget £, applications, grants, total £)
    ("communities-fund-round-1", "Round 1", date(2020, 3, 30), date(2020, 4, 24), 1_500_000, 262, 160, 1_500_000),
    ("communities-fund-round-2", "Round 2", date(2020, 6, 15), date(2020, 7, 10), 750_000, 140, 121, 708_465),
    ("communities-fund-round-3", "Round 3", date(2020, 11, 2), date(2020, 11, 27), 400_000, 115, 98, 385_310),
]

SHIRE_DESCRIPTION = (
    "Grants for voluntary, community and social enterprise organisations, for projects that improve the "
    "health and wellbeing of people experiencing vulnerability or disadvantage."
)
CF_DESCRIPTION = (
    "A hardship fund, launched on 30 March 2020, to help voluntary and community organisations hit by the "
    "Covid-19 pandemic (lost income from sales, room hire or donations) keep supporting vulnerable people."
)

# --- invented organisations ---------------------------------------------------------------------

TOWNS = {
    "Blaby": ["Blaby", "Enderby", "Narborough", "Glenfield", "Braunstone Town", "Whetstone", "Countesthorpe"],
    "Charnwood": ["Loughborough", "Shepshed", "Syston", "Birstall", "Anstey", "Quorn", "Sileby", "Barrow upon Soar"],
    "Harborough": ["Market Harborough", "Lutterworth", "Broughton Astley", "Kibworth", "Fleckney", "Great Glen"],
    "Hinckley and Bosworth": ["Hinckley", "Earl Shilton", "Barwell", "Burbage", "Market Bosworth", "Groby", "Desford"],
    "Melton": ["Melton Mowbray", "Asfordby", "Bottesford", "Waltham on the Wolds", "Long Clawson"],
    "North West Leicestershire": ["Coalville", "Ashby de la Zouch", "Castle Donington", "Ibstock", "Measham", "Kegworth"],
    "Oadby and Wigston": ["Oadby", "Wigston", "South Wigston", "Wigston Magna"],
}
# (name, organisation type, a project it might run, theme slug it fits or None)
KINDS = [
    ("Youth Project", OT.CHARITY, "Detached youth work on Friday evenings", "disadvantaged-young-people"),
    ("Young Carers Group", OT.COMMUNITY_GROUP, "Respite trips and a weekly club for young carers", "disadvantaged-young-people"),
    ("Boxing Academy", OT.COMMUNITY_INTEREST_COMPANY, "Boxing and mentoring for young people at risk of exclusion", "disadvantaged-young-people"),
    ("Youth Theatre", OT.CHARITY, "A drama group building confidence in teenagers", "disadvantaged-young-people"),
    ("Homework Club", OT.COMMUNITY_GROUP, "After-school homework support with a hot meal", "disadvantaged-young-people"),
    ("Baby Bank", OT.CHARITY, "Essential baby equipment for families in hardship", "disadvantaged-young-people"),
    ("Lunch Club", OT.COMMUNITY_GROUP, "A weekly hot lunch and company for older people", "older-people-adults-mental-health"),
    ("Good Neighbours", OT.COMMUNITY_GROUP, "Volunteer lifts, shopping and befriending for older residents", "older-people-adults-mental-health"),
    ("Dementia Café", OT.CHARITY, "A monthly café for people living with dementia and their carers", "older-people-adults-mental-health"),
    ("Men's Shed", OT.COMMUNITY_GROUP, "A workshop where older men meet, make and mend", "older-people-adults-mental-health"),
    ("Wellbeing Hub", OT.SOCIAL_ENTERPRISE, "Peer support sessions for adults with mental health issues", "older-people-adults-mental-health"),
    ("Walking Group", OT.COMMUNITY_GROUP, "Led health walks for adults recovering from illness", "older-people-adults-mental-health"),
    ("Carers' Support Group", OT.CHARITY, "A carers' drop-in with advice and short breaks", "older-people-adults-mental-health"),
    ("Digital Buddies", OT.COMMUNITY_INTEREST_COMPANY, "Helping older people get online and stay in touch", "older-people-adults-mental-health"),
    ("Community Larder", OT.COMMUNITY_GROUP, "A community larder with budgeting advice", "wider-community-vulnerability"),
    ("Community Transport", OT.CHARITY, "Door-to-door transport for people who cannot use buses", "wider-community-vulnerability"),
    ("Community Café", OT.SOCIAL_ENTERPRISE, "A pay-as-you-feel café and warm space", "wider-community-vulnerability"),
    ("Advice Drop-in", OT.CHARITY, "Benefits and debt advice sessions in the village hall", "wider-community-vulnerability"),
    ("Village Hall Committee", OT.COMMUNITY_GROUP, "Making the hall a warm, accessible meeting place", "wider-community-vulnerability"),
    ("Faith Centre", OT.FAITH_GROUP, "A community meal and signposting for isolated residents", "wider-community-vulnerability"),
]
LIMITED = (OT.COMMUNITY_INTEREST_COMPANY, OT.SOCIAL_ENTERPRISE)

CF_PROJECTS = [
    "Keeping our food parcels going during lockdown",
    "Telephone befriending while our groups cannot meet",
    "Replacing lost room-hire income to keep our service running",
    "Prescription and shopping deliveries for people shielding",
    "Moving our support sessions online",
    "Hardship support for families with children at home",
    "Covering fixed costs while our café is closed",
    "Volunteer expenses for our emergency response",
]
DECLINE_REASONS = [
    "The project does not meet the fund's priorities closely enough.",
    "The organisation's reserves cover the costs it asked for.",
    "The panel funded applications that scored higher against the criteria; the round's budget was fully spent.",
    "The application did not show how the project would reach people in Leicestershire.",
]
CASE_STUDY = (
    "A resident who had not left home for months started coming to the group with a neighbour. "
    "She now helps run the tea rota and says she feels part of the village again."
)

# Named in seed 004 as SHIRE 2019-20 grants: (name, district, theme, title, summary, amount £ or None)
SEED_PROJECTS = [
    ("RCC Rural Coffee Connect", "Melton", "wider-community-vulnerability", "Rural Coffee Connect",
     "A pop-up mobile coffee van travelling to 20 rural locations around the county, to meet rurally isolated "
     "people, connect them with their community and local services, reduce loneliness and improve wellbeing.", 10_000),
    ("New Life Community Church", "Charnwood", "wider-community-vulnerability", "Food bank manager",
     "A part-time paid Food Bank Manager for the food bank in the Gorse Covert area of Loughborough, to "
     "co-ordinate activities, train and supervise volunteers and keep the service to a high standard.", None),
]

APPLICANTS = [
    # username (= e-mail), first name, last name, role in the first organisation, role in the next two
    ("grants.applicant@example.org", "Priya", "Sharma", Membership.Role.LEAD, Membership.Role.LEAD),
    ("grants.member@example.org", "Tom", "Walker", Membership.Role.LEAD, Membership.Role.MEMBER),
]
# Invited to join the first organisation, not yet accepted.
INVITED = "grants.volunteer@example.org"
CORRECTION_REASON = (
    "The panel agreed {agreed}, not the {asked} asked for: the equipment costs are not covered (panel of "
    "16 September 2019). The decision was recorded as an award in full by mistake; the second payment was held "
    "until it was put right."
)


def _at(day, hour=10, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def split(total, count, rng, low, high, step=1):
    """`count` whole-pound amounts between low and high adding up to `total` exactly, varied by `rng`."""
    base, extra = divmod(total, count)
    amounts = [base + (1 if i < extra else 0) for i in range(count)]
    if not all(low <= amount <= high for amount in amounts):
        raise ValueError(f"cannot split £{total} into {count} grants of £{low}-£{high}")
    for _ in range(count * 3):
        i, j = rng.randrange(count), rng.randrange(count)
        if i == j:
            continue
        room = min(amounts[i] - low, high - amounts[j])
        if room <= 0:
            continue
        move = rng.randint(0, room) // step * step
        amounts[i] -= move
        amounts[j] += move
    assert sum(amounts) == total and all(low <= a <= high for a in amounts)
    return amounts


def _add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


# --- set-up ---------------------------------------------------------------------------------------


def _programmes(context, officer):
    team = context.team("communities-team")
    shire, _ = ensure(Programme, {"slug": "shire-community-grants"}, {
        "name": "SHIRE Community Grants", "code": "SCG", "description": SHIRE_DESCRIPTION, "team": team,
        "kind": Programme.Kind.COMMUNITY_GRANTS, "is_demo": True, "created_by": officer,
    })
    fund, _ = ensure(Programme, {"slug": "communities-fund"}, {
        "name": "Communities Fund", "code": "CF", "description": CF_DESCRIPTION, "team": team,
        "kind": Programme.Kind.EMERGENCY_FUND, "is_demo": True, "created_by": officer,
    })
    themes = {}
    for order, (slug, name, _, _) in enumerate(SHIRE_THEMES):
        themes[slug], _ = ensure(Theme, {"programme": shire, "slug": slug}, {"name": name, "order": order, "round": None})
    return shire, fund, themes


def _round(programme, slug, name, opens, closes, budget, low, high, officer, description="", create_only=()):
    round_, _ = ensure(Round, {"slug": slug}, {
        "programme": programme, "name": name, "description": description, "budget_pence": budget * 100,
        "opens_on": opens, "closes_on": closes,
        "eligible_org_types": [OT.CHARITY, OT.COMMUNITY_GROUP, OT.SOCIAL_ENTERPRISE, OT.COMMUNITY_INTEREST_COMPANY, OT.FAITH_GROUP,
                               OT.TOWN_OR_PARISH_COUNCIL],
        "min_request_pence": low * 100, "max_request_pence": high * 100, "status": Round.Status.PUBLISHED,
        "published_at": _at(opens, 9), "created_by": officer,
    }, create_only=create_only)
    questions = [
        ("What need will your project meet, and how do you know?", ApplicationQuestion.Kind.LONG_TEXT, 250),
        ("How many people will it help?", ApplicationQuestion.Kind.NUMBER, None),
        ("What will the money be spent on?", ApplicationQuestion.Kind.LONG_TEXT, 150),
    ]
    for order, (label, kind, words) in enumerate(questions, 1):
        ensure(ApplicationQuestion, {"round": round_, "order": order}, {"label": label, "kind": kind, "max_words": words})
    documents = [("Constitution or governing document", ["pdf", "docx"]), ("Latest annual accounts", ["pdf", "xlsx"])]
    for order, (name, types) in enumerate(documents, 1):
        ensure(RequiredDocument, {"round": round_, "order": order}, {"name": name, "allowed_types": types})
    criteria = [("Need and evidence", 3), ("Difference the project makes", 2), ("Value for money", 1)]
    for order, (name, weight) in enumerate(criteria, 1):
        ensure(Criterion, {"round": round_, "order": order}, {"name": name, "weight": weight, "max_score": 5})
    ensure(EligibilityQuestion, {"round": round_, "order": 1}, {
        "question": "Is your organisation not-for-profit?", "eligible_answer": True,
        "reason": "These grants are only for not-for-profit organisations.",
    })
    return round_


def _organisations(rng, districts):
    """The invented organisations, in a fixed order: (name, type, district, kind, charity no., company no., place)."""
    found = []
    serial = 0
    for district_name, towns in TOWNS.items():
        for town in towns:
            for kind in KINDS:
                found.append((town, district_name, kind))
    rng.shuffle(found)
    organisations = []
    for town, district_name, (kind_name, org_type, project, theme) in found[:330]:
        serial += 1
        charity = f"99{serial:05d}" if org_type == OT.CHARITY else ""
        company = f"ZZ{serial:06d}" if org_type in LIMITED else ""
        organisations.append({
            "name": f"{town} {kind_name}", "org_type": org_type, "district": districts[district_name],
            "charity_number": charity, "company_number": company, "project": project, "theme": theme, "town": town,
            "serial": serial,
        })
    return organisations


def _ensure_organisation(spec):
    slug = slugify(spec["name"])
    organisation, _ = ensure(ApplicantOrganisation, {"name": spec["name"], "is_demo": True}, {
        "org_type": spec["org_type"], "charity_number": spec["charity_number"], "company_number": spec["company_number"],
        "address": f"Community Hall, {spec['town']}", "postcode": f"LE99 {spec['serial'] % 10}DM",
        "district": spec["district"], "website": f"https://{slug}.example.org/",
    })
    return organisation


def _bank_details(organisation, serial):
    ensure(BankDetails, {"organisation": organisation}, {
        "account_name": organisation.name[:120], "sort_code": f"00-99-{serial % 100:02d}",
        "account_number": f"9{serial:07d}",
    })


def _applicants(context, organisations):
    users = []
    for username, first, last, first_role, role in APPLICANTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, email=username, first_name=first, last_name=last, role=User.Role.COMMUNITY)
            user.set_password(context.password)
            user.save()
        users.append((user, first_role, role))
    for index, organisation in enumerate(organisations):
        for user, first_role, role in users:
            ensure(Membership, {"organisation": organisation, "user": user}, {"role": first_role if index == 0 else role})
    # The token is never e-mailed, so nobody can accept it; a lead contact can cancel it.
    sent = _at(context.today, 9)
    ensure(Invitation, {"organisation": organisations[0], "email": INVITED}, {
        "token_hash": secrets.token_hex(32), "invited_by": users[0][0], "created_at": sent,
        "expires_at": sent + timedelta(days=Invitation.VALID_DAYS),
    }, create_only=("token_hash", "created_at", "expires_at"))
    return [user for user, _, _ in users]


# --- history: applications, decisions, awards, payments, monitoring ------------------------------


class _History:
    """Collects one round's records and writes them with as few queries as it can."""

    def __init__(self, round_, officer, rng):
        self.round = round_
        self.officer = officer
        self.rng = rng
        self.events = []
        self.decisions = []
        self.awards = []  # (Award, instalment plan, return plan)
        self.created = []
        self.questions = list(round_.questions.all())

    def application(self, organisation, title, summary, requested, district, theme, submitted, member=None):
        application = Application.objects.create(
            round=self.round, organisation=organisation, title=title, summary=summary, theme=theme,
            amount_requested_pence=requested * 100, beneficiary_district=district,
            answers={str(q.pk): text for q, text in zip(self.questions, [
                summary, str(self.rng.randint(12, 400)), "Staff hours, volunteer expenses, venue hire and materials."])},
            eligibility_answers={"in_leicestershire": True, "amount_pence": requested * 100, "questions": {}},
            status=S.SUBMITTED, submitted_at=_at(submitted, 9 + self.rng.randrange(9), self.rng.randrange(60)),
            created_by=member,
        )
        application.last_submitted_at = application.submitted_at
        application.created_at = application.submitted_at - timedelta(days=self.rng.randint(1, 6))
        self.created.append(application)
        self.events.append(ApplicationEvent(
            application=application, kind=ApplicationEvent.Kind.STATUS, from_status=S.DRAFT, to_status=S.SUBMITTED,
            actor=member, at=application.submitted_at,
        ))
        return application

    def decide(self, application, decided_on, amount, reason, plan):
        """Award `amount` pounds (0 declines). plan: (instalments [(due, share %, paid on)], returns [(due, sent on)])."""
        assessed = _at(decided_on - timedelta(days=2), 9)
        self.events.append(ApplicationEvent(
            application=application, kind=ApplicationEvent.Kind.STATUS, from_status=S.SUBMITTED,
            to_status=S.IN_ASSESSMENT, actor=self.officer, at=assessed, visible_to_applicant=True,
        ))
        requested = application.amount_requested_pence
        if amount == 0:
            outcome, status = Decision.Outcome.DECLINE, S.DECLINED
        elif amount * 100 < requested:
            outcome, status = Decision.Outcome.PART, S.PART_AWARDED
        else:
            outcome, status = Decision.Outcome.AWARD, S.AWARDED
        decided = _at(decided_on, 14)
        application.status = status
        self.decisions.append(Decision(
            application=application, outcome=outcome, amount_awarded_pence=amount * 100, reasons=reason,
            decided_by=self.officer, decided_at=decided,
        ))
        self.events.append(ApplicationEvent(
            application=application, kind=ApplicationEvent.Kind.STATUS, from_status=S.IN_ASSESSMENT, to_status=status,
            actor=self.officer, at=decided, note=reason,
        ))
        self.events.append(ApplicationEvent(
            application=application, kind=ApplicationEvent.Kind.LETTER, actor=self.officer, at=decided + timedelta(minutes=5),
            note="Decision letter sent.",
        ))
        if amount:
            award = Award(
                application=application, amount_pence=amount * 100, award_date=decided_on,
                planned_start_on=plan["start"], planned_end_on=plan["end"], created_by=self.officer,
            )
            self.awards.append((award, plan))

    def write(self):
        Application.objects.bulk_update(self.created, ["status", "created_at", "last_submitted_at"])
        Decision.objects.bulk_create(self.decisions)
        Award.objects.bulk_create([award for award, _ in self.awards])
        instalments, returns = [], []
        for award, plan in self.awards:
            shares = plan["instalments"]
            amounts = [award.amount_pence * percent // 100 for _, percent, _ in shares]
            amounts[0] += award.amount_pence - sum(amounts)
            for number, ((due, _, paid), amount) in enumerate(zip(shares, amounts), 1):
                instalments.append(PaymentInstalment(
                    award=award, number=number, due_on=due, amount_pence=amount, paid_on=paid,
                    paid_by=self.officer if paid else None,
                    payment_reference=f"DEMO-{award.application.reference}-{number}" if paid else "",
                ))
                if paid:
                    self.events.append(ApplicationEvent(
                        application=award.application, kind=ApplicationEvent.Kind.PAID, actor=self.officer,
                        at=_at(paid, 11), note=f"Instalment {number} paid.",
                    ))
            for due, sent in plan["returns"]:
                helped = self.rng.randint(8, 450) if sent else None
                returns.append(MonitoringReturn(
                    award=award, due_on=due, submitted_on=sent, people_helped=helped,
                    outcomes=sorted(self.rng.sample([o.value for o in Outcome], self.rng.randint(1, 3))) if sent else [],
                    money_spent_pence=award.amount_pence if sent else None,
                    case_study=CASE_STUDY if sent else "",
                    case_study_may_be_published=bool(sent) and self.rng.random() < 0.5,
                ))
                if sent:
                    self.events.append(ApplicationEvent(
                        application=award.application, kind=ApplicationEvent.Kind.MONITORING, at=_at(sent, 15),
                        note="Monitoring return received.",
                    ))
        PaymentInstalment.objects.bulk_create(instalments)
        MonitoringReturn.objects.bulk_create(returns)
        ApplicationEvent.objects.bulk_create(sorted(self.events, key=lambda e: (e.at, e.application_id)))
        return len(self.created), len(self.awards)


def _returned_on(rng, due):
    """When a monitoring return came: mostly on time, some late, a few never (None)."""
    roll = rng.random()
    if roll < 0.72:
        return due - timedelta(days=rng.randint(0, 25))
    if roll < 0.92:
        return due + timedelta(days=rng.randint(3, 60))
    return None


def _shire_2019_20(context, programme, themes, officer, organisations, districts, applicants):
    round_ = _round(programme, "shire-community-grants-2019-20", "2019-20", date(2019, 4, 1), date(2019, 5, 31),
                    400_000, 500, 10_000, officer,
                    description="Three themes: disadvantaged young people; older people, adults and people with mental "
                                "health issues; wider community vulnerability.")
    if round_.applications.exists():
        return round_, 0, 0
    rng = random.Random(SEED)
    history = _History(round_, officer, rng)
    district_list = list(districts.values())
    by_theme = {slug: [o for o in organisations if o["theme"] == slug] for slug, *_ in SHIRE_THEMES}
    used = set()
    member_orgs = {o["serial"] for o in organisations[:3]}
    corrected = None  # (application, the amount the panel agreed) for the first organisation's decision

    def submitted():
        return round_.opens_on + timedelta(days=rng.randint(0, (round_.closes_on - round_.opens_on).days))

    def plan(decided_on, end_paid=True):
        start = date(2019, 9, 1)
        end = date(2020, 8, 31)
        second_paid = date(2020, 3, 2) if end_paid else None
        return {
            "start": start, "end": end,
            "instalments": [(decided_on + timedelta(days=14), 75, decided_on + timedelta(days=16)),
                            (date(2020, 3, 1), 25, second_paid)],
            "returns": [(due, _returned_on(rng, due)) for due in (date(2020, 9, 30),)],
        }

    def organisation_for(slug):
        for spec in by_theme[slug]:
            if spec["serial"] not in used:
                used.add(spec["serial"])
                return spec
        raise ValueError(slug)

    count = 0
    for index, (slug, _, projects, total) in enumerate(SHIRE_THEMES):
        seeded = [p for p in SEED_PROJECTS if p[2] == slug]
        fixed = [p[5] for p in seeded if p[5] is not None]
        free = projects - len(fixed)
        # New Life's amount is a demo choice: the median of the rest of its theme's split.
        amounts = split(total - sum(fixed), free, rng, 1_000, 10_000)
        for name, district_name, _, title, summary, amount in seeded:
            spec = {"name": name, "org_type": OT.CHARITY if "Church" not in name else OT.FAITH_GROUP,
                    "district": districts[district_name], "charity_number": "", "company_number": "",
                    "town": district_name, "serial": 900 + len(used)}
            used.add(spec["serial"])
            organisation = _ensure_organisation(spec)
            organisation_amount = amount if amount is not None else amounts.pop(len(amounts) // 2)
            application = history.application(organisation, title, summary, organisation_amount, spec["district"],
                                               themes[slug], submitted())
            history.decide(application, date(2019, 7, 15), organisation_amount,
                           "The project meets the theme's priorities and scored well on need and value for money.",
                           plan(date(2019, 7, 15)))
            _bank_details(organisation, spec["serial"])
            count += 1
        for number, amount in enumerate(amounts):
            spec = organisation_for(slug)
            organisation = _ensure_organisation(spec)
            district = district_list[(number + index) % len(district_list)] if number < 7 else spec["district"]
            part = number % 9 == 4
            requested = min(10_000, amount + rng.randint(500, 3_000)) if part else amount
            if requested == amount:
                part = False
            member = applicants[0] if spec["serial"] in member_orgs else None
            correct_later = spec["serial"] == organisations[0]["serial"]
            if correct_later:  # asked for a fifth more than the panel agreed, and recorded as awarded in full
                requested = min(10_000, amount + amount // 5)
            application = history.application(organisation, spec["project"], _summary(spec, rng), requested, district,
                                               themes[slug], submitted(), member)
            decided_on = date(2019, 7, 15) if number % 3 else date(2019, 9, 16)
            reason = ("The panel awarded part of the amount: the equipment costs are not covered." if part else
                      "The project meets the theme's priorities and scored well on need and value for money.")
            if correct_later:
                corrected = (application, amount)
                history.decide(application, decided_on, requested, reason, plan(decided_on, end_paid=False))
            else:
                history.decide(application, decided_on, amount, reason, plan(decided_on, end_paid=number % 11 != 3))
            _bank_details(organisation, spec["serial"])
            count += 1
    assert count == 90
    slugs = [slug for slug, *_ in SHIRE_THEMES]
    for number in range(SHIRE_DECLINED):
        slug = slugs[number % 3]
        spec = organisation_for(slug)
        organisation = _ensure_organisation(spec)
        requested = rng.randint(2, 20) * 500
        application = history.application(organisation, spec["project"], _summary(spec, rng), requested, spec["district"],
                                           themes[slug], submitted())
        history.decide(application, date(2019, 7, 15), 0, DECLINE_REASONS[number % len(DECLINE_REASONS)], None)
    made, awarded = history.write()
    application, agreed = corrected
    asked = application.amount_requested_pence
    assert agreed * 100 < asked, "the corrected decision needs an amount asked for above the one agreed"
    awards.amend_decision(
        application, officer, Decision.Outcome.PART,
        CORRECTION_REASON.format(agreed=f"£{agreed:,}", asked=f"£{asked // 100:,}"), amount_pence=agreed * 100,
    )
    return round_, made, awarded


def _summary(spec, rng):
    return (f"{spec['project']} in {spec['town']}. " +
            rng.choice(["Run by volunteers, with a part-time co-ordinator.",
                        "Delivered with the support of local partners and the parish council.",
                        "Building on a pilot that ran last year.",
                        "Open to anyone who needs it, with transport for those who cannot get there."]))


def _communities_fund(context, programme, officer, organisations, districts, applicants):
    made = awarded = 0
    rounds = []
    for number, (slug, name, opens, closes, budget, applications, grants, total) in enumerate(CF_ROUNDS):
        round_ = _round(programme, slug, name, opens, closes, budget, 250, 25_000, officer,
                        description="Grants towards the costs of keeping services for vulnerable people going "
                                    "during the Covid-19 pandemic.")
        rounds.append(round_)
        if round_.applications.exists():
            continue
        rng = random.Random(SEED + number + 1)
        history = _History(round_, officer, rng)
        chosen = rng.sample(organisations, applications)
        amounts = split(total, grants, rng, 500, 25_000, step=5)
        days = (closes - opens).days
        outcomes = [True] * grants + [False] * (applications - grants)
        rng.shuffle(outcomes)
        amount_iter = iter(amounts)
        for index, (spec, funded) in enumerate(zip(chosen, outcomes)):
            organisation = _ensure_organisation(spec)
            submitted = opens + timedelta(days=min(days, int(rng.triangular(0, days, 2))))
            decided_on = min(submitted + timedelta(days=rng.randint(4, 12)), closes + timedelta(days=10))
            title = CF_PROJECTS[(spec["serial"] + number) % len(CF_PROJECTS)]
            summary = f"{title} for the people {spec['name']} supports in {spec['town']}."
            if funded:
                amount = next(amount_iter)
                requested = amount if index % 8 else min(25_000, amount + rng.randint(1, 20) * 250)
                due = _add_months(decided_on, 6)
                plan = {
                    "start": decided_on, "end": _add_months(decided_on, 6) - timedelta(days=1),
                    "instalments": [(decided_on + timedelta(days=3), 100, decided_on + timedelta(days=3))],
                    "returns": [(due, _returned_on(rng, due))],
                }
                reason = "The organisation has lost income because of the pandemic and supports vulnerable people."
            else:
                amount, requested, plan = 0, rng.randint(2, 40) * 500, None
                reason = DECLINE_REASONS[index % len(DECLINE_REASONS)]
            member = applicants[0] if spec in organisations[:3] else None
            application = history.application(organisation, title, summary, requested, spec["district"], None,
                                               submitted, member)
            history.decide(application, decided_on, amount, reason, plan)
            if funded:
                _bank_details(organisation, spec["serial"])
        round_made, round_awarded = history.write()
        made += round_made
        awarded += round_awarded
    return rounds, made, awarded


def _open_round(context, programme, themes, officer):
    """A round open from the day of the first load for eight weeks, for trying the applicant's journey."""
    opens = context.today
    return _round(programme, "shire-community-grants-open-demo", "Open round (demo)", opens, opens + timedelta(weeks=8),
                  400_000, 500, 10_000, officer,
                  description="A demo round, open so that the applicant's journey can be tried.",
                  create_only=("opens_on", "closes_on", "published_at"))


@register
def grants(context):
    officer = context.user("officer")
    districts = {d.name: d for d in District.objects.all()}
    missing = set(TOWNS) - set(districts)
    if missing:
        raise RuntimeError(f"Grants demo data needs the districts {sorted(missing)}: load places first.")
    shire, fund, themes = _programmes(context, officer)
    organisations = _organisations(random.Random(SEED), districts)
    first_three = [_ensure_organisation(spec) for spec in organisations[:3]]
    applicants = _applicants(context, first_three)
    _, shire_made, shire_awarded = _shire_2019_20(context, shire, themes, officer, organisations, districts, applicants)
    _, fund_made, fund_awarded = _communities_fund(context, fund, officer, organisations, districts, applicants)
    _open_round(context, shire, themes, officer)
    # An officer of another team asked to score SHIRE applications: sees only those assigned to them.
    shire.assessors.add(context.user("highways"))
    context.note("Grant programmes: SHIRE Community Grants (2019-20: 90 grants, £386,715; and an open demo round), "
                 "Communities Fund (3 rounds: 379 grants, £2,593,775).")
    if shire_made or fund_made:
        context.note(f"Grant applications made: {shire_made + fund_made} ({shire_awarded + fund_awarded} awarded).")
    context.note("Grant assessors from outside the team: highways (SHIRE Community Grants; sees only what it is assigned).")
    context.note(f"Grant applicants: {', '.join(a[0] for a in APPLICANTS)} (members of {', '.join(o.name for o in first_three)}; "
                 f"both lead contacts of {first_three[0].name}, which has an invitation to {INVITED} not yet accepted "
                 "and a corrected decision).")
