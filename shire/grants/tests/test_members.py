"""An organisation's lead contacts (its administrators) remove members, cancel invitations, make other
members lead contacts and step down to member.

A removed member loses the organisation's pages and applications at once (404, as for anyone who is
not a member); a cancelled invitation's link says it was cancelled; the last lead contact cannot be
removed and cannot step down; everyone else (a member who is not a lead contact, another organisation's lead contact, an
outsider, staff, anonymous people) is refused and nothing changes. Each change is audited.
"""
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from shire.core.models import AuditEvent, OutgoingEmail
from shire.core.testing import mail_server_down, run_background_work, with_worker
from shire.core.tests.factories import make_officer

from .. import services
from ..models import Invitation, Membership
from .factories import make_applicant, make_application, make_community_user, make_round, signed_in

pytestmark = pytest.mark.django_db

LEAD = Membership.Role.LEAD


@pytest.fixture
def world(team):
    lead, organisation = make_applicant("lead@example.org", "Wigston Lunch Club")
    member = make_community_user("member2@example.org", first_name="Sam", last_name="Second")
    membership = organisation.memberships.create(user=member)
    application = make_application(make_round(team=team), organisation, lead, filled=False)
    services.invite_member(organisation, "invited@example.org", lead, accept_url=lambda token: token)
    token = re.search(r"^(\S{30,})$", mail.outbox[-1].body, re.M).group(1)
    mail.outbox.clear()
    other_lead, other_org = make_applicant("other-lead@example.org", "Another group")
    return {
        "lead": lead, "organisation": organisation, "member": member, "membership": membership,
        "application": application, "invitation": Invitation.objects.get(organisation=organisation), "token": token,
        "other_lead": other_lead, "other_org": other_org,
    }


def remove_url(world, membership=None):
    return reverse("grants:organisation-member-remove", args=[world["organisation"].pk, (membership or world["membership"]).pk])


def cancel_url(world):
    return reverse("grants:organisation-invitation-cancel", args=[world["organisation"].pk, world["invitation"].pk])


def snapshot(world):
    organisation = world["organisation"]
    return (
        sorted(organisation.memberships.values_list("user_id", "role")),
        list(Invitation.objects.order_by("pk").values_list("pk", "cancelled_at", "accepted_at")),
        AuditEvent.objects.filter(action__in=["grants.organisation.member_removed",
                                              "grants.organisation.invitation_cancelled"]).count(),
    )


# --- removing members ----------------------------------------------------------------------------------


def test_a_lead_contact_removes_a_member_who_loses_access_at_once(world):
    member, organisation, application = world["member"], world["organisation"], world["application"]
    theirs = signed_in(member)
    assert theirs.get(reverse("grants:application", args=[application.reference])).status_code == 200

    page = signed_in(world["lead"]).get(remove_url(world)).content.decode()
    assert "Remove Sam Second?" in page
    response = signed_in(world["lead"]).post(remove_url(world), follow=True)

    assert "Sam Second is no longer a member of Wigston Lunch Club." in response.content.decode()
    assert not organisation.memberships.filter(user=member).exists()
    event = AuditEvent.objects.get(action="grants.organisation.member_removed")
    assert event.actor == world["lead"] and event.object_id == str(organisation.pk)
    assert event.detail == {"user": member.pk, "role": "member"}  # ids, never names or addresses
    # Their very next request, in the session they already had, is refused as for any outsider.
    for address in (reverse("grants:application", args=[application.reference]),
                    reverse("grants:application-edit", args=[application.reference]),
                    reverse("grants:organisation", args=[organisation.pk])):
        assert theirs.get(address).status_code == 404, address
    assert application.reference not in theirs.get(reverse("grants:account")).content.decode()
    assert services.member_emails(application) == [world["lead"].email]  # and none of its e-mails


def test_the_last_lead_contact_cannot_be_removed_by_anyone(world):
    lead, organisation = world["lead"], world["organisation"]
    lead_membership = organisation.memberships.get(user=lead)
    before = snapshot(world)
    with pytest.raises(services.GrantsError, match="You are the only lead contact of Wigston Lunch Club, so you cannot be removed"):
        services.remove_member(organisation, lead_membership, lead)
    response = signed_in(lead).post(remove_url(world, lead_membership), follow=True)
    assert "only lead contact" in response.content.decode()
    assert snapshot(world) == before
    # The organisation's page offers no "Leave" to its only lead contact.
    page = signed_in(lead).get(reverse("grants:organisation", args=[organisation.pk])).content.decode()
    assert remove_url(world, lead_membership) not in page and remove_url(world) in page


