"""Proposing themes and coding answers in the background (consult/tasks.py): the officer's request
queues the work, the Tasks framework's database worker runs it, and the themes pages show its
state. The queued work is run by the worker itself (`db_worker --batch`, in this process), with
the real database backend and the real sentence models."""
import re
import threading
import time
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shire.consult import coding, tasks, themes
from shire.consult.models import AnswerCoding, Theme, ThemeWork
from shire.consult.tests.test_coding import ANSWERS, add_codebook, coding_of, make_text_consultation
from shire.core.models import AuditEvent
from shire.core.testing import run_background_work, with_worker
from shire.core.tests.factories import make_officer, make_team

pytestmark = pytest.mark.django_db


class OfficerActsMidRun:
    """The real embedder, except that the first time the engine asks it for vectors (after the work
    has read the codebook and the reviewed answers, before it writes anything) an officer does
    something in another browser tab."""

    def __init__(self, act):
        self.real, self.act = themes.default_embedder(), act

    def __getattr__(self, name):
        return getattr(self.real, name)

    def embed(self, *args, **kwargs):
        if self.act:
            act, self.act = self.act, None
            act()
        return self.real.embed(*args, **kwargs)


@pytest.fixture
def consultation(team):
    return make_text_consultation(team=team, answers=ANSWERS)


def url(name, consultation, *args, question="q33"):
    return reverse(f"consult_results:{name}", args=[consultation.slug, question, *args])


def work_json(client, consultation, question="q33"):
    """The question's page asked for JSON, as background-work.js asks."""
    return client.get(url("themes-question", consultation, question=question), HTTP_ACCEPT="application/json")


def test_the_question_page_is_html_unless_json_is_asked_for(consultation, staff):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = staff.get(url("themes-question", consultation), HTTP_ACCEPT=browser)
    assert page["Content-Type"].startswith("text/html") and "Accept" in page["Vary"]
    assert staff.get(url("themes-question", consultation))["Content-Type"].startswith("text/html")
    data = work_json(staff, consultation)
    assert data["Content-Type"] == "application/json" and "Accept" in data["Vary"]
    assert data.json() == {"work": None, "html": ""}


@with_worker
def test_the_list_of_questions_shows_each_ones_latest_work(consultation, staff):
    def row():
        page = staff.get(reverse("consult_results:themes", args=[consultation.slug])).content.decode()
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page[page.index("q33: "):page.index("</tr>", page.index("q33: "))]))

    assert "Coding the answers" not in row() and "Proposing themes" not in row()
    add_codebook(consultation)
    staff.post(url("themes-code", consultation))
    assert "Coding the answers: Waiting to start" in row()
    run_background_work()
    assert "Coding the answers: Done" in row()


@with_worker
def test_coding_is_queued_at_once_and_run_by_the_worker(consultation, staff, officer):
    add_codebook(consultation)
    response = staff.post(url("themes-code", consultation))
    assert response.status_code == 302 and response["Location"] == url("themes-question", consultation)
    assert not AnswerCoding.objects.exists()  # nothing coded in the request
    work = ThemeWork.objects.get()
    assert (work.kind, work.status, work.started_by, work.question) == ("code", "queued", officer, "q33")
    task = DBTaskResult.objects.get(id=work.task_id)
    assert (task.status, task.task_path, task.args_kwargs["args"]) == ("READY", "shire.consult.tasks.code_answers", [work.pk])
    assert AuditEvent.objects.get(action="themes.code_started", actor=officer).detail == {"question": "q33", "work": work.pk}

    page = staff.get(url("themes-question", consultation)).content.decode()
    assert "Shire will code the answers in the background" in page
    assert "Waiting to start</strong> Shire is waiting to start coding the answers" in page
    assert "Started by Alex Officer at " in page
    assert f'<a class="govuk-link" href="{url("themes-question", consultation)}" data-shire-work-check>Check progress</a>' in page
    assert 'aria-live="polite"' in page and "consult/background-work.js" in page
    status = work_json(staff, consultation)
    assert status["Content-Type"] == "application/json" and status["Cache-Control"] == "no-store"
    data = status.json()
    assert (data["work"]["status"], data["work"]["active"], data["work"]["started_by"]) == ("queued", True, "Alex Officer")
    assert "Shire is waiting to start coding the answers" in data["html"]

    # Pressing again, here or on the review page, or proposing themes, starts nothing more.
    response = staff.post(url("themes-code", consultation))
    page = response.content.decode()
    assert response.status_code == 400 and "Shire is already coding the answers for this question (started by Alex Officer at" in page
    assert 'href="#work"' in page
    response = staff.post(url("themes-code", consultation), {"next": "review"}, follow=True)
    assert "Shire is already coding the answers for this question" in response.content.decode()
    response = staff.post(url("themes-propose", consultation), {"max_themes": "3", "replace": "yes"})
    assert response.status_code == 400 and "Shire is already coding the answers" in response.content.decode()
    assert ThemeWork.objects.count() == 1 and DBTaskResult.objects.count() == 1 and Theme.objects.count() == 3

    run_background_work()
    work.refresh_from_db()
    assert (work.status, work.result["coded"], work.result["examples"], work.errors) == ("done", 12, 0, [])
    assert work.started_at and work.finished_at
    assert DBTaskResult.objects.get(id=work.task_id).status == "SUCCESSFUL"
    assert AnswerCoding.objects.count() == 12  # every answer (the fixture has 12)
    assert AuditEvent.objects.get(action="themes.coded").actor == officer
    for address in (url("themes-question", consultation), url("themes-review", consultation)):
        page = staff.get(address).content.decode()
        assert "Done</strong> Shire coded 12 answers" in page and "Review the least confident first." in page
        assert "Check progress" not in page and "background-work.js" not in page
    assert work_json(staff, consultation).json()["work"]["active"] is False


