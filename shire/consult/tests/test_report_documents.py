"""The officers' results report as files, prepared in the background (consult/documents.py): the
results page queues the work, the Tasks framework's database worker (`db_worker --batch`, in this
process, with the real renderers) writes the file into private storage, and the officer
downloads it once ready; the same data gives the same file without new work."""
import io
import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shire.consult import documents, tasks
from shire.consult.models import AnswerCoding, Questionnaire, ReportDocument, Response, Theme, WorkshopVote
from shire.consult.tests.test_reports import answers, make_consultation
from shire.core.models import AuditEvent, User
from shire.core.testing import run_background_work, with_worker
from shire.core.tests.factories import make_officer, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(team):
    return make_consultation(team=team)


def results_url(consultation, group=None):
    return reverse("consult_results:staff", args=[consultation.slug]) + (f"?group={group}" if group else "")


def download_url(consultation, fmt, group=None):
    return reverse("consult_results:download", args=[consultation.slug, fmt]) + (f"?group={group}" if group else "")


def status_url(consultation, fmt, group=None):
    return reverse("consult_results:document-status", args=[consultation.slug, fmt]) + (f"?group={group}" if group else "")


def press_prepare(client, consultation, fmt, group=None):
    """The officer presses "Prepare the … report" on the results page."""
    return client.post(reverse("consult_results:prepare", args=[consultation.slug]),
                       {"format": fmt, **({"group": group} if group else {})})


def prepared(client, consultation, fmt, group=None):
    """The officer prepares the report in `fmt`, the worker runs, and they download it: the download.
    Tests that call it are marked `with_worker`."""
    assert press_prepare(client, consultation, fmt, group).status_code == 302
    run_background_work()
    return client.get(download_url(consultation, fmt, group))


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def stored_files():
    folder = Path(settings.MEDIA_ROOT) / documents.FOLDER
    return sorted(p.relative_to(settings.MEDIA_ROOT).as_posix() for p in folder.rglob("*") if p.is_file())


def add_response(consultation):
    return Response.objects.create(consultation=consultation, response_id="R999", answers=answers(0))


@with_worker
def test_preparing_is_queued_at_once_and_the_worker_writes_the_pdf(consultation, staff, officer):
    page = text(staff.get(results_url(consultation)))
    assert "Not prepared yet" in page and "Prepare the PDF report</button>" in page
    assert staff.get(download_url(consultation, "pdf")).status_code == 404  # nothing to download yet

    response = press_prepare(staff, consultation, "pdf")
    assert response.status_code == 302 and response["Location"] == results_url(consultation)
    document = ReportDocument.objects.get()
    assert (document.format, document.group_by, document.status, document.started_by) == ("pdf", "", "queued", officer)
    assert not document.file and stored_files() == []  # nothing rendered in the request
    task = DBTaskResult.objects.get(id=document.task_id)
    assert (task.status, task.task_path, task.args_kwargs["args"]) == (
        "READY", "shire.consult.tasks.prepare_report_document", [document.pk])
    assert AuditEvent.objects.get(action="consultation.results_report_requested", actor=officer).detail == {
        "format": "pdf", "group_by": "", "document": document.pk}

    page = text(staff.get(results_url(consultation)))
    assert "Shire will prepare the PDF report in the background" in page
    assert "Waiting to start</strong> <strong>Preparing the PDF report…</strong>" in page
    assert 'aria-live="polite"' in page and "consult/background-work.js" in page
    # Without JavaScript, "Check progress" loads the page again.
    assert (f'<a class="govuk-link" href="{results_url(consultation)}" data-shire-work-check>Check progress'
            '<span class="govuk-visually-hidden"> of the PDF report</span></a>') in page
    assert "Prepare the PDF report</button>" not in page  # one at a time
    status = staff.get(status_url(consultation, "pdf"))
    assert status["Content-Type"] == "application/json" and status["Cache-Control"] == "no-store"
    data = status.json()
    assert (data["work"]["status"], data["work"]["active"], data["work"]["heading"]) == (
        "queued", True, "Preparing the PDF report…")
    assert "Preparing the PDF report…" in data["html"]

    run_background_work()
    document.refresh_from_db()
    assert (document.status, document.errors) == ("done", [])
    assert document.file.name.startswith(f"{documents.FOLDER}/{consultation.pk}/") and document.file.name.endswith(".pdf")
    assert stored_files() == [document.file.name] and document.size == document.file.size
    assert document.signature == documents.signature(consultation)
    page = text(staff.get(results_url(consultation)))
    assert "Done</strong> <strong>The PDF report is ready</strong>" in page and "Prepared at " in page
    assert " by Alex Officer." in page and "Check progress" not in page and "background-work.js" not in page
    assert f'href="{download_url(consultation, "pdf")}" download>Download the PDF report</a>' in page
    assert document.file.name not in page and settings.MEDIA_URL not in page  # the file has no address of its own
    data = staff.get(status_url(consultation, "pdf")).json()
    assert (data["work"]["status"], data["work"]["active"], data["work"]["up_to_date"]) == ("done", False, True)
    assert "Download the PDF report" in data["html"]

    download = staff.get(download_url(consultation, "pdf"))
    body = b"".join(download.streaming_content)
    assert download.status_code == 200 and body.startswith(b"%PDF") and len(body) == document.size
    assert download["Content-Type"] == "application/pdf" and download["Cache-Control"] == "private, no-store"
    assert download["Content-Disposition"] == (
        f'attachment; filename="communities-small-results-{timezone.localdate().isoformat()}.pdf"')
    assert [(e.actor, e.object_id, e.detail) for e in AuditEvent.objects.filter(action="consultation.results_downloaded")] == [
        (officer, str(consultation.pk), {"format": "pdf", "group_by": ""})]


