import pytest

from shire.core.models import User
from shire.core.tests.factories import make_officer

pytestmark = pytest.mark.django_db


def nav_items(response):
    return [(item["label"], item["active"], item["current"]) for item in response.context["navigation_items"]]


def test_public_navigation_lists_the_sections_and_marks_the_current_one(client):
    response = client.get("/consultations/")
    assert nav_items(response) == [
        ("Consultations", True, True),
        ("Grants", False, False),
        ("Directory", False, False),
    ]
    assert b'aria-current="page"' in response.content


def test_officers_also_see_the_staff_pages(client):
    client.force_login(make_officer())
    response = client.get("/staff/")
    assert nav_items(response)[-1] == ("Staff pages", True, True)


def test_a_community_member_signing_in_at_the_staff_page_goes_to_their_own_account(client):
    member = User.objects.create_user("group", password="correct horse battery", role=User.Role.COMMUNITY)
    client.force_login(member)
    response = client.get("/staff/")
    assert response.status_code == 302 and response["Location"] == "/grants/account/"
    assert "Staff pages" not in [label for label, _, _ in nav_items(client.get("/"))]
    assert client.get("/staff/consultations/").status_code == 403
