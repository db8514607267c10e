"""Who may use each applicant page: every URL, for every kind of visitor.

- anonymous people are sent to the grants sign-in page;
- staff accounts (officers, administrators) are refused (403): they cannot act as applicants;
- a community member of another organisation gets 404 for every page about an organisation or
  application that is not theirs, and nothing changes;
- members of the organisation can use them all.
"""
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shire.core.models import OutgoingEmail, User
from shire.core.tests.factories import make_officer, make_team

from .. import urls as grants_urls
from .. import views_applicant
from ..models import Application, ApplicationDocument, ApplicantOrganisation, BankDetails, Invitation
from .factories import (
    PASSWORD, make_applicant, make_application, make_community_user, make_round, pdf_bytes, signed_in, upload,
)

pytestmark = pytest.mark.django_db

PUBLIC = {"index", "round", "sign-in", "account-create", "invitation"}


@pytest.fixture
def world():
    team = make_team()
    officer = make_officer("officer", team=team)
    round_ = make_round(team=team)
    member, organisation = make_applicant()
    application = make_application(round_, organisation, member)
    document = application.documents.get()
    outsider, other_org = make_applicant("outsider@example.org", "Another group")
    second = organisation.memberships.create(user=make_community_user("second@example.org"))
    invitation = Invitation.objects.create(organisation=organisation, email="invited@example.org", token_hash="i" * 64,
                                           invited_by=member, expires_at=timezone.now() + timedelta(days=14))
    return {
        "team": team, "officer": officer, "round": round_, "member": member, "organisation": organisation,
        "application": application, "document": document, "outsider": outsider, "other_org": other_org,
        "second": second, "invitation": invitation,
    }


def applicant_requests(world):
    """(method, URL name, URL, data, status for a member) for every page of the applicants' journey."""
    ref = world["application"].reference
    org = world["organisation"].pk
    doc = world["document"].pk
    slug = world["round"].slug
    second, invitation = world["second"].pk, world["invitation"].pk
    r = reverse
    return [
        ("get", "account", r("grants:account"), None, 200),
        ("get", "organisation-create", r("grants:organisation-create"), None, 200),
        ("post", "organisation-create", r("grants:organisation-create"), {"name": ""}, 200),
        ("get", "organisation", r("grants:organisation", args=[org]), None, 200),
        ("get", "organisation-edit", r("grants:organisation-edit", args=[org]), None, 200),
        ("post", "organisation-edit", r("grants:organisation-edit", args=[org]), {"name": "Renamed", "org_type": "other"}, 200),
        ("get", "organisation-invite", r("grants:organisation-invite", args=[org]), None, 200),
        ("post", "organisation-invite", r("grants:organisation-invite", args=[org]), {"email": "new@example.org"}, 302),
        ("get", "organisation-member-make-lead", r("grants:organisation-member-make-lead", args=[org, second]), None, 200),
        ("post", "organisation-member-make-lead", r("grants:organisation-member-make-lead", args=[org, second]), {}, 302),
        ("get", "organisation-member-remove", r("grants:organisation-member-remove", args=[org, second]), None, 200),
        ("post", "organisation-member-remove", r("grants:organisation-member-remove", args=[org, second]), {}, 302),
        ("get", "organisation-invitation-cancel", r("grants:organisation-invitation-cancel", args=[org, invitation]), None, 200),
        ("post", "organisation-invitation-cancel", r("grants:organisation-invitation-cancel", args=[org, invitation]), {}, 302),
        # The second member, a lead contact for a moment, was removed above: stepping down is refused in words (tested in test_members).
        ("get", "organisation-step-down", r("grants:organisation-step-down", args=[org]), None, 200),
        ("post", "organisation-step-down", r("grants:organisation-step-down", args=[org]), {}, 302),
        ("get", "organisation-bank-details", r("grants:organisation-bank-details", args=[org]), None, 200),
        ("post", "organisation-bank-details", r("grants:organisation-bank-details", args=[org]),
         {"account_name": "Hijacked", "sort_code": "309950", "account_number": "12345678"}, 302),
        ("get", "eligibility", r("grants:eligibility", args=[slug]), None, 200),
        ("post", "eligibility", r("grants:eligibility", args=[slug]), {"organisation": org}, 200),
        ("get", "application", r("grants:application", args=[ref]), None, 200),
        ("get", "application-edit", r("grants:application-edit", args=[ref]), None, 200),
        ("post", "application-edit", r("grants:application-edit", args=[ref]), {"title": "Hijacked", "later": "1"}, 302),
        ("get", "application-documents", r("grants:application-documents", args=[ref]), None, 200),
        ("get", "application-document", r("grants:application-document", args=[ref, doc]), None, 200),
        ("post", "application-document-remove", r("grants:application-document-remove", args=[ref, doc]), {}, 302),
        ("post", "application-documents", r("grants:application-documents", args=[ref]), "upload", 302),
        ("get", "application-check", r("grants:application-check", args=[ref]), None, 200),
        # The edit above saved only a title, so sending lists what is missing (sending is tested in test_applicant).
        ("post", "application-check", r("grants:application-check", args=[ref]), {}, 200),
        ("get", "application-sent", r("grants:application-sent", args=[ref]), None, 302),
    ]


