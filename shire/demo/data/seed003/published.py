"""The figures printed in seed 003, the council's hand-written results report on the 2017
Communities Strategy consultation (90 online responses, eight workshops), as plain data.

Every number below is copied from the seed's tables and sentences, keyed by the question and
choice names of the 2017 form (docs/consultations-2017-form.md). Nothing here is copied from
Shire's report: the proof test (shire/consult/tests/test_seed003_proof.py) imports the generated
responses through the command line and compares Shire's report with these figures.

Shapes
    QUESTIONS[name] = {
        "seed": where the figures are printed,
        "base": the number who answered, and "base_from": how it is known,
        "counts": {choice: count}, "percent": {choice: percent as printed},
        "net_agreement": percent as printed (agreement questions, where the seed prints it),
    }
    Percentages are written as the seed prints them: an int where it prints a whole number
    (42%), a float where it prints a decimal (9.0%, 53.5%, 8.2%).
    A key "a+b" in counts or percent is a figure the seed gives for two choices together
    ("strongly agree or agree", "a great deal or a fair amount"). An entry with "questions" is a
    figure the seed gives for several questions of the form together: Q17 (individuals) and Q18
    (organisations) are one table in the seed; its counts are the sums of the questions' counts
    and its base the sum of their bases.

Rounding
    The seed rounds its percentages to half points (25.5%, 9.0%, 81.0%) or to whole numbers (42%,
    84%: a figure printed as a whole number is read as rounded to a whole number, the looser of
    the two), and a few to one decimal place (8.2%, 56.6%: a first decimal other than 0 or 5). Shire rounds to one decimal
    place, halves up. A seed figure s with rounding step h matches Shire's figure r when both can
    be roundings of the same exact value: the exact value lies in [s − h/2, s + h/2) and in
    [r − 0.05, r + 0.05), which overlap exactly when |r − s| < h/2 + 0.05.

Differences
    Where the seed's arithmetic is inconsistent, Shire keeps its standard rule (percent of those
    who answered the question, one decimal place). DIFFERENCES lists every figure where the seed
    and the standard rule disagree, with the reason; the proof test fails if the set of
    mismatches is not exactly this list. ORDER_DIFFERENCES does the same for the order of the
    Q8 building blocks by net agreement.
"""

from decimal import Decimal

RESPONSES = 90  # "90 responses were received to the on-line consultation questionnaire"
INDIVIDUALS = 48  # "48 people responded as individuals and 42 people responded on behalf of one or more organisations"
ORGANISATION_RESPONDENTS = 42

# Rounding steps (the test compares figures as Decimal(str(figure)), so no binary fractions creep in).
SEED_WHOLE = Decimal("1")  # printed as a whole number: 42%, 84%
SEED_HALF_POINT = Decimal("0.5")  # printed as a half point: 53.5%, 9.0% among half points
SEED_ONE_DECIMAL = Decimal("0.1")  # printed with another first decimal: 8.2%, 56.6%
SHIRE_STEP = Decimal("0.1")  # Shire rounds to one decimal place, halves up

AGREE = "strongly_agree+agree"
DISAGREE = "disagree+strongly_disagree"
ENGAGED = "great_deal+fair_amount"


def _agreement(counts, percents):
    """A row of the seed's agreement tables, in the form's scale order."""
    order = ["strongly_agree", "agree", "neither", "disagree", "strongly_disagree", "dont_know"]
    return dict(zip(order, counts)), dict(zip(order, percents))


_Q6_VULNERABLE = _agreement([38, 38, 6, 4, 2, 2], [42, 42, 7, 5, 2, 2])
_Q6_SERVICES = _agreement([18, 44, 12, 10, 4, 2], [20, 49, 13.5, 11, 4.5, 2])
_Q6_VCS = _agreement([26, 37, 15, 6, 4, 2], [29, 41.5, 16.5, 6.5, 4.5, 2])

