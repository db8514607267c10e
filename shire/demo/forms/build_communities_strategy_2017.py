"""Build communities_strategy_2017.xlsx: the 2017 Communities Strategy questionnaire as an XLSForm.

The questions, their order (Q1-Q33, then the demographic questions Q34-Q41), the answer options
and the routing come from the council's consultation results report (seeds/003); where that
report only summarises a question, the wording here is inferred from its summary.
The question names are listed in docs/consultations-2017-form.md.

Run from the repository root after changing anything below, and commit both files:

    .venv/bin/python shire/demo/forms/build_communities_strategy_2017.py
"""
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

OUTPUT = Path(__file__).with_name("communities_strategy_2017.xlsx")

SETTINGS = {"form_title": "Communities Strategy consultation 2017", "form_id": "communities_strategy_2017", "version": "2017-01"}

SURVEY_COLUMNS = ["type", "name", "label", "hint", "required", "required_message", "relevant",
                  "constraint", "constraint_message", "appearance"]

# Routing. Q1 lets people choose "Individual" or any organisation types, not both (its constraint).
INDIVIDUAL = "selected(${q01_respondent_type}, 'individual')"
ORGANISATION = "count-selected(${q01_respondent_type}) > 0 and not(selected(${q01_respondent_type}, 'individual'))"
UP_TO_THREE = "count-selected(.) <= 3"


def only(choice):
    """A constraint: the choice `choice` (e.g. "Don't know") cannot be combined with others."""
    return f"not(selected(., '{choice}') and count-selected(.) > 1)"


def group(name, label, hint=None, relevant=None, appearance="field-list"):
    return {"type": "begin group", "name": name, "label": label, "hint": hint, "relevant": relevant, "appearance": appearance}


END = {"type": "end group"}


def q(kind, name, label, **columns):
    return {"type": kind, "name": name, "label": label, **columns}


def grid(list_name, rows, **columns):
    """One select_one per row of a Likert grid, all on the same choice list."""
    return [q(f"select_one {list_name}", name, label, appearance="likert", **columns) for name, label in rows]