@with_worker
def test_proposing_themes_runs_in_the_background(consultation, staff):
    response = staff.post(url("themes-propose", consultation), {"max_themes": "3"})
    assert response.status_code == 302 and not Theme.objects.exists()
    work = ThemeWork.objects.get()
    assert (work.kind, work.options) == ("propose", {"max_themes": 3, "replace": False})
    assert AuditEvent.objects.get(action="themes.propose_started").detail["max_themes"] == 3
    assert "Shire is waiting to start proposing themes" in staff.get(url("themes-question", consultation)).content.decode()
    run_background_work()
    made = Theme.objects.filter(origin="proposed").count()
    assert 2 <= made <= 3
    page = staff.get(url("themes-question", consultation)).content.decode()
    assert f"Shire proposed {made} themes" in page and "Check them, change them as you need" in page
    # What is refused at once is refused in the request, and nothing is queued.
    response = staff.post(url("themes-propose", consultation), {"max_themes": "3"})
    assert response.status_code == 400 and "already has themes" in response.content.decode()
    assert ThemeWork.objects.count() == 1


@with_worker
def test_a_refusal_in_the_background_is_shown_and_the_officers_work_is_kept(consultation, staff, monkeypatch):
    staff.post(url("themes-propose", consultation), {"max_themes": "3"})

    def add():  # while Shire reads the answers, an officer types in a theme of their own
        assert staff.post(url("themes-add", consultation), {"name": "Parking"}).status_code == 302

    monkeypatch.setattr(themes, "_default_embedder", OfficerActsMidRun(add))
    run_background_work()
    work = ThemeWork.objects.get()
    assert work.status == "failed" and work.errors == [
        "Themes were added to this question while Shire was reading the answers, so Shire kept them and proposed "
        "none. Tick the box to replace them, or carry on with them"]
    assert list(Theme.objects.values_list("name", flat=True)) == ["Parking"]
    page = staff.get(url("themes-question", consultation)).content.decode()
    assert "Could not finish</strong> Shire could not finish proposing themes" in page
    assert "Themes were added to this question while Shire was reading the answers" in page
    assert "; stopped at " in page
    data = work_json(staff, consultation).json()["work"]
    assert (data["status"], data["detail"]) == ("failed", work.errors)
    # Finished work does not stand in the way of more.
    assert staff.post(url("themes-code", consultation)).status_code == 302


@with_worker
def test_a_correction_made_while_coding_runs_is_kept(consultation, staff, officer, monkeypatch):
    book = add_codebook(consultation)
    coding.code_answers(consultation, "q33", officer)
    library, bus = coding_of(consultation, 0), coding_of(consultation, 1)
    assert (library.theme, bus.theme) == (book["libraries"], book["transport"])
    # The officer's review page is open with these answers; then they press "Update suggestions".
    assert staff.post(url("themes-code", consultation), {"next": "review"}).status_code == 302

    def correct():  # Shire would say "Libraries"; the officer says otherwise while it works
        response = staff.post(url("themes-review", consultation), {"coding": library.pk, "theme": book["volunteers"].pk})
        assert response.status_code == 302

    monkeypatch.setattr(themes, "_default_embedder", OfficerActsMidRun(correct))
    run_background_work()
    assert ThemeWork.objects.get().status == "done"
    kept = AnswerCoding.objects.get(pk=library.pk)
    assert (kept.theme, kept.reviewed, kept.reviewed_by) == (book["volunteers"], True, officer)
    assert AnswerCoding.objects.count() == len(ANSWERS)
    # The run changed codings in place: the page opened before it still corrects the same answer.
    response = staff.post(url("themes-review", consultation), {"coding": bus.pk, "theme": book["libraries"].pk})
    assert response.status_code == 302
    assert coding_of(consultation, 1).theme == book["libraries"] and coding_of(consultation, 1).reviewed


