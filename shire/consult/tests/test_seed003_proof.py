"""Proof against the published figures: Shire's report on the 2017 consultation gives seed 003's numbers.

Seed 003 is the council's hand-written report on the 2017 Communities Strategy consultation.
shire/demo/data/seed003/build_responses.py builds respondent-level answers whose totals are the
seed's figures (transcribed in shire/demo/data/seed003/published.py). This module imports the
2017 form, those responses and the workshop votes through `shire consult`, writes the JSON
report through `shire consult report`, and checks the report against the seed:

* every count the seed prints is the report's count, and every base is the number who answered;
* every percentage and net agreement figure the seed prints matches the report's within the two
  roundings, except the figures listed in published.DIFFERENCES (where the seed's arithmetic is
  inconsistent and Shire keeps its standard rule); the list must be exactly the mismatches;
* Q8's building blocks are in the seed's order of net agreement, except published.ORDER_DIFFERENCES;
* Q10's first, last, top-three and bottom-three counts, the workshop table and the combined
  top-three figures (121, 97, 55) are the seed's.
"""
import csv
import json
from decimal import Decimal
from fractions import Fraction
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from shire.consult import analysis, reports
from shire.consult.models import Consultation
from shire.demo.data.seed003 import build_responses, published

ROOT = Path(__file__).resolve().parents[3]
FORM = ROOT / "shire" / "demo" / "forms" / "communities_strategy_2017.xlsx"
SLUG = "communities-strategy-2017-seed003"
P = published.QUESTIONS

pytestmark = pytest.mark.django_db  # also tells pytest-django to set up the test database for `proof`


@pytest.fixture(scope="module")
def proof(django_db_setup, django_db_blocker, tmp_path_factory):
    """Import everything through the command line and write the JSON report; roll it all back after.

    Returns {"report": the JSON report as read back from its file, "grids": the report's Likert
    grids (build_report; the JSON shape leaves them out), "output": what the commands printed}.
    """
    out = StringIO()
    folder = tmp_path_factory.mktemp("seed003")
    output = folder / "report.json"
    with override_settings(MEDIA_ROOT=folder / "media"), django_db_blocker.unblock(), transaction.atomic():
        call_command("consult", "import-form", str(FORM), "--slug", SLUG, stdout=out)
        call_command("consult", "import-responses", SLUG, str(build_responses.RESPONSES_CSV), stdout=out)
        call_command("consult", "import-workshops", SLUG, str(build_responses.WORKSHOPS_CSV), stdout=out)
        call_command("consult", "report", SLUG, "--format", "json", "--output", str(output), stdout=out)
        grids = reports.build_report(Consultation.objects.get(slug=SLUG))["grids"]
        transaction.set_rollback(True)
    return {"report": json.loads(output.read_text(encoding="utf-8")), "grids": grids, "output": out.getvalue()}


@pytest.fixture(scope="module")
def questions(proof):
    return proof["report"]["questions"]


# --- the rules the comparison uses -------------------------------------------------------------

def standard_percent(count, base):
    """Shire's standard rule, worked out here independently: count of base, one decimal, halves up."""
    scaled = Fraction(count * 1000, base)
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    return whole / 10


def seed_step(seed_value):
    """The rounding step of a seed figure, read from how it is printed: an int is a whole number
    (42%), a float a decimal (9.0%, 53.5% are half points; 8.2%, 56.6% one decimal place)."""
    if isinstance(seed_value, int):
        return published.SEED_WHOLE
    if Decimal(str(seed_value)) * 2 % 1 == 0:
        return published.SEED_HALF_POINT
    return published.SEED_ONE_DECIMAL


def matches(seed_value, shire_value):
    """True if the seed's figure and Shire's can both be roundings of one exact value.

    Rounding half up to a step h puts the exact value in [s − h/2, s + h/2); Shire's step is 0.1.
    The two intervals overlap exactly when |shire − seed| < h/2 + 0.05.
    """
    if shire_value is None:
        return False
    distance = abs(Decimal(str(shire_value)) - Decimal(str(seed_value)))
    return distance < (seed_step(seed_value) + published.SHIRE_STEP) / 2


def members(entry, name):
    return entry.get("questions") or [name]


def count_of(questions, entry, name, option):
    """The report's count for a published option: summed over the entry's questions and over a+b options."""
    return sum(questions[q]["counts"][choice] for q in members(entry, name) for choice in option.split("+"))


def base_of(questions, entry, name):
    return sum(questions[q]["base"] for q in members(entry, name))


def shire_percent(questions, entry, name, option):
    """The percentage Shire gives for a published option (worked out by the standard rule where the
    report has no single figure for it: several questions together, or a+b)."""
    if "questions" in entry or "+" in option:
        return standard_percent(count_of(questions, entry, name, option), base_of(questions, entry, name))
    return questions[name]["percent"][option]


