"""The officers' themes pages: who may use each one, and what each one does."""
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from shire.consult import coding
from shire.consult.models import AnswerCoding, Response, Theme, ThemeWork, WorkshopNote
from shire.consult.tests.test_coding import ANSWERS, add_codebook, coding_of, make_text_consultation
from shire.core.models import AuditEvent, User
from shire.core.testing import run_background_work, with_worker
from shire.core.tests.factories import make_officer, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(team):
    return make_officer("officer", team=team)


@pytest.fixture
def consultation(team):
    return make_text_consultation(team=team, answers=ANSWERS + ["<script>alert('x')</script> keep the library"])


def url(name, consultation, *args, question="q33"):
    if name == "themes":
        return reverse("consult_results:themes", args=[consultation.slug])
    return reverse(f"consult_results:{name}", args=[consultation.slug, question, *args])


def all_urls(consultation, theme, note):
    """Every themes URL: (url, method, data)."""
    return [
        (url("themes", consultation), "get", None),
        (url("themes-question", consultation), "get", None),
        (url("themes-propose", consultation), "post", {"max_themes": "3"}),
        (url("themes-add", consultation), "get", None),
        (url("themes-add", consultation), "post", {"name": "Sneaky"}),
        (url("themes-merge", consultation), "get", None),
        (url("themes-merge", consultation), "post", {"source": theme.pk, "target": theme.pk}),
        (url("themes-import", consultation), "get", None),
        (url("themes-import", consultation), "post", {}),
        (url("themes-codebook", consultation), "get", None),
        (url("themes-edit", consultation, theme.pk), "get", None),
        (url("themes-edit", consultation, theme.pk), "post", {"name": "Sneaky"}),
        (url("themes-split", consultation, theme.pk), "get", None),
        (url("themes-split", consultation, theme.pk), "post", {"name": "Sneaky", "answers": []}),
        (url("themes-delete", consultation, theme.pk), "get", None),
        (url("themes-delete", consultation, theme.pk), "post", {}),
        (url("themes-code", consultation), "post", {}),
        (url("themes-review", consultation), "get", None),
        (url("themes-review", consultation), "post", {"coding": "1", "theme": str(theme.pk)}),
        (url("themes-notes", consultation), "get", None),
        (url("themes-notes", consultation), "post", {"workshop": "Sneaky", "notes": "x"}),
        (url("themes-note-remove", consultation, note.pk), "post", {}),
    ]


@pytest.fixture
def setup(consultation, officer):
    themes = add_codebook(consultation)
    note = coding.add_workshop_notes(consultation, "q33", officer, "LECG", "Buses are rare")[0]
    return themes, note


# ------------------------------------------------------------------------------------ who may use them


def test_url_paths(consultation):
    assert url("themes", consultation) == "/staff/consultations/themes-small/results/themes/"
    assert url("themes-question", consultation) == "/staff/consultations/themes-small/results/themes/q33/"
    assert url("themes-review", consultation) == "/staff/consultations/themes-small/results/themes/q33/review/"
    assert url("themes-edit", consultation, 7) == "/staff/consultations/themes-small/results/themes/q33/theme/7/"


def test_anonymous_people_are_sent_to_sign_in(consultation, setup):
    themes, note = setup
    client = Client()
    for address, method, data in all_urls(consultation, themes["libraries"], note):
        response = getattr(client, method)(address, data or {})
        assert response.status_code == 302, (method, address)
        assert response["Location"].startswith(reverse("core:login")), address
    assert Theme.objects.count() == 3 and WorkshopNote.objects.count() == 1
    assert not AnswerCoding.objects.exists() and not ThemeWork.objects.exists()


