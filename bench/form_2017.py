"""A stand-in for the 2017 Communities Strategy questionnaire, for benchmarks only.

The benchmark reads the real form (shire/demo/forms/communities_strategy_2017.xlsx) through
shire.consult.xlsform.read_xlsform whenever it exists and reads cleanly. This definition is used
only when it does not: it follows seed 003 closely enough to weigh the same (41 numbered questions
over 10 pages, routing for individuals against organisations, eight-option Likert grids, a rank of
the eight building blocks, "up to three" choices, free text and demographics), so import and
report timings are comparable.
"""

AGREE = [
    ("strongly_agree", "Strongly agree"),
    ("agree", "Agree"),
    ("neither", "Neither agree nor disagree"),
    ("disagree", "Disagree"),
    ("strongly_disagree", "Strongly disagree"),
    ("dont_know", "Don't know"),
]
YES_NO_DK = [("yes", "Yes"), ("no", "No"), ("dont_know", "Don't know")]
AMOUNT = [("great_deal", "A great deal"), ("fair_amount", "A fair amount"), ("not_very_much", "Not very much"), ("not_at_all", "Not at all")]
BUILDING_BLOCKS = [
    ("local_priorities", "Understand local priorities"),
    ("engage_services", "Engage actively with local services"),
    ("communicate", "Communicate effectively with service providers"),
    ("local_councils", "Have active local councils and residents groups"),
    ("champions", "Nurture a network of community champions"),
    ("volunteering", "Support formal and informal volunteering"),
    ("hub", "Operate a wide range of activities from at least one community hub"),
    ("funding", "Have access to the right funding, support and training"),
]
INFO_METHODS = [
    ("website", "On the LCC website"), ("email", "By e-mail"), ("newsletter", "In my community newsletter or magazine"),
    ("leics_matters", "In the Leicestershire Matters magazine"), ("community_buildings", "Information in community buildings"),
    ("parish_council", "Through the Town/Parish Council"), ("social_media", "Through social media"),
    ("meetings", "By attending meetings/events"), ("villages_websites", "Via Leicestershire Villages/Parishes websites"),
    ("post", "By post"), ("forums_website", "Via the leicestershireforums.org website"),
]
ENGAGE_METHODS = [
    ("email_managers", "By e-mail"), ("public_meetings", "By attending specific public meetings/events"),
    ("website", "Via the website"), ("county_councillor", "By contacting my County Councillor"),
    ("forums", "Through regular topic/theme based Forums"), ("representative_groups", "Through representative/infrastructure groups"),
    ("contact_centre", "Through the contact centre"), ("social_media", "Through social media"),
    ("parish_council", "By raising them with my Town/Parish Council"), ("letter", "By writing a letter"),
    ("text", "By text"), ("petition", "By organising a petition"), ("no_need", "I don't need to engage"), ("other", "Other"),
]

_row = [1]


def _q(name, type, label, choices=None, required=False, relevant=None, constraint=None, constraint_message=None, appearance=None):
    _row[0] += 1
    item = {
        "name": name, "type": type, "label": label, "hint": None, "required": required, "required_message": None,
        "relevant": relevant, "constraint": constraint, "constraint_message": constraint_message,
        "appearance": appearance, "row": _row[0],
    }
    if choices is not None:
        item["list_name"] = name
        item["choices"] = [{"name": n, "label": l} for n, l in choices]
    return item


def _page(name, label, items, relevant=None):
    return {"name": name, "label": label, "hint": None, "relevant": relevant, "items": items}


INDIVIDUAL = "selected(${respondent_type}, 'individual')"
ORGANISATION = "count-selected(${respondent_type}) > 0 and not(selected(${respondent_type}, 'individual'))"
UP_TO_THREE = "count-selected(.) <= 3"


