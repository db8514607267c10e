"""`shire demo load`: what it creates, and that running it again changes nothing."""
import csv
import json
from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from shire.consult import coding, reports
from shire.consult.models import AnswerCoding, Consultation, Questionnaire, Response, Theme, WorkshopNote
from shire.core.models import AuditEvent, Team, User
from shire.core.testing import run_background_work
from shire.demo import loader

pytestmark = pytest.mark.django_db

LOAD_DAY = date(2025, 6, 2)


def snapshot():
    """Every row the loader can touch, field by field."""
    models = [Team, Team.members.through, User, Consultation, Questionnaire, Theme, WorkshopNote, AnswerCoding,
              AuditEvent]
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}


def test_loading_twice_changes_nothing():
    loader.load(today=LOAD_DAY)
    first = snapshot()
    counts = {label: len(rows) for label, rows in first.items()}
    assert counts.pop("core.AuditEvent") > 0  # attaching and publishing are audited (on the first run only)
    # Other capabilities' demo data add community members' accounts; the staff are these three.
    assert User.objects.exclude(role=User.Role.COMMUNITY).count() == 3
    counts.pop("core.User")
    assert counts == {"core.Team": 2, "core.Team_members": 3, "consult.Consultation": 2, "consult.Questionnaire": 2,
                      "consult.Theme": 13 + 10, "consult.WorkshopNote": 15, "consult.AnswerCoding": 60 + 15}
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


# --- the 2017 consultation's free-text themes ---------------------------------------------------

FREE_TEXT = loader.SEED003 / "free_text_2017.csv"
Q33, Q31, Q30 = "q33_general_comments", "q31_hubs_council", "q30_volunteering_ideas"
# Invented personal details in three of Q33's answers: never on a public page.
PERSONAL_DETAILS = ("p.jones@example.com", "07700 900123", "0116 496 0123", "LE10 0AB", "Mrs Patel")


def load_built_in():
    """The built-in loaders only (people, places, consultations and their results), as `shire demo
    load` runs them: the 2017 consultation without the other capabilities' demo data."""
    context = loader.DemoContext(today=LOAD_DAY)
    for load in loader.LOADERS:
        load(context)
    return context.notes


def free_text_rows(question, notes=False):
    """The data file's answers to `question` (notes=True: the points noted about it at workshops)."""
    with open(FREE_TEXT, encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["question"] == question and bool(row["workshop"]) == notes]


def test_2017_general_comments_are_coded_and_reviewed_by_the_officer():
    notes = load_built_in()
    closed = Consultation.objects.get(slug="communities-strategy-2017")
    officer = User.objects.get(username="officer")
    book = Theme.objects.filter(consultation=closed, question=Q33)
    assert book.count() == 13 and set(book.values_list("origin", flat=True)) == {Theme.Origin.IMPORTED}
    assert book.get(key="volunteers").name == "Over-reliance on volunteers"
    rows = free_text_rows(Q33)
    codings = AnswerCoding.objects.filter(consultation=closed, question=Q33, response__isnull=False).select_related(
        "response", "theme", "second_theme")
    assert len(rows) == len(coding.online_answers(closed, Q33)) == codings.count() == 60
    assert all(c.reviewed and c.reviewed_by == officer and c.reviewed_at for c in codings)
    assert {c.response.response_id: (c.theme.key, c.second_theme.key if c.second_theme else "") for c in codings} == {
        row["response_id"]: (row["theme"], row["second_theme"]) for row in rows}
    assert any(row["second_theme"] for row in rows)
    noted = free_text_rows(Q33, notes=True)
    note_codings = AnswerCoding.objects.filter(consultation=closed, question=Q33, note__isnull=False).select_related(
        "note__workshop", "theme")
    assert len(noted) == WorkshopNote.objects.filter(consultation=closed, question=Q33).count() == 15
    assert all(c.reviewed and c.reviewed_by == officer for c in note_codings)
    assert sorted((c.note.workshop.name, c.note.text, c.theme.key) for c in note_codings) == sorted(
        (row["workshop"], row["text"], row["theme"]) for row in noted)
    assert set(closed.workshops.values_list("name", flat=True)) == {row["workshop"] for row in noted}  # the seed's five
    assert (f"Answers to {Q33} in communities-strategy-2017 coded by the officer: 60, and workshop notes: 15."
            in notes)


