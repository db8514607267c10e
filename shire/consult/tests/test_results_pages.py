"""The results pages: the officers' report, downloads, workshop votes, publishing, and the public
"we asked, you said" page. Who may see each one, and what each one shows. (Preparing the
downloads in the background: test_report_documents.py.)"""
import csv
import io
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from shire.consult.models import ReportDocument, Workshop, WorkshopVote
from shire.consult.tests.test_report_documents import prepared, press_prepare
from shire.consult.tests.test_reports import make_consultation
from shire.core.models import AuditEvent, User
from shire.core.testing import with_worker
from shire.core.tests.factories import make_officer, make_team

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture
def team():
    return make_team("Communities Team")


@pytest.fixture
def consultation(team):
    return make_consultation(team=team)


@pytest.fixture
def officer(team):
    return make_officer("officer", team=team)


def client_for(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def staff(officer):
    return client_for(officer)


def staff_urls(slug):
    urls = [
        reverse("consult_results:staff", args=[slug]),
        reverse("consult_results:staff", args=[slug]) + "?group=respondent_type",
        reverse("consult_results:workshops", args=[slug]),
        reverse("consult_results:publish", args=[slug]),
    ]
    return urls


def document_urls(slug):
    """Each format's download and the state of its preparation."""
    return [reverse(f"consult_results:{name}", args=[slug, fmt])
            for fmt in ("pdf", "docx", "xlsx", "csv", "json", "html") for name in ("download", "document-status")]


# ------------------------------------------------------------------------------------ who may see


def test_url_paths(consultation):
    assert reverse("consult_results:public", args=["x"]) == "/consultations/x/results/"
    assert reverse("consult_results:staff", args=["x"]) == "/staff/consultations/x/results/"
    assert reverse("consult_results:download", args=["x", "pdf"]) == "/staff/consultations/x/results/report.pdf"
    assert reverse("consult_results:workshops", args=["x"]) == "/staff/consultations/x/results/workshops/"


def test_anonymous_people_are_sent_to_sign_in(consultation):
    client = client_for()
    for url in staff_urls(consultation.slug) + document_urls(consultation.slug):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("core:login")), url
    response = client.post(reverse("consult_results:publish", args=[consultation.slug]), {"results_summary": "x"})
    assert response.status_code == 302
    assert press_prepare(client, consultation, "pdf")["Location"].startswith(reverse("core:login"))
    consultation.refresh_from_db()
    assert consultation.results_published_at is None
    assert not ReportDocument.objects.exists()


def test_officers_of_another_team_are_refused(consultation):
    other = make_officer("other", team=make_team("Grants Team"))
    admin = make_officer("admin", role=User.Role.ADMINISTRATOR)
    for user in (other, admin):
        client = client_for(user)
        for url in staff_urls(consultation.slug) + document_urls(consultation.slug):
            assert client.get(url).status_code == 403, (user, url)
        assert press_prepare(client, consultation, "pdf").status_code == 403
        response = client.post(reverse("consult_results:workshops", args=[consultation.slug]),
                               {"question": "q10", "workshop": "Sneaky", "option_0": "5"})
        assert response.status_code == 403
        response = client.post(reverse("consult_results:publish", args=[consultation.slug]), {"results_summary": "x"})
        assert response.status_code == 403
    assert not Workshop.objects.filter(name="Sneaky").exists() and not ReportDocument.objects.exists()
    consultation.refresh_from_db()
    assert consultation.results_published_at is None
    assert not AuditEvent.objects.filter(action="consultation.results_downloaded").exists()


def test_team_officers_see_every_staff_page(consultation, staff):
    for url in staff_urls(consultation.slug):
        assert staff.get(url).status_code == 200, url


def test_unknown_consultation_or_format_is_not_found(consultation, staff):
    assert staff.get(reverse("consult_results:staff", args=["nope"])).status_code == 404
    assert staff.get(f"/staff/consultations/{consultation.slug}/results/report.exe").status_code == 404