_Q8 = {
    "q08_block_priorities": _agreement([50, 33, 3, 1, 0, 2], [56, 37, 4, 1, 0, 2]),
    "q08_block_services": _agreement([31, 42, 8, 2, 0, 4], [35.5, 48.5, 9, 2.5, 0, 4.5]),
    "q08_block_communicate": _agreement([40, 38, 4, 1, 0, 4], [46, 43.5, 4.5, 1, 0, 4.5]),
    "q08_block_councils": _agreement([36, 39, 7, 3, 1, 2], [41, 44.5, 8, 3.5, 1, 2]),
    "q08_block_champions": _agreement([17, 39, 20, 6, 1, 4], [19.5, 45, 23, 7, 1, 4.5]),
    "q08_block_volunteering": _agreement([30, 44, 9, 2, 1, 2], [34, 50, 10, 2, 1, 2.5]),
    "q08_block_hub": _agreement([26, 44, 13, 0, 2, 2], [30, 50.5, 15, 0, 2.5, 2.5]),
    "q08_block_funding": _agreement([54, 29, 3, 0, 0, 2], [61.5, 33, 3.5, 0, 0, 2]),
}

# The seed's net agreement table for Q8, in the seed's order (highest first).
Q8_NET_AGREEMENT_ORDER = [
    ("q08_block_funding", 94.5),
    ("q08_block_priorities", 92.0),
    ("q08_block_communicate", 88.5),
    ("q08_block_services", 81.5),
    ("q08_block_volunteering", 81.0),
    ("q08_block_councils", 80.0),
    ("q08_block_hub", 78.0),
    ("q08_block_champions", 56.6),
]

