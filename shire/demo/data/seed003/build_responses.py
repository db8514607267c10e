"""Build responses_2017.csv, free_text_2017.csv and workshops_2017.csv: respondent-level answers
to the 2017 Communities Strategy questionnaire whose totals are the figures seed 003 prints.

Seed 003 is the council's hand-written results report (90 online responses, eight workshops);
only its totals survive, so the answers of each respondent are constructed here: deterministic
(a fixed random seed, no set iteration), following the form's routing and constraints, and
adding up exactly to every count in published.py. Run from the repository root and commit the
CSV files it writes with this script (a test fails if they disagree):

    .venv/bin/python shire/demo/data/seed003/build_responses.py

How the answers are made
    * Who: 90 respondents, 48 individuals and 42 answering for organisations (Q1 is
      select_multiple; organisations tick 61 types between them). Each respondent has two hidden
      traits drawn at random: diligence (who leaves questions out) and attitude (who agrees).
    * Who answered each question: the base of each question (published.py, derived from the
      seed's counts and percentages) is filled by the most diligent of those the form routes to
      it, with a little noise, so the same people tend to skip.
    * select_one: exactly the published counts, handed out in scale order to respondents ranked
      by attitude (with noise), so agreement is correlated across Q5, Q6 and Q8; "Don't know"
      goes to people drawn at random.
    * select_multiple: exactly the published counts; each choice goes to the answerers with the
      fewest ticks so far (with noise), respecting "up to three" (Q23, Q24) and the choices that
      must stand alone ("Don't want to help", "I don't need to engage", "Don't know"); a repair
      pass moves a tick to anyone left with none. Nobody names a method both as preferred (Q23)
      and least preferred (Q24).
    * Q10 (rank): complete rankings of the eight building blocks. The three first preferences
      the seed gives add to 76, and with more than 79 rankings its three last-place counts could
      not be the three largest, so 76 people rank. Rankings are drawn from a Plackett-Luce model
      and then repaired by a seeded local search (swapping two places in one ranking, keeping a
      swap that does not increase the cost) until first, last, top three and bottom three are
      exactly the seed's figures, and the orders the seed's sentences state hold (no other block
      is more often first, last or in the top three than the ones the seed names).
    * Figures the seed does not give are chosen here and marked CHOSEN below: how Q17/Q18 split
      "a great deal or a fair amount" and between individuals and organisations, Q27's base,
      the disability and demographic bases, and the answers to Q35, Q39-Q41.
    * Free text: INVENTED for this demo data, never quotations from the consultation (the seed
      prints no respondent's words against a respondent). A few questions have one or two short
      comments marked "Invented test comment". Q30 (ideas for tackling the barriers to
      volunteering), Q31 (what the council could do for community hubs) and Q33 (general
      comments) have 50, 44 and 60 answers (CHOSEN) for the themes pages to work on, drawn from
      the development sets written for the theme engine in seed 003's style (bench/themes/dev,
      read here at build time), with their own random generator so that no other answer moved.
      Q33's answers are drawn theme by theme (CHOSEN counts, weighted as the seed's summary of
      Q33 is) and include a few with invented personal details (a name, an e-mail address, phone
      numbers, a postcode) that the report's quotes must redact. Every other free-text cell is
      empty.
    * free_text_2017.csv lists those Q30, Q31 and Q33 answers with their respondent and, for Q31
      and Q33, the theme (and second theme) the development set gives them, and three points noted
      about Q33 at each workshop (CHOSEN; lines of the same sets that no respondent was given):
      the demo loader codes Q33's answers and notes with them as the council's officer had;
      codebook_<question>.csv are the two questions' codebooks, copied from the development sets.
    * workshops_2017.csv is the seed's Q10 workshop table: votes per workshop per building block.
"""
import csv
import importlib.util
import io
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[3]
FORM_SCRIPT = ROOT / "shire" / "demo" / "forms" / "build_communities_strategy_2017.py"
RESPONSES_CSV = HERE / "responses_2017.csv"
WORKSHOPS_CSV = HERE / "workshops_2017.csv"

SEED = 20170331  # the day the consultation closed
RESPONSE_IDS = "S003-{:03d}"


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


