"""Assessors from outside the programme's team see, open, download and score only the applications
assigned to them; grants officers (the team's officers) see the whole round.

People: `officer`, a grants officer of the Communities Team; `panel`, a panel member with a staff
account in no team, one of the programme's assessors, assigned to `mine` and to the funded
application; `other_team`, an officer of the Highways Team on the programme's assessors and
assigned nothing; `conflicted`, another programme assessor assigned to `mine` who declared a
conflict. `theirs` is an application of the same round assigned to nobody from outside the team.
"""
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from shire.core.models import AuditEvent, User
from shire.core.tests.factories import make_officer, make_team

from .. import assessment, awards
from ..models import (
    Application, AssessorAssignment, Decision, DecisionAmendment, MonitoringReturn, PaymentInstalment, Score,
)
from .factories import make_round, signed_in
from .test_assessment import in_assessment, score_all

pytestmark = pytest.mark.django_db

S = Application.Status


def url(name, *args):
    return reverse(f"grants:grants_officer:{name}", args=args)


@pytest.fixture
def world():
    team = make_team()
    officer = make_officer("officer", team=team)
    colleague = make_officer("colleague", team=team)
    panel = make_officer("panel")  # a staff account in no team
    other_team = make_officer("elsewhere", team=make_team("Highways Team"))
    conflicted = make_officer("conflicted")
    round_ = make_round(team=team)
    programme = round_.programme
    programme.assessors.add(panel, other_team, conflicted)
    mine, _ = in_assessment(round_, officer, "mine@example.org", "Anstey Youth Club")
    theirs, _ = in_assessment(round_, officer, "theirs@example.org", "Blaby Carers")
    funded, _ = in_assessment(round_, officer, "funded@example.org", "Coalville Food Bank")
    for application in (mine, funded):
        assessment.assign_assessor(application, panel, officer)
    assessment.assign_assessor(mine, conflicted, officer)
    assessment.declare_conflict(mine, conflicted, "My sister runs it.")
    assessment.assign_assessor(theirs, colleague, officer)
    score_all(theirs, colleague, [4, 4], comment="Colleague private comment.")
    assessment.assign_assessor(mine, colleague, officer)
    score_all(mine, colleague, [3, 3], comment="Second assessor view: strong partnerships.")
    awards.decide(funded, officer, "award", "Good.")
    return {
        "round": round_, "programme": programme, "mine": mine, "theirs": theirs, "funded": funded,
        "officer": officer, "colleague": colleague, "panel": panel, "other_team": other_team, "conflicted": conflicted,
        "instalment": PaymentInstalment.objects.get(), "return": MonitoringReturn.objects.get(),
    }


def application_urls(application):
    reference = application.reference
    document = application.documents.first()
    return {
        "application": url("application", reference),
        "application-document": url("application-document", reference, document.pk),
        "conflict": url("conflict", reference),
        "score": url("score", reference),
        "return": url("return", reference),
        "assign": url("assign", reference),
        "decide": url("decide", reference),
    }


OWN_WORK = ("application", "application-document", "conflict", "score")
OFFICERS_ONLY = ("return", "assign", "decide")


def test_an_assessor_opens_their_assigned_application_and_nothing_else_of_it_that_is_the_officers(world):
    client = signed_in(world["panel"])
    for name, address in application_urls(world["mine"]).items():
        expected = 200 if name in OWN_WORK else 403
        assert client.get(address).status_code == expected, name


def test_an_assessor_is_refused_every_page_of_an_application_not_assigned_to_them(world):
    for person in ("panel", "other_team"):
        client = signed_in(world[person])
        for name, address in application_urls(world["theirs"]).items():
            assert client.get(address).status_code == 403, (person, name)
    # The officers' POSTs too, and nothing changes.
    client = signed_in(world["panel"])
    theirs = world["theirs"]
    for name, data in (("start", {}), ("return", {"message": "More."}), ("conflict", {"reason": "x"}),
                       ("assign", {"assessor": world["panel"].pk}), ("decide", {"outcome": "decline", "reasons": "No."})):
        assert client.post(url(name, theirs.reference), data).status_code == 403, name
    theirs.refresh_from_db()
    assert theirs.status == S.IN_ASSESSMENT and not Decision.objects.filter(application=theirs).exists()
    assert not AssessorAssignment.objects.filter(application=theirs, assessor=world["panel"]).exists()