QUESTIONS = {
    "q01_respondent_type": {
        "seed": "Q1",
        "base": 90, "base_from": "printed: 90 responses, every one answered Q1 (it is required)",
        "counts": {"individual": 48, "voluntary_sector": 16, "community_group": 15, "parish_council": 12,
                   "public_sector": 9, "faith_group": 6, "residents_association": 1, "other": 2},
        "percent": {"individual": 53.5, "voluntary_sector": 18, "community_group": 17, "parish_council": 13.5,
                    "public_sector": 9.5, "faith_group": 7, "residents_association": 1, "other": 2},
    },
    "q03_fte_staff": {
        "seed": "Q3",
        "base": 30, "base_from": "printed: only 30 completed the question (its counts add to 30)",
        "counts": {"none": 12, "one_to_five": 3, "six_to_ten": 1, "eleven_to_twenty": 5, "over_twenty": 7,
                   "not_applicable": 2},
        "percent": {"none": 40, "one_to_five": 10, "six_to_ten": 3, "eleven_to_twenty": 16.5, "over_twenty": 23.5},
    },
    "q04_works_with_volunteers": {
        "seed": "Q4",
        "base": 31, "base_from": "derived: the counts add to 31",
        "counts": {"yes": 30, "no": 1},
    },
    "q05_priorities_principle": {
        "seed": "Q5 table and the sentence after it",
        "base": 89, "base_from": "derived: the counts add to 89",
        "counts": {"strongly_agree": 23, "agree": 48, "neither": 8, "disagree": 5, "strongly_disagree": 4,
                   "dont_know": 1},
        "percent": {"strongly_agree": 25.5, "agree": 53.5, "neither": 9.0, "disagree": 5.5, "strongly_disagree": 4.5,
                    "dont_know": 1.0, AGREE: 79, DISAGREE: 10},
    },
    "q06_priority_vulnerable": {
        "seed": "Q6 table, Priority 1, and the sentences after it",
        "base": 90, "base_from": "derived: the counts add to 90",
        "counts": _Q6_VULNERABLE[0],
        "percent": {**_Q6_VULNERABLE[1], AGREE: 84, DISAGREE: 7},
        "net_agreement": 77,
    },
    "q06_priority_services": {
        "seed": "Q6 table, Priority 2, and the sentences after it",
        "base": 90, "base_from": "derived: the counts add to 90",
        "counts": _Q6_SERVICES[0],
        "percent": {**_Q6_SERVICES[1], AGREE: 69, DISAGREE: 15.5},
        "net_agreement": 53.5,
    },
    "q06_priority_vcs": {
        "seed": "Q6 table, Priority 3, and the sentences after it (which call it Priority 1)",
        "base": 90, "base_from": "derived: the counts add to 90",
        "counts": _Q6_VCS[0],
        "percent": {**_Q6_VCS[1], AGREE: 70.5, DISAGREE: 11},
        "net_agreement": 59.5,
    },
    **{
        name: {
            "seed": "Q8/Q9 table and the net agreement table after it",
            "base": sum(counts.values()), "base_from": "derived: the counts add to it",
            "counts": counts,
            "percent": percents,
            "net_agreement": dict(Q8_NET_AGREEMENT_ORDER)[name],
        }
        for name, (counts, percents) in _Q8.items()
    },
    "q10_building_blocks_rank": {
        "seed": "Q10 sentences and the workshop table",
        # No base is printed. The three first preferences the seed gives add to 76, so at least
        # 76 people ranked the blocks; the generator uses exactly 76 (see build_responses.py).
        "first": {"priorities": 46, "funding": 21, "communicate": 9},
        "last": {"champions": 26, "hub": 10, "volunteering": 8},
        # Derived: the combined figure (121, 97, 55) minus the workshop votes (59, 43, 20).
        "top3": {"priorities": 62, "funding": 54, "hub": 35},
        "bottom3": {"champions": 41, "hub": 30, "volunteering": 30},
        "combined_top3": {"priorities": 121, "funding": 97, "hub": 55},
        # The workshop table: votes per workshop per option (the seed's row labels are shortened
        # forms of the building blocks' names), its Total column and its TOTAL row.
        "workshops": {
            "LECG": {"priorities": 11, "services": 9, "communicate": 7, "councils": 5, "champions": 5,
                     "volunteering": 3, "hub": 1, "funding": 1},
            "Staff": {"priorities": 7, "services": 0, "communicate": 3, "councils": 4, "champions": 1,
                      "volunteering": 6, "hub": 2, "funding": 10},
            "Stakeholders": {"priorities": 18, "services": 0, "communicate": 1, "councils": 3, "champions": 1,
                             "volunteering": 9, "hub": 3, "funding": 3},
            "Members": {"priorities": 8, "services": 1, "communicate": 5, "councils": 4, "champions": 0,
                        "volunteering": 1, "hub": 2, "funding": 6},
            "VCS": {"priorities": 15, "services": 4, "communicate": 4, "councils": 1, "champions": 1,
                    "volunteering": 3, "hub": 12, "funding": 23},
        },
        "workshop_option_totals": {"priorities": 59, "services": 14, "communicate": 20, "councils": 17,
                                   "champions": 8, "volunteering": 22, "hub": 20, "funding": 43},
        "workshop_totals": {"LECG": 42, "Staff": 33, "Stakeholders": 38, "Members": 27, "VCS": 63},
        "workshop_grand_total": 203,
        # The order the seed's sentences put the blocks in (not figures, but claims the data must bear out).
        "most_top3": ["priorities", "funding", "hub"],
        "most_first": ["priorities", "funding", "communicate"],
        "most_last": ["champions", "hub", "volunteering"],
    },
    "q11_additional_priorities": {
        "seed": "Q11/Q12",
        "base": 87, "base_from": "derived: the counts add to 87",
        "counts": {"yes": 29, "no": 20, "dont_know": 38},
        "percent": {"yes": 33.5, "no": 23.0, "dont_know": 43.5},
    },
    "q13_right_actions": {
        "seed": "Q13/Q14",
        "base": 86, "base_from": "derived: the counts add to 86",
        "counts": {"yes": 45, "no": 10, "dont_know": 31},
        "percent": {"yes": 52.5, "no": 11.5, "dont_know": 36.5},
    },
    "q17_q18_supporting_vulnerable": {
        "seed": "Q17/18, supporting vulnerable people (individuals and organisations together)",
        "questions": ["q17_supporting_vulnerable", "q18_supporting_vulnerable"],
        "base": 73, "base_from": "derived: the counts add to 73 (the percentages imply 74)",
        "counts": {ENGAGED: 54, "not_very_much": 14, "not_at_all": 5},
        "percent": {ENGAGED: 73, "not_very_much": 19},
    },
    "q17_q18_delivering_services": {
        "seed": "Q17/18, delivering services for the community (individuals and organisations together)",
        "questions": ["q17_delivering_services", "q18_delivering_services"],
        "base": 73, "base_from": "derived: the counts add to 73 (the percentages imply 74)",
        "counts": {ENGAGED: 50, "not_very_much": 19, "not_at_all": 4},
        "percent": {ENGAGED: 67.5, "not_very_much": 25.5, "not_at_all": 5.5},
    },
    "q19_ways_to_assist": {
        "seed": "Q19 (individuals)",
        "base": 43, "base_from": "derived from the percentages (25 is 58%, 19 is 44.5%, 4 is 9.5% of 43)",
        "counts": {"advice_information": 25, "volunteer": 19, "practical_help": 19, "access_services": 19,
                   "manage_group": 14, "donate_cash": 9, "fundraising": 5, "dont_want_to_help": 4},
        "percent": {"advice_information": 58, "volunteer": 44.5, "practical_help": 44.5, "access_services": 44.5,
                    "manage_group": 32.5, "donate_cash": 21, "fundraising": 11.5, "dont_want_to_help": 9.5},
    },
    "q22_voluntary_sector_support": {
        "seed": "Q22",
        "base": 84, "base_from": "derived from the percentages (45 is 53.5%, 7 is 8.5% of 84)",
        "counts": {"older_people": 45, "mental_health": 33, "vulnerable_families": 25, "youth": 19,
                   "disabilities": 18, "community_transport": 16, "offending": 15, "children_families": 15,
                   "libraries": 12, "learning_disabilities": 11, "leaving_care": 11, "museums_arts": 8,
                   "waste_recycling": 7, "other": 8},
        "percent": {"older_people": 53.5, "mental_health": 39.5, "vulnerable_families": 30, "youth": 22.5,
                    "disabilities": 21.5, "community_transport": 19, "offending": 18, "children_families": 18,
                    "libraries": 14.5, "learning_disabilities": 13, "leaving_care": 13, "museums_arts": 9.5,
                    "waste_recycling": 8.5, "other": 9.5},
    },
    "q23_preferred_methods": {
        "seed": "Q23 (up to three each)",
        "base": 85, "base_from": "derived from the percentages (45 is 53%, 30 is 35.5% of 85)",
        "counts": {"lcc_website": 45, "email": 45, "community_newsletter": 30, "leicestershire_matters": 21,
                   "community_buildings": 19, "parish_council": 15, "social_media": 15, "meetings_events": 11,
                   "villages_websites": 9, "post": 4, "forums_website": 1},
        "percent": {"lcc_website": 53, "email": 53, "community_newsletter": 35.5, "leicestershire_matters": 24.5,
                    "community_buildings": 22.5, "parish_council": 17.5, "social_media": 17.5, "meetings_events": 13,
                    "villages_websites": 10.5, "post": 4.5, "forums_website": 1},
    },
    "q24_least_preferred_methods": {
        "seed": "Q24 (up to three each)",
        "base": 85, "base_from": "derived from the percentages (40 is 47%, 7 is 8.2% of 85)",
        "counts": {"post": 40, "social_media": 35, "meetings_events": 24, "forums_website": 21,
                   "community_buildings": 18, "lcc_website": 15, "villages_websites": 15, "parish_council": 15,
                   "email": 14, "leicestershire_matters": 11, "community_newsletter": 7},
        "percent": {"post": 47, "social_media": 41, "meetings_events": 28, "forums_website": 24.5,
                    "community_buildings": 21, "lcc_website": 17.5, "villages_websites": 17.5, "parish_council": 17.5,
                    "email": 16.5, "leicestershire_matters": 13, "community_newsletter": 8.2},
    },
    "q25_engagement_methods_individual": {
        "seed": "Q25/26, Individuals columns",
        "base": 44, "base_from": "derived from the percentages (25 is 57%, 11 is 25% of 44)",
        "counts": {"contact_email": 25, "public_meetings": 14, "contact_website": 11, "county_councillor": 11,
                   "contact_centre": 6, "contact_social_media": 6, "parish_council": 6, "contact_letter": 4,
                   "contact_text": 1, "petition": 3, "no_need": 2, "other": 1},
        "percent": {"contact_email": 57, "public_meetings": 32, "contact_website": 25, "county_councillor": 25,
                    "contact_centre": 13.5, "contact_social_media": 13.5, "parish_council": 13.5, "contact_letter": 9,
                    "contact_text": 2.5, "petition": 7, "no_need": 4.5, "other": 2.5},
        # "N/A" in the seed: individuals were not offered these.
        "not_offered": ["forums", "representative_groups"],
    },
    "q26_engagement_methods_organisation": {
        "seed": "Q25/26, Organisations columns",
        "base": 30, "base_from": "derived from the percentages (18 is 60%, 3 is 10% of 30)",
        "counts": {"contact_email": 18, "public_meetings": 13, "contact_website": 4, "county_councillor": 6,
                   "forums": 10, "representative_groups": 10, "contact_centre": 9, "contact_social_media": 1,
                   "parish_council": 4, "contact_letter": 0, "contact_text": 0, "petition": 0, "no_need": 0,
                   "other": 3},
        "percent": {"contact_email": 60, "public_meetings": 43.5, "contact_website": 13.5, "county_councillor": 20,
                    "forums": 33.5, "representative_groups": 33.5, "contact_centre": 30, "contact_social_media": 3.5,
                    "parish_council": 13.5, "contact_letter": 0, "contact_text": 0, "petition": 0, "no_need": 0,
                    "other": 10},
    },
    "q27_community_champions": {
        "seed": "Q27/28 (counts only; no base or percentages printed)",
        "counts": {"lead_projects": 48, "support_groups": 38, "organise_events": 30, "parish_councillors": 31,
                   "district_councillors": 23, "county_councillors": 20, "hall_committee": 13,
                   "publican_shopkeeper": 12, "public_forums": 8, "local_activist": 6, "think_leicestershire": 4,
                   "dont_know": 10, "other": 8},
    },
    "q29_volunteering_barriers": {
        "seed": "Q29",
        "base": 87, "base_from": "derived from the percentages (50 is 57.5%, 4 is 4.5% of 87)",
        "counts": {"lack_of_time": 50, "fear_of_liability": 34, "family_caring": 28, "red_tape": 23,
                   "work_training": 23, "cant_afford": 23, "dont_know_how": 14, "not_my_role": 12,
                   "nothing_to_offer": 9, "finding_others": 9, "lack_of_transport": 8, "other": 4},
        "percent": {"lack_of_time": 57.5, "fear_of_liability": 39, "family_caring": 32, "red_tape": 26.5,
                    "work_training": 26.5, "cant_afford": 26.5, "dont_know_how": 16, "not_my_role": 14,
                    "nothing_to_offer": 10.5, "finding_others": 10.5, "lack_of_transport": 9, "other": 4.5},
    },
    "q34_sex": {
        "seed": "Demographic questions: 'Of these, 21 were Male and 22 Female'",
        "base": 43, "base_from": "derived: 'of these' (those who completed the demographic questions), 21 + 22",
        "counts": {"male": 21, "female": 22},
    },
    "q36_gender_identity": {
        "seed": "Demographic questions: '100% of the 39 people who completed the relevant question stated that "
                "they do not identify as Transgender'",
        "base": 39, "base_from": "printed",
        "counts": {"yes": 39},
        "percent": {"yes": 100},
    },
    "q37_disability": {
        "seed": "Demographic questions: '9 respondents stated that they have a long-standing illness or disability'",
        "counts": {"yes": 9},
    },
    "q38_ethnicity": {
        "seed": "Demographic questions: '34 respondents are White, 3 ... another ethnic group, 2 ... Asian or "
                "Asian British and 1 Mixed'",
        "base": 40, "base_from": "derived: 34 + 3 + 2 + 1",
        "counts": {"white": 34, "other": 3, "asian": 2, "mixed": 1},
    },
}

