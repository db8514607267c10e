"""Managers keep their listings up to date: direct edits, edits awaiting approval, history, checks and reminders."""
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from shire.core.models import AuditEvent, OutgoingEmail
from shire.core.testing import mail_server_down, run_background_work, with_worker
from shire.directory import services
from shire.directory.models import ChangeRecord, Manager, Organization, PendingEdit, Schedule, Service

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def group():
    organization = factories.organization("Desford Good Neighbour Scheme", district=factories.district())
    hall = factories.location(organization, "Desford Village Hall")
    service = factories.service(organization, "Lunch club", locations=[hall])
    return {"organization": organization, "hall": hall, "service": service}


def signed_in(client, user):
    client.force_login(user)
    return client


def service_form(**changes):
    data = {"name": "Lunch club", "description": "A hot lunch and company.", "status": "active", "cost": "free",
            "attending_access": "drop_in", "attending_type": "in_person"}
    data.update(changes)
    return data


def test_a_trusted_managers_edit_applies_at_once_and_is_recorded(client, group):
    user = factories.manager(group["organization"], trusted=True)
    signed_in(client, user)
    url = f"/directory/manage/{group['organization'].pk}/services/{group['service'].pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, service_form(name="Friday lunch club", locations=[str(group["hall"].pk)]))
    assert response.status_code == 302
    service = Service.objects.get(pk=group["service"].pk)
    assert service.name == "Friday lunch club" and service.cost == "free"
    record = ChangeRecord.objects.get(action="update")
    assert record.changed_by == user and record.approved_by is None
    assert record.changes["name"] == {"old": "Lunch club", "new": "Friday lunch club"}
    assert "locations" not in record.changes  # unchanged fields are not recorded
    assert PendingEdit.objects.count() == 0
    # The change is searchable at once.
    assert [s.name for s in client.get("/directory/", {"q": "friday"}).context["page_services"]] == ["Friday lunch club"]


def test_saving_without_changes_records_nothing(client, group):
    user = factories.manager(group["organization"], trusted=True)
    signed_in(client, user)
    url = f"/directory/manage/{group['organization'].pk}/details/"
    initial = client.get(url).context["form"].initial
    data = {key: value for key, value in initial.items() if value is not None and key in (
        "name", "alternate_name", "description", "email", "website", "legal_status")}
    response = client.post(url, data, follow=True)
    assert "You did not change anything" in response.text
    assert ChangeRecord.objects.count() == 0


def test_a_new_managers_first_edit_waits_for_an_officer(client, group):
    user = factories.manager(group["organization"], trusted=False)
    officer = factories.officer()
    signed_in(client, user)
    url = f"/directory/manage/{group['organization'].pk}/services/{group['service'].pk}/change/"
    response = client.post(url, service_form(description="Now with pudding.", locations=[str(group["hall"].pk)]),
                           follow=True)
    assert "sent to an officer to approve" in response.text
    assert Service.objects.get(pk=group["service"].pk).description == "A hot lunch and company."
    pending = PendingEdit.objects.get()
    assert pending.reason == PendingEdit.Reason.NEW_MANAGER and pending.status == "pending"
    assert pending.changes == {"description": "Now with pudding.", "cost": "free"}
    assert pending.original["description"] == "A hot lunch and company."
    # Not yet on the public page.
    assert "Now with pudding." not in client.get(group["service"].get_absolute_url()).text

    services.approve(officer, pending)
    assert Service.objects.get(pk=group["service"].pk).description == "Now with pudding."
    record = ChangeRecord.objects.get()
    assert (record.changed_by, record.approved_by, record.pending_edit) == (user, officer, pending)
    assert Manager.objects.get(user=user).first_edit_approved
    assert AuditEvent.objects.filter(action="directory.approve_edit").exists()
    # From now on the manager's edits apply at once.
    client.post(url, service_form(description="Now with pudding and custard."))
    assert Service.objects.get(pk=group["service"].pk).description == "Now with pudding and custard."
    assert PendingEdit.objects.count() == 1


def test_a_rejected_edit_changes_nothing_and_keeps_the_manager_new(group):
    user = factories.manager(group["organization"], trusted=False)
    officer = factories.officer()
    outcome = services.propose(user, group["organization"], "service", group["service"], {"name": "Spam"})
    services.reject(officer, outcome.pending, "Not a real change")
    assert Service.objects.get(pk=group["service"].pk).name == "Lunch club"
    assert PendingEdit.objects.get().status == "rejected"
    assert not Manager.objects.get(user=user).first_edit_approved
    with pytest.raises(ValidationError):
        services.approve(officer, outcome.pending)  # already decided