def test_with_two_lead_contacts_one_may_go_but_never_the_last(world):
    lead, organisation, member = world["lead"], world["organisation"], world["member"]
    Membership.objects.filter(pk=world["membership"].pk).update(role=LEAD)
    lead_membership = organisation.memberships.get(user=lead)

    services.remove_member(organisation, lead_membership, member)  # one lead contact removes the other
    assert list(organisation.memberships.values_list("user", "role")) == [(member.pk, LEAD)]
    with pytest.raises(PermissionDenied):  # no longer a member, let alone a lead contact
        services.remove_member(organisation, world["membership"], lead)
    with pytest.raises(services.GrantsError, match="only lead contact"):
        services.remove_member(organisation, world["membership"], member)
    assert organisation.memberships.filter(user=member, role=LEAD).exists()


def test_a_lead_contact_may_leave_when_another_remains(world):
    lead, organisation = world["lead"], world["organisation"]
    Membership.objects.filter(pk=world["membership"].pk).update(role=LEAD)
    lead_membership = organisation.memberships.get(user=lead)
    client = signed_in(lead)
    assert "Leave Wigston Lunch Club?" in client.get(remove_url(world, lead_membership)).content.decode()
    response = client.post(remove_url(world, lead_membership))
    assert response.status_code == 302 and response["Location"] == reverse("grants:account")
    assert client.get(reverse("grants:organisation", args=[organisation.pk])).status_code == 404


def test_who_may_not_remove_a_member(world):
    """A member who is not a lead contact: 403. Another organisation's lead contact, an outsider: 404.
    Staff: 403. Anonymous people: sent to sign in. Nothing changes."""
    organisation = world["organisation"]
    lead_membership = organisation.memberships.get(user=world["lead"])
    before = snapshot(world)
    member = signed_in(world["member"])
    assert member.get(remove_url(world, lead_membership)).status_code == 403
    assert member.post(remove_url(world, lead_membership)).status_code == 403
    assert member.post(remove_url(world)).status_code == 403  # not even themselves: a lead contact does that
    with pytest.raises(PermissionDenied):
        services.remove_member(organisation, lead_membership, world["member"])
    for user in (world["other_lead"], make_community_user("outsider@example.org")):
        client = signed_in(user)
        assert client.get(remove_url(world)).status_code == 404
        assert client.post(remove_url(world)).status_code == 404
        with pytest.raises(PermissionDenied):
            services.remove_member(organisation, world["membership"], user)
    # Another organisation's membership under this organisation's address is not found either.
    other_membership = world["other_org"].memberships.get()
    assert signed_in(world["lead"]).post(remove_url(world, other_membership)).status_code == 404
    assert signed_in(make_officer("officer2")).post(remove_url(world)).status_code == 403
    anonymous = Client().post(remove_url(world))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("grants:sign-in"))
    assert snapshot(world) == before
    assert world["other_org"].memberships.count() == 1


# --- making lead contacts and stepping down --------------------------------------------------------------


def make_lead_url(world, membership=None):
    return reverse("grants:organisation-member-make-lead", args=[world["organisation"].pk, (membership or world["membership"]).pk])


def step_down_url(world):
    return reverse("grants:organisation-step-down", args=[world["organisation"].pk])


def roles(world):
    return (
        sorted(world["organisation"].memberships.values_list("user_id", "role")),
        AuditEvent.objects.filter(action__startswith="grants.organisation.lead_contact").count(),
        OutgoingEmail.objects.count(),
    )