def test_an_assessor_is_refused_the_officers_round_award_payment_and_monitoring_pages(world):
    funded, round_ = world["funded"], world["round"]
    client = signed_in(world["panel"])  # assigned to the funded application, and still refused these
    # The members' page for sending a monitoring return: not found for anyone but the organisation.
    assert client.get(url("monitoring-submit", world["return"].pk)).status_code == 404
    for address in (
        url("triage", round_.slug), url("panel", round_.slug), url("award", funded.reference),
        url("correct", funded.reference),
        url("mark-paid", world["instalment"].pk), url("monitoring-return", world["return"].pk),
        url("letter", funded.reference), url("your-returns"),
        reverse("grants:setup-programme", args=[world["programme"].slug]),
        reverse("grants:setup-programme-assessors", args=[world["programme"].slug]),
        reverse("grants:setup-round", args=[round_.slug]),
    ):
        assert client.get(address).status_code == 403, address
    for address, data in (
        (url("send-letter", funded.reference), {}),
        (url("correct", funded.reference), {"outcome": "decline", "reasons": "No."}),
        (url("mark-paid", world["instalment"].pk), {"paid_on_day": "1", "paid_on_month": "4", "paid_on_year": "2020"}),
    ):
        assert client.post(address, data).status_code == 403, address
    assert not PaymentInstalment.objects.filter(paid_on__isnull=False).exists()
    assert not DecisionAmendment.objects.exists()


def test_an_assessors_lists_and_dashboards_show_only_their_assigned_applications(world):
    client = signed_in(world["panel"])
    mine, theirs, round_ = world["mine"], world["theirs"], world["round"]
    assessments = client.get(url("my-assessments")).content.decode()
    assert mine.reference in assessments and world["funded"].reference in assessments
    assert theirs.reference not in assessments
    for address in (url("index"), url("dashboard"), url("monitoring"), reverse("grants:setup")):
        response = client.get(address)
        content = response.content.decode()
        assert response.status_code == 200, address
        assert theirs.reference not in content and round_.name not in content, address
        assert "£2,500" not in content, address  # no money of the round either
    # The officer of another team on the list, assigned nothing, has nothing to assess.
    assert "Anstey Youth Club" not in signed_in(world["other_team"]).get(url("my-assessments")).content.decode()


def test_an_assessor_sees_the_application_but_not_other_assessors_scores_or_the_trail(world):
    page = signed_in(world["panel"]).get(url("application", world["mine"].reference)).content.decode()
    assert world["mine"].title in page and "Score this application" in page
    assert "Second assessor view: strong partnerships." not in page and "History" not in page
    assert "Record the decision" not in page and "Assign an assessor" not in page
    officer_page = signed_in(world["officer"]).get(url("application", world["mine"].reference)).content.decode()
    assert "Second assessor view: strong partnerships." in officer_page and "History" in officer_page


