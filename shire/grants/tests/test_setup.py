"""Officers' setup pages: programmes, rounds, themes, eligibility questions, questions, documents, criteria."""
from datetime import date

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse

from shire.core.models import AuditEvent, User
from shire.core.tests.factories import make_officer, make_team

from ..models import (
    ApplicationQuestion,
    AssessorAssignment,
    Award,
    Criterion,
    EligibilityQuestion,
    Programme,
    RequiredDocument,
    Round,
    Score,
    Theme,
)
from ..forms_officer import MonitoringReturnForm
from ..templatetags.grants_tags import field_kind
from .factories import PASSWORD, make_applicant, make_application, make_community_user, make_programme, make_round, submit, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(officer):
    return signed_in(officer)


def round_data(**overrides):
    data = {
        "name": "2019-20",
        "slug": "",
        "description": "Projects that improve the lives of vulnerable and disadvantaged people.",
        "budget_pence": "386,715",
        "opens_on_day": "1", "opens_on_month": "4", "opens_on_year": "2019",
        "closes_on_day": "31", "closes_on_month": "5", "closes_on_year": "2019",
        "eligible_org_types": ["charity", "community_group", "social_enterprise", "town_parish_council"],
        "must_be_in_leicestershire": "yes",
        "min_request_pence": "1000",
        "max_request_pence": "£10,000",
        "max_applications_per_organisation": "1",
    }
    data.update(overrides)
    return data


# --- programmes -------------------------------------------------------------------------------------


def test_an_officer_creates_a_programme_for_their_team(client, team, officer):
    response = client.post(
        reverse("grants:setup-programme-create"),
        {"name": "SHIRE Community Grants", "slug": "", "code": "scg", "kind": "community_grants",
         "description": "Grants for the voluntary and community sector.", "team": team.pk},
    )
    programme = Programme.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("grants:setup-programme", args=[programme.slug])
    assert (programme.slug, programme.code, programme.team, programme.created_by) == (
        "shire-community-grants", "SCG", team, officer,
    )
    assert AuditEvent.objects.filter(action="grants.programme.created", object_id=str(programme.pk), actor=officer).exists()
    page = client.get(reverse("grants:setup"))
    assert b"SHIRE Community Grants" in page.content