def test_officers_of_another_team_are_refused(consultation, setup):
    themes, note = setup
    before = AuditEvent.objects.count()
    for user in (make_officer("other", team=make_team("Grants Team")), make_officer("admin", role=User.Role.ADMINISTRATOR)):
        client = Client()
        client.force_login(user)
        for address, method, data in all_urls(consultation, themes["libraries"], note):
            assert getattr(client, method)(address, data or {}).status_code == 403, (user, method, address)
    assert [t.name for t in Theme.objects.order_by("pk")] == ["Libraries", "Transport", "Over-reliance on volunteers"]
    assert WorkshopNote.objects.count() == 1 and not AnswerCoding.objects.exists() and not ThemeWork.objects.exists()
    assert AuditEvent.objects.count() == before


def test_team_officers_see_every_page(consultation, setup, staff):
    themes, note = setup
    for address, method, _ in all_urls(consultation, themes["libraries"], note):
        if method == "get":
            assert staff.get(address).status_code == 200, address


def test_unknown_question_theme_or_consultation_is_not_found(consultation, setup, staff):
    themes, _ = setup
    assert staff.get(url("themes-question", consultation, question="respondent_type")).status_code == 404
    assert staff.get(url("themes-question", consultation, question="nope")).status_code == 404
    assert staff.get(url("themes-edit", consultation, themes["libraries"].pk, question="q34")).status_code == 404
    assert staff.get(reverse("consult_results:themes", args=["nope"])).status_code == 404


# ------------------------------------------------------------------------------------ the pages


def test_index_lists_free_text_questions_with_progress(consultation, setup, staff, officer):
    coding.code_answers(consultation, "q33", officer)
    coding.review_coding(coding_of(consultation, 0), officer, setup[0]["libraries"])
    page = staff.get(url("themes", consultation)).content.decode()
    assert "q33: Do you have any other comments on the strategy?" in page and "q34: Anything else?" in page
    row = page[page.index("q33: Do you have"):page.index("q34: Anything")]
    assert re.findall(r"numeric\">([^<]+)</td>", row) == ["13", "1", "3", "14 of 14", "1 of 14"]
    results = staff.get(reverse("consult_results:staff", args=[consultation.slug])).content.decode()
    assert url("themes", consultation) in results


@with_worker
def test_propose_themes(consultation, staff):
    response = staff.post(url("themes-propose", consultation), {"max_themes": "3"})
    assert response.status_code == 302 and response["Location"] == url("themes-question", consultation)
    run_background_work()
    themes = list(Theme.objects.filter(consultation=consultation, question="q33"))
    assert 2 <= len(themes) <= 3 and all(t.origin == "proposed" and t.examples for t in themes)
    page = staff.get(url("themes-question", consultation)).content.decode()
    assert "Example answers" in page and themes[0].name in page
    # A second proposal must replace the first, knowingly.
    response = staff.post(url("themes-propose", consultation), {"max_themes": "3"})
    assert response.status_code == 400 and "already has themes" in response.content.decode()
    assert 'href="#replace"' in response.content.decode()
    assert staff.post(url("themes-propose", consultation), {"max_themes": "99"}).status_code == 400
    assert staff.post(url("themes-propose", consultation), {"max_themes": "3", "replace": "yes"}).status_code == 302
    run_background_work()
    assert ThemeWork.objects.filter(status="done").count() == 2


def test_add_and_change_a_theme(consultation, setup, staff):
    response = staff.post(url("themes-add", consultation), {"name": "", "key": "Bad Key"})
    page = response.content.decode()
    assert response.status_code == 400 and "govuk-error-summary" in page
    assert '<a href="#id_name">Enter the theme&#x27;s name</a>' in page and 'href="#id_key"' in page
    response = staff.post(url("themes-add", consultation), {"name": "Community hubs", "description": "Halls",
                                                            "key_phrases": "hub, hall"})
    assert response.status_code == 302
    theme = Theme.objects.get(key="community_hubs")
    assert (theme.origin, theme.key_phrases) == ("officer", ["hub", "hall"])
    response = staff.post(url("themes-add", consultation), {"name": "Hubs", "key": "community_hubs"})
    assert response.status_code == 400 and "already a theme with the key community_hubs" in response.content.decode()
    response = staff.post(url("themes-edit", consultation, theme.pk), {"name": "Community buildings <b>", "description": ""})
    assert response.status_code == 302
    theme.refresh_from_db()
    assert theme.name == "Community buildings <b>" and theme.key == "community_hubs"
    page = staff.get(url("themes-question", consultation)).content.decode()
    assert "Community buildings &lt;b&gt;" in page
    assert AuditEvent.objects.filter(action__in=["themes.theme_added", "themes.theme_changed"]).count() == 2


