"""Who may use the officers' grants pages: every page, every role, and the refusals that change nothing.

Roles: anonymous; an applicant (member of the applying organisation); another community member;
an officer of another team; an officer of the team with a conflict of interest on the application;
an officer of the team not assigned to assess it; the assigned assessor; an officer of the team.
"""
import pytest
from django.test import Client
from django.urls import reverse

from shire.core.tests.factories import make_officer, make_team

from .. import assessment, awards
from ..models import Application, AssessorAssignment, Decision, MonitoringReturn, PaymentInstalment, Score
from .factories import make_community_user, make_round
from .test_assessment import in_assessment

pytestmark = pytest.mark.django_db

S = Application.Status
SIGN_IN = reverse("core:login")
GRANTS_SIGN_IN = reverse("grants:sign-in")


def url(name, *args):
    return reverse(f"grants:grants_officer:{name}", args=args)


@pytest.fixture
def world():
    team = make_team()
    officer = make_officer("officer", team=team)
    assessor = make_officer("assessor", team=team)
    conflicted = make_officer("conflicted", team=team)
    unassigned = make_officer("unassigned", team=team)
    other_team = make_officer("elsewhere", team=make_team("Highways Team"))
    round_ = make_round(team=team)
    live, member = in_assessment(round_, officer, "member@example.org", "Wigston Lunch Club")
    funded, funded_member = in_assessment(round_, officer, "funded@example.org", "Coalville Food Bank")
    for application in (live, funded):
        assessment.assign_assessor(application, assessor, officer)
        assessment.assign_assessor(application, conflicted, officer)
        assessment.declare_conflict(application, conflicted, "Trustee of both.")
    awards.decide(funded, officer, "award", "Good.")
    return {
        "team": team, "round": round_, "live": live, "funded": funded,
        "instalment": PaymentInstalment.objects.get(), "return": MonitoringReturn.objects.get(),
        "users": {
            "anonymous": None, "applicant": member, "funded_member": funded_member,
            "stranger": make_community_user("stranger@example.org"), "other_team": other_team,
            "conflicted": conflicted, "unassigned": unassigned, "assessor": assessor, "officer": officer,
        },
    }


def client_for(world, role):
    client = Client()
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    return client


def target(world, page):
    live, funded, round_ = world["live"], world["funded"], world["round"]
    document = live.documents.first()
    return {
        "index": url("index"),
        "dashboard": url("dashboard"),
        "my-assessments": url("my-assessments"),
        "monitoring": url("monitoring"),
        "triage": url("triage", round_.slug),
        "panel": url("panel", round_.slug),
        "application": url("application", live.reference),
        "application-document": url("application-document", live.reference, document.pk),
        "return": url("return", live.reference),
        "assign": url("assign", live.reference),
        "conflict": url("conflict", live.reference),
        "decide": url("decide", live.reference),
        "score": url("score", live.reference),
        "award": url("award", funded.reference),
        "correct": url("correct", funded.reference),
        "mark-paid": url("mark-paid", world["instalment"].pk),
        "monitoring-return": url("monitoring-return", world["return"].pk),
        "letter": url("letter", funded.reference),
        "monitoring-submit": url("monitoring-submit", world["return"].pk),
        "your-returns": url("your-returns"),
    }[page]


OFFICER_LISTS = ["index", "dashboard", "my-assessments", "monitoring"]
ROUND_PAGES = ["triage", "panel"]
APPLICATION_PAGES = ["application", "application-document", "return", "assign", "conflict", "decide"]
AWARD_PAGES = ["award", "correct", "mark-paid", "monitoring-return"]

# (page, role) -> the status code expected for a GET.
EXPECTED = {}
for page in OFFICER_LISTS + ROUND_PAGES + APPLICATION_PAGES + AWARD_PAGES + ["score"]:
    EXPECTED[(page, "anonymous")] = 302
    EXPECTED[(page, "applicant")] = 403
    EXPECTED[(page, "stranger")] = 403
for page in OFFICER_LISTS:
    EXPECTED.update({(page, role): 200 for role in ("other_team", "conflicted", "unassigned", "officer")})
for page in ROUND_PAGES:
    EXPECTED.update({(page, "other_team"): 403, (page, "conflicted"): 200, (page, "officer"): 200})
for page in APPLICATION_PAGES + AWARD_PAGES:
    EXPECTED.update({(page, "other_team"): 403, (page, "conflicted"): 403, (page, "unassigned"): 200, (page, "officer"): 200})
EXPECTED.update({("score", "other_team"): 403, ("score", "conflicted"): 403, ("score", "unassigned"): 403,
                 ("score", "officer"): 403, ("score", "assessor"): 200})