def test_a_programme_form_with_problems_says_what_is_wrong_and_keeps_what_was_typed(client, team):
    response = client.post(
        reverse("grants:setup-programme-create"),
        {"name": "", "code": "S1", "kind": "emergency_fund", "description": "Typed <b>description</b>", "team": team.pk},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_name">Enter the programme&#x27;s name' in html
    assert "Reference letters must be 2 to 6 capital letters" in html
    assert "Typed &lt;b&gt;description&lt;/b&gt;" in html  # kept, and escaped
    assert 'value="emergency_fund" checked' in html
    assert not Programme.objects.exists()


def test_an_officer_can_only_give_a_programme_to_their_own_team(client, team):
    other = make_team("Highways Team")
    response = client.post(
        reverse("grants:setup-programme-create"),
        {"name": "Road grants", "code": "RG", "kind": "community_grants", "team": other.pk},
    )
    assert response.status_code == 200
    assert "Select one of your teams" in response.content.decode()
    assert not Programme.objects.exists()


def test_programme_wide_themes_are_added_changed_and_removed(client, team):
    programme = make_programme(team=team)
    client.post(reverse("grants:setup-programme-theme-create", args=[programme.slug]),
                {"name": "Disadvantaged young people", "description": "", "order": "1"})
    theme = Theme.objects.get(programme=programme)
    assert theme.round is None and theme.slug == "disadvantaged-young-people"
    client.post(reverse("grants:setup-programme-theme-edit", args=[programme.slug, theme.pk]),
                {"name": "Young people", "description": "Aged 11 to 25", "order": "1"})
    theme.refresh_from_db()
    assert theme.name == "Young people"
    duplicate = client.post(reverse("grants:setup-programme-theme-create", args=[programme.slug]),
                            {"name": "young people", "order": "2"})
    assert "already has a theme with this name" in duplicate.content.decode()
    client.post(reverse("grants:setup-programme-theme-edit", args=[programme.slug, theme.pk]), {"delete": "1"})
    assert not Theme.objects.exists()


# --- rounds -----------------------------------------------------------------------------------------


def test_an_officer_adds_a_round_with_budget_dates_and_eligibility(client, team, officer):
    programme = make_programme(team=team)
    response = client.post(reverse("grants:setup-round-create", args=[programme.slug]), round_data())
    round_ = Round.objects.get()
    assert response.status_code == 302
    assert round_.slug == "shire-community-grants-2019-20"
    assert round_.budget_pence == 38_671_500
    assert (round_.min_request_pence, round_.max_request_pence) == (100_000, 1_000_000)
    assert (round_.opens_on, round_.closes_on) == (date(2019, 4, 1), date(2019, 5, 31))
    assert round_.eligible_org_types == ["charity", "community_group", "social_enterprise", "town_parish_council"]
    assert round_.must_be_in_leicestershire is True
    assert round_.status == Round.Status.DRAFT
    assert AuditEvent.objects.filter(action="grants.round.created", actor=officer, detail__budget_pence=38_671_500).exists()
    page = client.get(reverse("grants:setup-round", args=[round_.slug]))
    assert "£386,715" in page.content.decode()


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"budget_pence": "lots"}, "Budget must be an amount in pounds"),
        ({"closes_on_day": "1", "closes_on_month": "3"}, "Closing date must be the same as or after the opening date"),
        ({"min_request_pence": "20000"}, "Largest grant must be the same as or more than the smallest grant"),
        ({"max_request_pence": "500000"}, "Largest grant cannot be more than the budget"),
        ({"eligible_org_types": []}, "Select at least one type of organisation that may apply"),
        ({"opens_on_month": "13"}, "Opening date must be a real date"),
        ({"must_be_in_leicestershire": ""}, "Select yes if projects must benefit people in Leicestershire"),
    ],
)
def test_round_form_problems_are_explained_and_the_typing_kept(client, team, overrides, message):
    programme = make_programme(team=team)
    response = client.post(reverse("grants:setup-round-create", args=[programme.slug]), round_data(**overrides))
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and message in html
    assert 'value="Projects that improve' not in html  # textarea, not an input
    assert "Projects that improve the lives of vulnerable and disadvantaged people." in html
    assert not Round.objects.exists()


def test_a_rounds_budget_cannot_fall_below_what_it_has_awarded(client, team):
    round_ = make_round(team=team)
    member, organisation = make_applicant()
    application = submit(make_application(round_, organisation, member), member)
    Award.objects.create(application=application, amount_pence=900_000, award_date=date(2020, 1, 1))
    data = round_data(name=round_.name, budget_pence="8000", max_request_pence="5000", min_request_pence="0")
    response = client.post(reverse("grants:setup-round-edit", args=[round_.slug]), data)
    assert "Budget cannot be less than the £9,000 2019-20 has already awarded" in response.content.decode()
    round_.refresh_from_db()
    assert round_.budget_pence == 38_671_500


def test_a_budget_change_is_audited_with_before_and_after(client, team, officer):
    round_ = make_round(team=team)
    data = round_data(name=round_.name, slug=round_.slug, budget_pence="500000")
    assert client.post(reverse("grants:setup-round-edit", args=[round_.slug]), data).status_code == 302
    event = AuditEvent.objects.get(action="grants.round.updated")
    assert event.detail["budget_pence_before"] == 38_671_500 and event.detail["budget_pence"] == 50_000_000