# ------------------------------------------------------------------------------------ the results page


def test_results_page_shows_tables_charts_and_escaped_free_text(consultation, staff):
    page = staff.get(reverse("consult_results:staff", args=[consultation.slug])).content.decode()
    q5 = page[page.index('id="question-q5"'):page.index('id="question-priorities"')]
    assert re.search(r"Strongly agree</th><td[^>]*>3</td><td[^>]*>33.3%</td>", q5)
    assert "Base: 9 who answered" in q5
    assert 'role="img"' in q5 and "shire-bars__bar" in q5  # a chart, with the table as its text alternative
    assert "77.8% of the 9 respondents who answered strongly agree or agree" in q5
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page and "<script>alert" not in page
    for fmt in ("pdf", "docx", "xlsx", "csv", "json", "html"):
        assert f'<input type="hidden" name="format" value="{fmt}">' in page


def test_results_page_groups_respondents_side_by_side(consultation, staff):
    url = reverse("consult_results:staff", args=[consultation.slug])
    page = staff.get(url, {"group": "respondent_type"}).content.decode()
    q23 = page[page.index('id="question-q23"'):page.index('id="question-comments"')]
    assert "Individual (base 6)" in q23 and "Voluntary sector organisation (base 3)" in q23 and "All respondents (base 9)" in q23
    # E-mail: 5 of 6 individuals (83.3%), 2 of 3 voluntary organisations (66.7%), 7 of 9 in all.
    assert re.search(r"By e-mail</th><td[^>]*>5</td><td[^>]*>83.3%</td><td[^>]*>2</td><td[^>]*>66.7%</td>"
                     r"<td[^>]*>0</td><td[^>]*>–</td><td[^>]*>7</td><td[^>]*>77.8%</td>", q23)
    assert '<input type="hidden" name="group" value="respondent_type">' in page  # the files are grouped too


def test_results_page_refuses_an_unknown_group(consultation, staff):
    response = staff.get(reverse("consult_results:staff", args=[consultation.slug]), {"group": "comments"})
    assert response.status_code == 400
    assert "Choose a question from the list" in response.content.decode()


@with_worker
def test_downloads_are_audited_and_complete(consultation, staff, officer):
    response = prepared(staff, consultation, "csv", group="respondent_type")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'attachment; filename="communities-small-results-by-respondent_type-' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert ["q23", "How would you like to hear from us?", "respondent_type=individual", "email", "By e-mail", "5", "83.3", "6",
            "count", "5"] in rows
    response = prepared(staff, consultation, "json")
    assert json.loads(b"".join(response.streaming_content))["questions"]["q10"]["combined_top3"]["local"] == 25
    response = prepared(staff, consultation, "pdf")
    assert b"".join(response.streaming_content).startswith(b"%PDF") and response["Content-Type"] == "application/pdf"
    events = AuditEvent.objects.filter(action="consultation.results_downloaded").order_by("id")
    assert [(e.actor, e.object_id, e.detail) for e in events] == [
        (officer, str(consultation.pk), {"format": "csv", "group_by": "respondent_type"}),
        (officer, str(consultation.pk), {"format": "json", "group_by": ""}),
        (officer, str(consultation.pk), {"format": "pdf", "group_by": ""}),
    ]


# ------------------------------------------------------------------------------------ workshops


def workshops_url(consultation):
    return reverse("consult_results:workshops", args=[consultation.slug])