def compared_figures(questions):
    """Every published percentage and net agreement figure with Shire's: (question, figure, option, seed, shire)."""
    for name, entry in P.items():
        for option, seed_value in entry.get("percent", {}).items():
            yield name, "percent", option, seed_value, shire_percent(questions, entry, name, option)
        if "net_agreement" in entry:
            yield name, "net_agreement", None, entry["net_agreement"], questions[name]["net_agreement"]


def key(difference):
    return difference["question"], difference["figure"], difference["option"]


# --- the import itself ------------------------------------------------------------------------

def test_the_committed_files_are_what_the_generator_writes():
    for path, text in build_responses.files().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is out of date: run {build_responses.__file__}"


def test_everything_is_imported_through_the_command_line(proof):
    assert "Imported 90 responses into communities-strategy-2017-seed003." in proof["output"]
    assert "Imported 40 workshop results" in proof["output"]
    report = proof["report"]
    assert report["consultation"] == SLUG
    assert report["responses"] == published.RESPONSES


def test_free_text_in_the_responses_file_is_all_invented():
    """The seed prints no respondent's own words against a respondent, so every free-text answer is
    one of the script's comments marked invented or a row of free_text_2017.csv (drawn from the
    theme engine's invented development sets): no other words can be in the file."""
    with open(build_responses.RESPONSES_CSV, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with open(build_responses.FREE_TEXT_CSV, encoding="utf-8") as handle:
        free_rows = list(csv.DictReader(handle))
    drawn = {(row["question"], row["response_id"]): row["text"] for row in free_rows if row["response_id"]}
    notes = [row for row in free_rows if not row["response_id"]]
    assert notes and all(row["workshop"] in P["q10_building_blocks_rank"]["workshops"] for row in notes)
    assert len(rows) == published.RESPONSES
    assert all(text.startswith("Invented test comment") for texts in build_responses.INVENTED_TEXT.values()
               for text in texts)
    free_text = {row["name"] for row in build_responses.form.SURVEY if row.get("type") == "text"}
    cells = {(name, row["response_id"]): value for row in rows for name, value in row.items()
             if value and name in free_text}
    invented = {key for key, value in cells.items() if value in build_responses.INVENTED_TEXT.get(key[0], ())}
    assert {key: value for key, value in cells.items() if key not in invented} == drawn
    assert len(invented) == sum(len(texts) for texts in build_responses.INVENTED_TEXT.values())
    assert {question for question, _ in drawn} == set(build_responses.FREE_TEXT_SOURCES)
    assert not {row["text"] for row in free_rows} & build_responses.LEFT_OUT


# --- counts and bases -------------------------------------------------------------------------

def test_who_responded(questions):
    q1 = questions["q01_respondent_type"]
    assert q1["counts"]["individual"] == published.INDIVIDUALS
    assert q1["base"] - q1["counts"]["individual"] == published.ORGANISATION_RESPONDENTS


@pytest.mark.parametrize("name", sorted(P))
def test_every_published_count_is_the_reports(questions, name):
    entry = P[name]
    wrong = {}
    for table in ("counts", "first", "last", "top3", "bottom3", "combined_top3"):
        for option, seed_count in entry.get(table, {}).items():
            if table == "counts":
                shire_count = count_of(questions, entry, name, option)
            else:
                shire_count = questions[name][table][option]
            if shire_count != seed_count:
                wrong[(table, option)] = (seed_count, shire_count)
    assert wrong == {}, f"{name}: (seed, Shire) counts differ"


@pytest.mark.parametrize("name", sorted(n for n, e in P.items() if "base" in e))
def test_every_base_is_the_number_who_answered(questions, name):
    entry = P[name]
    assert base_of(questions, entry, name) == entry["base"], entry["base_from"]


def test_fewer_than_half_answered_the_demographic_questions(questions):
    for name in ("q34_sex", "q35_age_band", "q36_gender_identity", "q37_disability", "q38_ethnicity",
                 "q39_religion", "q40_sexual_orientation", "q41_district_area"):
        assert questions[name]["base"] < published.DEMOGRAPHIC_QUESTIONS_ANSWERED_BY_FEWER_THAN


def test_q25_individuals_were_not_offered_the_organisations_methods(questions):
    offered_to_individuals = questions["q25_engagement_methods_individual"]["counts"]
    for choice in P["q25_engagement_methods_individual"]["not_offered"]:
        assert choice not in offered_to_individuals  # "N/A" in the seed
        assert choice in questions["q26_engagement_methods_organisation"]["counts"]


# --- percentages and net agreement ------------------------------------------------------------

def test_every_published_percentage_matches_or_is_a_listed_difference(questions):
    mismatches = {
        (name, figure, option): (seed_value, shire_value)
        for name, figure, option, seed_value, shire_value in compared_figures(questions)
        if not matches(seed_value, shire_value)
    }
    listed = {key(difference): difference for difference in published.DIFFERENCES}
    assert len(listed) == len(published.DIFFERENCES), "a difference is listed twice"
    unexplained = {k: v for k, v in mismatches.items() if k not in listed}
    no_longer_different = sorted(k for k in listed if k not in mismatches)
    assert unexplained == {}, "(seed, Shire) figures differ and are not listed in published.DIFFERENCES"
    assert no_longer_different == [], "listed in published.DIFFERENCES, but Shire now matches the seed"


def test_every_listed_difference_is_the_seeds_figure_against_the_standard_rule(questions):
    """A listed difference names a published figure, quotes it, and Shire's figure is the standard
    rule applied to the seed's own counts and bases (so the difference is the seed's arithmetic)."""
    for difference in published.DIFFERENCES:
        name, figure, option = key(difference)
        entry = P[name]
        assert difference["reason"]
        if figure == "percent":
            assert entry["percent"][option] == difference["seed"]
            counts = entry["counts"]
            seed_count = counts[option] if option in counts else sum(counts[c] for c in option.split("+"))
            expected = standard_percent(seed_count, entry["base"])
            assert shire_percent(questions, entry, name, option) == expected
        else:
            assert figure == "net_agreement"
            assert entry["net_agreement"] == difference["seed"]
            counts = entry["counts"]
            net = counts["strongly_agree"] + counts["agree"] - counts["disagree"] - counts["strongly_disagree"]
            assert questions[name]["net_agreement"] == standard_percent(net, entry["base"])


def test_agreement_totals_are_the_reports_own(questions):
    """Where the seed gives 'strongly agree or agree' and 'disagree or strongly disagree', the report's
    agree_percent and disagree_percent are the figures compared."""
    for name, entry in P.items():
        for option, field in ((published.AGREE, "agree_percent"), (published.DISAGREE, "disagree_percent")):
            if option in entry.get("percent", {}):
                assert questions[name][field] == shire_percent(questions, entry, name, option)


def test_q8_building_blocks_are_in_the_seeds_order_of_net_agreement(proof, questions):
    seed_order = [name for name, _ in published.Q8_NET_AGREEMENT_ORDER]
    assert [value for _, value in published.Q8_NET_AGREEMENT_ORDER] == sorted(
        (value for _, value in published.Q8_NET_AGREEMENT_ORDER), reverse=True)
    shire_order = analysis.order_by_net_agreement(proof["report"], seed_order)
    grid = next(g for g in proof["grids"] if set(g["questions"]) == set(seed_order))
    assert grid["questions"] == shire_order  # the order the report's Q8 table is shown in
    position = {name: index for index, name in enumerate(shire_order)}
    swapped = {
        (first, second)
        for i, first in enumerate(seed_order)
        for second in seed_order[i + 1:]
        if position[first] > position[second]
    }
    assert swapped == {tuple(d["pair"]) for d in published.ORDER_DIFFERENCES}
    for difference in published.ORDER_DIFFERENCES:  # the listed swaps are ties in Shire's figures
        first, second = difference["pair"]
        assert questions[first]["net_agreement"] == questions[second]["net_agreement"]


# --- Q10 and the workshops --------------------------------------------------------------------

def test_q10_workshop_table_and_combined_top_three(questions):
    q10 = questions["q10_building_blocks_rank"]
    seed = P["q10_building_blocks_rank"]
    workshops = q10["workshops"]
    assert {w: votes for w, votes in workshops.items() if w != "total"} == seed["workshops"]
    assert workshops["total"] == seed["workshop_option_totals"]
    assert {w: sum(votes.values()) for w, votes in workshops.items() if w != "total"} == seed["workshop_totals"]
    assert sum(workshops["total"].values()) == seed["workshop_grand_total"] == 203
    assert [workshops["total"][block] for block in ("priorities", "services", "communicate", "councils",
                                                    "champions", "volunteering", "hub", "funding")] == [
        59, 14, 20, 17, 8, 22, 20, 43]
    if "workshop_totals" in q10:
        assert q10["workshop_totals"] == {**seed["workshop_totals"], "total": seed["workshop_grand_total"]}
    # The combined figure is people with the block in their top three online plus its workshop votes.
    for block, combined in seed["combined_top3"].items():
        assert q10["combined_top3"][block] == combined == q10["top3"][block] + workshops["total"][block]
    assert [q10["combined_top3"][b] for b in ("priorities", "funding", "hub")] == [121, 97, 55]


@pytest.mark.parametrize("table,named", [("top3", "most_top3"), ("first", "most_first"), ("last", "most_last")])
def test_q10_the_blocks_the_seed_names_lead_their_tables(questions, table, named):
    """The seed's sentences name the three blocks most often in the top three, first and last, in order."""
    figures = questions["q10_building_blocks_rank"][table]
    leaders = P["q10_building_blocks_rank"][named]
    ranked = sorted(figures, key=lambda block: -figures[block])
    assert ranked[:3] == leaders
    assert figures[leaders[2]] > max(v for block, v in figures.items() if block not in leaders)


def test_q10_champions_are_most_often_in_the_bottom_three(questions):
    bottom3 = questions["q10_building_blocks_rank"]["bottom3"]
    assert max(bottom3, key=bottom3.get) == "champions"