SURVEY = [
    group("about_you", "About you",
          "The Leicestershire Communities Strategy sets out how the County Council proposes to work with "
          "communities in the coming years. Tell us whether you are responding for yourself or for an organisation, "
          "so that we ask you the right questions."),
    q("select_multiple respondent_types", "q01_respondent_type", "What type of organisation do you represent?",
      hint="Choose 'Individual' if you are responding for yourself. If you are responding on behalf of one or more "
           "organisations, choose every type that applies.",
      required="yes", required_message="Tell us whether you are responding as an individual or for an organisation.",
      constraint=only("individual"),
      constraint_message="Choose 'Individual' on its own, or the types of organisation you represent, not both. "
                         "To respond for yourself and for an organisation, please fill in the form twice."),
    q("text", "q02_organisation_name", "What is the name of your organisation?",
      hint="If you are responding for more than one organisation, name each of them.", relevant=ORGANISATION),
    q("select_one fte_bands", "q03_fte_staff", "How many full time equivalent (FTE) paid staff work for your organisation?",
      relevant=ORGANISATION),
    q("select_one yes_no", "q04_works_with_volunteers", "Does your organisation work with volunteers?", relevant=ORGANISATION),
    END,

    group("priorities_principle", "The three priorities",
          "The Council proposes to focus its limited resources on three priorities: helping communities to help the "
          "individuals and families most in need, enabling community groups to provide services for their "
          "communities, and effective commissioning of, and support for, the voluntary sector."),
    q("select_one agreement", "q05_priorities_principle",
      "To what extent do you agree or disagree with the principle of using LCC resources to support delivery of the "
      "three priorities rather than providing generic support to all communities?"),
    END,

    group("q06_priorities", "To what extent do you agree or disagree that the three identified priorities are the "
                            "right priorities for the Council to focus on?"),
    *grid("agreement", [
        ("q06_priority_vulnerable", "Priority 1: Helping communities to support vulnerable people"),
        ("q06_priority_services", "Priority 2: Helping communities to design and deliver services"),
        ("q06_priority_vcs", "Priority 3: Development and effective commissioning of the voluntary and community sector"),
    ]),
    END,

    group("priorities_comments", "Your views on the priorities"),
    q("text", "q07_priorities_comments", "Please tell us why you agree or disagree with the priorities, and any other "
                                         "comments you have on them.", appearance="multiline"),
    END,

    group("q08_building_blocks", "To what extent do you agree or disagree that the eight proposed building blocks are "
                                 "important if we are to help communities to be strong and resilient?",
          "The building blocks are the things that people told us make communities strong and resilient. "
          "Strong and resilient communities…"),
    *grid("agreement", [
        ("q08_block_priorities", "Understand local priorities"),
        ("q08_block_services", "Engage actively with local services"),
        ("q08_block_communicate", "Communicate effectively with service providers"),
        ("q08_block_councils", "Have active local councils and residents groups"),
        ("q08_block_champions", "Nurture a network of community champions"),
        ("q08_block_volunteering", "Support formal and informal volunteering"),
        ("q08_block_hub", "Operate a wide range of activities from at least one community hub"),
        ("q08_block_funding", "Have access to the right funding, support and training"),
    ]),
    END,

    group("building_blocks_comments", "Your views on the building blocks"),
    q("text", "q09_building_blocks_comments", "Please tell us why you agree or disagree with the building blocks, "
                                              "and any other comments you have on them.", appearance="multiline"),
    END,

    group("building_blocks_rank", "Priorities for investment"),
    q("rank building_blocks", "q10_building_blocks_rank", "What is your order of priority for LCC investment in communities?",
      hint="Put the eight building blocks in order, with your highest priority first."),
    END,

    group("anything_missing", "Priorities, building blocks and actions"),
    q("select_one yes_no_dont_know", "q11_additional_priorities",
      "Do you think that there are additional priorities or building blocks that should be included in the "
      "Communities Strategy?"),
    q("text", "q12_additional_priorities_why", "Why? If you think something is missing, please tell us what.",
      appearance="multiline"),
    q("select_one yes_no_dont_know", "q13_right_actions",
      "Do you think that we have identified the right actions against the eight building blocks?"),
    q("text", "q14_right_actions_why", "Why?", appearance="multiline"),
    END,

    group("vulnerable_people", "Priority 1: supporting vulnerable people"),
    q("text", "q15_vulnerable_individual", "Who do you think might be vulnerable or in need of support in your community?",
      relevant=INDIVIDUAL, appearance="multiline"),
    q("text", "q16_vulnerable_organisation",
      "Who do you think might be vulnerable or in need of support in the communities that you work with?",
      relevant=ORGANISATION, appearance="multiline"),
    END,

    group("q17_engagement", "To what extent do you feel that you already engage in supporting vulnerable people "
                            "and delivering services for the community?", relevant=INDIVIDUAL),
    *grid("engagement", [
        ("q17_supporting_vulnerable", "Supporting vulnerable people"),
        ("q17_delivering_services", "Delivering services for the community"),
    ]),
    END,

    group("q18_engagement", "To what extent do you feel that your organisation already engages in supporting "
                            "vulnerable people and delivering services for the community?", relevant=ORGANISATION),
    *grid("engagement", [
        ("q18_supporting_vulnerable", "Supporting vulnerable people"),
        ("q18_delivering_services", "Delivering services for the community"),
    ]),
    END,

    group("ways_to_assist", "How you could help", relevant=INDIVIDUAL),
    q("select_multiple assist_ways", "q19_ways_to_assist",
      "In which ways could you assist in supporting vulnerable people and/or delivering services?",
      hint="Choose all that apply.", relevant=INDIVIDUAL,
      constraint=only("dont_want_to_help"),
      constraint_message="'Don't want to help' cannot be chosen with other answers."),
    END,

    group("support_needed", "Support for communities"),
    q("text", "q20_support_needed_individual",
      "What support would you need to be able to work with others in your community to support vulnerable people "
      "and take on services?", relevant=INDIVIDUAL, appearance="multiline"),
    q("text", "q21_support_needed_organisation",
      "What support do communities need to be able to work with others to support vulnerable people and take on "
      "services?", relevant=ORGANISATION, appearance="multiline"),
    END,

    group("voluntary_sector", "Priority 3: the voluntary sector"),
    q("select_multiple vcs_areas", "q22_voluntary_sector_support",
      "Where do you think support from the voluntary sector is most needed in Leicestershire?",
      hint="Choose all that apply."),
    END,

    group("information", "Finding out about the Council"),
    q("select_multiple info_methods", "q23_preferred_methods",
      "Which would be your most preferred methods of receiving information from, or finding out more about, LCC?",
      hint="Choose up to three.", constraint=UP_TO_THREE, constraint_message="Choose no more than three methods."),
    q("select_multiple info_methods", "q24_least_preferred_methods",
      "Which would be your least preferred methods of receiving information from, or finding out more about, LCC?",
      hint="Choose up to three.", constraint=UP_TO_THREE, constraint_message="Choose no more than three methods."),
    END,

    group("engaging", "Engaging with decision makers"),
    q("select_multiple engage_individual", "q25_engagement_methods_individual",
      "To help you to play an active role in supporting vulnerable people and/or delivering services, which would be "
      "your preferred methods of engaging with decision makers at the County Council?",
      hint="Choose all that apply.", relevant=INDIVIDUAL,
      constraint=only("no_need"), constraint_message="'I don't need to engage' cannot be chosen with other answers."),
    q("select_multiple engage_organisation", "q26_engagement_methods_organisation",
      "To help your organisation to play an active role in supporting vulnerable people and/or delivering services, "
      "which would be your preferred methods of engaging with decision makers at the County Council?",
      hint="Choose all that apply.", relevant=ORGANISATION,
      constraint=only("no_need"), constraint_message="'We don't need to engage' cannot be chosen with other answers."),
    END,

    group("community_champions", "Community champions"),
    q("select_multiple champions", "q27_community_champions",
      "Who would you identify as the community champions in your community, or in the Leicestershire communities "
      "you work with?", hint="Choose all that apply.",
      constraint=only("dont_know"), constraint_message="'Don't know' cannot be chosen with other answers."),
    q("text", "q28_community_champions_other", "Who else would you identify as community champions?",
      relevant="selected(${q27_community_champions}, 'other')"),
    END,

    group("volunteering", "Volunteering"),
    q("select_multiple barriers", "q29_volunteering_barriers",
      "Which barriers to volunteering do you think that we need to tackle as a priority?", hint="Choose all that apply."),
    q("text", "q30_volunteering_ideas", "Do you have any ideas about how we should do this?", appearance="multiline"),
    END,

    group("community_hubs", "Community hubs",
          "Community hubs are community buildings that are focal points for community and public services."),
    q("text", "q31_hubs_council", "What could LCC do to support community buildings to develop as community hubs "
                                  "(focal points for community and public services)?", appearance="multiline"),
    q("text", "q32_hubs_communities", "What could communities do to support community buildings to develop as "
                                      "community hubs (focal points for community and public services)?",
      appearance="multiline"),
    END,

    group("general_comments", "Any other comments"),
    q("text", "q33_general_comments", "Do you have any other general comments on the draft Communities Strategy?",
      appearance="multiline"),
    END,

    group("equality", "About you: equality monitoring",
          "These questions help us to check that we hear from all parts of Leicestershire's communities. They are "
          "all optional, and your answers are only ever reported as totals."),
    q("select_one sex", "q34_sex", "What is your sex?"),
    q("select_one age_bands", "q35_age_band", "What was your age on your last birthday?"),
    q("select_one gender_identity", "q36_gender_identity", "Is your gender identity the same as the sex you were "
                                                           "assigned at birth?"),
    q("select_one yes_no_prefer", "q37_disability", "Do you have a long-standing illness, disability or infirmity?",
      hint="Long-standing means anything that has troubled you over a period of time, or that is likely to affect "
           "you over a period of time."),
    q("select_one ethnicity", "q38_ethnicity", "What is your ethnic group?"),
    q("select_one religion", "q39_religion", "What is your religion?"),
    q("select_one sexual_orientation", "q40_sexual_orientation", "What is your sexual orientation?"),
    q("select_one districts", "q41_district_area", "Which area of Leicestershire do you live in?",
      hint="If you are responding for an organisation, choose the area where it mainly works."),
    END,
]