@with_worker
def test_a_lead_contact_makes_a_member_a_lead_contact_who_is_e_mailed(world):
    lead, member, organisation = world["lead"], world["member"], world["organisation"]
    client = signed_in(lead)
    assert "Make Sam Second a lead contact?" in client.get(make_lead_url(world)).content.decode()
    response = client.post(make_lead_url(world), follow=True)

    assert ("Sam Second is now a lead contact of Wigston Lunch Club. We will e-mail them to say so."
            in response.content.decode())
    assert organisation.memberships.get(user=member).role == LEAD
    event = AuditEvent.objects.get(action="grants.organisation.lead_contact_added")
    assert event.actor == lead and event.object_id == str(organisation.pk)
    assert event.detail == {"user": member.pk}  # ids, never names or addresses
    assert OutgoingEmail.objects.get().status == "queued" and not mail.outbox
    run_background_work()
    [message] = mail.outbox
    assert message.to == [member.email] and message.subject == "You are now a lead contact of Wigston Lunch Club"
    assert "has made you a lead contact of Wigston Lunch Club" in message.body
    assert "http://testserver" + reverse("grants:organisation", args=[organisation.pk]) in message.body
    # The new lead contact can now do what a lead contact does, and the page offers the first one a way to step down.
    assert signed_in(member).get(cancel_url(world)).status_code == 200
    assert step_down_url(world) in client.get(reverse("grants:organisation", args=[organisation.pk])).content.decode()
    # Twice is refused in words, and changes nothing.
    before = roles(world)
    again = client.post(make_lead_url(world), follow=True)
    assert "Sam Second is already a lead contact of Wigston Lunch Club." in again.content.decode()
    assert roles(world) == before


@with_worker
def test_when_the_mail_server_is_down_the_lead_contact_stands_and_the_log_names_no_address(world, settings, caplog):
    mail_server_down(settings)
    response = signed_in(world["lead"]).post(make_lead_url(world), follow=True)
    assert "Sam Second is now a lead contact" in response.content.decode()
    run_background_work()
    assert world["organisation"].memberships.get(user=world["member"]).role == LEAD
    email = OutgoingEmail.objects.get()
    assert (email.to, email.status, email.attempts, email.error_type) == (world["member"].email, "queued", 1, "SMTPServerDisconnected")
    assert f"Lead contact e-mail for organisation {world['organisation'].pk}) not sent: SMTPServerDisconnected" in caplog.text
    assert "@" not in caplog.text


def test_a_lead_contact_steps_down_when_another_remains(world):
    lead, member, organisation = world["lead"], world["member"], world["organisation"]
    services.make_lead_contact(organisation, world["membership"], lead)
    client = signed_in(lead)
    page = client.get(step_down_url(world)).content.decode()
    assert "Step down as lead contact?" in page and "lead contact will then be Sam Second" in page
    response = client.post(step_down_url(world), follow=True)

    assert "You are now a member of Wigston Lunch Club, no longer a lead contact." in response.content.decode()
    assert sorted(organisation.memberships.values_list("user_id", "role")) == sorted([(lead.pk, "member"), (member.pk, LEAD)])
    event = AuditEvent.objects.get(action="grants.organisation.lead_contact_stepped_down")
    assert event.actor == lead and event.detail == {"user": lead.pk}
    # Still a member, no longer a lead contact: the lead contacts' pages now refuse them.
    assert client.get(reverse("grants:organisation", args=[organisation.pk])).status_code == 200
    assert client.get(cancel_url(world)).status_code == 403
    assert client.get(step_down_url(world)).status_code == 403


def test_the_last_lead_contact_cannot_step_down(world):
    lead, organisation = world["lead"], world["organisation"]
    before = roles(world)
    with pytest.raises(services.GrantsError, match="You are the only lead contact of Wigston Lunch Club, so you cannot step down"):
        services.step_down(organisation, lead)
    client = signed_in(lead)
    assert "so you cannot step down" in client.get(step_down_url(world)).content.decode()
    response = client.post(step_down_url(world), follow=True)
    assert "so you cannot step down" in response.content.decode()
    assert roles(world) == before
    page = client.get(reverse("grants:organisation", args=[organisation.pk])).content.decode()
    assert step_down_url(world) not in page and make_lead_url(world) in page


def test_two_lead_contacts_stepping_down_in_turn_leave_one(world):
    lead, member, organisation = world["lead"], world["member"], world["organisation"]
    services.make_lead_contact(organisation, world["membership"], lead)
    services.step_down(organisation, member)
    with pytest.raises(services.GrantsError, match="only lead contact"):
        services.step_down(organisation, lead)
    with pytest.raises(PermissionDenied):  # no longer a lead contact
        services.step_down(organisation, member)
    assert list(organisation.memberships.filter(role=LEAD).values_list("user", flat=True)) == [lead.pk]


