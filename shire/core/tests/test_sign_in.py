"""Staff sign-in: lockout after repeated wrong passwords (django-axes), who may use staff pages."""
import re
import uuid

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from shire.core.models import User
from shire.core.tests.factories import make_officer

pytestmark = pytest.mark.django_db

SIGN_IN = "/staff/sign-in/"
PASSWORD = "correct horse battery"


def attempt(client, username, password, **extra):
    return client.post(SIGN_IN, {"username": username, "password": password}, **extra)


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_officer_signs_in_with_the_right_password(client):
    officer = make_officer("officer", password=PASSWORD)
    response = attempt(client, "officer", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert signed_in_user_id(client) == str(officer.pk)
    assert b"Signed in as officer" in client.get("/staff/").content


def test_wrong_password_shows_the_form_again_with_an_error(client):
    make_officer("officer", password=PASSWORD)
    response = attempt(client, "officer", "not the password")
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b"Enter a correct username and password" in response.content
    assert signed_in_user_id(client) is None


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client):
    assert settings.AXES_FAILURE_LIMIT == 5
    make_officer("officer", password=PASSWORD)
    for number in range(1, 5):
        response = attempt(client, "officer", f"wrong password {number}")
        assert response.status_code == 200, f"attempt {number} should still show the form"
        assert b"Enter a correct username and password" in response.content

    fifth = attempt(client, "officer", "wrong password 5")
    assert fifth.status_code == 429
    assert b"Sign in is locked for now" in fifth.content
    assert "core/locked_out.html" in [t.name for t in fifth.templates]

    # The right password no longer gets in: the lockout page again, and no session.
    right = attempt(client, "officer", PASSWORD)
    assert right.status_code == 429
    assert b"Sign in is locked for now" in right.content
    assert b"Signed in as" not in right.content
    assert signed_in_user_id(client) is None
    assert client.get("/staff/")["Location"] == "/staff/sign-in/?next=/staff/"

    # Not even from a fresh browser on the same address.
    fresh = type(client)()
    assert attempt(fresh, "officer", PASSWORD).status_code == 429
    assert signed_in_user_id(fresh) is None


def test_lockout_is_for_that_username_from_that_address_only(client):
    make_officer("officer", password=PASSWORD)
    make_officer("colleague", password=PASSWORD)
    for number in range(5):
        attempt(client, "officer", f"wrong {number}")
    assert attempt(client, "officer", PASSWORD).status_code == 429

    # A colleague signing in from the same address is not locked out...
    other = type(client)()
    assert attempt(other, "colleague", PASSWORD).status_code == 302
    # ...and nor is the officer from another address (a guesser elsewhere can't lock them out).
    elsewhere = type(client)()
    response = attempt(elsewhere, "officer", PASSWORD, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    assert signed_in_user_id(elsewhere) is not None


def test_signing_in_resets_the_count_of_failures(client):
    make_officer("officer", password=PASSWORD)
    for number in range(4):
        attempt(client, "officer", f"wrong {number}")
    assert attempt(client, "officer", PASSWORD).status_code == 302
    client.post("/staff/sign-out/")
    for number in range(4):
        response = attempt(client, "officer", f"wrong again {number}")
        assert response.status_code == 200
    assert attempt(client, "officer", PASSWORD).status_code == 302


def test_switched_off_user_is_refused_with_the_right_password(client):
    user = make_officer("leaver", password=PASSWORD)
    user.is_active = False
    user.save()
    response = attempt(client, "leaver", PASSWORD)
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert signed_in_user_id(client) is None
    assert client.get("/staff/")["Location"] == "/staff/sign-in/?next=/staff/"


def test_user_switched_off_while_signed_in_loses_the_staff_pages(client):
    user = make_officer("leaver", password=PASSWORD)
    assert attempt(client, "leaver", PASSWORD).status_code == 302
    assert client.get("/staff/").status_code == 200
    user.is_active = False
    user.save()
    assert client.get("/staff/")["Location"] == "/staff/sign-in/?next=/staff/"


def test_user_without_a_staff_role_is_refused_the_staff_pages(client):
    # Roles are officer and administrator; an account whose role is anything else (such as
    # one left over from an import) can sign in but may not see staff pages.
    user = make_officer("stranger", password=PASSWORD)
    User.objects.filter(pk=user.pk).update(role="")
    assert attempt(client, "stranger", PASSWORD).status_code == 302
    assert client.get("/staff/").status_code == 403


@pytest.mark.parametrize("role", [User.Role.OFFICER, User.Role.ADMINISTRATOR])
def test_officers_and_administrators_see_the_staff_pages(client, role):
    make_officer("staff", password=PASSWORD, role=role)
    attempt(client, "staff", PASSWORD)
    assert client.get("/staff/").status_code == 200


def test_sign_in_page_sends_a_signed_in_officer_on_to_the_staff_pages(client):
    officer = make_officer("officer", password=PASSWORD)
    client.force_login(officer)
    assert client.get(SIGN_IN)["Location"] == "/staff/"


# Every page under /staff/ (other than sign-in and sign-out) must send anonymous visitors to
# sign in. The URL patterns are read from the project, so pages added later are checked too.
_EXEMPT = {"staff/sign-in/", "staff/sign-out/"}
_SAMPLE = {"int": "1", "slug": "sample", "str": "sample", "path": "sample", "uuid": str(uuid.uuid4())}


def _routes(patterns, prefix=""):
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route


def _sample_url(route):
    """'staff/consultations/<slug:slug>/' -> '/staff/consultations/sample/'."""
    url = re.sub(r"<(?:(\w+):)?\w+>", lambda m: _SAMPLE.get(m.group(1) or "str", "sample"), route)
    return "/" + url.lstrip("^").rstrip("$")


def _staff_routes():
    return sorted(
        route for route in _routes(get_resolver().url_patterns) if route.startswith("staff/") and route not in _EXEMPT
    )


def test_staff_routes_are_found():
    assert "staff/" in _staff_routes()


@pytest.mark.parametrize("route", _staff_routes())
def test_staff_pages_send_anonymous_visitors_to_sign_in(client, route):
    url = _sample_url(route)
    assert not re.search(r"[\\(\[?*+]", url), f"can't make a sample address from the pattern {route!r}"
    response = client.get(url)
    if response.status_code == 405:  # a page that only takes POST
        response = client.post(url)
    assert response.status_code == 302, f"{url} answered an anonymous visitor with {response.status_code}"
    assert response["Location"].startswith(SIGN_IN + "?next=")
