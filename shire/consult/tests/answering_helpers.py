"""Test data for the answering pages: a small questionnaire shaped like the 2017 Communities
Strategy form (routing for individuals and organisations, a likert grid, a ranking, an
"up to three" question), and builders for consultations that use it."""
import copy
from datetime import timedelta

from django.utils import timezone

from shire.consult.models import Consultation, Questionnaire
from shire.core.tests.factories import make_team


def question(name, type_, label, **extra):
    item = {
        "name": name,
        "type": type_,
        "label": label,
        "hint": None,
        "required": False,
        "required_message": None,
        "relevant": None,
        "constraint": None,
        "constraint_message": None,
        "appearance": None,
        "list_name": None,
        "row": 2,
    }
    item.update(extra)
    if "choices" in extra and not item.get("list_name"):
        item["list_name"] = f"{name}_list"
    return item


def choices(*pairs):
    return [{"name": name, "label": label} for name, label in pairs]


AGREE = choices(
    ("strongly_agree", "Strongly agree"),
    ("agree", "Agree"),
    ("neither", "Neither agree nor disagree"),
    ("disagree", "Disagree"),
    ("strongly_disagree", "Strongly disagree"),
    ("dont_know", "Don't know"),
)

METHODS = choices(
    ("website", "On the council website"),
    ("email", "By e-mail"),
    ("newsletter", "In my community newsletter or magazine"),
    ("post", "By post"),
    ("social", "Through social media"),
)

BLOCKS = choices(
    ("priorities", "Understand local priorities"),
    ("engage", "Engage actively with local services"),
    ("funding", "Have access to the right funding, support and training"),
)


def likert(name, label):
    return question(name, "select_one", label, required=True, appearance="likert", list_name="agree", choices=AGREE)


STRATEGY = {
    "form_id": "communities_strategy_test",
    "title": "Communities Strategy consultation",
    "version": "1",
    "pages": [
        {
            "name": "about_you",
            "label": "About you",
            "hint": None,
            "relevant": None,
            "items": [
                question("respondent_type", "select_one", "Are you responding as an individual or for an organisation?",
                         required=True, list_name="respondent_types",
                         choices=choices(("individual", "As an individual"), ("organisation", "For an organisation"))),
            ],
        },
        {
            "name": "your_organisation",
            "label": "Your organisation",
            "hint": None,
            "relevant": "${respondent_type} = 'organisation'",
            "items": [
                question("org_name", "text", "What is the name of your organisation?", required=True),
                question("fte_staff", "integer", "How many full-time equivalent paid staff work for your organisation?",
                         constraint=". >= 0", constraint_message="The number of staff cannot be negative"),
            ],
        },
        {
            "name": "priorities",
            "label": "The priorities",
            "hint": None,
            "relevant": None,
            "items": [
                question("priorities_note", "note", "To what extent do you agree or disagree that these are the right priorities?"),
                likert("p_vulnerable", "Helping communities to support vulnerable people"),
                likert("p_services", "Helping communities to design and deliver services"),
                likert("p_vcs", "Development and effective commissioning of the voluntary sector"),
            ],
        },
        {
            "name": "investment",
            "label": "Investment",
            "hint": None,
            "relevant": None,
            "items": [
                question("investment_order", "rank", "What is your order of priority for investment in communities?",
                         required=True, list_name="blocks", choices=BLOCKS),
            ],
        },
        {
            "name": "information",
            "label": "Keeping in touch",
            "hint": None,
            "relevant": None,
            "items": [
                question("preferred_methods", "select_multiple",
                         "Which would be your most preferred methods of finding out more about the council?",
                         required=True, list_name="methods", choices=METHODS,
                         constraint="count-selected(.) <= 3", constraint_message="Select up to three methods"),
                question("started_volunteering", "date", "When did you start volunteering?",
                         relevant="${respondent_type} = 'individual'"),
                question("comments", "text", "Do you have any other comments on the draft strategy?"),
            ],
        },
    ],
}


def strategy_definition():
    return copy.deepcopy(STRATEGY)


def make_consultation(slug="communities-strategy", definition=None, team=None, status=Consultation.Status.PUBLISHED,
                      opens_in_days=-10, closes_in_days=30, title="Communities Strategy"):
    today = timezone.localdate()
    consultation = Consultation.objects.create(
        slug=slug,
        title=title,
        summary="How the council proposes to work with communities.",
        opens_on=today + timedelta(days=opens_in_days),
        closes_on=today + timedelta(days=closes_in_days),
        contact_name="Communities Team",
        contact_email="communities@example.gov.uk",
        team=team or make_team(name=f"Team for {slug}"),
        status=status,
        published_at=timezone.now() if status == Consultation.Status.PUBLISHED else None,
    )
    definition = definition or strategy_definition()
    Questionnaire.objects.create(
        consultation=consultation, title=definition["title"], form_id=definition["form_id"], definition=definition
    )
    return consultation


def page_url(consultation, number, preview=False):
    prefix = "preview/" if preview else ""
    return f"/consultations/{consultation.slug}/{prefix}questions/{number}/"


# A complete, valid set of POSTs for an individual, page by page (page 2 is routed past).
INDIVIDUAL_PAGES = {
    1: {"respondent_type": "individual"},
    3: {"p_vulnerable": "agree", "p_services": "strongly_agree", "p_vcs": "dont_know"},
    4: {"investment_order-position-priorities": "2", "investment_order-position-engage": "3",
        "investment_order-position-funding": "1"},
    5: {"preferred_methods": ["email", "website"], "started_volunteering-day": "7",
        "started_volunteering-month": "3", "started_volunteering-year": "2015", "comments": "Keep it local."},
}

INDIVIDUAL_ANSWERS = {
    "respondent_type": "individual",
    "p_vulnerable": "agree",
    "p_services": "strongly_agree",
    "p_vcs": "dont_know",
    "investment_order": ["funding", "priorities", "engage"],
    "preferred_methods": ["website", "email"],
    "started_volunteering": "2015-03-07",
    "comments": "Keep it local.",
}


def answer_pages(client, consultation, pages, preview=False):
    """POST each page's data with Continue; returns the last response."""
    response = None
    for number, data in pages.items():
        response = client.post(page_url(consultation, number, preview), {**data, "action": "continue"})
        assert response.status_code == 302, (number, response.status_code, getattr(response, "content", b"")[:2000])
    return response