published = _load("seed003_published", HERE / "published.py")
redact = _load("seed003_redact", ROOT / "shire" / "consult" / "redact.py").redact
form = _load("seed003_form", FORM_SCRIPT)

P = published.QUESTIONS
AGREEMENT = [name for name, _ in form.CHOICES["agreement"]]

# --- CHOSEN: figures the seed does not give ---------------------------------------------------

Q10_RANKERS = 76  # the seed's three first-preference counts add to 76 (see the module docstring)
Q10_WEIGHTS = {  # Plackett-Luce weights for the first draw of the rankings
    "priorities": 9.0, "services": 1.2, "communicate": 2.0, "councils": 1.2,
    "champions": 0.35, "volunteering": 0.8, "hub": 1.6, "funding": 5.0,
}
# Q17 (individuals, 43 answered) and Q18 (organisations, 30 answered): the seed gives only the
# two together, and "a great deal" and "a fair amount" together.
Q17_Q18 = {
    "q17_supporting_vulnerable": {"great_deal": 8, "fair_amount": 20, "not_very_much": 11, "not_at_all": 4},
    "q18_supporting_vulnerable": {"great_deal": 14, "fair_amount": 12, "not_very_much": 3, "not_at_all": 1},
    "q17_delivering_services": {"great_deal": 6, "fair_amount": 21, "not_very_much": 13, "not_at_all": 3},
    "q18_delivering_services": {"great_deal": 12, "fair_amount": 11, "not_very_much": 6, "not_at_all": 1},
}
Q27_BASE = 80
Q37_DISABILITY = {"yes": 9, "no": 30, "prefer_not_to_say": 1}
Q35_BASE, Q39_BASE, Q40_BASE, Q41_BASE = 42, 41, 38, 42
AGE_WEIGHTS = {"age_25_34": 2, "age_35_44": 4, "age_45_54": 7, "age_55_64": 9, "age_65_74": 8, "age_75_84": 3,
               "prefer_not_to_say": 1}
RELIGION_WEIGHTS = {"none": 10, "christian": 22, "hindu": 1, "muslim": 1, "sikh": 1, "other": 1, "prefer_not_to_say": 3}
ORIENTATION_WEIGHTS = {"heterosexual": 30, "gay": 1, "bisexual": 1, "prefer_not_to_say": 5}
DISTRICT_WEIGHTS = {"blaby": 5, "charnwood": 9, "harborough": 7, "hinckley_bosworth": 6, "melton": 4,
                    "north_west_leicestershire": 6, "oadby_wigston": 3, "elsewhere": 1, "prefer_not_to_say": 1}

# INVENTED comments (not quotations from the consultation): question -> comments, given to
# respondents the form routes to the question, in order.
INVENTED_TEXT = {
    "q07_priorities_comments": [
        "Invented test comment: the priorities are sensible if the council keeps supporting the groups doing the work.",
        "Invented test comment: volunteers cannot replace paid staff for the most vulnerable people.",
    ],
    "q09_building_blocks_comments": ["Invented test comment: funding and training matter more than the rest."],
    "q12_additional_priorities_why": ["Invented test comment: smaller villages need help to share services."],
    "q16_vulnerable_organisation": ["Invented test comment: older people living alone without transport."],
    "q20_support_needed_individual": ["Invented test comment: some training and someone to ask for advice."],
    "q21_support_needed_organisation": ["Invented test comment: small grants without too many forms."],
    "q28_community_champions_other": ["Invented test comment: school governors and youth leaders."],
}

# INVENTED free-text answers to three open questions, enough for the themes pages to work on:
# drawn from the development sets written for the theme engine in seed 003's style
# (bench/themes/dev; each line `theme|second_theme|text`), never quotations from the seed.
DEV = ROOT / "bench" / "themes" / "dev"
# question -> the source files of its answers and, for the two questions the demo codes with a
# codebook, that codebook (copied beside the data, since the demo loader reads only shire/demo/).
FREE_TEXT_SOURCES = {
    "q30_volunteering_ideas": ([DEV / "q29_volunteering" / "source_volunteering.txt"], None),
    "q31_hubs_council": ([DEV / "q31_hubs" / "source_hubs.txt"], DEV / "q31_hubs" / "codebook.csv"),
    "q33_general_comments": ([DEV / "source_a.txt", DEV / "source_b.txt", DEV / "source_c.txt"],
                             DEV / "codebook.csv"),
}
FREE_TEXT_CSV = HERE / "free_text_2017.csv"
CODEBOOKS = {question: HERE / f"codebook_{question}.csv"
             for question, (_, book) in FREE_TEXT_SOURCES.items() if book}