@with_worker
def test_code_review_and_update_suggestions(consultation, setup, staff, officer):
    themes, note = setup
    response = staff.post(url("themes-code", consultation))
    assert response.status_code == 302
    run_background_work()
    assert AnswerCoding.objects.filter(consultation=consultation).count() == 14
    page = staff.get(url("themes-review", consultation)).content.decode()
    assert "<strong>0 of 14</strong> answers reviewed" in page
    # Least confident first.
    order = [int(pk) for pk in re.findall(r'<article class="shire-review" id="answer-(\d+)"', page)]
    expected = list(AnswerCoding.objects.order_by("confidence", "id").values_list("pk", flat=True)[:20])
    assert order == expected
    # Officers see the real text, escaped.
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; keep the library" in page and "<script>alert" not in page
    assert "Workshop note, LECG" in page
    # One click on the second suggestion corrects the answer and marks it reviewed.
    answer = AnswerCoding.objects.order_by("confidence", "id").first()
    assert f'name="theme" value="{answer.second_theme_id}"' in page
    response = staff.post(url("themes-review", consultation), {"coding": answer.pk, "theme": answer.second_theme_id})
    assert response.status_code == 302 and response["Location"] == url("themes-review", consultation)
    corrected = AnswerCoding.objects.get(pk=answer.pk)
    assert corrected.reviewed and corrected.theme_id == answer.second_theme_id and corrected.reviewed_by == officer
    assert corrected.second_theme is None
    # Any theme, a second theme and the sentiment from the selects.
    other = AnswerCoding.objects.filter(reviewed=False).order_by("confidence", "id").first()
    response = staff.post(url("themes-review", consultation), {
        "coding": other.pk, "theme": "other", f"other_{other.pk}": themes["volunteers"].pk,
        f"second_{other.pk}": themes["transport"].pk, f"sentiment_{other.pk}": "mixed", "filter_theme": "", "page": "1"})
    assert response.status_code == 302 and response["Location"] == url("themes-review", consultation) + "?page=1"
    other.refresh_from_db()
    assert (other.theme, other.second_theme, other.sentiment, other.reviewed) == (
        themes["volunteers"], themes["transport"], "mixed", True)
    page = staff.get(url("themes-review", consultation)).content.decode()
    assert "<strong>2 of 14</strong> answers reviewed" in page
    reviewed = staff.get(url("themes-review", consultation) + "?show=reviewed").content.decode()
    assert f'id="answer-{other.pk}"' in reviewed and f'id="answer-{answer.pk}"' in reviewed
    # A bad choice is refused.
    response = staff.post(url("themes-review", consultation), {"coding": other.pk, "theme": "999999"})
    assert response.status_code == 400 and "Choose a theme for the answer" in response.content.decode()
    assert staff.post(url("themes-review", consultation), {"coding": "999999", "theme": themes["transport"].pk}).status_code == 404
    # Update suggestions: re-codes the answers not reviewed, keeps the reviewed ones.
    response = staff.post(url("themes-code", consultation), {"next": "review"})
    assert response.status_code == 302 and response["Location"] == url("themes-review", consultation)
    run_background_work()
    assert AuditEvent.objects.filter(action="themes.coded").count() == 2
    assert AuditEvent.objects.get(action="themes.coded", detail__examples=2)
    assert AnswerCoding.objects.get(pk=other.pk).theme == themes["volunteers"]
    assert AuditEvent.objects.filter(action="themes.answer_reviewed").count() == 2