def test_who_may_not_make_a_lead_contact_or_step_down(world):
    """A member who is not a lead contact: 403. Another organisation's lead contact, an outsider: 404.
    Staff: 403. Anonymous people: sent to sign in. Nothing changes, and nobody is e-mailed."""
    organisation = world["organisation"]
    before = roles(world)
    member = signed_in(world["member"])
    for address in (make_lead_url(world), step_down_url(world)):
        assert member.get(address).status_code == 403
        assert member.post(address).status_code == 403
    with pytest.raises(PermissionDenied):
        services.make_lead_contact(organisation, world["membership"], world["member"])
    with pytest.raises(PermissionDenied):
        services.step_down(organisation, world["member"])
    for user in (world["other_lead"], make_community_user("outsider@example.org")):
        client = signed_in(user)
        for address in (make_lead_url(world), step_down_url(world)):
            assert client.get(address).status_code == 404
            assert client.post(address).status_code == 404
        with pytest.raises(PermissionDenied):
            services.make_lead_contact(organisation, world["membership"], user)
        with pytest.raises(PermissionDenied):
            services.step_down(organisation, user)
    # Another organisation's member under this organisation's address is not found either.
    other_membership = world["other_org"].memberships.get()
    assert signed_in(world["lead"]).post(make_lead_url(world, other_membership)).status_code == 404
    staff = signed_in(make_officer("officer2"))
    anonymous = Client()
    for address in (make_lead_url(world), step_down_url(world)):
        assert staff.get(address).status_code == 403
        assert staff.post(address).status_code == 403
        response = anonymous.post(address)
        assert response.status_code == 302 and response["Location"].startswith(reverse("grants:sign-in"))
    assert roles(world) == before
    assert list(world["other_org"].memberships.values_list("role", flat=True)) == [LEAD]


# --- cancelling invitations --------------------------------------------------------------------------


def test_a_lead_contact_cancels_an_invitation_and_its_link_says_so(world):
    organisation, token = world["organisation"], world["token"]
    link = reverse("grants:invitation", args=[token])
    assert Client().get(link).status_code == 200
    assert "Cancel the invitation to invited@example.org?" in signed_in(world["lead"]).get(cancel_url(world)).content.decode()

    response = signed_in(world["lead"]).post(cancel_url(world), follow=True)

    assert "The invitation to invited@example.org was cancelled" in response.content.decode()
    invitation = Invitation.objects.get(pk=world["invitation"].pk)
    assert invitation.cancelled_at is not None
    event = AuditEvent.objects.get(action="grants.organisation.invitation_cancelled")
    assert event.actor == world["lead"] and event.detail == {"invitation": invitation.pk}
    page = Client().get(link)
    html = page.content.decode()
    assert page.status_code == 404 and "<h1 class=\"govuk-heading-l\">This invitation was cancelled</h1>" in html
    assert "Wigston Lunch Club cancelled it on" in html
    # Joining with it is refused with the same reason, and nobody joins.
    invited = make_community_user("invited@example.org")
    refused = signed_in(invited).post(link)
    assert refused.status_code == 404 and "This invitation was cancelled" in refused.content.decode()
    with pytest.raises(services.GrantsError, match="cancelled by the organisation"):
        services.accept_invitation(token, invited)
    assert not organisation.memberships.filter(user=invited).exists()
    # It is no longer listed, and cannot be cancelled twice.
    assert "invited@example.org" not in signed_in(world["lead"]).get(reverse("grants:organisation", args=[organisation.pk])).content.decode()
    with pytest.raises(services.GrantsError, match="already cancelled"):
        services.cancel_invitation(organisation, invitation, world["lead"])


def test_who_may_not_cancel_an_invitation(world):
    organisation = world["organisation"]
    before = snapshot(world)
    member = signed_in(world["member"])
    assert member.get(cancel_url(world)).status_code == 403
    assert member.post(cancel_url(world)).status_code == 403
    for user in (world["other_lead"], make_community_user("outsider@example.org")):
        client = signed_in(user)
        assert client.get(cancel_url(world)).status_code == 404
        assert client.post(cancel_url(world)).status_code == 404
        with pytest.raises(PermissionDenied):
            services.cancel_invitation(organisation, world["invitation"], user)
    assert signed_in(make_officer("officer2")).post(cancel_url(world)).status_code == 403
    anonymous = Client().post(cancel_url(world))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("grants:sign-in"))
    assert snapshot(world) == before
    # The invitation still works.
    assert services.invitation_state(world["token"])[0] == "usable"


