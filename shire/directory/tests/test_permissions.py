"""Managers edit only their own organisations: every refusal, page by page and in services.propose.

Who is refused: anyone signed out (sent to sign in), a community member who manages nothing, the
manager of another organisation, a manager an officer has not approved, and a manager reaching
into another organisation's records through their own organisation's addresses. Officers' pages
refuse everyone but officers.
"""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shire.core.models import User
from shire.directory import services
from shire.directory.models import ChangeRecord, Contact, Manager, PendingEdit, Phone, Schedule, Service

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    ours = factories.organization("Our group")
    theirs = factories.organization("Their group")
    our_hall = factories.location(ours, "Our hall")
    their_hall = factories.location(theirs, "Their hall")
    our_service = factories.service(ours, "Our club", locations=[our_hall])
    their_service = factories.service(theirs, "Their club", locations=[their_hall])
    their_contact = Contact.objects.create(organization=theirs, name="Their secretary")
    their_phone = Phone.objects.create(organization=theirs, number="0116 496 0999")
    their_schedule = Schedule.objects.create(service=their_service, freq="WEEKLY", byday="MO")
    return {
        "ours": ours, "theirs": theirs, "our_hall": our_hall, "their_hall": their_hall, "our_service": our_service,
        "their_service": their_service, "their_contact": their_contact, "their_phone": their_phone,
        "their_schedule": their_schedule,
        "manager": factories.manager(ours, "our-manager", trusted=True),
        "other_manager": factories.manager(theirs, "their-manager", trusted=True),
        "unapproved": factories.manager(ours, "unapproved", approved=False),
        "stranger": factories.community_user("stranger"),
        "officer": factories.officer(),
    }


def manage_urls(organization, service, hall):
    base = f"/directory/manage/{organization.pk}"
    return [
        f"{base}/", f"{base}/details/", f"{base}/history/", f"{base}/services/add/", f"{base}/places/add/",
        f"{base}/contacts/add/", f"{base}/phone-numbers/add/", f"{base}/times/add/",
        f"{base}/services/{service.pk}/change/", f"{base}/services/{service.pk}/remove/",
        f"{base}/places/{hall.pk}/change/", f"{base}/places/{hall.pk}/remove/",
    ]


POSTS = ["details/", "check/", "services/add/"]


def snapshot():
    return (list(Service.objects.order_by("pk").values_list("name", "description")),
            ChangeRecord.objects.count(), PendingEdit.objects.count())


def test_signed_out_people_are_sent_to_sign_in(client, world):
    before = snapshot()
    for url in manage_urls(world["ours"], world["our_service"], world["our_hall"]) + ["/directory/manage/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/staff/sign-in/?next="), url
    for path in POSTS:
        response = client.post(f"/directory/manage/{world['ours'].pk}/{path}", {"name": "Hacked", "description": "x"})
        assert response.status_code == 302 and "/staff/sign-in/" in response["Location"], path
    response = client.post(f"/directory/organisations/{world['ours'].pk}/ask-to-manage/")
    assert "/staff/sign-in/" in response["Location"]
    assert snapshot() == before


@pytest.mark.parametrize("who", ["stranger", "other_manager", "unapproved"])
def test_community_members_who_do_not_manage_the_organisation_are_refused(client, world, who):
    client.force_login(world[who])
    for url in manage_urls(world["ours"], world["our_service"], world["our_hall"]):
        assert client.get(url).status_code == 403, (who, url)
    for path in POSTS:
        response = client.post(f"/directory/manage/{world['ours'].pk}/{path}", {"name": "Hacked", "description": "x"})
        assert response.status_code == 403, (who, path)
    assert Service.objects.get(pk=world["our_service"].pk).name == "Our club"
    assert ChangeRecord.objects.count() == 0 and PendingEdit.objects.count() == 0
    # Their public pages offer them no way in.
    assert "Change this listing" not in client.get(world["ours"].get_absolute_url()).text


def test_a_manager_cannot_reach_another_organisations_records_through_their_own(client, world):
    client.force_login(world["manager"])
    base = f"/directory/manage/{world['ours'].pk}"
    for kind, record in (("services", world["their_service"]), ("places", world["their_hall"]),
                         ("contacts", world["their_contact"]), ("phone-numbers", world["their_phone"]),
                         ("times", world["their_schedule"])):
        assert client.get(f"{base}/{kind}/{record.pk}/change/").status_code == 403, kind
        assert client.post(f"{base}/{kind}/{record.pk}/change/", {"name": "Hacked"}).status_code == 403, kind
        assert client.post(f"{base}/{kind}/{record.pk}/remove/").status_code == 403, kind
    assert Service.objects.filter(pk=world["their_service"].pk, name="Their club").exists()
    assert Phone.objects.filter(pk=world["their_phone"].pk).exists()
    assert Schedule.objects.filter(pk=world["their_schedule"].pk).exists()