def test_coding_without_themes_says_so(consultation, staff):
    response = staff.post(url("themes-code", consultation))
    assert response.status_code == 400 and "Add or propose themes before coding the answers" in response.content.decode()


def test_merge_split_and_delete(consultation, setup, staff, officer):
    themes, _ = setup
    coding.code_answers(consultation, "q33", officer)
    libraries = AnswerCoding.objects.filter(theme=themes["libraries"]).count()
    transport = AnswerCoding.objects.filter(theme=themes["transport"]).count()
    response = staff.post(url("themes-merge", consultation), {"source": themes["libraries"].pk, "target": themes["libraries"].pk})
    assert response.status_code == 400 and "Choose two different themes to merge" in response.content.decode()
    response = staff.post(url("themes-merge", consultation), {"source": themes["transport"].pk, "target": themes["libraries"].pk})
    assert response.status_code == 302
    assert AnswerCoding.objects.filter(theme=themes["libraries"]).count() == libraries + transport
    assert not Theme.objects.filter(key="transport").exists()
    # Split: the chosen answers move to a new theme.
    page = staff.get(url("themes-split", consultation, themes["libraries"].pk)).content.decode()
    chosen = [c.pk for c in AnswerCoding.objects.filter(theme=themes["libraries"]).order_by("pk")[:2]]
    assert all(f'value="{pk}"' in page for pk in chosen)
    response = staff.post(url("themes-split", consultation, themes["libraries"].pk), {"name": "Buses"})
    assert response.status_code == 400 and "Choose at least one answer to move to the new theme" in response.content.decode()
    response = staff.post(url("themes-split", consultation, themes["libraries"].pk),
                          {"name": "Buses", "description": "Bus services", "answers": chosen})
    assert response.status_code == 302
    buses = Theme.objects.get(key="buses")
    assert sorted(AnswerCoding.objects.filter(theme=buses).values_list("pk", flat=True)) == chosen
    assert all(AnswerCoding.objects.get(pk=pk).reviewed for pk in chosen)
    # Delete: its answers go back to uncoded.
    page = staff.get(url("themes-delete", consultation, buses.pk)).content.decode()
    assert "2 answers coded with this theme (2 reviewed) will go back to uncoded" in page
    assert staff.post(url("themes-delete", consultation, buses.pk)).status_code == 302
    assert not Theme.objects.filter(key="buses").exists()
    assert AnswerCoding.objects.count() == 14 - 2
    assert coding.progress(consultation, "q33")["coded"] == 12


def test_split_page_finds_answers_by_their_words(consultation, setup, staff, officer):
    themes, _ = setup
    coding.code_answers(consultation, "q33", officer)
    page = staff.get(url("themes-split", consultation, themes["libraries"].pk) + "?q=library+VAN").content.decode()
    listed = re.findall(r'<label class="govuk-label govuk-checkboxes__label" for="answer-\d+">([^<]+)', page)
    assert listed and all("library van" in text.lower() for text in listed)
    assert "containing “library VAN”" in page


