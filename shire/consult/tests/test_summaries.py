"""Plain-English summaries written from a question's figures."""
import pytest

from shire.consult.analysis import analyse, frame_from_records, suppress_small
from shire.consult.summaries import summarise
from shire.consult.tests.test_analysis import AGREE, BLOCKS, RANKINGS, answers_for, definition, question


def figures(item, records, **options):
    form = definition([item])
    return analyse(form, frame_from_records(form, records), **options)["questions"][item["name"]]


def test_agreement_scale():
    q = figures(question("q5", "select_one", AGREE), answers_for("q5", {"sa": 23, "a": 48, "n": 8, "d": 5, "sd": 5, "dk": 1}))
    assert summarise(q) == (
        "78.9% of the 90 respondents who answered strongly agree or agree, 11.1% disagree or strongly disagree, "
        "8.9% neither agree nor disagree and 1.1% don't know. Net agreement is 67.8%."
    )


def test_agreement_scale_uses_its_own_labels_and_whole_percentages():
    scale = [
        {"name": "1", "label": "Strongly agree"}, {"name": "2", "label": "Tend to agree"},
        {"name": "3", "label": "Tend to disagree"}, {"name": "4", "label": "Strongly disagree"},
    ]
    q = figures(question("q", "select_one", scale), answers_for("q", {"1": 10, "2": 10, "3": 30, "4": 50}))
    assert summarise(q) == (
        "20% of the 100 respondents who answered strongly agree or tend to agree "
        "and 80% tend to disagree or strongly disagree. Net agreement is -60%."
    )


def test_select_one_with_few_choices_lists_them_all_in_order():
    choices = [{"name": "yes", "label": "Yes"}, {"name": "no", "label": "No"}, {"name": "dk", "label": "Don't know"}]
    q = figures(question("q11", "select_one", choices), answers_for("q11", {"yes": 29, "no": 20, "dk": 38}))
    assert summarise(q) == "Of the 87 respondents who answered, 29 (33.3%) said 'Yes', 20 (23%) said 'No' and 38 (43.7%) said 'Don't know'."


def test_select_one_with_many_choices_gives_the_most_common():
    choices = [{"name": f"c{i}", "label": f"Band {i}"} for i in range(6)]
    q = figures(question("q3", "select_one", choices), answers_for("q3", {"c0": 12, "c1": 3, "c2": 1, "c3": 5, "c4": 7, "c5": 2}))
    assert summarise(q) == "Of the 30 respondents who answered, the most common answers were 'Band 0' (12, 40%), 'Band 4' (7, 23.3%) and 'Band 3' (5, 16.7%)."


def test_select_multiple_top_three_with_a_tie_for_third():
    choices = [{"name": c, "label": f"Barrier {c.upper()}"} for c in "abcde"]
    records = [{"m": []} for _ in range(87)]
    for name, times in {"a": 50, "b": 34, "c": 23, "d": 23, "e": 10}.items():
        for record in records[:times]:
            record["m"].append(name)
    q = figures(question("m", "select_multiple", choices), records)
    assert summarise(q) == (
        "Of the 50 respondents who answered, the top responses were 'Barrier A' (50, 100%), 'Barrier B' (34, 68%), "
        "then 'Barrier C' and 'Barrier D' (23 each, 46%). Respondents could choose more than one answer, "
        "so the percentages add up to more than 100%."
    )


def test_select_multiple_where_everyone_ticked_one():
    choices = [{"name": c, "label": c.upper()} for c in "abcd"]
    q = figures(question("m", "select_multiple", choices), [{"m": [c]} for c in "aaabbc"])
    assert summarise(q) == "Of the 6 respondents who answered, the top three responses were 'A' (3, 50%), 'B' (2, 33.3%) and 'C' (1, 16.7%)."


