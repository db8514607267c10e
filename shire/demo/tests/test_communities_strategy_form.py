"""The 2017 Communities Strategy questionnaire: it imports, and keeps the seed's questions, routing and rules."""
import re

import openpyxl
import pytest

from shire.consult import expressions
from shire.consult.xlsform import read_xlsform
from shire.demo.forms import build_communities_strategy_2017 as build

INDIVIDUAL = {"q01_respondent_type": ["individual"]}
ORGANISATION = {"q01_respondent_type": ["community_group", "parish_council"]}


@pytest.fixture(scope="module")
def definition():
    return read_xlsform(build.OUTPUT.read_bytes(), build.OUTPUT.name)


@pytest.fixture(scope="module")
def items(definition):
    """name -> (item, its page)"""
    return {q["name"]: (q, page) for page in definition["pages"] for q in page["items"]}


def number(name):
    return int(re.match(r"q(\d\d)_", name).group(1))


def shown(item, page, answers):
    return all(expressions.is_true(rule, answers) for rule in (page["relevant"], item["relevant"]) if rule)


def choice_names(item):
    return [c["name"] for c in item["choices"]]


def test_committed_workbook_is_what_the_script_builds():
    workbook = openpyxl.load_workbook(build.OUTPUT)
    expected = build.rows()
    assert workbook.sheetnames == list(expected)
    for title, rows in expected.items():
        cells = [list(row) for row in workbook[title].iter_rows(values_only=True)]
        assert cells == rows, f"{build.OUTPUT.name} is out of date: run {build.__file__}"


def test_form_identity(definition):
    assert (definition["form_id"], definition["title"], definition["version"]) == (
        "communities_strategy_2017", "Communities Strategy consultation 2017", "2017-01")


def test_questions_q1_to_q41_in_order(definition):
    names = [q["name"] for page in definition["pages"] for q in page["items"]]
    numbers = [number(n) for n in names]
    assert numbers == sorted(numbers)
    assert sorted(set(numbers)) == list(range(1, 42))
    # 41 questions; the grids add rows: Q6 has 3, Q8 has 8, Q17 and Q18 have 2 each.
    assert len(names) == 41 + 2 + 7 + 1 + 1
    assert len(set(names)) == len(names)
    for name in ("q01_respondent_type", "q05_priorities_principle", "q06_priority_vulnerable",
                 "q10_building_blocks_rank", "q23_preferred_methods"):
        assert name in names


def test_respondent_type_is_the_seed_list_and_individual_stands_alone(items):
    q1, _ = items["q01_respondent_type"]
    assert (q1["type"], q1["required"]) == ("select_multiple", True)
    assert [c["label"] for c in q1["choices"]] == [
        "Individual", "Voluntary sector organisation", "Community group", "Town or Parish Council/Meeting",
        "Public sector organisation", "Faith based group", "Residents association", "Other"]
    assert expressions.is_true(q1["constraint"], {}, ["community_group", "faith_group"])
    assert expressions.is_true(q1["constraint"], {}, ["individual"])
    assert not expressions.is_true(q1["constraint"], {}, ["individual", "community_group"])


@pytest.mark.parametrize("name", ["q02_organisation_name", "q03_fte_staff", "q04_works_with_volunteers",
                                  "q16_vulnerable_organisation", "q18_supporting_vulnerable",
                                  "q21_support_needed_organisation", "q26_engagement_methods_organisation"])
def test_organisation_only_questions(items, name):
    item, page = items[name]
    assert shown(item, page, ORGANISATION)
    assert shown(item, page, {"q01_respondent_type": ["other"]})
    assert not shown(item, page, INDIVIDUAL)


@pytest.mark.parametrize("name", ["q15_vulnerable_individual", "q17_supporting_vulnerable", "q19_ways_to_assist",
                                  "q20_support_needed_individual", "q25_engagement_methods_individual"])
def test_individual_only_questions(items, name):
    item, page = items[name]
    assert shown(item, page, INDIVIDUAL)
    assert not shown(item, page, ORGANISATION)


def test_everyone_sees_the_shared_questions(items):
    for name in ("q05_priorities_principle", "q06_priority_vcs", "q10_building_blocks_rank", "q22_voluntary_sector_support",
                 "q23_preferred_methods", "q27_community_champions", "q33_general_comments", "q41_district_area"):
        item, page = items[name]
        assert shown(item, page, INDIVIDUAL) and shown(item, page, ORGANISATION), name