# CHOSEN: how many answered each (the seed does not say); everyone is routed to all three.
Q30_ANSWERERS, Q31_ANSWERERS = 50, 44
# CHOSEN: Q33's answers per theme (60 people), weighted as the seed's summary of Q33 is: the
# strategy's wording, reliance on volunteers, cuts and alternatives to them first.
Q33_THEMES = {"volunteers": 11, "wording": 8, "cuts": 7, "alternatives": 5, "libraries": 5, "vulnerable": 5,
              "engagement": 4, "group_funding": 4, "hubs": 3, "transport": 3, "local_councils": 2, "support": 2,
              "young_people": 1}
# CHOSEN: points noted about Q33 at each of the seed's workshops (coded with the same themes).
Q33_NOTES_PER_WORKSHOP = 3
# Q33 keeps a few answers with personal details, at least one of each kind redact() replaces
# (these markers), so that the demo shows quotes redacted.
PERSONAL_DETAILS = ("[email]", "[phone]", "[postcode]", "[name]")
# Lines of the development sets that repeat six or more words running of seed 003 (a respondent's
# words the seed quotes, or the council's summary of them), found by comparing each line with the
# seed's text: left out, so that no answer here is a quotation from the consultation.
REPEATS_THE_SEED = frozenset({
    "A volunteering hub, a single central source of information for volunteers and groups.",
    "Communities lack the specialist knowledge to fill a void left by cutting essential front line services.",
    "Communities should be encouraged to use their own initiative and this strategy does that.",
    "Culturally there's a sharp divide between work and volunteering. Employers can bridge it.",
    "Disaffected young people could be a massive resource if respected and motivated.",
    "Don't sell buildings off before the community has a chance to mobilise.",
    "Don't threaten to close existing community buildings.",
    "Dont make cuts to voluntary organisations and libraries.",
    "Highlight and publicise existing successful hubs and how they did it.",
    "I have grave doubts about volunteers taking over the roles of qualified, trained professionals.",
    "I think it is a sound approach to the problem of falling budgets.",
    "I would volunteer if I was trained by paid professionals.",
    "It is unrealistic to expect LCC services to be delivered by volunteers.",
    "It is very important to have committed, paid workers.",
    "Many young people volunteer to gain skills for employment, which is fine, but it means they leave once they "
    "get a job.",
    "Meetings to discuss ideas and concerns so people can ask questions before they commit.",
    "Paid time off for council staff to volunteer - lead by example.",
    "People are happy to make a commitment that has a limit on its life rather than for a decade or more.",
    "People who are themselves vulnerable can be helped by early involvement as volunteers.",
    "Property and infrastructure support, and access to expertise.",
    "Raise council tax for those who can afford it, such as higher bands.",
    "Reduced costs for community groups using community buildings.",
    "Serve as a catalyst but let the communities run them.",
    "The need to save this much money should be challenged with the Government rather than dismantling public "
    "services.",
    "There is a real danger of over-reliance on volunteers. Be realistic about what can be achieved.",
    "Town and parish councils could precept to provide such hubs.",
    "Volunteers often lack the skills and commitment needed for meeting the needs of vulnerable people, and that is "
    "not a criticism of volunteers, it is a fact.",
    "Volunteers require a good organisational structure to support them.",
    "We need a paid member of staff to support the recruitment, management and on-going support of volunteers.",
    "Well presented and it feels like the council is on the front foot.",
    "You are expecting volunteers to do too much for no reward.",
})
# Lines of the development sets that speak of later events, out of place in answers of 2017.
AFTER_2017 = frozenset({
    "Volunteer numbers in our area have fallen sharply since the pandemic. The strategy ignores this.",
    "Honestly the biggest barrier is that people are knackered. Tackle the cost of living and you might get more "
    "volunteers.",
    "Many older volunteers have lost confidence since the pandemic. Help them back.",
})
# The lines left out of the free text.
LEFT_OUT = REPEATS_THE_SEED | AFTER_2017