PREFER_NOT = ("prefer_not_to_say", "Prefer not to say")

CHOICES = {
    "respondent_types": [
        ("individual", "Individual"),
        ("voluntary_sector", "Voluntary sector organisation"),
        ("community_group", "Community group"),
        ("parish_council", "Town or Parish Council/Meeting"),
        ("public_sector", "Public sector organisation"),
        ("faith_group", "Faith based group"),
        ("residents_association", "Residents association"),
        ("other", "Other"),
    ],
    "fte_bands": [
        ("none", "None"),
        ("one_to_five", "1 to 5"),
        ("six_to_ten", "6 to 10"),
        ("eleven_to_twenty", "11 to 20"),
        ("over_twenty", "More than 20"),
        ("not_applicable", "Not applicable"),
    ],
    "yes_no": [("yes", "Yes"), ("no", "No")],
    "yes_no_dont_know": [("yes", "Yes"), ("no", "No"), ("dont_know", "Don't know")],
    "agreement": [
        ("strongly_agree", "Strongly agree"),
        ("agree", "Agree"),
        ("neither", "Neither agree nor disagree"),
        ("disagree", "Disagree"),
        ("strongly_disagree", "Strongly disagree"),
        ("dont_know", "Don't know"),
    ],
    "building_blocks": [
        ("priorities", "Understand local priorities"),
        ("services", "Engage actively with local services"),
        ("communicate", "Communicate effectively with service providers"),
        ("councils", "Have active local councils and residents groups"),
        ("champions", "Nurture a network of community champions"),
        ("volunteering", "Support formal and informal volunteering"),
        ("hub", "Operate a wide range of activities from at least one community hub"),
        ("funding", "Have access to the right funding, support and training"),
    ],
    "engagement": [
        ("great_deal", "A great deal"),
        ("fair_amount", "A fair amount"),
        ("not_very_much", "Not very much"),
        ("not_at_all", "Not at all"),
    ],
    "assist_ways": [
        ("advice_information", "Provide advice and information to individuals"),
        ("volunteer", "Help as a volunteer"),
        ("practical_help", "Provide practical help to individuals"),
        ("access_services", "Help to ensure that individuals can access services"),
        ("manage_group", "Help manage a community group/voluntary group/charity"),
        ("donate_cash", "Donate cash"),
        ("fundraising", "Help with fundraising efforts"),
        ("dont_want_to_help", "Don't want to help"),
    ],
    "vcs_areas": [
        ("older_people", "Supporting older people to live independently"),
        ("mental_health", "Supporting people with mental health problems"),
        ("vulnerable_families", "Support for vulnerable families"),
        ("youth", "Supporting youth projects and activities"),
        ("disabilities", "Supporting people with disabilities"),
        ("community_transport", "Providing community transport"),
        ("offending", "Preventing offending and re-offending"),
        ("children_families", "Supporting children and families"),
        ("libraries", "Supporting library services"),
        ("learning_disabilities", "Supporting people with learning disabilities"),
        ("leaving_care", "Supporting young people leaving care"),
        ("museums_arts", "Supporting museums and arts services"),
        ("waste_recycling", "Supporting waste reduction and recycling"),
        ("other", "Other"),
    ],
    "info_methods": [
        ("lcc_website", "On the LCC website – www.leics.gov.uk"),
        ("email", "By e-mail (e.g. an e-mail newsletter)"),
        ("community_newsletter", "In my community newsletter or magazine"),
        ("leicestershire_matters", "In the Leicestershire Matters magazine"),
        ("community_buildings", "Information in community buildings"),
        ("parish_council", "Through the Town/Parish Council"),
        ("social_media", "Through social media (e.g. Twitter, Facebook)"),
        ("meetings_events", "By attending meetings/events"),
        ("villages_websites", "Via Leicestershire Villages/Parishes websites"),
        ("post", "By post"),
        ("forums_website", "Via the leicestershireforums.org website"),
    ],
    "sex": [("male", "Male"), ("female", "Female"), PREFER_NOT],
    "age_bands": [
        ("age_15_or_under", "15 or under"),
        ("age_16_24", "16 to 24"),
        ("age_25_34", "25 to 34"),
        ("age_35_44", "35 to 44"),
        ("age_45_54", "45 to 54"),
        ("age_55_64", "55 to 64"),
        ("age_65_74", "65 to 74"),
        ("age_75_84", "75 to 84"),
        ("age_85_plus", "85 and over"),
        PREFER_NOT,
    ],
    "gender_identity": [("yes", "Yes"), ("no", "No, I identify as transgender"), PREFER_NOT],
    "yes_no_prefer": [("yes", "Yes"), ("no", "No"), PREFER_NOT],
    "ethnicity": [
        ("white", "White"),
        ("mixed", "Mixed"),
        ("asian", "Asian or Asian British"),
        ("black", "Black or Black British"),
        ("other", "Other ethnic group"),
        PREFER_NOT,
    ],
    "religion": [
        ("none", "No religion"),
        ("christian", "Christian (all denominations)"),
        ("buddhist", "Buddhist"),
        ("hindu", "Hindu"),
        ("jewish", "Jewish"),
        ("muslim", "Muslim"),
        ("sikh", "Sikh"),
        ("other", "Any other religion"),
        PREFER_NOT,
    ],
    "sexual_orientation": [
        ("bisexual", "Bisexual"),
        ("gay", "Gay"),
        ("heterosexual", "Heterosexual or straight"),
        ("lesbian", "Lesbian"),
        ("other", "Other"),
        PREFER_NOT,
    ],
    "districts": [
        ("blaby", "Blaby"),
        ("charnwood", "Charnwood"),
        ("harborough", "Harborough"),
        ("hinckley_bosworth", "Hinckley and Bosworth"),
        ("melton", "Melton"),
        ("north_west_leicestershire", "North West Leicestershire"),
        ("oadby_wigston", "Oadby and Wigston"),
        ("leicester_city", "Leicester City"),
        ("elsewhere", "Somewhere else"),
        PREFER_NOT,
    ],
}