@with_worker
def test_a_theme_deleted_while_coding_runs_means_nothing_is_saved(consultation, staff, monkeypatch):
    book = add_codebook(consultation)
    staff.post(url("themes-code", consultation))
    monkeypatch.setattr(themes, "_default_embedder", OfficerActsMidRun(
        lambda: staff.post(url("themes-delete", consultation, book["volunteers"].pk))))
    run_background_work()
    work = ThemeWork.objects.get()
    assert work.status == "failed" and work.errors == [
        "A theme was merged or deleted while Shire was coding the answers, so Shire saved nothing: code the answers again"]
    assert not AnswerCoding.objects.exists() and Theme.objects.count() == 2


@with_worker
def test_work_stopped_mid_way_changes_nothing_and_can_be_started_again(consultation, staff, officer, monkeypatch):
    book = add_codebook(consultation)
    coding.code_answers(consultation, "q33", officer)
    coding.review_coding(coding_of(consultation, 2), officer, book["volunteers"])
    before = sorted(AnswerCoding.objects.values_list("pk", "theme_id", "reviewed", "confidence"))
    staff.post(url("themes-code", consultation))

    def stop():  # the worker told to stop at once (a second Ctrl+C): it raises SystemExit in the task
        raise SystemExit(1)

    monkeypatch.setattr(themes, "_default_embedder", OfficerActsMidRun(stop))
    run_background_work()
    work = ThemeWork.objects.get()
    assert (work.status, work.errors) == ("failed", [tasks.LOST])
    assert DBTaskResult.objects.get(id=work.task_id).status == "FAILED"
    assert sorted(AnswerCoding.objects.values_list("pk", "theme_id", "reviewed", "confidence")) == before
    assert "Shire stopped before it finished" in staff.get(url("themes-question", consultation)).content.decode()
    assert staff.post(url("themes-code", consultation)).status_code == 302
    assert ThemeWork.objects.filter(status="queued").count() == 1


@with_worker
def test_work_whose_worker_was_lost_is_given_up(consultation, staff):
    add_codebook(consultation)
    staff.post(url("themes-code", consultation))
    work = ThemeWork.objects.get()
    # Killed outright (out of memory, say): the row says running long after the work would be done.
    ThemeWork.objects.filter(pk=work.pk).update(status="running",
                                                started_at=timezone.now() - tasks.GIVE_UP_AFTER - timedelta(seconds=1))
    assert work_json(staff, consultation).json()["work"]["status"] == "failed"
    assert ThemeWork.objects.get(pk=work.pk).errors == [tasks.LOST]
    # Its task failed in the worker outside Shire's code: the queued work is given up too.
    staff.post(url("themes-code", consultation))
    second = ThemeWork.objects.get(status="queued")
    DBTaskResult.objects.filter(id=second.task_id).update(status="FAILED")
    page = staff.get(url("themes-question", consultation)).content.decode()
    assert "Shire stopped before it finished" in page
    # A task given up is skipped if a worker comes back to it.
    DBTaskResult.objects.filter(id=second.task_id).update(status="READY")
    run_background_work()
    assert ThemeWork.objects.get(pk=second.pk).status == "failed" and not AnswerCoding.objects.exists()


def test_running_work_is_kept_while_its_worker_beats_and_given_up_minutes_after_it_stops(consultation, staff):
    add_codebook(consultation)
    staff.post(url("themes-code", consultation))
    work = ThemeWork.objects.get()
    now = timezone.now()
    # A long piece of work whose worker is alive: started ten minutes ago, marked a moment ago.
    ThemeWork.objects.filter(pk=work.pk).update(status="running", started_at=now - timedelta(minutes=10),
                                                heartbeat_at=now - timedelta(seconds=5))
    assert work_json(staff, consultation).json()["work"]["status"] == "running"
    # The worker killed outright: no mark for longer than LOST_AFTER, though well within GIVE_UP_AFTER.
    ThemeWork.objects.filter(pk=work.pk).update(heartbeat_at=now - tasks.LOST_AFTER - timedelta(seconds=1))
    assert work_json(staff, consultation).json()["work"]["status"] == "failed"
    assert ThemeWork.objects.get(pk=work.pk).errors == [tasks.LOST]
    assert staff.post(url("themes-code", consultation)).status_code == 302