# Pages that also open to the funded organisation's members.
EXPECTED.update({
    ("letter", "anonymous"): 302, ("letter", "funded_member"): 200, ("letter", "applicant"): 404,
    ("letter", "stranger"): 404, ("letter", "other_team"): 403, ("letter", "conflicted"): 403, ("letter", "officer"): 200,
    ("monitoring-submit", "anonymous"): 302, ("monitoring-submit", "funded_member"): 200,
    ("monitoring-submit", "applicant"): 404, ("monitoring-submit", "stranger"): 404,
    ("monitoring-submit", "other_team"): 404, ("monitoring-submit", "conflicted"): 404, ("monitoring-submit", "officer"): 404,
    ("your-returns", "anonymous"): 302, ("your-returns", "funded_member"): 200, ("your-returns", "officer"): 403,
})


PAGES = sorted({page for page, _ in EXPECTED})


@pytest.mark.parametrize("page", PAGES)
def test_who_may_open_each_page(world, page):
    seen = {}
    for role in world["users"]:
        if (page, role) not in EXPECTED:
            continue
        response = client_for(world, role).get(target(world, page))
        seen[role] = response.status_code
        if response.status_code == 302 and role == "anonymous":
            sign_in = GRANTS_SIGN_IN if page in ("letter", "monitoring-submit", "your-returns") else SIGN_IN
            assert response["Location"].startswith(sign_in + "?next="), response["Location"]
    assert seen == {role: code for (p, role), code in EXPECTED.items() if p == page}


@pytest.mark.parametrize("page", OFFICER_LISTS + ROUND_PAGES)
def test_lists_hide_the_application_from_the_conflicted_and_other_teams(world, page):
    if page in ROUND_PAGES:
        roles = ["conflicted"]
    else:
        roles = ["conflicted", "other_team"]
    for role in roles:
        content = client_for(world, role).get(target(world, page)).content.decode()
        assert world["live"].reference not in content and world["funded"].reference not in content, role
    seen = client_for(world, "officer").get(target(world, "triage")).content.decode()
    assert world["live"].reference in seen


# --- refusals that change nothing ----------------------------------------------------------------------


@pytest.mark.parametrize("role, status", [
    ("anonymous", 302), ("applicant", 403), ("other_team", 403), ("conflicted", 403),
])
def test_refused_officer_actions_change_nothing(world, role, status):
    client = client_for(world, role)
    live = world["live"]
    posts = [
        (url("return", live.reference), {"message": "Send more."}),
        (url("start", live.reference), {}),
        (url("assign", live.reference), {"assessor": world["users"]["unassigned"].pk}),
        (url("conflict", live.reference), {"reason": "x"}),
        (url("decide", live.reference), {"outcome": "decline", "reasons": "No."}),
        (url("send-letter", world["funded"].reference), {}),
        (url("mark-paid", world["instalment"].pk), {"paid_on_day": "1", "paid_on_month": "4", "paid_on_year": "2020"}),
    ]
    for address, data in posts:
        assert client.post(address, data).status_code == status, address
    live.refresh_from_db()
    assert live.status == S.IN_ASSESSMENT
    assert not Decision.objects.filter(application=live).exists()
    assert AssessorAssignment.objects.filter(application=live).count() == 2
    assert not AssessorAssignment.objects.filter(assessor=world["users"]["unassigned"]).exists()
    assert not PaymentInstalment.objects.filter(paid_on__isnull=False).exists()


@pytest.mark.parametrize("role", ["unassigned", "officer", "conflicted", "other_team", "applicant"])
def test_only_the_assigned_assessor_can_post_scores(world, role):
    live = world["live"]
    data = {}
    for criterion in live.round.criteria.all():
        data[f"score_{criterion.pk}"] = "3"
        data[f"comment_{criterion.pk}"] = "ok"
    assert client_for(world, role).post(url("score", live.reference), data).status_code == 403
    assert not Score.objects.exists()
    assert client_for(world, "assessor").post(url("score", live.reference), data).status_code == 302
    assert Score.objects.count() == 2


@pytest.mark.parametrize("role", ["applicant", "stranger", "officer"])
def test_only_the_funded_organisations_members_send_its_return(world, role):
    data = {"people_helped": "5", "outcomes": ["participation"], "money_spent": "10", "case_study": "Story",
            "case_study_may_be_published": "no"}
    monitoring_return = world["return"]
    assert client_for(world, role).post(url("monitoring-submit", monitoring_return.pk), data).status_code == 404
    monitoring_return.refresh_from_db()
    assert monitoring_return.submitted_on is None