def test_round_items_are_added_with_their_settings(client, team):
    round_ = make_round(team=team, status=Round.Status.DRAFT, questions=False, documents=False, criteria=False, themes=False)
    url = lambda kind: reverse("grants:setup-item-create", args=[round_.slug, kind])  # noqa: E731
    assert client.post(url("themes"), {"name": "Wider community vulnerability", "order": "3"}).status_code == 302
    assert client.post(url("eligibility-questions"), {
        "question": "Has your organisation run for at least a year?", "hint": "", "eligible_answer": "yes",
        "reason": "This round funds only organisations that have run for at least a year.", "order": "1",
    }).status_code == 302
    assert client.post(url("questions"), {
        "label": "Who will benefit?", "hint": "Tell us about them", "kind": "long_text", "required": "yes", "max_words": "300", "order": "1",
    }).status_code == 302
    assert client.post(url("documents"), {
        "name": "Latest accounts", "hint": "", "allowed_types": ["pdf", "xlsx"], "max_size_mb": "4", "required": "no", "order": "1",
    }).status_code == 302
    assert client.post(url("criteria"), {
        "name": "Need", "description": "Evidence of need", "weight": "3", "max_score": "10", "order": "1",
    }).status_code == 302

    theme = Theme.objects.get()
    assert theme.round == round_ and theme.programme == round_.programme
    assert EligibilityQuestion.objects.get(round=round_).eligible_answer is True
    question = ApplicationQuestion.objects.get(round=round_)
    assert (question.kind, question.required, question.max_words) == ("long_text", True, 300)
    document = RequiredDocument.objects.get(round=round_)
    assert (document.allowed_types, document.max_size_bytes, document.required) == (["pdf", "xlsx"], 4 * 1024 * 1024, False)
    criterion = Criterion.objects.get(round=round_)
    assert (criterion.weight, criterion.max_score) == (3, 10)
    assert AuditEvent.objects.filter(action__in=[
        "grants.theme.created", "grants.eligibilityquestion.created", "grants.applicationquestion.created",
        "grants.requireddocument.created", "grants.criterion.created",
    ]).count() == 5

    page = client.get(reverse("grants:setup-round", args=[round_.slug])).content.decode()
    for text in ["Wider community vulnerability", "Has your organisation run for at least a year?", "Who will benefit?",
                 "Latest accounts", "PDF, Excel (XLSX)", "Weight 3, scored 0 to 10"]:
        assert text in page


def test_an_item_form_with_problems_shows_them(client, team):
    round_ = make_round(team=team, status=Round.Status.DRAFT)
    response = client.post(reverse("grants:setup-item-create", args=[round_.slug, "criteria"]),
                           {"name": "", "weight": "0", "max_score": "five", "order": "1"})
    html = response.content.decode()
    assert "Enter the criterion" in html and "Weight must be 1 or more" in html and "Highest score must be a whole number" in html
    assert round_.criteria.count() == 2


def test_items_are_changed_and_removed(client, team):
    round_ = make_round(team=team, status=Round.Status.DRAFT)
    question = round_.questions.first()
    client.post(reverse("grants:setup-item-edit", args=[round_.slug, "questions", question.pk]),
                {"label": "Who benefits, and how?", "kind": "text", "required": "no", "max_words": "", "order": "1"})
    question.refresh_from_db()
    assert (question.label, question.kind, question.required, question.max_words) == ("Who benefits, and how?", "text", False, None)
    confirm = client.get(reverse("grants:setup-item-delete", args=[round_.slug, "questions", question.pk]))
    assert "Are you sure you want to remove this question?" in confirm.content.decode()
    client.post(reverse("grants:setup-item-delete", args=[round_.slug, "questions", question.pk]))
    assert not ApplicationQuestion.objects.filter(pk=question.pk).exists()


def test_an_unknown_kind_of_item_is_not_found(client, team):
    round_ = make_round(team=team)
    assert client.get(reverse("grants:setup-item-create", args=[round_.slug, "budgets"])).status_code == 404


def test_publishing_needs_questions_and_criteria(client, team, officer):
    round_ = make_round(team=team, status=Round.Status.DRAFT, questions=False, criteria=False)
    client.post(reverse("grants:setup-round-publish", args=[round_.slug]))
    round_.refresh_from_db()
    assert round_.status == Round.Status.DRAFT
    Criterion.objects.create(round=round_, name="Need")
    ApplicationQuestion.objects.create(round=round_, label="Why?")
    client.post(reverse("grants:setup-round-publish", args=[round_.slug]))
    round_.refresh_from_db()
    assert round_.status == Round.Status.PUBLISHED and round_.published_at
    assert AuditEvent.objects.filter(action="grants.round.published", actor=officer).exists()
    client.post(reverse("grants:setup-round-close", args=[round_.slug]))
    round_.refresh_from_db()
    assert round_.status == Round.Status.CLOSED and not round_.is_open()


def test_a_round_with_applications_cannot_go_back_to_draft(client, team):
    round_ = make_round(team=team)
    member, organisation = make_applicant()
    make_application(round_, organisation, member, filled=False)
    client.post(reverse("grants:setup-round-unpublish", args=[round_.slug]))
    round_.refresh_from_db()
    assert round_.status == Round.Status.PUBLISHED