def test_every_edit_to_a_council_run_listing_waits_even_from_a_trusted_manager(group):
    organization = group["organization"]
    organization.is_council_run = True
    organization.save()
    user = factories.manager(organization, trusted=True)
    outcome = services.propose(user, organization, "organization", organization, {"description": "Changed."})
    assert outcome.pending.reason == PendingEdit.Reason.COUNCIL_RUN
    assert Organization.objects.get(pk=organization.pk).description != "Changed."
    # Officers' own edits apply.
    officer = factories.officer()
    outcome = services.propose(officer, organization, "organization", organization, {"description": "By an officer."})
    assert outcome.applied and Organization.objects.get(pk=organization.pk).description == "By an officer."


def test_adding_and_removing_records(client, group):
    user = factories.manager(group["organization"], trusted=True)
    signed_in(client, user)
    base = f"/directory/manage/{group['organization'].pk}"
    response = client.post(f"{base}/services/add/", service_form(name="Knit and natter",
                                                                 locations=[str(group["hall"].pk)]))
    assert response.status_code == 302
    knit = Service.objects.get(name="Knit and natter")
    assert knit.organization == group["organization"]
    assert list(knit.service_at_locations.values_list("location", flat=True)) == [group["hall"].pk]
    assert ChangeRecord.objects.get(action="create").target_id == knit.pk

    response = client.post(f"{base}/times/add/", {"service": str(knit.pk), "days": ["TU", "TH"], "week_of_month": "",
                                                  "interval": "1", "opens_at": "10:00", "closes_at": "12:00"})
    assert response.status_code == 302
    schedule = Schedule.objects.get(service=knit)
    assert (schedule.freq, schedule.byday, str(schedule.opens_at)) == ("WEEKLY", "TU,TH", "10:00:00")
    assert "Every Tuesday and Thursday, 10am to midday" in client.get(knit.get_absolute_url()).text

    monthly = client.post(f"{base}/times/{schedule.pk}/change/", {
        "service": str(knit.pk), "days": ["WE"], "week_of_month": "2", "opens_at": "19:00", "closes_at": "21:00"})
    assert monthly.status_code == 302
    schedule.refresh_from_db()
    assert (schedule.freq, schedule.byday) == ("MONTHLY", "2WE")

    assert client.get(f"{base}/services/{knit.pk}/remove/").status_code == 200
    assert client.post(f"{base}/services/{knit.pk}/remove/").status_code == 302
    assert not Service.objects.filter(pk=knit.pk).exists()
    removed = ChangeRecord.objects.get(action="delete")
    assert removed.target_label == "Knit and natter" and removed.changes["name"]["old"] == "Knit and natter"


def test_forms_report_problems_in_an_error_summary(client, group):
    user = factories.manager(group["organization"], trusted=True)
    signed_in(client, user)
    base = f"/directory/manage/{group['organization'].pk}"
    response = client.post(f"{base}/services/add/", service_form(name="", minimum_age="70", maximum_age="20"))
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert 'href="#id_name"' in response.text and "Enter the name of the service" in response.text
    assert "The oldest age must be the same as or more than the youngest age" in response.text
    assert response.context["form"].errors
    response = client.post(f"{base}/places/add/", {"name": "Hall", "kind": "village_hall", "location_type": "physical",
                                                   "postal_code": "NOT A CODE", "latitude": "52.6"})
    assert "Enter the first line of the address" in response.text
    assert "Enter a real postcode" in response.text
    assert "Enter both the latitude and the longitude" in response.text
    response = client.post(f"{base}/times/add/", {"days": [], "opens_at": "25:99", "closes_at": ""})
    assert "Choose at least one day" in response.text and "Enter a time" in response.text
    assert ChangeRecord.objects.count() == 0


def test_private_flag_set_by_a_manager_keeps_a_number_off_the_page(client, group):
    user = factories.manager(group["organization"], trusted=True)
    signed_in(client, user)
    base = f"/directory/manage/{group['organization'].pk}"
    client.post(f"{base}/phone-numbers/add/", {"number": "07700 900555", "type": "cell", "private": "on"})
    client.post(f"{base}/phone-numbers/add/", {"number": "0116 496 0555", "type": "voice"})
    text = client.get(group["organization"].get_absolute_url()).text
    assert "0116 496 0555" in text and "07700 900555" not in text
    # The manager sees both on the manage page, the private one marked.
    manage = client.get(f"{base}/").text
    assert "07700 900555" in manage and "Private" in manage