def test_an_assessor_scores_their_assigned_application_and_downloads_its_documents(world):
    mine = world["mine"]
    client = signed_in(world["panel"])
    data = {}
    for criterion in mine.round.criteria.all():
        data[f"score_{criterion.pk}"] = "4"
        data[f"comment_{criterion.pk}"] = "Strong local need."
    assert client.post(url("score", world["theirs"].reference), data).status_code == 403
    assert not Score.objects.filter(assignment__assessor=world["panel"]).exists()

    assert client.post(url("score", mine.reference), data).status_code == 302

    assert Score.objects.filter(assignment__assessor=world["panel"], assignment__application=mine).count() == 2
    document = mine.documents.first()
    download = client.get(url("application-document", mine.reference, document.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action="grants.document.downloaded", actor=world["panel"]).exists()


def test_a_conflicted_assessor_is_still_refused(world):
    client = signed_in(world["conflicted"])
    mine = world["mine"]
    for name, address in application_urls(mine).items():
        assert client.get(address).status_code == 403, name
    assert mine.reference not in client.get(url("my-assessments")).content.decode()


def test_an_assessor_declares_a_conflict_and_loses_the_application(world):
    client = signed_in(world["panel"])
    mine = world["mine"]
    response = client.post(url("conflict", mine.reference), {"reason": "I volunteer there."})
    assert response.status_code == 302 and response["Location"] == url("my-assessments")
    assert client.get(url("application", mine.reference)).status_code == 403
    assert AssessorAssignment.objects.get(application=mine, assessor=world["panel"]).conflict_declared


def test_taken_off_the_programmes_assessors_an_assessor_sees_nothing_more(world):
    client = signed_in(world["panel"])
    assessment.remove_programme_assessor(world["programme"], world["officer"], world["panel"])
    assert client.get(url("application", world["mine"].reference)).status_code == 403
    assert world["mine"].reference not in client.get(url("my-assessments")).content.decode()


def test_taking_an_assessor_off_the_list_withdraws_their_unscored_assignments(world):
    mine, funded = world["mine"], world["funded"]

    def assessors_counted():
        return {a.pk: a.assessor_count for a in assessment.triage_list(world["round"], world["officer"])}[mine.pk]

    assert assessors_counted() == 2  # the outside assessor (not scored yet) and the colleague (scored)

    assessment.remove_programme_assessor(world["programme"], world["officer"], world["panel"])

    assert assessors_counted() == 1
    assert not AssessorAssignment.objects.filter(application=mine, assessor=world["panel"]).exists()
    assert mine.events.filter(kind="note", note__contains="taken off the programme's assessors").exists()
    # A decided application keeps its record, and a declared conflict stays to keep the application hidden.
    assert AssessorAssignment.objects.filter(application=funded, assessor=world["panel"]).exists()
    assert AssessorAssignment.objects.filter(application=mine, assessor=world["conflicted"], conflict_declared=True).exists()


def test_only_the_programmes_grants_officers_and_listed_assessors_can_be_assigned(world):
    theirs = world["theirs"]
    stranger = make_officer("stranger")  # staff, but not on the programme's list
    with pytest.raises(assessment.AssessmentError, match="list of assessors"):
        assessment.assign_assessor(theirs, stranger, world["officer"])
    options = assessment.eligible_assessors(theirs)
    assert world["panel"] in options and world["other_team"] in options and stranger not in options
    assert world["colleague"] not in options  # already assigned
    page = signed_in(world["officer"]).get(url("assign", theirs.reference)).content.decode()
    assert f'value="{world["panel"].pk}"' in page and f'value="{stranger.pk}"' not in page
    # An assessor cannot assign, not even themselves.
    with pytest.raises(PermissionDenied):
        assessment.assign_assessor(theirs, world["panel"], world["panel"])


# --- the programme's list of assessors, on its setup page -------------------------------------------------


def test_a_grants_officer_adds_and_removes_an_assessor_by_e_mail_address(world):
    programme = world["programme"]
    newcomer = make_officer("newcomer")
    client = signed_in(world["officer"])
    page = reverse("grants:setup-programme-assessors", args=[programme.slug])

    response = client.post(page, {"email": "NEWCOMER@example.gov.uk"})

    assert response.status_code == 302
    assert programme.assessors.filter(pk=newcomer.pk).exists()
    assert AuditEvent.objects.filter(action="grants.programme.assessor_added", actor=world["officer"],
                                     detail__assessor=newcomer.pk).exists()
    assert "newcomer@example.gov.uk" in client.get(page).content.decode()
    remove = reverse("grants:setup-programme-assessor-remove", args=[programme.slug, newcomer.pk])
    assert client.post(remove).status_code == 302
    assert not programme.assessors.filter(pk=newcomer.pk).exists()
    assert AuditEvent.objects.filter(action="grants.programme.assessor_removed", detail__assessor=newcomer.pk).exists()


@pytest.mark.parametrize("email, message", [
    ("", "Enter the e-mail address of their staff account"),
    ("nobody@example.gov.uk", "There is no staff account with the e-mail address nobody@example.gov.uk"),
    ("colleague@example.gov.uk", "is an officer of Communities Team"),
    ("panel@example.gov.uk", "is already one of this programme&#x27;s assessors"),
    ("member@example.org", "There is no staff account"),
])
def test_adding_an_assessor_says_what_is_wrong_and_changes_nothing(world, email, message):
    User.objects.create_user(username="member@example.org", email="member@example.org", role=User.Role.COMMUNITY)
    programme = world["programme"]
    before = set(programme.assessors.values_list("pk", flat=True))
    response = signed_in(world["officer"]).post(
        reverse("grants:setup-programme-assessors", args=[programme.slug]), {"email": email}
    )
    assert response.status_code == 200 and message in response.content.decode()  # as the other setup forms
    assert set(programme.assessors.values_list("pk", flat=True)) == before


def test_only_grants_officers_change_the_list_of_assessors(world):
    programme = world["programme"]
    page = reverse("grants:setup-programme-assessors", args=[programme.slug])
    remove = reverse("grants:setup-programme-assessor-remove", args=[programme.slug, world["other_team"].pk])
    for person in ("panel", "other_team"):
        client = signed_in(world[person])
        assert client.get(page).status_code == 403
        assert client.post(page, {"email": "newcomer@example.gov.uk"}).status_code == 403
        assert client.post(remove).status_code == 403
    assert programme.assessors.filter(pk=world["other_team"].pk).exists()


def test_every_officer_url_is_tried_as_an_assessor():
    """The tests above open every page of urls_officer as an assessor from outside the team."""
    from .. import urls_officer

    tried = set(OWN_WORK + OFFICERS_ONLY) | {
        "index", "dashboard", "my-assessments", "monitoring", "triage", "panel", "award", "mark-paid",
        "monitoring-return", "letter", "send-letter", "your-returns", "start", "monitoring-submit", "correct",
    }
    assert {pattern.name for pattern in urls_officer.urlpatterns} == tried