def send(client, method, url, data, world):
    if data == "upload":
        data = {"document": world["round"].required_documents.get().pk, "file": upload("x.pdf", pdf_bytes())}
    return getattr(client, method)(url, data or {})


def snapshot(world):
    application = Application.objects.get(pk=world["application"].pk)
    organisation = ApplicantOrganisation.objects.get(pk=world["organisation"].pk)
    return (
        application.title, application.status, application.events.count(),
        list(ApplicationDocument.objects.values_list("pk", flat=True)),
        organisation.name, sorted(organisation.memberships.values_list("user_id", "role")), Invitation.objects.count(),
        Invitation.objects.filter(cancelled_at__isnull=False).count(),
        Application.objects.count(), BankDetails.objects.count(),
        OutgoingEmail.objects.count(),  # e-mails queued for the background worker
    )


def test_every_applicant_url_is_covered(world):
    names = {
        pattern.name for pattern in grants_urls.urlpatterns
        if getattr(pattern, "callback", None) is not None and pattern.callback.__module__ == views_applicant.__name__
    }
    covered = {name for _, name, _, _, _ in applicant_requests(world)}
    assert names - PUBLIC == covered


def test_members_can_use_every_page(world):
    client = signed_in(world["member"])
    for method, name, url, data, expected in applicant_requests(world):
        assert send(client, method, url, data, world).status_code == expected, (method, name)


def test_anonymous_people_are_sent_to_the_grants_sign_in_page(world):
    before = snapshot(world)
    client = Client()
    for method, name, url, data, _ in applicant_requests(world):
        response = send(client, method, url, data, world)
        assert response.status_code == 302, (method, name)
        assert response["Location"].startswith("/grants/sign-in/?next="), (method, name)
    assert snapshot(world) == before and not mail.outbox


@pytest.mark.parametrize("role", [User.Role.OFFICER, User.Role.ADMINISTRATOR])
def test_staff_accounts_are_refused_every_applicant_page(world, role):
    """Officers, even of the programme's team, cannot act as an applicant or see applicants' pages as one."""
    before = snapshot(world)
    staff = world["officer"] if role == User.Role.OFFICER else make_officer("admin", role=role)
    client = signed_in(staff)
    for method, name, url, data, _ in applicant_requests(world):
        assert send(client, method, url, data, world).status_code == 403, (method, name)
    assert snapshot(world) == before and not mail.outbox


def test_members_of_other_organisations_get_not_found_and_change_nothing(world):
    before = snapshot(world)
    client = signed_in(world["outsider"])
    own_pages = {"account", "organisation-create", "eligibility"}  # pages about the outsider's own things
    for method, name, url, data, _ in applicant_requests(world):
        if name in own_pages:
            continue
        assert send(client, method, url, data, world).status_code == 404, (method, name)
    assert snapshot(world) == before and not mail.outbox
    # Their own account page does not list the other organisation's application.
    html = client.get(reverse("grants:account")).content.decode()
    assert world["application"].reference not in html and "Wigston Lunch Club" not in html


def test_a_document_is_reachable_only_through_its_own_application(world):
    """Another application's document id under one's own reference is not found."""
    outsider = world["outsider"]
    own = make_application(world["round"], world["other_org"], outsider, filled=False)
    client = signed_in(outsider)
    url = reverse("grants:application-document", args=[own.reference, world["document"].pk])
    assert client.get(url).status_code == 404
    remove = reverse("grants:application-document-remove", args=[own.reference, world["document"].pk])
    assert client.post(remove).status_code == 404
    assert ApplicationDocument.objects.filter(pk=world["document"].pk).exists()


def test_an_inactive_member_is_refused(world):
    member = world["member"]
    member.is_active = False
    member.save()
    client = Client()
    client.force_login(member)
    response = client.get(reverse("grants:application", args=[world["application"].reference]))
    assert response.status_code in (302, 403)
    assert response.status_code != 200


def test_an_account_made_on_the_public_form_is_always_a_community_member():
    Client().post(reverse("grants:account-create"), {
        "first_name": "Eve", "last_name": "Sneaky", "email": "eve@example.org", "role": "administrator",
        "is_staff": "on", "is_superuser": "on",
        "password1": "a long enough passphrase", "password2": "a long enough passphrase",
    })
    eve = User.objects.get(email="eve@example.org")
    assert eve.role == User.Role.COMMUNITY and not eve.is_staff and not eve.is_superuser and not eve.is_officer


def test_a_community_member_signed_in_cannot_reach_staff_or_setup_pages(world):
    client = Client()
    assert client.post(reverse("grants:sign-in"), {"username": "member@example.org", "password": PASSWORD}).status_code == 302
    assert client.get("/staff/")["Location"] == "/grants/account/"  # sent to their own pages
    assert client.get(reverse("grants:setup")).status_code == 403
    assert client.get(reverse("grants:setup-round", args=[world["round"].slug])).status_code == 403
    assert client.get("/staff/consultations/").status_code == 403
    assert client.get("/admin/").status_code == 302  # Django admin sends non-staff to its own sign-in