@with_worker
def test_word_and_json_documents_hold_the_report(consultation, staff):
    word = b"".join(prepared(staff, consultation, "docx").streaming_content)
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(word)).namelist()
    report = json.loads(b"".join(prepared(staff, consultation, "json").streaming_content))
    assert report["responses"] == 10 and report["questions"]["q10"]["combined_top3"]["local"] == 25
    assert ReportDocument.objects.filter(status="done").count() == 2  # one a format


@with_worker
def test_the_same_data_gives_the_stored_document_without_new_work(consultation, staff):
    prepared(staff, consultation, "json")
    page = text(staff.get(results_url(consultation)))
    assert "The JSON report is ready" in page and "Prepare the JSON report" not in page
    response = press_prepare(staff, consultation, "json")  # a page opened earlier still has the button
    assert response.status_code == 302
    assert "The JSON report prepared before is up to date, so Shire did not prepare it again" in text(
        staff.get(response["Location"]))
    assert ReportDocument.objects.count() == 1 and DBTaskResult.objects.count() == 1
    # Another grouping is another document.
    assert press_prepare(staff, consultation, "json", group="respondent_type").status_code == 302
    assert ReportDocument.objects.filter(group_by="respondent_type", status="queued").count() == 1


@with_worker
def test_a_new_response_makes_it_out_of_date_and_preparing_it_again_replaces_it(consultation, staff):
    prepared(staff, consultation, "json")
    first = ReportDocument.objects.get()
    add_response(consultation)
    page = text(staff.get(results_url(consultation)))
    assert "Answers have changed since it was prepared: prepare it again for the latest figures." in page
    assert "Prepare the JSON report again</button>" in page and ", out of date)" in page
    assert staff.get(status_url(consultation, "json")).json()["work"]["up_to_date"] is False
    # The out-of-date document can still be downloaded, as it was, until a new one is ready.
    assert json.loads(b"".join(staff.get(download_url(consultation, "json")).streaming_content))["responses"] == 10
    assert press_prepare(staff, consultation, "json").status_code == 302
    page = text(staff.get(results_url(consultation)))
    assert "Preparing the JSON report…" in page and "is still here, though answers have changed since it was prepared" in page
    assert json.loads(b"".join(staff.get(download_url(consultation, "json")).streaming_content))["responses"] == 10

    run_background_work()
    second = ReportDocument.objects.get()  # the first went, file and all
    assert second.pk != first.pk and second.status == "done"
    assert stored_files() == [second.file.name] and not default_storage.exists(first.file.name)
    assert json.loads(b"".join(staff.get(download_url(consultation, "json")).streaming_content))["responses"] == 11
    assert "Answers have changed" not in text(staff.get(results_url(consultation)))