def test_2017_hubs_question_has_its_codebook_and_volunteering_ideas_have_nothing_yet():
    load_built_in()
    closed = Consultation.objects.get(slug="communities-strategy-2017")
    assert Theme.objects.filter(consultation=closed, question=Q31).count() == 10
    assert not AnswerCoding.objects.filter(consultation=closed, question=Q31).exists()
    assert len(coding.online_answers(closed, Q31)) == len(free_text_rows(Q31)) == 44
    assert not Theme.objects.filter(consultation=closed, question=Q30).exists()
    assert not AnswerCoding.objects.filter(consultation=closed, question=Q30).exists()
    assert len(coding.online_answers(closed, Q30)) == len(free_text_rows(Q30)) == 50
    coding.check_propose(closed, Q30)  # the officer can ask Shire to propose themes
    coding.check_code(closed, Q31)  # and to code the hubs answers


@pytest.mark.django_db(transaction=True)  # the officers' JSON report is prepared by the worker, which commits
def test_2017_published_results_show_the_general_comments_themes_with_quotes_redacted():
    load_built_in()
    closed = Consultation.objects.get(slug="communities-strategy-2017")
    rows = free_text_rows(Q33)
    # Each theme counts its answers and the answers that have it as a confirmed second theme.
    expected = Counter(row["theme"] for row in rows) + Counter(row["second_theme"] for row in rows if row["second_theme"])
    figures = coding.theme_figures(closed, Q33)
    assert {e["theme"]: e["count"] for e in figures["themes"]} == {
        key: expected[key] for key in Theme.objects.filter(consultation=closed, question=Q33).values_list("key", flat=True)}
    assert figures["theme_coding"] == {"answers": 60, "coded": 60, "reviewed": 60, "workshop_notes": 15,
                                       "workshop_notes_coded": 15}
    noted = free_text_rows(Q33, notes=True)
    at_workshops = Counter(row["theme"] for row in noted) + Counter(row["second_theme"] for row in noted if row["second_theme"])
    assert {e["theme"]: e["workshop_count"] for e in figures["themes"] if e["workshop_count"]} == dict(at_workshops)

    public = reports.build_report(closed, public=True)["questions"][Q33]
    shown = [e for e in public["themes"] if isinstance(e["count"], int)]
    assert {e["theme"]: e["count"] for e in shown} == {k: n for k, n in expected.items() if n >= coding.PUBLIC_THRESHOLD}
    assert all(e["percent"] == round(e["count"] * 100 / 60 + 1e-9, 1) for e in shown)
    assert all(1 <= len(e["quotes"]) <= coding.QUOTES_PER_THEME for e in shown)
    page = Client().get("/consultations/communities-strategy-2017/results/")
    assert page.status_code == 200
    html = page.content.decode()
    for entry in shown:
        assert entry["name"] in html and entry["quotes"][0].replace("'", "&#x27;") in html
    assert not [detail for detail in PERSONAL_DETAILS if detail in html]

    # Officers' report quotes every theme, the smallest too: transport's three answers, one of
    # them with a phone number and a postcode, which come out redacted.
    client = Client()
    client.force_login(User.objects.get(username="officer"))
    client.post("/staff/consultations/communities-strategy-2017/results/documents/", {"format": "json"})
    run_background_work()
    download = client.get("/staff/consultations/communities-strategy-2017/results/report.json")
    assert download.status_code == 200
    staff = {e["theme"]: e for e in json.loads(b"".join(download.streaming_content))["questions"][Q33]["themes"]}
    assert staff["transport"]["count"] == 3
    assert "Call me on [phone] - I can tell you exactly how bad the buses are in [postcode]." in staff["transport"]["quotes"]
    quotes = " ".join(quote for entry in staff.values() for quote in entry["quotes"])
    assert not [detail for detail in PERSONAL_DETAILS if detail in quotes]