@with_worker
def test_workshop_votes_are_added_and_shown_in_the_report(consultation, staff, officer):
    page = staff.get(workshops_url(consultation), {"question": "q10"}).content.decode()
    assert 'name="option_0"' in page and "Understand local priorities" in page
    response = staff.post(workshops_url(consultation), {
        "question": "q10", "workshop": "  Parish   Councils ", "option_0": "12", "option_1": "", "option_2": "4", "option_3": "0",
    })
    assert response.status_code == 302
    workshop = Workshop.objects.get(consultation=consultation, name="Parish Councils")
    assert dict(workshop.votes.values_list("option", "votes")) == {"local": 12, "funding": 0, "hub": 4, "champions": 0}
    assert AuditEvent.objects.filter(action="workshop.votes_saved", object_id=str(workshop.pk),
                                     detail={"question": "q10", "total": 16}, actor=officer).exists()
    report = json.loads(b"".join(prepared(staff, consultation, "json").streaming_content))
    assert report["questions"]["q10"]["workshops"]["Parish Councils"]["local"] == 12
    assert report["questions"]["q10"]["combined_top3"]["local"] == 7 + 11 + 7 + 12


def test_workshop_votes_can_be_changed_and_removed(consultation, staff):
    lecg = Workshop.objects.get(consultation=consultation, name="LECG")
    page = staff.get(workshops_url(consultation), {"question": "q10", "workshop_id": lecg.pk}).content.decode()
    assert 'value="LECG"' in page and 'name="option_0" type="text" inputmode="numeric" spellcheck="false" value="11"' in page
    response = staff.post(workshops_url(consultation), {
        "question": "q10", "workshop_id": lecg.pk, "workshop": "LECG (Equalities)",
        "option_0": "10", "option_1": "9", "option_2": "1", "option_3": "1",
    })
    assert response.status_code == 302
    lecg.refresh_from_db()
    assert lecg.name == "LECG (Equalities)"
    assert dict(lecg.votes.values_list("option", "votes"))["local"] == 10
    response = staff.post(workshops_url(consultation), {"question": "q10", "workshop_id": lecg.pk, "action": "remove"})
    assert response.status_code == 302
    assert not Workshop.objects.filter(pk=lecg.pk).exists()
    assert AuditEvent.objects.filter(action="workshop.votes_removed").exists()


@pytest.mark.parametrize("data, message", [
    ({"workshop": "", "option_0": "3"}, "Enter the workshop&#x27;s name"),
    ({"workshop": "Youth forum", "option_0": "-2"}, "Votes for Understand local priorities cannot be less than 0"),
    ({"workshop": "Youth forum", "option_1": "lots"}, "Votes for Access to funding, support and training must be a whole number"),
    ({"workshop": "Youth forum", "option_0": "", "option_1": "0"}, "Enter the votes for at least one option"),
    ({"workshop": "total", "option_0": "3"}, "Call the workshop something other than"),
    ({"workshop": "x" * 121, "option_0": "3"}, "120 characters or fewer"),
])
def test_workshop_votes_are_checked(consultation, staff, data, message):
    before = WorkshopVote.objects.count()
    response = staff.post(workshops_url(consultation), {"question": "q10", **data})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    assert WorkshopVote.objects.count() == before
    assert not Workshop.objects.filter(name="Youth forum").exists()


def test_workshop_votes_need_a_question_with_choices(consultation, staff):
    response = staff.post(workshops_url(consultation), {"question": "comments", "workshop": "X", "option_0": "1"})
    assert response.status_code == 400
    assert "Choose a question with options" in response.content.decode()
    assert not Workshop.objects.filter(name="X").exists()


def test_renaming_a_workshop_to_another_workshops_name_is_refused(consultation, staff):
    lecg = Workshop.objects.get(consultation=consultation, name="LECG")
    response = staff.post(workshops_url(consultation), {"question": "q10", "workshop_id": lecg.pk, "workshop": "Staff", "option_0": "1"})
    assert response.status_code == 400
    assert "There is already a workshop called Staff" in response.content.decode()


# ------------------------------------------------------------------------------------ publishing


def publish_url(consultation):
    return reverse("consult_results:publish", args=[consultation.slug])


def test_publishing_needs_what_we_did(consultation, staff):
    response = staff.post(publish_url(consultation), {"action": "publish", "results_summary": "  "})
    assert response.status_code == 400
    assert "Enter what the council did with people" in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.results_published_at is None


