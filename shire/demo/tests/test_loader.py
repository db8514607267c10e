"""`shire demo load`: what it creates, and that running it again changes nothing."""
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from shire.consult.models import Consultation, Questionnaire, Response
from shire.core.models import AuditEvent, Team, User
from shire.demo import loader

pytestmark = pytest.mark.django_db

LOAD_DAY = date(2025, 6, 2)


def snapshot():
    """Every row the loader can touch, field by field."""
    models = [Team, Team.members.through, User, Consultation, Questionnaire, AuditEvent]
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}


def test_loading_twice_changes_nothing():
    loader.load(today=LOAD_DAY)
    first = snapshot()
    counts = {label: len(rows) for label, rows in first.items()}
    assert counts.pop("core.AuditEvent") > 0  # attaching and publishing are audited (on the first run only)
    # Other capabilities' demo data add community members' accounts; the staff are these three.
    assert User.objects.exclude(role=User.Role.COMMUNITY).count() == 3
    counts.pop("core.User")
    assert counts == {"core.Team": 2, "core.Team_members": 3, "consult.Consultation": 2, "consult.Questionnaire": 2}
    loader.load(today=date(2025, 9, 1))  # a later day must not move the open consultation's dates
    assert snapshot() == first


def test_teams_and_users():
    loader.load(today=LOAD_DAY)
    communities = Team.objects.get(slug="communities-team")
    highways = Team.objects.get(slug="highways-team")
    assert (communities.name, highways.name) == ("Communities Team", "Highways Team")

    officer, admin, highways_officer = (User.objects.get(username=u) for u in ("officer", "admin", "highways"))
    for user in (officer, admin, highways_officer):
        assert user.check_password("shire-demo-password")
    assert (officer.role, officer.is_staff, officer.is_superuser) == (User.Role.OFFICER, False, False)
    assert (admin.role, admin.is_staff, admin.is_superuser) == (User.Role.ADMINISTRATOR, True, True)
    assert highways_officer.role == User.Role.OFFICER
    assert set(communities.members.values_list("username", flat=True)) == {"officer", "admin"}
    assert list(highways.members.values_list("username", flat=True)) == ["highways"]


def test_consultations_are_published_with_the_2017_questionnaire():
    loader.load(today=LOAD_DAY)
    closed = Consultation.objects.get(slug="communities-strategy-2017")
    open_copy = Consultation.objects.get(slug="communities-strategy-2017-open")

    assert closed.title == "Communities Strategy consultation 2017"
    assert (closed.opens_on, closed.closes_on) == (date(2017, 1, 9), date(2017, 3, 31))
    assert (open_copy.opens_on, open_copy.closes_on) == (LOAD_DAY, date(2026, 6, 2))
    assert closed.phase(LOAD_DAY) == "closed"
    assert open_copy.is_open(LOAD_DAY)
    assert closed.published_at.date() == date(2017, 1, 9)
    assert "three priorities" in closed.summary
    assert "We would like to hear your views on how we can deliver the Communities Strategy together" in open_copy.summary
    for consultation in (closed, open_copy):
        assert consultation.is_published
        assert consultation.team.slug == "communities-team"
        assert (consultation.contact_name, consultation.contact_email) == ("Communities Team", "communitiesteam@leics.gov.uk")
        questionnaire = consultation.questionnaire
        assert questionnaire.form_id == "communities_strategy_2017"
        assert questionnaire.source_name == "communities_strategy_2017.xlsx"
        names = [q["name"] for page in questionnaire.definition["pages"] for q in page["items"]]
        assert names[0] == "q01_respondent_type" and names[-1] == "q41_district_area"


def test_reloading_restores_demo_values_but_keeps_answered_questionnaires():
    loader.load(today=LOAD_DAY)
    closed = Consultation.objects.get(slug="communities-strategy-2017")
    Consultation.objects.filter(pk=closed.pk).update(title="Edited by someone", status=Consultation.Status.DRAFT)
    questionnaire = Questionnaire.objects.get(consultation=closed)
    questionnaire.definition = {**questionnaire.definition, "version": "older"}
    questionnaire.save()
    Response.objects.create(consultation=closed, response_id="ABCD-2345", answers={"q01_respondent_type": ["individual"]})

    notes = loader.load(today=LOAD_DAY)

    closed.refresh_from_db()
    assert closed.title == "Communities Strategy consultation 2017"
    assert closed.is_published
    assert Questionnaire.objects.get(consultation=closed).pk == questionnaire.pk  # answers follow the form they had
    assert "communities-strategy-2017 has responses, so its questionnaire was left as it is." in notes


def test_registered_loaders_run_after_the_built_in_ones(monkeypatch):
    monkeypatch.setattr(loader, "_registered", [])
    seen = []

    @loader.register
    def record_teams(context):
        seen.append(sorted(Team.objects.values_list("slug", flat=True)))
        context.note("extra loaded")

    assert loader.load(today=LOAD_DAY)[-1] == "extra loaded"
    assert seen == [["communities-team", "highways-team"]]


def test_a_failing_loader_leaves_the_database_as_it_was(monkeypatch):
    monkeypatch.setattr(loader, "_registered", [])

    @loader.register
    def broken(context):
        raise RuntimeError("demo loader failed")

    with pytest.raises(RuntimeError, match="demo loader failed"):
        loader.load(today=LOAD_DAY)
    assert not Team.objects.exists()
    assert not User.objects.exists()
    assert not Consultation.objects.exists()


def test_command_prints_what_it_loaded_and_the_demo_password():
    out = StringIO()
    call_command("demo", "load", stdout=out)
    text = out.getvalue()
    assert "Users: officer, admin, highways." in text
    assert "'shire-demo-password'" in text
    assert "Consultation communities-strategy-2017: closed, 2017-01-09 to 2017-03-31." in text
    assert Consultation.objects.filter(status=Consultation.Status.PUBLISHED).count() == 2