@with_worker
def test_the_worker_marks_work_alive_while_it_runs_and_stops_when_it_ends(consultation, staff, monkeypatch):
    add_codebook(consultation)
    staff.post(url("themes-code", consultation))
    monkeypatch.setattr(tasks, "HEARTBEAT_EVERY", timedelta(seconds=0.02))
    # The models take a while: the heartbeat's own thread marks the work meanwhile.
    monkeypatch.setattr(themes, "_default_embedder", OfficerActsMidRun(lambda: time.sleep(0.5)))
    run_background_work()
    work = ThemeWork.objects.get()
    assert work.status == "done" and work.heartbeat_at > work.started_at
    assert not [t for t in threading.enumerate() if t.name.endswith("-heartbeat")]


def test_two_requests_at_once_start_one_piece_of_work(consultation, officer):
    add_codebook(consultation)
    first = tasks.start(consultation, "q33", officer, ThemeWork.Kind.CODE)
    # The database refuses a second active row even when the check before it is passed by.
    with pytest.raises(IntegrityError), transaction.atomic():
        ThemeWork.objects.create(consultation=consultation, question="q33", kind="propose")
    with pytest.raises(tasks.WorkUnderWay, match="already coding the answers"):
        tasks.start(consultation, "q33", officer, ThemeWork.Kind.PROPOSE, replace=True)
    assert list(ThemeWork.objects.all()) == [first]


def test_only_the_teams_officers_see_or_start_the_work(consultation, officer):
    add_codebook(consultation)
    tasks.start(consultation, "q33", officer, ThemeWork.Kind.CODE)
    anonymous = work_json(Client(), consultation)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("core:login"))
    for user in (make_officer("other", team=make_team("Grants Team")), make_officer("admin", role="administrator")):
        client = Client()
        client.force_login(user)
        assert work_json(client, consultation).status_code == 403
        assert client.post(url("themes-code", consultation)).status_code == 403
        assert client.post(url("themes-propose", consultation), {"max_themes": "3"}).status_code == 403
    assert ThemeWork.objects.count() == 1 and AuditEvent.objects.filter(action__endswith="_started").count() == 1
    other_question = Client()
    other_question.force_login(officer)
    assert work_json(other_question, consultation, question="respondent_type").status_code == 404
    assert work_json(other_question, consultation, question="q34").json() == {"work": None, "html": ""}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_progress_is_announced_without_a_reload_or_moving_focus(page, live_server):
    """The officer starts coding; the page says it waits, passes axe (WCAG 2.2 AA), and when the
    worker has run, the polite live region says what came of it: no reload, focus where it was."""
    from playwright.sync_api import expect

    from shire.core.tests.browser import assert_accessible, focused, sign_in

    team = make_team("Communities Team")
    make_officer("officer", team=team)
    consultation = make_text_consultation(team=team, answers=ANSWERS)
    add_codebook(consultation)
    sign_in(page, live_server.url, "officer", "correct horse battery")
    page.goto(live_server.url + url("themes-question", consultation))
    page.get_by_role("button", name="Code the answers").click()
    page.wait_for_load_state()
    region = page.locator("#work [aria-live=polite]")
    expect(region).to_contain_text("Shire is waiting to start coding the answers")
    assert_accessible(page)
    link = page.locator("#work [data-shire-work-check]")
    expect(link).to_have_text("Check progress")
    link.focus()
    address = page.url
    run_background_work()
    expect(region).to_contain_text("Shire coded 12 answers", timeout=30_000)
    expect(link).to_have_text("Show the results")
    assert focused(page)["text"] == "Show the results" and page.url == address
    assert_accessible(page)
    link.click()
    page.wait_for_load_state()
    assert "12 of 12" in page.content() and "Check progress" not in page.content()
    page.goto(live_server.url + url("themes-review", consultation))
    assert_accessible(page)
    assert not page.shire_errors


def test_a_review_of_a_coding_that_has_just_gone_says_so(consultation, officer):
    book = add_codebook(consultation)
    coding.code_answers(consultation, "q33", officer)
    opened = coding_of(consultation, 0)  # the officer's page has it; then its theme is deleted
    coding.delete_theme(opened.theme, officer)
    with pytest.raises(coding.ThemeError, match="This answer's coding has just gone"):
        coding.review_coding(opened, officer, book["transport"])
    assert not AnswerCoding.objects.filter(response=opened.response).exists()
    assert not AuditEvent.objects.filter(action="themes.answer_reviewed").exists()