def test_rank_in_the_style_of_seed_003_q10():
    labels = {
        "ulp": "Understand local priorities", "funding": "Have access to the right funding, support and training",
        "communicate": "Communicate effectively with service providers", "engage": "Engage actively with local services",
        "hub": "Operate a wide range of activities from at least one community hub",
        "volunteering": "Support formal and informal volunteering",
        "champions": "Nurture a network of community champions",
    }
    zero = dict.fromkeys(labels, 0)
    q = {
        "type": "rank", "label": "Q10", "base": 87, "choices": labels,
        "first": {**zero, "ulp": 46, "funding": 21, "communicate": 9, "engage": 5, "hub": 4, "volunteering": 2},
        "last": {**zero, "champions": 26, "hub": 10, "volunteering": 8, "engage": 7},
        "bottom3": {**zero, "champions": 41, "hub": 30, "volunteering": 30},
    }
    assert summarise(q) == (
        "'Understand local priorities' was the overall highest priority with 46 people identifying it as their first choice, "
        "followed by 'Have access to the right funding, support and training' (21) and "
        "'Communicate effectively with service providers' (9). "
        "The lowest priority was 'Nurture a network of community champions', last for 26 people, followed by "
        "'Operate a wide range of activities from at least one community hub' (10) and "
        "'Support formal and informal volunteering' (8); 41 people put 'Nurture a network of community champions' "
        "in their bottom three."
    )


def test_rank_from_responses_with_ties():
    q = figures(question("r", "rank", BLOCKS), [{"r": order} for order in RANKINGS])
    assert summarise(q) == (
        "'A' was the overall highest priority with 3 people identifying it as their first choice, "
        "followed by 'B' and 'C' (1 each). The lowest priority was 'D', last for 3 people, followed by 'C' (2); "
        "5 people put 'D' in their bottom three."
    )
    q = figures(question("r", "rank", BLOCKS[:3]), [{"r": ["a", "b", "c"]}, {"r": ["b", "a", "c"]}, {"r": ["c", "a", "b"]}])
    assert summarise(q) == (
        "'A', 'B' and 'C' were jointly the overall highest priority, each identified by 1 person as their first choice. "
        "The lowest priority was 'C', last for 2 people, followed by 'B' (1)."
    )


def test_numbers_dates_and_text():
    assert summarise(figures(question("n", "integer"), [{"n": 1}] * 7 + [{"n": 2}])) == (
        "Of the 8 respondents who answered, the average (mean) answer was 1.13 and the median 1; answers ranged from 1 to 2."
    )
    assert summarise(figures(question("n", "decimal"), [{"n": 1250.5}, {"n": 1250.5}])) == (
        "Of the 2 respondents who answered, the average (mean) answer was 1,250.5 and the median 1,250.5; everyone gave 1,250.5."
    )
    dates = [{"d": "2017-03-01"}, {"d": "2016-12-25"}, {"d": "2017-11-05"}]
    assert summarise(figures(question("d", "date"), dates)) == "3 respondents gave a date, from 25 December 2016 to 5 November 2017."
    assert summarise(figures(question("t", "text"), [{"t": "Yes"}, {"t": " "}])) == "1 respondent answered this question in their own words."


@pytest.mark.parametrize("item", [
    question("q", "select_one", AGREE), question("m", "select_multiple", BLOCKS), question("r", "rank", BLOCKS),
    question("n", "integer"), question("d", "date"), question("t", "text"),
])
def test_nobody_answered(item):
    assert summarise(figures(item, [{}, {}])) == "No one answered this question."


def test_suppressed_figures_are_not_spelled_out():
    form = definition([question("q", "select_one", AGREE), question("n", "integer")])
    records = answers_for("q", {"sa": 10, "a": 3, "n": 6, "d": 6, "dk": 5})
    records[0]["n"] = 40
    public = suppress_small(analyse(form, frame_from_records(form, records)))
    assert summarise(public["questions"]["q"]) == (
        "Of the 30 respondents who answered, the most common answers were 'Strongly agree' (10, 33.3%), "
        "then 'Neither agree nor disagree' and 'Disagree' (6 each, 20%)."
    )
    assert summarise(public["questions"]["n"]) == "Fewer than 5 people answered this question."


def test_a_group_can_be_summarised_like_a_whole_question():
    types = [{"name": "ind", "label": "Individual"}, {"name": "org", "label": "Organisation"}]
    form = definition([question("type", "select_one", types), question("q", "select_one", AGREE)])
    records = [{"type": "ind", "q": "sa"}, {"type": "ind", "q": "d"}, {"type": "org", "q": "a"}]
    report = analyse(form, frame_from_records(form, records), group_by="type")
    assert summarise(report["questions"]["q"]["groups"]["ind"]) == (
        "50% of the 2 respondents who answered strongly agree or agree and 50% disagree or strongly disagree. Net agreement is 0%."
    )