# --- the form ---------------------------------------------------------------------------------

def question_names():
    """Every question of the 2017 form, in form order (the CSV's columns after response_id)."""
    return [row["name"] for row in form.SURVEY if row.get("type") not in ("begin group", "end group", None)]


def choice_names(question):
    kind = next(row["type"] for row in form.SURVEY if row.get("name") == question)
    return [name for name, _ in form.CHOICES[kind.split()[1]]]


# --- helpers ----------------------------------------------------------------------------------

def answerers(rng, pool, n, diligence, noise=0.6):
    """The n of `pool` most likely to answer: ranked by diligence with a little noise."""
    if n > len(pool):
        raise ValueError(f"{n} answerers wanted from {len(pool)} people routed to the question")
    ranked = sorted(pool, key=lambda p: (-(diligence[p] + rng.gauss(0, noise)), p))
    return sorted(ranked[:n])


def expand(counts, order):
    return [choice for choice in order for _ in range(counts.get(choice, 0))]


def select_one(rng, people, counts, order, attitude=None, dont_know=("dont_know", "prefer_not_to_say")):
    """{person: choice} with exactly `counts`: in scale order by attitude, else at random."""
    people = list(people)
    if sum(counts.values()) != len(people):
        raise ValueError(f"counts add to {sum(counts.values())}, but {len(people)} people answer")
    result = {}
    if attitude is not None:
        aside = [c for c in order if c in dont_know and counts.get(c)]
        for choice in aside:
            for person in rng.sample(sorted(people), counts[choice]):
                result[person] = choice
                people.remove(person)
        people.sort(key=lambda p: (-(attitude[p] + rng.gauss(0, 0.8)), p))
        for person, choice in zip(people, expand({c: n for c, n in counts.items() if c not in aside}, order)):
            result[person] = choice
    else:
        values = expand(counts, order)
        rng.shuffle(values)
        result = dict(zip(sorted(people), values))
    return result


def select_multiple(rng, people, counts, order, cap=None, alone=None, avoid=None, spread=1.6):
    """{person: [choices]} with exactly `counts` ticks of each choice, everyone at least one tick."""
    people = sorted(people)
    chosen = {p: [] for p in people}
    pool = people
    if alone and counts.get(alone):
        solo = rng.sample(people, counts[alone])
        for person in solo:
            chosen[person] = [alone]
        pool = [p for p in people if p not in solo]

    def can_take(person, choice):
        return (choice not in chosen[person] and (cap is None or len(chosen[person]) < cap)
                and not (avoid and choice in avoid.get(person, ())))

    for choice in sorted((c for c in order if c != alone and counts.get(c)), key=lambda c: -counts[c]):
        candidates = [p for p in pool if can_take(p, choice)]
        if len(candidates) < counts[choice]:
            raise ValueError(f"only {len(candidates)} people can take {choice}, {counts[choice]} must")
        candidates.sort(key=lambda p: (len(chosen[p]) + rng.random() * spread, p))
        for person in candidates[:counts[choice]]:
            chosen[person].append(choice)
    for person in pool:  # repair: nobody in the base may be left with no tick
        if chosen[person]:
            continue
        donors = [q for q in pool if len(chosen[q]) >= 2]
        rng.shuffle(donors)
        for donor in donors:
            movable = [c for c in chosen[donor] if can_take(person, c)]
            if movable:
                choice = rng.choice(movable)
                chosen[donor].remove(choice)
                chosen[person].append(choice)
                break
        else:
            raise ValueError(f"could not give {person} a tick")
    for person in people:
        chosen[person].sort(key=order.index)
    return chosen


def weighted(rng, people, weights):
    names = list(weights)
    return {p: rng.choices(names, weights=[weights[n] for n in names])[0] for p in sorted(people)}


# --- Q10: rankings whose marginals are the seed's ---------------------------------------------

