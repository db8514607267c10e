"""Who may use each staff consultation page: every URL, for every kind of visitor.

- anonymous people are sent to sign in;
- officers of another team, and administrators who are not in the team, are refused (403)
  on every page about the consultation, and nothing changes;
- officers in the consultation's team can use them all.
"""
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from shire.consult.models import Consultation, Questionnaire
from shire.core.models import AuditEvent, User
from shire.core.tests.factories import make_officer, make_team

from .test_staff import form_data, make_consultation, make_response, signed_in

pytestmark = pytest.mark.django_db

# (method, URL name, expected status for an officer of the team). Every page about one
# consultation is here; test_every_staff_url_is_covered checks that none is missed.
CONSULTATION_URLS = [
    ("get", "overview", 200),
    ("get", "edit", 200),
    ("post", "edit", 302),
    ("get", "document", 200),
    ("get", "questionnaire", 200),
    ("post", "questionnaire", 200),  # the page again, saying no file was chosen
    ("get", "questionnaire-source", 200),
    ("post", "publish", 302),
    ("post", "unpublish", 302),
    ("get", "responses", 200),
    ("get", "responses-csv", 200),
    ("get", "responses-xlsx", 200),
    ("get", "response", 200),
]
GENERAL_URLS = [("get", "list", 200), ("get", "create", 200), ("post", "create", 302)]


@pytest.fixture
def team():
    return make_team("Communities Team")


@pytest.fixture
def consultation(team):
    consultation = make_consultation(team, document=True)
    make_response(consultation, "ABCD-EFGH", {"comments": "Please keep the library open."})
    return consultation


def url(name, consultation):
    if name == "response":
        return reverse("consult_staff:response", args=[consultation.slug, "ABCD-EFGH"])
    return reverse(f"consult_staff:{name}", args=[consultation.slug])


def request(client, method, address, team):
    if method == "get":
        return client.get(address)
    data = form_data(team, slug="libraries-2026")
    return client.post(address, data)


def snapshot(consultation):
    consultation = Consultation.objects.get(pk=consultation.pk)
    return (
        consultation.title,
        consultation.status,
        consultation.slug,
        Questionnaire.objects.get(consultation=consultation).definition,
        Consultation.objects.count(),
    )


def test_every_staff_url_is_covered():
    from shire.consult import urls_staff

    names = {pattern.name for pattern in urls_staff.urlpatterns}
    covered = {name for _, name, _ in CONSULTATION_URLS + GENERAL_URLS}
    assert names == covered


@pytest.mark.parametrize("method, name, _", CONSULTATION_URLS)
def test_anonymous_people_are_sent_to_sign_in(consultation, team, method, name, _):
    address = url(name, consultation)
    before = snapshot(consultation)
    response = request(Client(), method, address, team)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('core:login')}?next={quote(address)}"
    assert snapshot(consultation) == before
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("method, name, _", GENERAL_URLS)
def test_anonymous_people_are_sent_to_sign_in_from_the_list_and_create_pages(team, method, name, _):
    address = reverse(f"consult_staff:{name}")
    response = request(Client(), method, address, team)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))
    assert Consultation.objects.count() == 0


@pytest.mark.parametrize("role", [User.Role.OFFICER, User.Role.ADMINISTRATOR])
@pytest.mark.parametrize("method, name, _", CONSULTATION_URLS)
def test_staff_outside_the_team_are_refused(consultation, team, method, name, _, role):
    outsider = make_officer("outsider", team=make_team("Highways"), role=role)
    before = snapshot(consultation)
    response = request(signed_in(outsider), method, url(name, consultation), team)
    assert response.status_code == 403
    assert snapshot(consultation) == before
    assert not AuditEvent.objects.exists()
    assert b"Please keep the library open." not in b"".join(
        response.streaming_content if response.streaming else [response.content]
    )


@pytest.mark.parametrize("method, name, expected", CONSULTATION_URLS)
def test_team_officers_can_use_every_page(consultation, team, method, name, expected):
    officer = make_officer("olive", team=team)
    response = request(signed_in(officer), method, url(name, consultation), team)
    assert response.status_code == expected


@pytest.mark.parametrize("method, name, expected", CONSULTATION_URLS)
def test_administrators_in_the_team_can_use_every_page(consultation, team, method, name, expected):
    administrator = make_officer("ada", team=team, role=User.Role.ADMINISTRATOR)
    response = request(signed_in(administrator), method, url(name, consultation), team)
    assert response.status_code == expected


@pytest.mark.parametrize("method, name, expected", GENERAL_URLS)
def test_team_officers_can_list_and_create(team, method, name, expected):
    officer = make_officer("olive", team=team)
    response = request(signed_in(officer), method, reverse(f"consult_staff:{name}"), team)
    assert response.status_code == expected
    if method == "post":
        assert Consultation.objects.get().team == team


def test_a_switched_off_account_cannot_use_the_pages(consultation, team):
    officer = make_officer("olive", team=team)
    client = signed_in(officer)
    officer.is_active = False
    officer.save()
    response = client.get(url("overview", consultation))
    # Django signs an inactive user out, so they are sent to sign in again.
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


def test_the_list_shows_other_teams_nothing(consultation):
    outsider = make_officer("outsider", team=make_team("Highways"))
    page = signed_in(outsider).get(reverse("consult_staff:list")).content.decode()
    assert consultation.title not in page
    assert url("overview", consultation) not in page


def test_the_staff_home_page_needs_a_staff_sign_in(consultation):
    response = Client().get(reverse("core:staff-home"))
    assert response.status_code == 302
    outsider = make_officer("outsider", team=make_team("Highways"))
    page = signed_in(outsider).get(reverse("core:staff-home")).content.decode()
    assert consultation.title not in page