def test_import_a_codebook(consultation, staff):
    def upload(text, name="themes.csv"):
        return staff.post(url("themes-import", consultation),
                          {"codebook": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")})

    response = upload("theme,name,description\nparking,Parking,Cars\nRural Buses,Buses,x\nparking,Again,y\n")
    page = response.content.decode()
    assert response.status_code == 400
    assert "themes.csv: row 4: the theme &#x27;parking&#x27; appears again (first at row 2)" in page
    assert not Theme.objects.exists()
    response = upload("theme,name,description\nparking,Parking,Cars\nRural Buses,Buses,x\n")
    assert response.status_code == 400
    assert "themes.csv: row 3: the key must be snake_case" in response.content.decode()
    response = upload("id,text\n1,x\n")
    assert "themes.csv: row 1: missing column" in response.content.decode()
    response = staff.post(url("themes-import", consultation), {})
    assert response.status_code == 400 and "Choose a CSV file to import" in response.content.decode()
    response = upload("theme,name,description\nparking,Parking,Cars and vans\nrural_buses,Rural buses,Buses in villages\n")
    assert response.status_code == 302
    assert [(t.key, t.origin) for t in Theme.objects.order_by("order")] == [("parking", "imported"), ("rural_buses", "imported")]
    download = staff.get(url("themes-codebook", consultation))
    assert download["Content-Type"].startswith("text/csv")
    assert download.content.decode().splitlines() == ["theme,name,description,key_phrases", "parking,Parking,Cars and vans,",
                                                      "rural_buses,Rural buses,Buses in villages,"]


def test_workshop_notes(consultation, setup, staff):
    response = staff.post(url("themes-notes", consultation), {"workshop": "", "notes": ""})
    page = response.content.decode()
    assert response.status_code == 400 and 'href="#id_workshop"' in page and 'href="#id_notes"' in page
    response = staff.post(url("themes-notes", consultation), {"workshop": "Staff", "notes": "More buses\n\nKeep <b>libraries</b>\n"})
    assert response.status_code == 302
    assert list(WorkshopNote.objects.filter(workshop__name="Staff").values_list("text", flat=True)) == [
        "More buses", "Keep <b>libraries</b>"]
    page = staff.get(url("themes-notes", consultation)).content.decode()
    assert "Keep &lt;b&gt;libraries&lt;/b&gt;" in page and "Not coded" in page
    note = WorkshopNote.objects.get(text="More buses")
    assert staff.post(url("themes-note-remove", consultation, note.pk)).status_code == 302
    assert not WorkshopNote.objects.filter(pk=note.pk).exists()
    assert Response.objects.filter(consultation=consultation).count() == 13  # responses untouched


# ------------------------------------------------------------------------------------ in a browser


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_themes_pages_are_accessible_and_a_correction_takes_one_click(page, live_server):
    """Every themes page passes axe (WCAG 2.2 AA), with errors shown too; an officer corrects an
    answer with one click in the review queue."""
    from shire.core.tests.browser import assert_accessible, sign_in

    team = make_team("Communities Team")
    officer = make_officer("officer", team=team)
    consultation = make_text_consultation(team=team, answers=ANSWERS)
    themes = add_codebook(consultation)
    coding.add_workshop_notes(consultation, "q33", officer, "LECG", "Buses are rare\nKeep the library")
    coding.code_answers(consultation, "q33", officer)
    sign_in(page, live_server.url, "officer", "correct horse battery")
    for address in (url("themes", consultation), url("themes-question", consultation), url("themes-review", consultation),
                    url("themes-notes", consultation), url("themes-add", consultation), url("themes-merge", consultation),
                    url("themes-import", consultation), url("themes-edit", consultation, themes["libraries"].pk),
                    url("themes-split", consultation, themes["libraries"].pk),
                    url("themes-delete", consultation, themes["libraries"].pk),
                    reverse("consult_results:staff", args=[consultation.slug])):
        page.goto(live_server.url + address)
        assert_accessible(page)
    # Errors, with the shared error summary.
    page.goto(live_server.url + url("themes-add", consultation))
    page.get_by_role("button", name="Add the theme").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)
    page.shire_errors.clear()  # the browser logs the page's 400 status, which is expected here
    # One click on Shire's second suggestion for the least confident answer.
    page.goto(live_server.url + url("themes-review", consultation))
    first = AnswerCoding.objects.order_by("confidence", "id").first()
    article = page.locator(f"#answer-{first.pk}")
    article.get_by_role("button", name=f"{first.second_theme.name} for this answer").click()
    page.wait_for_load_state()
    assert f"Corrected: {first.second_theme.name}." in page.content()
    assert AnswerCoding.objects.get(pk=first.pk).reviewed
    assert "<strong>1 of 14</strong>" in page.content()
    assert not page.shire_errors