def _rank_cost(at, published_q10, names):
    """How far position counts `at[name][position]` are from the seed's Q10 figures (0 = there)."""
    first = {n: at[n][0] for n in names}
    last = {n: at[n][-1] for n in names}
    top3 = {n: sum(at[n][:3]) for n in names}
    bottom3 = {n: sum(at[n][-3:]) for n in names}
    cost = 0
    for table, values in (("first", first), ("last", last), ("top3", top3), ("bottom3", bottom3)):
        targets = published_q10[table]
        for name, target in targets.items():
            cost += 4 * abs(values[name] - target)
        if table == "bottom3":
            # The seed's sentence does not say no other block is more often in the bottom three,
            # and with 76 complete rankings it cannot be so (docs/consultations.md); only keep
            # champions the most often there.
            ceiling = max(targets.values()) - 1
        else:
            ceiling = min(targets.values()) - 1  # the seed names the three largest: the rest are smaller
        for name in names:
            if name not in targets:
                cost += 4 * max(0, values[name] - ceiling)
    return cost


def rankings(rng, names, n, weights, published_q10, steps=400_000):
    def draw():
        left, order = list(names), []
        while left:
            pick = rng.choices(left, weights=[weights[x] for x in left])[0]
            order.append(pick)
            left.remove(pick)
        return order

    ranks = [draw() for _ in range(n)]
    size = len(names)
    at = {name: [0] * size for name in names}
    for ranking in ranks:
        for position, name in enumerate(ranking):
            at[name][position] += 1
    cost = _rank_cost(at, published_q10, names)
    for _ in range(steps):
        if cost == 0:
            break
        r = rng.randrange(n)
        i, j = rng.sample(range(size), 2)
        a, b = ranks[r][i], ranks[r][j]
        at[a][i] -= 1; at[a][j] += 1; at[b][j] -= 1; at[b][i] += 1  # noqa: E702
        new = _rank_cost(at, published_q10, names)
        if new <= cost:
            ranks[r][i], ranks[r][j] = b, a
            cost = new
        else:
            at[a][i] += 1; at[a][j] -= 1; at[b][j] += 1; at[b][i] -= 1  # noqa: E702
    if cost:
        raise RuntimeError(f"Q10: the rankings are still {cost} away from the seed's figures")
    return ranks


# --- the responses ----------------------------------------------------------------------------

def build(seed=SEED):
    """(header, rows) of responses_2017.csv: rows are lists of cell texts.

    Another `seed` gives other people with the same published totals (the tests' other respondent sets).
    """
    header, rows, _ = build_with_free_text(seed)
    return header, rows