def test_page_history_lists_changes_in_words(client, group):
    user = factories.manager(group["organization"], trusted=True)
    officer = factories.officer()
    services.propose(user, group["organization"], "service", group["service"], {"cost": "paid", "name": "Lunch"})
    services.propose(officer, group["organization"], "organization", group["organization"], {"name": "Desford GNS"})
    for person in (user, officer):
        client.logout()
        signed_in(client, person)
        text = client.get(f"/directory/manage/{group['organization'].pk}/history/").text
        assert "There is a charge" in text and "Lunch club" in text and "Desford GNS" in text
        assert "Changed service: Lunch" in text


def test_confirming_a_listing_is_right_marks_it_checked(client, group):
    organization = group["organization"]
    organization.last_checked_on = timezone.localdate() - timedelta(days=500)
    organization.save()
    user = factories.manager(organization, trusted=False)  # even a new manager may confirm
    signed_in(client, user)
    response = client.post(f"/directory/manage/{organization.pk}/check/", follow=True)
    assert "marked as checked" in response.text
    organization.refresh_from_db()
    assert organization.last_checked_on == timezone.localdate() and not organization.is_stale()
    assert Service.objects.get(pk=group["service"].pk).last_checked_on == timezone.localdate()
    assert ChangeRecord.objects.get().action == "checked"


def test_approving_an_edit_to_a_removed_record_fails_cleanly(client, group):
    user = factories.manager(group["organization"], trusted=False)
    officer = factories.officer()
    outcome = services.propose(user, group["organization"], "service", group["service"], {"name": "Gone"})
    group["service"].delete()
    signed_in(client, officer)
    response = client.post(f"/directory/staff/changes/{outcome.pending.pk}/", {"decision": "approve"})
    assert response.status_code == 400
    assert "has been removed" in response.text
    assert PendingEdit.objects.get().status == "pending"


def test_officer_review_pages(client, group):
    user = factories.manager(group["organization"], trusted=False)
    officer = factories.officer()
    outcome = services.propose(user, group["organization"], "service", group["service"], {"name": "Lunch & more"})
    signed_in(client, officer)
    listing = client.get("/directory/staff/changes/")
    assert "Lunch &amp; more" in listing.text and "A new manager&#x27;s first edit" in listing.text
    detail = client.get(f"/directory/staff/changes/{outcome.pending.pk}/")
    assert "Lunch club" in detail.text and "Lunch &amp; more" in detail.text
    response = client.post(f"/directory/staff/changes/{outcome.pending.pk}/", {"decision": "approve", "note": "OK"})
    assert response.status_code == 302
    assert Service.objects.get(pk=group["service"].pk).name == "Lunch & more"
    assert PendingEdit.objects.get().decision_note == "OK"
    assert "no changes waiting" in client.get("/directory/staff/changes/").text


def test_officers_see_and_close_error_reports(client, group):
    officer = factories.officer()
    report = services.report_error(group["service"], group["service"].get_absolute_url(), "Wrong day", "me@example.org")
    signed_in(client, officer)
    text = client.get("/directory/staff/reports/").text
    assert "Wrong day" in text and "me@example.org" in text
    client.post(f"/directory/staff/reports/{report.pk}/close/", {"status": "resolved"})
    report.refresh_from_db()
    assert report.status == "resolved" and report.resolved_by == officer
    assert "Wrong day" not in client.get("/directory/staff/reports/").text
    assert "Wrong day" in client.get("/directory/staff/reports/", {"status": "resolved"}).text


def test_officers_list_stale_listings(client, group):
    officer = factories.officer()
    fresh = factories.organization("Fresh group")
    old = factories.organization("Old group", last_checked_on=timezone.localdate() - timedelta(days=800))
    never = factories.organization("Never checked", last_checked_on=None)
    signed_in(client, officer)
    page = client.get("/directory/staff/stale/").context["page"]
    assert [o.name for o in page] == ["Never checked", "Old group"]
    assert fresh.name not in client.get("/directory/staff/stale/").text
    assert old.is_stale() and never.is_stale()