def test_q28_follows_other_at_q27(items):
    item, page = items["q28_community_champions_other"]
    assert shown(item, page, {"q27_community_champions": ["lead_projects", "other"]})
    assert not shown(item, page, {"q27_community_champions": ["lead_projects"]})


def test_agreement_scale(items):
    q5, _ = items["q05_priorities_principle"]
    assert [c["label"] for c in q5["choices"]] == [
        "Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree", "Don't know"]


@pytest.mark.parametrize("group,rows", [
    ("q06_priorities", ["q06_priority_vulnerable", "q06_priority_services", "q06_priority_vcs"]),
    ("q08_building_blocks", ["q08_block_priorities", "q08_block_services", "q08_block_communicate", "q08_block_councils",
                             "q08_block_champions", "q08_block_volunteering", "q08_block_hub", "q08_block_funding"]),
])
def test_grids_are_likert_rows_in_one_group(definition, group, rows):
    page = next(p for p in definition["pages"] if p["name"] == group)
    assert page["label"].startswith("To what extent do you agree or disagree")
    assert [q["name"] for q in page["items"]] == rows
    assert {(q["type"], q["appearance"], q["list_name"]) for q in page["items"]} == {("select_one", "likert", "agreement")}


def test_building_block_rank_matches_the_grid(items, definition):
    rank, _ = items["q10_building_blocks_rank"]
    assert rank["type"] == "rank"
    grid = next(p for p in definition["pages"] if p["name"] == "q08_building_blocks")
    assert [c["label"] for c in rank["choices"]] == [q["label"] for q in grid["items"]]
    assert len(rank["choices"]) == 8


def test_yes_no_dont_know_with_why(items):
    for question, why in (("q11_additional_priorities", "q12_additional_priorities_why"), ("q13_right_actions", "q14_right_actions_why")):
        assert choice_names(items[question][0]) == ["yes", "no", "dont_know"]
        assert items[why][0]["type"] == "text"


@pytest.mark.parametrize("name", ["q23_preferred_methods", "q24_least_preferred_methods"])
def test_up_to_three(items, name):
    item, _ = items[name]
    assert item["type"] == "select_multiple"
    assert item["constraint"] == "count-selected(.) <= 3"
    assert item["constraint_message"]
    methods = choice_names(item)
    assert len(methods) == 11
    assert expressions.is_true(item["constraint"], {}, methods[:3])
    assert not expressions.is_true(item["constraint"], {}, methods[:4])


def test_ways_to_assist_has_the_seeds_eight_options(items):
    q19, _ = items["q19_ways_to_assist"]
    assert q19["type"] == "select_multiple"
    assert len(q19["choices"]) == 8
    assert q19["choices"][0]["label"] == "Provide advice and information to individuals"
    assert q19["choices"][-1]["label"] == "Don't want to help"


def test_voluntary_sector_areas(items):
    q22, _ = items["q22_voluntary_sector_support"]
    assert len(q22["choices"]) == 14
    assert q22["choices"][0]["label"] == "Supporting older people to live independently"
    assert q22["choices"][-1]["name"] == "other"


def test_forums_and_representative_groups_only_for_organisations(items):
    individual = choice_names(items["q25_engagement_methods_individual"][0])
    organisation = choice_names(items["q26_engagement_methods_organisation"][0])
    assert "forums" not in individual and "representative_groups" not in individual
    assert {"forums", "representative_groups"} <= set(organisation)
    assert set(organisation) - set(individual) == {"forums", "representative_groups"}


def test_champions_and_barriers(items):
    champions = items["q27_community_champions"][0]
    assert champions["type"] == "select_multiple"
    assert champions["choices"][0]["label"] == "People who lead on community projects"
    assert {"dont_know", "other"} <= set(choice_names(champions))
    barriers = items["q29_volunteering_barriers"][0]
    assert [c["label"] for c in barriers["choices"]][:3] == ["Lack of time", "Fear of liability", "Family/caring responsibilities"]
    assert len(barriers["choices"]) == 12
    for name in ("q30_volunteering_ideas", "q31_hubs_council", "q32_hubs_communities", "q33_general_comments"):
        assert items[name][0]["type"] == "text"


def test_demographics_are_optional_with_prefer_not_to_say(definition):
    demographics = [q for page in definition["pages"] for q in page["items"] if number(q["name"]) >= 34]
    assert [number(q["name"]) for q in demographics] == list(range(34, 42))
    for question in demographics:
        assert question["required"] is False
        assert "prefer_not_to_say" in choice_names(question), question["name"]
    required = [q["name"] for page in definition["pages"] for q in page["items"] if q["required"]]
    assert required == ["q01_respondent_type"]