def test_the_form_is_locked_once_an_application_is_started(client, team):
    round_ = make_round(team=team)
    member, organisation = make_applicant()
    make_application(round_, organisation, member, filled=False)
    question = round_.questions.first()
    for kind in ("questions", "documents", "eligibility-questions"):
        response = client.post(reverse("grants:setup-item-create", args=[round_.slug, kind]),
                               {"label": "Sneaky", "name": "Sneaky", "question": "Sneaky?", "reason": "r", "kind": "text",
                                "required": "yes", "eligible_answer": "yes", "allowed_types": ["pdf"], "max_size_mb": "1", "order": "1"})
        assert response.status_code == 302
    client.post(reverse("grants:setup-item-delete", args=[round_.slug, "questions", question.pk]))
    assert round_.questions.count() == 2 and round_.required_documents.count() == 1 and not round_.eligibility_questions.exists()
    assert ApplicationQuestion.objects.filter(pk=question.pk).exists()
    page = client.get(reverse("grants:setup-round", args=[round_.slug])).content.decode()
    assert "cannot change" in page


def test_criteria_are_locked_once_scoring_starts(client, team, officer):
    round_ = make_round(team=team)
    member, organisation = make_applicant()
    application = submit(make_application(round_, organisation, member), member)
    assignment = AssessorAssignment.objects.create(application=application, assessor=officer, assigned_by=officer)
    criterion = round_.criteria.first()
    Score.objects.create(assignment=assignment, criterion=criterion, score=4)
    client.post(reverse("grants:setup-item-edit", args=[round_.slug, "criteria", criterion.pk]),
                {"name": "Changed", "weight": "9", "max_score": "5", "order": "1"})
    criterion.refresh_from_db()
    assert (criterion.name, criterion.weight) == ("Need", 2)


def test_a_theme_chosen_by_an_application_cannot_be_removed(client, team):
    round_ = make_round(team=team)
    member, organisation = make_applicant()
    application = make_application(round_, organisation, member)
    theme = application.theme
    response = client.post(reverse("grants:setup-programme-theme-edit", args=[round_.programme.slug, theme.pk]), {"delete": "1"}, follow=True)
    assert "cannot be removed" in response.content.decode()
    assert Theme.objects.filter(pk=theme.pk).exists()


# --- who may use the setup pages --------------------------------------------------------------------


def setup_urls(programme, round_):
    question = round_.questions.first()
    theme = programme.themes.first()
    return [
        reverse("grants:setup-programme", args=[programme.slug]),
        reverse("grants:setup-programme-edit", args=[programme.slug]),
        reverse("grants:setup-programme-theme-create", args=[programme.slug]),
        reverse("grants:setup-programme-theme-edit", args=[programme.slug, theme.pk]),
        reverse("grants:setup-round-create", args=[programme.slug]),
        reverse("grants:setup-round", args=[round_.slug]),
        reverse("grants:setup-round-edit", args=[round_.slug]),
        reverse("grants:setup-item-create", args=[round_.slug, "questions"]),
        reverse("grants:setup-item-edit", args=[round_.slug, "questions", question.pk]),
        reverse("grants:setup-item-delete", args=[round_.slug, "questions", question.pk]),
    ]


POST_ONLY = ["grants:setup-round-publish", "grants:setup-round-close", "grants:setup-round-unpublish"]


def test_anonymous_people_are_sent_to_sign_in_from_every_setup_page(team):
    round_ = make_round(team=team)
    client = Client()
    for url in setup_urls(round_.programme, round_) + [reverse("grants:setup"), reverse("grants:setup-programme-create")]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/staff/sign-in/?next="), url
    for name in POST_ONLY:
        assert client.post(reverse(name, args=[round_.slug])).status_code == 302