def test_officers_add_and_approve_managers(client, group):
    officer = factories.officer()
    cara = factories.community_user("cara")
    asker = factories.community_user("asker")
    signed_in(client, asker)
    client.post(f"/directory/organisations/{group['organization'].pk}/ask-to-manage/")
    link = Manager.objects.get(user=asker)
    assert not link.approved
    assert not services.can_edit(asker, group["organization"])
    client.logout()
    signed_in(client, officer)
    assert "asker" in client.get("/directory/staff/managers/").text
    client.post(f"/directory/staff/organisations/{group['organization'].pk}/managers/{link.pk}/", {"decision": "approve"})
    assert services.can_edit(asker, group["organization"])
    response = client.post(f"/directory/staff/organisations/{group['organization'].pk}/managers/", {"username": "cara"})
    assert response.status_code == 302
    assert Manager.objects.get(user=cara).approved and not Manager.objects.get(user=cara).first_edit_approved
    refused = client.post(f"/directory/staff/organisations/{group['organization'].pk}/managers/",
                          {"username": officer.username})
    assert "That is a staff account" in refused.text
    client.post(f"/directory/staff/organisations/{group['organization'].pk}/managers/{link.pk}/", {"decision": "remove"})
    assert not Manager.objects.filter(user=asker).exists()


# --- stale listings and reminders ----------------------------------------------------------------


@pytest.fixture
def stale_listing():
    today = date(2026, 6, 1)
    organization = factories.organization("Asfordby Village Hall", last_checked_on=today - timedelta(days=400))
    first = factories.manager(organization, "first")
    second = factories.manager(organization, "second")
    factories.manager(organization, "unapproved", approved=False)
    fresh = factories.organization("Fresh group", last_checked_on=today - timedelta(days=10))
    Manager.objects.create(organization=fresh, user=factories.community_user("fresh-manager"), approved=True)
    factories.organization("Nobody manages this", last_checked_on=None)
    return {"today": today, "organization": organization, "managers": [first, second]}


@with_worker
def test_stale_reminders_email_each_approved_manager_once_a_month(stale_listing):
    today = stale_listing["today"]
    reminded, queued = services.send_stale_reminders(today, base_url="https://shire.example")
    assert (reminded, queued) == (1, 2)
    assert Organization.objects.get(pk=stale_listing["organization"].pk).stale_reminder_sent_on == today
    about = f"Stale listing reminder for organisation {stale_listing['organization'].pk}"
    assert set(OutgoingEmail.objects.values_list("about", "status")) == {(about, "queued")}
    assert not mail.outbox
    run_background_work()
    assert sorted(message.to[0] for message in mail.outbox) == ["first@example.org", "second@example.org"]
    assert all(len(message.to) == 1 for message in mail.outbox)  # nobody sees another's address
    message = mail.outbox[0]
    assert "Asfordby Village Hall" in message.subject
    assert f"https://shire.example/directory/manage/{stale_listing['organization'].pk}/" in message.body
    assert "Everything on the page is right" in message.body
    # Not again within 30 days; again after.
    assert services.send_stale_reminders(today + timedelta(days=29)) == (0, 0)
    assert services.send_stale_reminders(today + timedelta(days=30)) == (1, 2)


def test_confirming_a_listing_stops_the_reminders(stale_listing):
    services.confirm_checked(stale_listing["managers"][0], stale_listing["organization"], stale_listing["today"])
    assert services.send_stale_reminders(stale_listing["today"]) == (0, 0)
    assert not OutgoingEmail.objects.exists()


@with_worker
def test_a_reminder_the_mail_server_cannot_take_is_tried_again_and_not_queued_twice(stale_listing, settings, caplog):
    mail_server_down(settings)
    assert services.send_stale_reminders(stale_listing["today"]) == (1, 2)
    run_background_work()
    assert set(OutgoingEmail.objects.values_list("status", "attempts", "error_type")) == {
        ("queued", 1, "SMTPServerDisconnected")}
    assert "@" not in caplog.text and "Asfordby" not in caplog.text
    # The listing counts as reminded: running the command again the same day queues nothing more.
    assert services.send_stale_reminders(stale_listing["today"]) == (0, 0)
    assert OutgoingEmail.objects.count() == 2


def test_remind_stale_command(stale_listing):
    out = StringIO()
    call_command("directory", "remind-stale", "--today", "2026-06-01", "--base-url", "https://shire.example/",
                 stdout=out)
    assert "2 listings have not been checked for 12 months" in out.getvalue()
    assert ("Reminded the managers of 1 of them: 2 e-mails queued for Shire's background worker (shire db_worker) "
            "to send.") in out.getvalue()
    assert OutgoingEmail.objects.count() == 2
    assert all("https://shire.example/directory/manage/" in email.body for email in OutgoingEmail.objects.all())
    dry = StringIO()
    call_command("directory", "remind-stale", "--today", "2026-08-01", "--dry-run", stdout=dry)
    assert "Nothing was sent" in dry.getvalue() and OutgoingEmail.objects.count() == 2


def test_remind_stale_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a date"):
        call_command("directory", "remind-stale", "--today", "31/12/2026")