def test_an_accepted_invitation_cannot_be_cancelled(world):
    invited = make_community_user("invited@example.org")
    services.accept_invitation(world["token"], invited)
    with pytest.raises(services.GrantsError, match="already been accepted: remove the member instead"):
        services.cancel_invitation(world["organisation"], world["invitation"], world["lead"])
    assert world["organisation"].memberships.filter(user=invited).exists()


def test_each_dead_link_says_why(world):
    organisation, lead, token = world["organisation"], world["lead"], world["token"]
    services.invite_member(organisation, "INVITED@example.org", lead, accept_url=lambda t: t)  # replaces the first
    newer = re.search(r"^(\S{30,})$", mail.outbox[-1].body, re.M).group(1)
    assert services.invitation_state(token)[0] == "replaced"
    assert "replaced by a newer one" in Client().get(reverse("grants:invitation", args=[token])).content.decode()
    services.accept_invitation(newer, make_community_user("invited@example.org"))
    assert "has already been used" in Client().get(reverse("grants:invitation", args=[newer])).content.decode()
    assert services.invitation_state("no-such-token") == ("unknown", None)
    assert "does not work" in Client().get(reverse("grants:invitation", args=["no-such-token"])).content.decode()


def test_names_are_escaped_on_the_members_pages(world):
    member = world["member"]
    member.first_name = "<script>alert(1)</script>"
    member.save()
    client = signed_in(world["lead"])
    for address in (remove_url(world), reverse("grants:organisation", args=[world["organisation"].pk])):
        html = client.get(address).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_removing_a_member_and_cancelling_an_invitation_work_by_keyboard_and_are_accessible(page, live_server, team):
    from shire.core.tests.browser import assert_accessible, tab_until

    from .factories import PASSWORD

    lead, organisation = make_applicant("lead@example.org", "Wigston Lunch Club")
    organisation.memberships.create(user=make_community_user("member2@example.org", first_name="Sam", last_name="Second"))
    services.invite_member(organisation, "invited@example.org", lead, accept_url=lambda token: token)
    base = live_server.url
    page.goto(base + reverse("grants:sign-in"))
    page.fill("#id_username", lead.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    def check():
        assert_accessible(page)
        assert not page.shire_errors, page.shire_errors

    page.goto(base + reverse("grants:organisation", args=[organisation.pk]))
    check()
    remove = reverse("grants:organisation-member-remove", args=[organisation.pk, organisation.memberships.get(role="member").pk])
    cancel = reverse("grants:organisation-invitation-cancel", args=[organisation.pk, organisation.invitations.get().pk])
    for link, button, done in ((remove, "Remove this member", "Sam Second is no longer a member"),
                               (cancel, "Cancel the invitation", "The invitation to invited@example.org was cancelled")):
        tab_until(page, lambda el, link=link: el.get("href") == link, limit=40)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        check()
        tab_until(page, lambda el, button=button: el.get("text") == button, limit=40)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert done in page.content()
        check()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_making_a_lead_contact_and_stepping_down_work_by_keyboard_and_are_accessible(page, live_server, team):
    from shire.core.tests.browser import assert_accessible, tab_until

    from .factories import PASSWORD

    lead, organisation = make_applicant("lead@example.org", "Wigston Lunch Club")
    membership = organisation.memberships.create(user=make_community_user("member2@example.org", first_name="Sam", last_name="Second"))
    base = live_server.url
    page.goto(base + reverse("grants:sign-in"))
    page.fill("#id_username", lead.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    def check():
        assert_accessible(page)
        assert not page.shire_errors, page.shire_errors

    page.goto(base + reverse("grants:organisation", args=[organisation.pk]))
    check()
    make_lead = reverse("grants:organisation-member-make-lead", args=[organisation.pk, membership.pk])
    step_down = reverse("grants:organisation-step-down", args=[organisation.pk])
    for link, button, done in ((make_lead, "Make them a lead contact", "Sam Second is now a lead contact of Wigston Lunch Club"),
                               (step_down, "Step down", "You are now a member of Wigston Lunch Club, no longer a lead contact")):
        tab_until(page, lambda el, link=link: el.get("href") == link, limit=40)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        check()
        tab_until(page, lambda el, button=button: el.get("text") == button, limit=40)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert done in page.content()
        check()
    assert sorted(organisation.memberships.values_list("role", flat=True)) == ["lead", "member"]
    assert organisation.memberships.get(user=lead).role == "member"