def definition():
    _row[0] = 1
    return {
        "form_id": "communities_strategy_2017",
        "title": "Communities Strategy consultation",
        "version": "2017-01",
        "pages": [
            _page("about_you", "About you", [
                _q("intro", "note", "Thank you for taking part."),
                _q("respondent_type", "select_multiple", "Q1. What type of organisation do you represent?", [
                    ("individual", "I am responding as an individual"), ("voluntary_sector", "Voluntary sector organisation"),
                    ("community_group", "Community group"), ("parish_council", "Town or Parish Council/Meeting"),
                    ("public_sector", "Public sector organisation"), ("faith_group", "Faith based group"),
                    ("residents_association", "Residents association"), ("other", "Other"),
                ], required=True, constraint="not(selected(., 'individual')) or count-selected(.) = 1",
                    constraint_message="Choose 'as an individual' on its own, or the types of organisation."),
            ]),
            _page("organisation", "Your organisation", [
                _q("organisation_name", "text", "Q2. What is the name of your organisation?"),
                _q("fte_staff", "select_one", "Q3. How many full time equivalent (FTE) paid staff work for your organisation?", [
                    ("none", "None"), ("1_5", "1 to 5"), ("6_10", "6 to 10"), ("11_20", "11 to 20"), ("over_20", "More than 20"),
                    ("not_applicable", "Not applicable"),
                ]),
                _q("volunteers", "select_one", "Q4. Does your organisation work with volunteers?", [("yes", "Yes"), ("no", "No")]),
            ], relevant=ORGANISATION),
            _page("priorities", "The priorities", [
                _q("principle", "select_one", "Q5. Using LCC resources to support delivery of the three priorities", AGREE, required=True, appearance="likert"),
                _q("priority_vulnerable", "select_one", "Q6. Helping communities to support vulnerable people", AGREE, appearance="likert"),
                _q("priority_services", "select_one", "Q6. Helping communities to design and deliver services", AGREE, appearance="likert"),
                _q("priority_commissioning", "select_one", "Q6. Effective commissioning of the voluntary sector", AGREE, appearance="likert"),
                _q("priorities_comments", "text", "Q7. Comments on the priorities"),
            ]),
            _page("building_blocks", "The building blocks", [
                *[_q(f"bb_{name}", "select_one", f"Q8. {label}", AGREE, appearance="likert") for name, label in BUILDING_BLOCKS],
                _q("building_blocks_comments", "text", "Q9. Comments on the building blocks"),
                _q("bb_rank", "rank", "Q10. What is your order of priority for LCC investment in communities?", BUILDING_BLOCKS),
                _q("additional_priorities", "select_one", "Q11. Are there additional priorities or building blocks?", YES_NO_DK),
                _q("additional_why", "text", "Q12. Why?", relevant="${additional_priorities} = 'yes'"),
                _q("right_actions", "select_one", "Q13. Have we identified the right actions?", YES_NO_DK),
                _q("actions_why", "text", "Q14. Why?", relevant="${right_actions} != ''"),
            ]),
            _page("you_and_your_community", "You and your community", [
                _q("vulnerable_individual", "text", "Q15. Who might be vulnerable in your community?"),
                _q("engage_vulnerable", "select_one", "Q17. Do you already support vulnerable people?", AMOUNT),
                _q("engage_services", "select_one", "Q18. Do you already deliver services for the community?", AMOUNT),
                _q("ways_to_help", "select_multiple", "Q19. In which ways could you assist?", [
                    ("advice", "Provide advice and information to individuals"), ("volunteer", "Help as a volunteer"),
                    ("practical", "Provide practical help to individuals"), ("access", "Help to ensure that individuals can access services"),
                    ("manage_group", "Help manage a community group"), ("donate", "Donate cash"), ("fundraising", "Help with fundraising efforts"),
                    ("dont_want", "Don't want to help"),
                ], constraint="not(selected(., 'dont_want')) or count-selected(.) = 1",
                    constraint_message="'Don't want to help' cannot be chosen with ways to help."),
                _q("support_needed", "text", "Q20. What support would you need?"),
            ], relevant=INDIVIDUAL),
            _page("your_organisation_and_community", "Your organisation and the community", [
                _q("vulnerable_organisation", "text", "Q16. Who might be vulnerable in the communities you work with?"),
                _q("org_engage_vulnerable", "select_one", "Q17. Does your organisation support vulnerable people?", AMOUNT),
                _q("org_engage_services", "select_one", "Q18. Does your organisation deliver services for the community?", AMOUNT),
                _q("org_support_needed", "text", "Q21. What support do communities need?"),
            ], relevant=ORGANISATION),
            _page("voluntary_sector", "The voluntary sector", [
                _q("vcs_support", "select_multiple", "Q22. Where is support from the voluntary sector most needed?", [
                    ("older_people", "Supporting older people to live independently"), ("mental_health", "Supporting people with mental health problems"),
                    ("vulnerable_families", "Support for vulnerable families"), ("youth", "Supporting youth projects and activities"),
                    ("disabilities", "Supporting people with disabilities"), ("transport", "Providing community transport"),
                    ("offending", "Preventing offending and re-offending"), ("children_families", "Supporting children and families"),
                    ("libraries", "Supporting library services"), ("learning_disabilities", "Supporting people with learning disabilities"),
                    ("leaving_care", "Supporting young people leaving care"), ("museums_arts", "Supporting museums and arts services"),
                    ("waste", "Supporting waste reduction and recycling"), ("other", "Other"),
                ], constraint=UP_TO_THREE, constraint_message="Choose up to three."),
                _q("vcs_other", "text", "Other: please say", relevant="selected(${vcs_support}, 'other')"),
            ]),
            _page("information", "Information and engagement", [
                _q("info_preferred", "select_multiple", "Q23. Your most preferred methods of receiving information", INFO_METHODS,
                   constraint=UP_TO_THREE, constraint_message="Choose up to three."),
                _q("info_least", "select_multiple", "Q24. Your least preferred methods of receiving information", INFO_METHODS,
                   constraint=UP_TO_THREE, constraint_message="Choose up to three."),
                _q("engage_individual", "select_multiple", "Q25. Your preferred methods of engaging with decision makers",
                   [c for c in ENGAGE_METHODS if c[0] not in ("forums", "representative_groups")], relevant=INDIVIDUAL),
                _q("engage_organisation", "select_multiple", "Q26. Your organisation's preferred methods of engaging with decision makers",
                   ENGAGE_METHODS, relevant=ORGANISATION),
            ]),
            _page("champions_and_volunteering", "Community champions and volunteering", [
                _q("champions", "select_multiple", "Q27. Who would you identify as the community champions?", [
                    ("lead_projects", "People who lead on community projects"), ("support_groups", "People who support local groups/charities"),
                    ("social_events", "People who organise social events"), ("parish_councillors", "Town/Parish Councillors"),
                    ("district_councillor", "District/Borough Councillor"), ("county_councillor", "County Councillor"),
                    ("hall_committee", "People on the Village Hall/community building committee"), ("publican", "Publican/shopkeeper"),
                    ("forums", "People who attend Public Forums"), ("activist", "Local Activist"), ("coaches", "Think Leicestershire Coaches/TAG Leaders"),
                    ("dont_know", "Don't Know"), ("other", "Other"),
                ]),
                _q("champions_other", "text", "Q28. Who else?", relevant="selected(${champions}, 'other')"),
                _q("barriers", "select_multiple", "Q29. Which barriers to volunteering should we tackle as a priority?", [
                    ("time", "Lack of time"), ("liability", "Fear of liability"), ("family", "Family/caring responsibilities"),
                    ("red_tape", "Red tape"), ("work", "Work/training/education"), ("afford", "Can't afford to"),
                    ("how_to_start", "Don't know how to start"), ("not_my_role", "Don't think it's my role"),
                    ("nothing_to_offer", "Not sure I have anything to offer"), ("others", "Finding others to work with"),
                    ("transport", "Lack of transport"), ("other", "Other"),
                ], constraint=UP_TO_THREE, constraint_message="Choose up to three."),
                _q("barrier_ideas", "text", "Q30. Ideas about how we should do this"),
                _q("hubs_lcc", "text", "Q31. What could LCC do to support community hubs?"),
                _q("hubs_communities", "text", "Q32. What could communities do to support community hubs?"),
                _q("general_comments", "text", "Q33. Any other general comments?"),
            ]),
            _page("about_you_demographics", "About you (optional)", [
                _q("gender", "select_one", "Q34. Gender", [("male", "Male"), ("female", "Female"), ("other", "Other"), ("prefer_not", "Prefer not to say")]),
                _q("transgender", "select_one", "Q35. Do you identify as transgender?", [("yes", "Yes"), ("no", "No"), ("prefer_not", "Prefer not to say")]),
                _q("age", "integer", "Q36. Your age", constraint=". >= 16 and . <= 110", constraint_message="Give an age from 16 to 110."),
                _q("disability", "select_one", "Q37. Do you have a long-standing illness or disability?", [("yes", "Yes"), ("no", "No"), ("prefer_not", "Prefer not to say")]),
                _q("ethnicity", "select_one", "Q38. Ethnic group", [("white", "White"), ("mixed", "Mixed"), ("asian", "Asian or Asian British"),
                   ("black", "Black or Black British"), ("other", "Other ethnic group"), ("prefer_not", "Prefer not to say")]),
                _q("religion", "select_one", "Q39. Religion", [("none", "No religion"), ("christian", "Christian"), ("muslim", "Muslim"),
                   ("hindu", "Hindu"), ("sikh", "Sikh"), ("other", "Other"), ("prefer_not", "Prefer not to say")]),
                _q("sexuality", "select_one", "Q40. Sexual orientation", [("heterosexual", "Heterosexual"), ("gay_lesbian", "Gay or lesbian"),
                   ("bisexual", "Bisexual"), ("other", "Other"), ("prefer_not", "Prefer not to say")]),
                _q("postcode", "text", "Q41. The first part of your postcode"),
            ]),
        ],
    }