def _engage_choices():
    """Q25 (individuals) and Q26 (organisations): forums and representative groups are for organisations only."""
    direct = "By contacting managers of the relevant services directly"
    individual = [
        ("contact_email", f"{direct}: by e-mail"),
        ("public_meetings", "By attending specific public meetings/events based on local priorities/issues"),
        ("contact_website", f"{direct}: via the website"),
        ("county_councillor", "By contacting my County Councillor"),
        ("contact_centre", f"{direct}: through the contact centre"),
        ("contact_social_media", f"{direct}: through social media"),
        ("parish_council", "By raising them with my Town/Parish Council"),
        ("contact_letter", f"{direct}: by writing a letter"),
        ("contact_text", f"{direct}: by text"),
        ("petition", "By organising a petition"),
        ("no_need", "I don't need to engage with decision makers at the County Council"),
        ("other", "Other"),
    ]
    organisation = list(individual)
    at = [name for name, _ in organisation].index("county_councillor") + 1
    organisation[at:at] = [
        ("forums", "Through regular topic/theme based Forums"),
        ("representative_groups", "Through representative/infrastructure groups"),
    ]
    organisation = [(n, "We don't need to engage with decision makers at the County Council") if n == "no_need" else (n, label)
                    for n, label in organisation]
    return individual, organisation