@with_worker
def test_a_file_replaced_between_the_page_and_the_download_is_not_found(consultation, staff):
    prepared(staff, consultation, "csv")
    document = ReportDocument.objects.get()
    default_storage.delete(document.file.name)  # as when a newer one is ready a moment before the click
    assert staff.get(download_url(consultation, "csv")).status_code == 404
    assert AuditEvent.objects.filter(action="consultation.results_downloaded").count() == 1  # the first download only


def test_the_signature_changes_with_whatever_the_report_is_made_from(consultation, officer):
    seen = {documents.signature(consultation)}

    def changed():
        signed = documents.signature(consultation)
        assert signed not in seen
        seen.add(signed)
        return True

    assert documents.signature(consultation) in seen  # nothing changed, nothing new
    assert documents.signature(consultation, "respondent_type") not in seen
    add_response(consultation)
    assert changed()
    Response.objects.filter(response_id="R000").delete()  # back to ten, but not the same ten
    assert changed()
    vote = WorkshopVote.objects.get(workshop__name="LECG", option="local")
    WorkshopVote.objects.filter(pk=vote.pk).update(votes=12)
    assert changed()
    vote.workshop.name = "LECG (equalities)"
    vote.workshop.save()
    assert changed()
    theme = Theme.objects.create(consultation=consultation, question="comments", key="parking", name="Parking")
    assert changed()
    answer = Response.objects.filter(consultation=consultation).first()
    coding = AnswerCoding.objects.create(consultation=consultation, question="comments", response=answer, theme=theme)
    assert changed()
    AnswerCoding.objects.filter(pk=coding.pk).update(reviewed=True, reviewed_at=timezone.now())
    assert changed()
    consultation.title = "Communities Strategy 2026"
    consultation.save()
    assert changed()


def test_two_requests_at_once_prepare_one_document(consultation, officer):
    first, queued = documents.start(consultation, "pdf", officer)
    assert queued
    # The database refuses a second active row even when the check before it is passed by.
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportDocument.objects.create(consultation=consultation, format="pdf")
    with pytest.raises(documents.DocumentUnderWay, match=r"Shire is already preparing the PDF report \(asked for by Alex Officer at"):
        documents.start(consultation, "pdf", officer)
    assert list(ReportDocument.objects.all()) == [first] and DBTaskResult.objects.count() == 1
    # Another format or grouping is prepared beside it.
    assert documents.start(consultation, "pdf", officer, group_by="respondent_type")[1]
    assert documents.start(consultation, "csv", officer)[1]


def test_pressing_while_it_is_prepared_says_so(consultation, staff):
    press_prepare(staff, consultation, "pdf")
    response = press_prepare(staff, consultation, "pdf")
    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page and "Shire is already preparing the PDF report (asked for by Alex Officer" in page
    assert 'href="#document-pdf"' in page and ReportDocument.objects.count() == 1