def test_publish_and_unpublish(consultation, staff, officer):
    response = staff.post(publish_url(consultation), {"action": "publish", "results_summary": "We put local priorities first."})
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.results_published_at is not None
    assert consultation.results_summary == "We put local priorities first."
    assert AuditEvent.objects.filter(action="consultation.results_published", actor=officer).count() == 1
    first = consultation.results_published_at
    staff.post(publish_url(consultation), {"action": "publish", "results_summary": "Changed."})
    consultation.refresh_from_db()
    assert consultation.results_published_at == first and consultation.results_summary == "Changed."
    assert AuditEvent.objects.filter(action="consultation.results_summary_updated").count() == 1
    staff.post(publish_url(consultation), {"action": "unpublish"})
    consultation.refresh_from_db()
    assert consultation.results_published_at is None
    assert AuditEvent.objects.filter(action="consultation.results_unpublished").count() == 1
    assert client_for().get(reverse("consult_results:public", args=[consultation.slug])).status_code == 404


# ------------------------------------------------------------------------------------ the public page


def public_url(consultation):
    return reverse("consult_results:public", args=[consultation.slug])


def test_public_page_is_not_found_until_published(consultation):
    assert client_for().get(public_url(consultation)).status_code == 404
    other = make_officer("other", team=make_team("Grants Team"))
    assert client_for(other).get(public_url(consultation)).status_code == 404
    assert client_for().get("/consultations/nope/results/").status_code == 404


def test_team_can_preview_the_public_page(consultation, staff):
    response = staff.get(public_url(consultation))
    assert response.status_code == 200
    assert "Preview: this page is not published" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex"


def test_public_page_suppresses_small_numbers_and_shows_no_free_text(consultation, staff):
    staff.post(publish_url(consultation), {"action": "publish", "results_summary": "We <b>listened</b>.\n\nThen we acted."})
    response = client_for().get(public_url(consultation))
    assert response.status_code == 200
    page = response.content.decode()
    assert "We asked, you said" in page and "Preview" not in page
    assert "We &lt;b&gt;listened&lt;/b&gt;." in page and "<b>listened</b>" not in page
    # respondent_type: individual 6 is shown; the parish council count (1) is suppressed.
    who = page[page.index('id="question-respondent_type"'):page.index('id="question-age"')]
    assert re.search(r"Individual</th><td[^>]*>6</td><td[^>]*>60.0%</td>", who)
    assert re.search(r"Town or parish council</th><td[^>]*>fewer than 5</td><td[^>]*>–</td>", who)
    assert not re.search(r">1</td>", who)
    # No free text, no answers of single respondents (the lowest and highest age), no names.
    assert "Plain comment" not in page and "alert(" not in page and "Any other comments?" not in page
    assert "ranged from" not in page and "Lowest" not in page
    q5 = page[page.index('id="question-q5"'):page.index('id="question-priorities"')]
    assert "fewer than 5" in q5
    # Every answer given to q5 is hidden: its summary says so rather than describe hidden numbers.
    assert "9 respondents answered this question. The number giving each answer is too small to publish." in q5


def test_a_consultation_without_a_questionnaire_has_no_results_yet(team, staff):
    from datetime import date

    from shire.consult.models import Consultation

    bare = Consultation.objects.create(slug="bare", title="Bare", summary="x", opens_on=date(2026, 1, 1),
                                       closes_on=date(2026, 2, 1), contact_name="x", contact_email="x@example.org", team=team)
    response = staff.get(reverse("consult_results:staff", args=[bare.slug]))
    assert response.status_code == 200
    assert "no questionnaire yet" in response.content.decode()
    for url in (reverse("consult_results:download", args=[bare.slug, "pdf"]), reverse("consult_results:workshops", args=[bare.slug]),
                reverse("consult_results:publish", args=[bare.slug])):
        assert staff.get(url).status_code == 404
    assert press_prepare(staff, bare, "pdf").status_code == 404
    assert client_for().get(reverse("consult_results:public", args=[bare.slug])).status_code == 404