def build_with_free_text(seed=SEED):
    """(header, rows, free_text_rows): build()'s, and the rows of free_text_2017.csv (the answers,
    then the workshop notes)."""
    rng = random.Random(seed)
    people = list(range(1, published.RESPONSES + 1))
    diligence = {p: rng.gauss(0, 1) for p in people}
    attitude = {p: rng.gauss(0, 1) for p in people}
    individuals = sorted(rng.sample(people, published.INDIVIDUALS))
    organisations = [p for p in people if p not in individuals]
    answers = {p: {} for p in people}

    def put(values):
        for person, value in values.items():
            answers[person][question] = value

    def base(question):
        return P[question]["base"]

    # Q1: individuals, or the organisation types (several may be ticked).
    question = "q01_respondent_type"
    q1 = dict(P[question]["counts"])
    put({p: ["individual"] for p in individuals})
    put(select_multiple(rng, organisations, {c: n for c, n in q1.items() if c != "individual"},
                        choice_names(question), cap=3))

    for question in ("q03_fte_staff", "q04_works_with_volunteers"):
        who = answerers(rng, organisations, base(question), diligence)
        put(select_one(rng, who, P[question]["counts"], choice_names(question)))

    everyone_agreement = ["q05_priorities_principle", "q06_priority_vulnerable", "q06_priority_services",
                          "q06_priority_vcs", *[name for name in P if name.startswith("q08_block_")]]
    for question in everyone_agreement:
        who = answerers(rng, people, base(question), diligence)
        put(select_one(rng, who, P[question]["counts"], AGREEMENT, attitude=attitude))

    question = "q10_building_blocks_rank"
    blocks = choice_names(question)
    who = answerers(rng, people, Q10_RANKERS, diligence)
    put(dict(zip(who, rankings(rng, blocks, len(who), Q10_WEIGHTS, P[question]))))

    for question in ("q11_additional_priorities", "q13_right_actions"):
        who = answerers(rng, people, base(question), diligence)
        put(select_one(rng, who, P[question]["counts"], choice_names(question), attitude=attitude))

    for question, counts in Q17_Q18.items():
        pool = individuals if question.startswith("q17") else organisations
        who = answerers(rng, pool, sum(counts.values()), diligence)
        put(select_one(rng, who, counts, choice_names(question), attitude=attitude, dont_know=()))

    question = "q19_ways_to_assist"
    who = answerers(rng, individuals, base(question), diligence)
    put(select_multiple(rng, who, P[question]["counts"], choice_names(question), alone="dont_want_to_help"))

    question = "q22_voluntary_sector_support"
    put(select_multiple(rng, answerers(rng, people, base(question), diligence), P[question]["counts"],
                        choice_names(question)))

    question = "q23_preferred_methods"
    who = answerers(rng, people, base(question), diligence)
    preferred = select_multiple(rng, who, P[question]["counts"], choice_names(question), cap=3)
    put(preferred)
    question = "q24_least_preferred_methods"
    who = answerers(rng, people, base(question), diligence)
    put(select_multiple(rng, who, P[question]["counts"], choice_names(question), cap=3, avoid=preferred))

    for question, pool in (("q25_engagement_methods_individual", individuals),
                           ("q26_engagement_methods_organisation", organisations)):
        who = answerers(rng, pool, base(question), diligence)
        put(select_multiple(rng, who, P[question]["counts"], choice_names(question), alone="no_need"))

    question = "q27_community_champions"
    who = answerers(rng, people, Q27_BASE, diligence)
    put(select_multiple(rng, who, P[question]["counts"], choice_names(question), alone="dont_know"))

    question = "q29_volunteering_barriers"
    put(select_multiple(rng, answerers(rng, people, base(question), diligence), P[question]["counts"],
                        choice_names(question)))

    # The demographic questions: fewer than half answered them, the same people throughout.
    question = "q34_sex"
    demographic = answerers(rng, people, base(question), diligence, noise=0.3)
    put(select_one(rng, demographic, P[question]["counts"], choice_names(question)))
    question = "q36_gender_identity"
    put(select_one(rng, answerers(rng, demographic, base(question), diligence), P[question]["counts"],
                   choice_names(question)))
    question = "q37_disability"
    put(select_one(rng, answerers(rng, demographic, sum(Q37_DISABILITY.values()), diligence), Q37_DISABILITY,
                   choice_names(question)))
    question = "q38_ethnicity"
    put(select_one(rng, answerers(rng, demographic, base(question), diligence), P[question]["counts"],
                   choice_names(question)))
    for question, size, weights in (("q35_age_band", Q35_BASE, AGE_WEIGHTS),
                                    ("q39_religion", Q39_BASE, RELIGION_WEIGHTS),
                                    ("q40_sexual_orientation", Q40_BASE, ORIENTATION_WEIGHTS),
                                    ("q41_district_area", Q41_BASE, DISTRICT_WEIGHTS)):
        put(weighted(rng, answerers(rng, demographic, size, diligence), weights))

    # INVENTED free text, for respondents the form routes to the question.
    for question, comments in INVENTED_TEXT.items():
        if question in ("q16_vulnerable_organisation", "q21_support_needed_organisation"):
            pool = organisations
        elif question == "q20_support_needed_individual":
            pool = individuals
        elif question == "q28_community_champions_other":
            pool = [p for p in people if "other" in answers[p].get("q27_community_champions", [])]
        else:
            pool = people
        put(dict(zip(answerers(rng, pool, len(comments), diligence), comments)))

    # A generator of its own, so that adding these left every other answer as it was.
    free_rng = random.Random(f"{seed} free text")
    free_text = free_text_answers(free_rng, people, diligence)
    notes = workshop_notes(free_rng, free_text)
    for question, person, _, _, text in free_text:
        answers[person][question] = text

    names = question_names()
    header = ["response_id", *names]
    rows = []
    for person in people:
        row = [RESPONSE_IDS.format(person)]
        for name in names:
            value = answers[person].get(name)
            row.append(" ".join(value) if isinstance(value, list) else (value or ""))
        rows.append(row)
    free_rows = [[question, RESPONSE_IDS.format(person), "", theme, second, text]
                 for question, person, theme, second, text in free_text]
    free_rows += [["q33_general_comments", "", workshop, theme, second, text]
                  for workshop, theme, second, text in notes]
    return header, rows, free_rows