@pytest.mark.parametrize("data, message", [
    ({"format": "exe"}, "&#x27;exe&#x27; is not a report format"),
    ({"format": "pdf", "group": "comments"}, "Choose a question from the list to group the respondents by."),
])
def test_a_bad_request_is_refused_and_queues_nothing(consultation, staff, data, message):
    response = staff.post(reverse("consult_results:prepare", args=[consultation.slug]), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not ReportDocument.objects.exists() and not DBTaskResult.objects.exists()


@with_worker
def test_a_report_that_cannot_be_made_is_shown_and_can_be_tried_again(consultation, staff):
    press_prepare(staff, consultation, "pdf", group="respondent_type")
    # Before the worker starts, a new questionnaire makes respondent_type free text.
    questionnaire = Questionnaire.objects.get(consultation=consultation)  # read afresh: changed below
    for page in questionnaire.definition["pages"]:
        for item in page["items"]:
            if item["name"] == "respondent_type":
                item["type"] = "text"
    questionnaire.save()
    run_background_work()
    document = ReportDocument.objects.get()
    assert document.status == "failed" and not document.file and stored_files() == []
    assert document.errors == ["'respondent_type' is not a question with choices that can split the respondents into groups."]
    data = staff.get(status_url(consultation, "pdf", group="respondent_type")).json()["work"]
    assert (data["heading"], data["detail"]) == ("Shire could not prepare the PDF report", document.errors)


@with_worker
def test_a_fault_is_shown_in_plain_words_and_can_be_tried_again(consultation, staff, settings, tmp_path):
    # The storage's folder cannot be written (here a file stands where the folder should be).
    settings.MEDIA_ROOT = tmp_path / "not-a-folder"
    settings.MEDIA_ROOT.write_text("")
    press_prepare(staff, consultation, "csv")
    run_background_work()
    document = ReportDocument.objects.get()
    assert (document.status, document.errors) == ("failed", [documents.FAULT])
    page = text(staff.get(results_url(consultation)))
    assert "Could not finish</strong> <strong>Shire could not prepare the CSV report</strong>" in page
    assert "because of a fault in Shire itself" in page and "Prepare the CSV report</button>" in page
    settings.MEDIA_ROOT = tmp_path / "media"
    assert prepared(staff, consultation, "csv").status_code == 200
    assert ReportDocument.objects.get().status == "done"  # the failed one went with it


def test_a_document_whose_worker_was_lost_is_given_up(consultation, staff):
    press_prepare(staff, consultation, "pdf")
    document = ReportDocument.objects.get()
    ReportDocument.objects.filter(pk=document.pk).update(
        status="running", started_at=timezone.now() - timedelta(minutes=5),
        heartbeat_at=timezone.now() - tasks.LOST_AFTER - timedelta(seconds=1))
    data = staff.get(status_url(consultation, "pdf")).json()["work"]
    assert (data["status"], data["detail"]) == ("failed", [tasks.LOST])
    assert "Shire stopped before it finished" in text(staff.get(results_url(consultation)))
    assert press_prepare(staff, consultation, "pdf").status_code == 302
    assert ReportDocument.objects.filter(status="queued").count() == 1


@with_worker
def test_only_the_teams_officers_prepare_see_or_download_documents(consultation, staff):
    prepared(staff, consultation, "pdf")
    urls = [download_url(consultation, "pdf"), status_url(consultation, "pdf")]
    anonymous = Client()
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("core:login")), url
    assert press_prepare(anonymous, consultation, "csv")["Location"].startswith(reverse("core:login"))
    for user in (make_officer("other", team=make_team("Grants Team")), make_officer("admin", role=User.Role.ADMINISTRATOR)):
        client = Client()
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user, url)
        assert press_prepare(client, consultation, "csv").status_code == 403
    assert ReportDocument.objects.count() == 1
    assert AuditEvent.objects.filter(action="consultation.results_downloaded").count() == 1  # the team's own
    for url in (reverse("consult_results:download", args=["nope", "pdf"]), reverse("consult_results:document-status", args=["nope", "pdf"])):
        assert staff.get(url).status_code == 404
    assert staff.get(download_url(consultation, "exe")).status_code == 404
    assert staff.get(download_url(consultation, "csv")).status_code == 404  # not prepared


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_preparing_by_keyboard_is_announced_and_the_download_link_appears(page, live_server):
    """The officer presses Prepare with the keyboard; the page says Shire is preparing it, passes axe
    (WCAG 2.2 AA), and when the worker has run, the polite live region offers the download: no
    reload, focus where it was."""
    from playwright.sync_api import expect

    from shire.core.tests.browser import assert_accessible, focused, sign_in

    team = make_team("Communities Team")
    make_officer("officer", team=team)
    consultation = make_consultation(team=team)
    sign_in(page, live_server.url, "officer", "correct horse battery")
    page.goto(live_server.url + results_url(consultation))
    assert_accessible(page)
    page.get_by_role("button", name="Prepare the PDF report").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    region = page.locator("#document-pdf-state [aria-live=polite]")
    expect(region).to_contain_text("Preparing the PDF report…")
    assert_accessible(page)
    link = page.locator("#document-pdf-state [data-shire-work-check]")
    link.focus()
    address = page.url
    run_background_work()
    expect(region).to_contain_text("The PDF report is ready", timeout=30_000)
    expect(link).to_have_text("Update this page")
    assert focused(page)["text"] == "Update this page" and page.url == address
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF report").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    assert not page.shire_errors