@pytest.mark.parametrize("who", ["community", "other_team", "administrator"])
def test_people_outside_the_team_are_refused_every_setup_page_and_change_nothing(team, who):
    round_ = make_round(team=team, status=Round.Status.DRAFT)
    if who == "community":
        user = make_community_user("member@example.org")
    elif who == "other_team":
        user = make_officer("highways", team=make_team("Highways Team"))
    else:
        user = make_officer("admin", role=User.Role.ADMINISTRATOR)
    client = signed_in(user)
    read_only = {reverse("grants:setup-programme", args=[round_.programme.slug]), reverse("grants:setup-round", args=[round_.slug])}
    for url in setup_urls(round_.programme, round_):
        assert client.get(url).status_code == 403, url
        if url not in read_only:
            assert client.post(url, {"name": "Hijacked", "label": "Hijacked", "delete": "1"}).status_code == 403, url
    for name in POST_ONLY:
        assert client.post(reverse(name, args=[round_.slug])).status_code == 403
    round_.refresh_from_db()
    assert round_.status == Round.Status.DRAFT and round_.name == "2019-20"
    assert round_.questions.count() == 2 and round_.programme.themes.count() == 3
    assert not Round.objects.filter(name="Hijacked").exists()
    if who == "community":
        assert client.get(reverse("grants:setup")).status_code == 403
        assert client.post(reverse("grants:setup-programme-create"), {"name": "X", "code": "XX", "kind": "community_grants", "team": team.pk}).status_code == 403
        assert Programme.objects.count() == 1


def test_an_officer_sees_only_their_teams_programmes(team, officer):
    make_programme(team=team)
    make_programme(team=make_team("Highways Team"), name="Road safety fund", slug="road-safety", code="RSF")
    html = signed_in(officer).get(reverse("grants:setup")).content.decode()
    assert "SHIRE Community Grants" in html and "Road safety fund" not in html


def test_a_community_member_cannot_use_the_staff_sign_in_to_reach_staff_pages(team):
    make_community_user("member@example.org")
    client = Client()
    response = client.post("/staff/sign-in/", {"username": "member@example.org", "password": PASSWORD})
    assert response.status_code == 302  # signed in ...
    assert client.get("/staff/")["Location"] == "/grants/account/"  # ... but not an officer: sent to their account
    assert client.get("/staff/consultations/").status_code == 403
    assert client.get(reverse("grants:setup")).status_code == 403


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_setup_pages_are_accessible_in_a_browser(page, live_server):
    from shire.core.tests.browser import assert_accessible, sign_in

    team = make_team()
    make_officer("officer", team=team)
    round_ = make_round(team=team, status=Round.Status.DRAFT)
    base = live_server.url
    sign_in(page, base, "officer", PASSWORD)

    def check(path=None):
        if path:
            page.goto(base + path)
        assert_accessible(page)
        assert not page.shire_errors, page.shire_errors

    check(reverse("grants:setup"))
    check(reverse("grants:setup-programme-create"))
    page.click("button:has-text('Create programme')")
    assert "There is a problem" in page.content()
    check()
    check(reverse("grants:setup-programme", args=[round_.programme.slug]))
    check(reverse("grants:setup-round-create", args=[round_.programme.slug]))
    page.fill("#id_opens_on_day", "40")
    page.click("button:has-text('Add round')")
    assert "There is a problem" in page.content()
    check()
    check(reverse("grants:setup-round", args=[round_.slug]))
    for kind in ("themes", "eligibility-questions", "questions", "documents", "criteria"):
        check(reverse("grants:setup-item-create", args=[round_.slug, kind]))
    check(reverse("grants:setup-item-delete", args=[round_.slug, "questions", round_.questions.first().pk]))
    page.goto(base + reverse("grants:setup-round", args=[round_.slug]))
    page.click("button:has-text('Publish the round')")
    assert "is published" in page.content()
    check()


def _input_types(html, name):
    return {element.get("type") for element in lxml.html.fromstring(html).iter("input") if element.get("name") == name}


def test_choices_of_many_are_checkboxes_so_an_officer_can_tick_more_than_one(client, team):
    # CheckboxSelectMultiple is a kind of RadioSelect in Django: rendered as radios, a browser
    # would let an officer pick only one type of organisation or one file type.
    programme = make_programme(team=team)
    page = client.get(reverse("grants:setup-round-create", args=[programme.slug])).content.decode()
    assert _input_types(page, "eligible_org_types") == {"checkbox"}
    assert _input_types(page, "must_be_in_leicestershire") == {"radio"}
    round_ = make_round(programme=programme, status=Round.Status.DRAFT, questions=False, documents=False, criteria=False, themes=False)
    page = client.get(reverse("grants:setup-item-create", args=[round_.slug, "documents"])).content.decode()
    assert _input_types(page, "allowed_types") == {"checkbox"}
    # The same for the outcomes a funded organisation reports in a monitoring return.
    assert field_kind(MonitoringReturnForm(award=None)["outcomes"]) == "checkboxes"