# Less than 50% of respondents completed the demographic questions.
DEMOGRAPHIC_QUESTIONS_ANSWERED_BY_FEWER_THAN = RESPONSES / 2

_BASE_90 = "the seed's Q5 percentages are of all 90 respondents; 89 answered Q5, and Shire uses those who answered"
_FORCED_100 = ("the seed's row adds to 100% only with this figure rounded the other way; Shire rounds each figure "
               "on its own")
_BASE_74 = ("the seed's percentages for Q17/18 are of 74, but its counts (and so those who answered) add to 73: "
            "great deal/fair amount, not very much and not at all are every answer the question offers")

# Every figure where the seed and Shire's standard rule disagree: (question, figure, option) with
# what the seed prints and why they differ. figure is "percent" or "net_agreement".
DIFFERENCES = [
    {"question": "q01_respondent_type", "figure": "percent", "option": "public_sector", "seed": 9.5,
     "reason": "9 of 90 is 10.0%; the seed prints 9.5% (a slip: its other Q1 figures are of 90)"},
    {"question": "q05_priorities_principle", "figure": "percent", "option": "strongly_agree", "seed": 25.5,
     "reason": "23 of 89 is 25.8%; 25.5% is 23 of 90: " + _BASE_90},
    {"question": "q05_priorities_principle", "figure": "percent", "option": "agree", "seed": 53.5,
     "reason": "48 of 89 is 53.9%; 53.5% is 48 of 90: " + _BASE_90},
    {"question": "q05_priorities_principle", "figure": "percent", "option": AGREE, "seed": 79,
     "reason": "71 of 89 is 79.8%; 79% is 71 of 90: " + _BASE_90},
    {"question": "q06_priority_vulnerable", "figure": "percent", "option": "disagree", "seed": 5,
     "reason": "4 of 90 is 4.4%; " + _FORCED_100},
    {"question": "q06_priority_vulnerable", "figure": "net_agreement", "option": None, "seed": 77,
     "reason": "the seed subtracts its rounded figures (84% − 7%); (76 − 6) of 90 is 77.8%"},
    {"question": "q06_priority_vcs", "figure": "percent", "option": "agree", "seed": 41.5,
     "reason": "37 of 90 is 41.1%; " + _FORCED_100},
    {"question": "q06_priority_vcs", "figure": "percent", "option": AGREE, "seed": 70.5,
     "reason": "the seed adds its rounded figures (29% + 41.5%); 63 of 90 is 70.0%"},
    {"question": "q06_priority_vcs", "figure": "net_agreement", "option": None, "seed": 59.5,
     "reason": "the seed subtracts its rounded figures (70.5% − 11%); (63 − 10) of 90 is 58.9%"},
    {"question": "q08_block_priorities", "figure": "percent", "option": "neither", "seed": 4,
     "reason": "3 of 89 is 3.4%; " + _FORCED_100},
    {"question": "q08_block_councils", "figure": "net_agreement", "option": None, "seed": 80.0,
     "reason": "(75 − 4) of 88 is 80.7%; the seed prints 80.0% (its own row gives 41 + 44.5 − 3.5 − 1 = 81.0)"},
    {"question": "q08_block_volunteering", "figure": "net_agreement", "option": None, "seed": 81.0,
     "reason": "(74 − 3) of 88 is 80.7%; the seed adds its rounded figures (34% + 50% − 2% − 1% = 81%)"},
    {"question": "q08_block_champions", "figure": "net_agreement", "option": None, "seed": 56.6,
     "reason": "(56 − 7) of 87 is 56.3%; the seed prints 56.6% to one decimal place (its own row gives 56.5)"},
    {"question": "q13_right_actions", "figure": "percent", "option": "dont_know", "seed": 36.5,
     "reason": "31 of 86 is 36.0%; the seed prints 36.5% (its three figures add to 100.5%)"},
    {"question": "q17_q18_supporting_vulnerable", "figure": "percent", "option": ENGAGED, "seed": 73,
     "reason": "54 of 73 is 74.0%; " + _BASE_74},
    {"question": "q17_q18_delivering_services", "figure": "percent", "option": ENGAGED, "seed": 67.5,
     "reason": "50 of 73 is 68.5%; " + _BASE_74},
    {"question": "q17_q18_delivering_services", "figure": "percent", "option": "not_very_much", "seed": 25.5,
     "reason": "19 of 73 is 26.0%; " + _BASE_74},
    *[{"question": "q19_ways_to_assist", "figure": "percent", "option": option, "seed": 44.5,
       "reason": "19 of 43 is 44.2%; no number of respondents makes 19 round to 44.5% (25 is 58% and 4 is "
                 "9.5% of 43)"}
      for option in ("volunteer", "practical_help", "access_services")],
]

# Pairs of Q8 building blocks that the seed's net agreement table puts in one order and Shire in
# the other: (the block the seed puts first, the block Shire puts first).
ORDER_DIFFERENCES = [
    {"question": "q08_building_blocks", "pair": ("q08_block_volunteering", "q08_block_councils"),
     "reason": "councils (75 − 4) and volunteering (74 − 3) are both 71 of 88, 80.7%; the seed prints 81.0% and "
               "80.0%. Shire keeps questionnaire order for equal net agreement, so councils (row 4) comes before "
               "volunteering (row 6)"},
]