CHOICES["engage_individual"], CHOICES["engage_organisation"] = _engage_choices()

CHAMPIONS = [
    ("lead_projects", "People who lead on community projects"),
    ("support_groups", "People who support local groups/charities"),
    ("organise_events", "People who organise social events e.g. the village fair"),
    ("parish_councillors", "Town/Parish Councillors"),
    ("district_councillors", "District/Borough Councillors"),
    ("county_councillors", "County Councillors"),
    ("hall_committee", "People on the village hall/community building committee"),
    ("publican_shopkeeper", "Publican/shopkeeper"),
    ("public_forums", "People who attend Public Forums"),
    ("local_activist", "Local activists"),
    ("think_leicestershire", "Think Leicestershire Coaches/TAG Leaders"),
    ("dont_know", "Don't know"),
    ("other", "Other"),
]
BARRIERS = [
    ("lack_of_time", "Lack of time"),
    ("fear_of_liability", "Fear of liability"),
    ("family_caring", "Family/caring responsibilities"),
    ("red_tape", "Red tape"),
    ("work_training", "Work/training/education"),
    ("cant_afford", "Can't afford to"),
    ("dont_know_how", "Don't know how to start"),
    ("not_my_role", "Don't think it's my role"),
    ("nothing_to_offer", "Not sure I have anything to offer"),
    ("finding_others", "Finding others to work with"),
    ("lack_of_transport", "Lack of transport"),
    ("other", "Other"),
]
CHOICES["champions"] = CHAMPIONS
CHOICES["barriers"] = BARRIERS


def rows():
    """The three sheets as lists of rows (headings first): what the workbook holds, cell for cell."""
    survey = [SURVEY_COLUMNS] + [[row.get(column) for column in SURVEY_COLUMNS] for row in SURVEY]
    choices = [["list_name", "name", "label"]] + [
        [list_name, name, label] for list_name, options in CHOICES.items() for name, label in options
    ]
    settings = [list(SETTINGS), list(SETTINGS.values())]
    return {"survey": survey, "choices": choices, "settings": settings}


def build(path=OUTPUT):
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    widths = {"type": 34, "name": 36, "label": 70, "hint": 50, "relevant": 50, "constraint": 40,
              "constraint_message": 40, "required_message": 30, "list_name": 22}
    for title, sheet_rows in rows().items():
        sheet = workbook.create_sheet(title)
        for row in sheet_rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            sheet.column_dimensions[cell.column_letter].width = widths.get(cell.value, 18 if title != "choices" else 60)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
    workbook.save(path)
    return path


if __name__ == "__main__":
    print(f"Wrote {build()}")