def source_lines(paths):
    """[(theme, second theme, text)] of development-set files, one `theme|second_theme|text` a line,
    leaving out those that repeat the seed's words or speak of later events."""
    lines = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                theme, second, text = line.split("|", 2)
                if text not in LEFT_OUT:
                    lines.append((theme, second, text))
    return lines


def free_text_answers(rng, people, diligence):
    """[(question, person, theme, second theme, text)]: the free-text answers to Q30, Q31 and Q33,
    given to the most diligent people (with noise), in question and person order. Q30's answers
    keep no theme (the demo's officer asks Shire to propose some)."""
    chosen = {}
    for question, size in (("q30_volunteering_ideas", Q30_ANSWERERS), ("q31_hubs_council", Q31_ANSWERERS)):
        lines = source_lines(FREE_TEXT_SOURCES[question][0])
        chosen[question] = rng.sample(lines, size)
    lines = source_lines(FREE_TEXT_SOURCES["q33_general_comments"][0])
    with_details = [line for line in lines if redact(line[2]) != line[2]]
    personal = []
    for marker in PERSONAL_DETAILS:
        if not any(marker in redact(line[2]) for line in personal):
            personal.append(rng.choice([line for line in with_details if marker in redact(line[2])]))
    picked = list(personal)
    for theme, size in Q33_THEMES.items():
        others = [line for line in lines if line[0] == theme and line not in with_details]
        picked += rng.sample(others, size - sum(line[0] == theme for line in personal))
    rng.shuffle(picked)
    chosen["q33_general_comments"] = picked
    result = []
    for question, comments in chosen.items():
        who = answerers(rng, people, len(comments), diligence)
        for person, (theme, second, text) in zip(who, comments):
            if question == "q30_volunteering_ideas":
                theme = second = ""
            result.append((question, person, theme, second, text))
    return result


def workshop_notes(rng, answers):
    """[(workshop, theme, second theme, text)]: points noted about Q33 at the seed's workshops,
    drawn from the lines of Q33's sets that no respondent was given and that carry no personal
    details, Q33_NOTES_PER_WORKSHOP at each workshop."""
    given = {text for question, _, _, _, text in answers if question == "q33_general_comments"}
    pool = [line for line in source_lines(FREE_TEXT_SOURCES["q33_general_comments"][0])
            if line[2] not in given and redact(line[2]) == line[2]]
    drawn = iter(rng.sample(pool, Q33_NOTES_PER_WORKSHOP * len(P["q10_building_blocks_rank"]["workshops"])))
    return [(workshop, *next(drawn)) for workshop in P["q10_building_blocks_rank"]["workshops"]
            for _ in range(Q33_NOTES_PER_WORKSHOP)]


def workshop_rows():
    """(header, rows) of workshops_2017.csv: the seed's Q10 workshop table, one row a cell."""
    q10 = P["q10_building_blocks_rank"]
    rows = [[workshop, "q10_building_blocks_rank", option, str(votes)]
            for workshop, votes_by_option in q10["workshops"].items()
            for option, votes in votes_by_option.items()]
    return ["workshop", "question", "option", "votes"], rows


def as_csv(header, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def files():
    """{path: text} of the files this script writes."""
    header, rows, free_rows = build_with_free_text()
    written = {
        RESPONSES_CSV: as_csv(header, rows),
        WORKSHOPS_CSV: as_csv(*workshop_rows()),
        FREE_TEXT_CSV: as_csv(["question", "response_id", "workshop", "theme", "second_theme", "text"], free_rows),
    }
    for question, path in CODEBOOKS.items():
        written[path] = FREE_TEXT_SOURCES[question][1].read_text(encoding="utf-8")
    return written


def main():
    for path, text in files().items():
        path.write_text(text, encoding="utf-8")
        print(f"Wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
