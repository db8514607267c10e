"""The directory's models: HSDS-shaped ids and fields, search text, stale listings, private contacts, times in words."""
import uuid
from datetime import date, time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from shire.directory import services
from shire.directory.models import Contact, CostOption, Organization, Phone, Schedule, search_text_of, stale_cutoff

from . import factories

pytestmark = pytest.mark.django_db


def test_migrations_match_the_models():
    out = StringIO()
    call_command("makemigrations", "directory", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_hsds_records_have_uuid_ids():
    organization = factories.organization()
    location = factories.location(organization)
    service = factories.service(organization, locations=[location])
    at = service.service_at_locations.get()
    for record in (organization, location, service, at):
        assert isinstance(record.pk, uuid.UUID)
    assert isinstance(location.address_id, uuid.UUID) and location.address_id != location.pk
    assert location.country == "GB"


def test_search_text_folds_case_and_compatibility_forms_in_any_script():
    assert search_text_of("Café  ＡＢＣ", "STRASSE", "ŁÓDŹ", None, "") == "café abc strasse łódź"
    assert search_text_of("Straße") == "strasse"  # casefold, not lower


def test_service_search_text_has_its_organisation_terms_and_towns():
    organization = factories.organization(name="Desford Good Neighbour Scheme")
    place = factories.location(organization, city="Botcheston")
    food = factories.term("food", "Food support")
    service = factories.service(organization, name="Lunch Club", locations=[place], terms=[food])
    service.refresh_from_db()
    for words in ("lunch club", "desford good neighbour", "food support", "botcheston"):
        assert words in service.search_text


def test_organisation_search_text_follows_its_name():
    organization = factories.organization(name="Old Name")
    organization.name = "New Name"
    organization.save(update_fields=["name"])
    organization.refresh_from_db()
    assert "new name" in organization.search_text and "old name" not in organization.search_text


def test_a_listing_is_stale_after_twelve_months_unchecked():
    today = date(2026, 6, 1)
    organization = factories.organization(last_checked_on=today - timedelta(days=365))
    assert not organization.is_stale(today)
    organization.last_checked_on = today - timedelta(days=366)
    assert organization.is_stale(today)
    organization.last_checked_on = None
    assert organization.is_stale(today)
    assert stale_cutoff(today) == date(2025, 6, 1)


def test_public_contacts_leave_out_private_ones():
    organization = factories.organization()
    Contact.objects.create(organization=organization, name="Bookings secretary")
    Contact.objects.create(organization=organization, name="Jo Bloggs (home)", private=True)
    Phone.objects.create(organization=organization, number="0116 496 0001")
    Phone.objects.create(organization=organization, number="07700 900001", private=True)
    assert [c.name for c in organization.contacts.public()] == ["Bookings secretary"]
    assert [p.number for p in organization.phones.public()] == ["0116 496 0001"]
    assert "name" in Contact.PERSONAL_FIELDS and "number" in Phone.PERSONAL_FIELDS


def test_ages_and_cost_in_words():
    organization = factories.organization()
    service = factories.service(organization, minimum_age=50)
    assert service.ages_label() == "Ages 50 and over"
    service.maximum_age = 70
    assert service.ages_label() == "Ages 50 to 70"
    service.minimum_age = None
    assert service.ages_label() == "Ages up to 70"
    option = CostOption.objects.create(service=service, option="Per session", amount_pence=250)
    assert option.amount == 2.5


def test_council_kinds():
    council = factories.organization(kind=Organization.Kind.PARISH_MEETING)
    group = factories.organization(kind=Organization.Kind.FAITH_GROUP)
    assert council.is_council and not group.is_council


@pytest.mark.parametrize("values, words", [
    ({"freq": "WEEKLY", "byday": "TU", "opens_at": time(10), "closes_at": time(12)}, "Every Tuesday, 10am to midday"),
    ({"freq": "WEEKLY", "byday": "MO,WE,FR", "opens_at": time(9, 30), "closes_at": time(13)},
     "Every Monday, Wednesday and Friday, 9:30am to 1pm"),
    ({"freq": "WEEKLY", "interval": 2, "byday": "TH", "opens_at": time(19), "closes_at": time(21)},
     "Every other Thursday, 7pm to 9pm"),
    ({"freq": "MONTHLY", "byday": "2TU", "opens_at": time(19, 30), "closes_at": time(21, 30)},
     "The second Tuesday of every month, 7:30pm to 9:30pm"),
    ({"freq": "MONTHLY", "byday": "-1FR", "opens_at": time(10), "closes_at": time(12)},
     "The last Friday of every month, 10am to midday"),
    ({"freq": "MONTHLY", "bymonthday": "1,15"}, "The 1st and 15th of every month"),
    ({"freq": "WEEKLY", "byday": "SA", "opens_at": time(0), "closes_at": time(1)}, "Every Saturday, midnight to 1am"),
    ({"description": "At least twice a year"}, "At least twice a year"),
    ({"freq": "WEEKLY", "byday": "MO", "opens_at": time(13), "closes_at": time(16), "description": "November to March"},
     "Every Monday, 1pm to 4pm: November to March"),
])
def test_opening_times_in_words(values, words):
    assert services.describe_schedule(Schedule(**values)) == words


def test_schedules_sort_by_first_day_then_time():
    later = Schedule(byday="TU", opens_at=time(14))
    earlier = Schedule(byday="TU", opens_at=time(9))
    monday = Schedule(byday="2MO", opens_at=time(19))
    undated = Schedule(description="By arrangement")
    assert sorted([undated, later, monday, earlier], key=services.schedule_sort_key) == [monday, earlier, later, undated]


def test_postgresql_has_trigram_indexes_for_word_search():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes are for PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'directory_%%_search_trgm'")
        assert sorted(row[0] for row in cursor.fetchall()) == [
            "directory_organization_search_trgm", "directory_service_search_trgm"]