def test_a_manager_cannot_link_their_service_to_another_organisations_place(client, world):
    client.force_login(world["manager"])
    url = f"/directory/manage/{world['ours'].pk}/services/{world['our_service'].pk}/change/"
    response = client.post(url, {"name": "Our club", "description": "x", "status": "active", "cost": "",
                                 "attending_access": "drop_in", "attending_type": "in_person",
                                 "locations": [str(world["their_hall"].pk)]})
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not world["our_service"].service_at_locations.filter(location=world["their_hall"]).exists()
    # Nor a time on their service.
    response = client.post(f"/directory/manage/{world['ours'].pk}/times/add/", {
        "service": str(world["their_service"].pk), "days": ["MO"], "opens_at": "10:00", "closes_at": "11:00"})
    assert response.status_code == 200 and Schedule.objects.count() == 1


def test_services_propose_refuses_everyone_but_managers_and_officers(world):
    ours, service = world["ours"], world["our_service"]
    for who in ("stranger", "other_manager", "unapproved"):
        with pytest.raises(PermissionDenied):
            services.propose(world[who], ours, "service", service, {"name": "Hacked"})
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.propose(AnonymousUser(), ours, "service", service, {"name": "Hacked"})
    # A record of another organisation, named as if it were ours.
    with pytest.raises(PermissionDenied):
        services.propose(world["manager"], ours, "service", world["their_service"], {"name": "Hacked"})
    # A link to another organisation's place.
    with pytest.raises(ValidationError):
        services.propose(world["manager"], ours, "service", service, {"locations": [str(world["their_hall"].pk)]})
    # An inactive manager.
    world["manager"].is_active = False
    world["manager"].save()
    with pytest.raises(PermissionDenied):
        services.propose(world["manager"], ours, "service", service, {"name": "Hacked"})
    assert Service.objects.get(pk=service.pk).name == "Our club"


def test_managers_cannot_change_officer_only_fields(world):
    outcome = services.propose(world["manager"], world["ours"], "organization", world["ours"],
                               {"is_council_run": False, "kind": "town_council", "name": "Our group (renamed)"})
    assert outcome.applied.changes == {"name": {"old": "Our group", "new": "Our group (renamed)"}}
    world["ours"].refresh_from_db()
    assert world["ours"].kind == "community_group"


def test_the_right_people_get_in(client, world):
    for who in ("manager", "officer"):
        client.force_login(world[who])
        for url in manage_urls(world["ours"], world["our_service"], world["our_hall"]):
            assert client.get(url).status_code == 200, (who, url)
        client.logout()


def test_a_manager_sees_only_their_own_listings(client, world):
    client.force_login(world["manager"])
    response = client.get("/directory/manage/")
    assert [o.name for o in response.context["organizations"]] == ["Our group"]
    assert "Their group" not in response.text


STAFF_URLS = ["/directory/staff/", "/directory/staff/changes/", "/directory/staff/reports/", "/directory/staff/stale/",
              "/directory/staff/managers/"]


def test_officer_pages_refuse_everyone_but_officers(client, world):
    pending = services.propose(factories.manager(world["ours"], "newbie", trusted=False), world["ours"], "service",
                               world["our_service"], {"name": "New name"}).pending
    report = services.report_error(world["ours"], "/x/", "Wrong", "")
    link = Manager.objects.get(user=world["unapproved"])
    urls = STAFF_URLS + [f"/directory/staff/changes/{pending.pk}/",
                         f"/directory/staff/organisations/{world['ours'].pk}/managers/"]
    posts = [(f"/directory/staff/changes/{pending.pk}/", {"decision": "approve"}),
             (f"/directory/staff/reports/{report.pk}/close/", {"status": "resolved"}),
             (f"/directory/staff/organisations/{world['ours'].pk}/managers/", {"username": "stranger"}),
             (f"/directory/staff/organisations/{world['ours'].pk}/managers/{link.pk}/", {"decision": "approve"})]
    for url in urls:
        assert client.get(url).status_code == 302, url
    for who in ("manager", "stranger", "other_manager"):
        client.force_login(world[who])
        for url in urls:
            assert client.get(url).status_code == 403, (who, url)
        for url, data in posts:
            assert client.post(url, data).status_code == 403, (who, url)
        client.logout()
    assert PendingEdit.objects.get().status == "pending"
    assert not Manager.objects.get(pk=link.pk).approved
    assert not Manager.objects.filter(user=world["stranger"]).exists()
    client.force_login(world["officer"])
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_only_officers_decide(world):
    pending = services.propose(factories.manager(world["ours"], "newbie", trusted=False), world["ours"], "service",
                               world["our_service"], {"name": "New name"}).pending
    for who in ("manager", "stranger"):
        with pytest.raises(PermissionDenied):
            services.approve(world[who], pending)
        with pytest.raises(PermissionDenied):
            services.reject(world[who], pending)
        with pytest.raises(PermissionDenied):
            services.add_manager(world[who], world["ours"], world["stranger"])
    assert Service.objects.get(pk=world["our_service"].pk).name == "Our club"


def test_only_community_members_ask_to_manage(client, world):
    with pytest.raises(PermissionDenied):
        services.request_to_manage(world["officer"], world["theirs"])
    client.force_login(world["officer"])
    assert client.post(f"/directory/organisations/{world['theirs'].pk}/ask-to-manage/").status_code == 403
    assert client.get(f"/directory/organisations/{world['theirs'].pk}/ask-to-manage/").status_code == 405
    assert not Manager.objects.filter(user=world["officer"]).exists()
    assert User.objects.get(pk=world["officer"].pk).role == User.Role.OFFICER
