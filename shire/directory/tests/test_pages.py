"""The public pages: what, when, where, how to get in touch, last checked; private details never shown; reports."""
import uuid
from datetime import time, timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from shire.directory.models import (
    Accessibility,
    Contact,
    CostOption,
    ErrorReport,
    NeighbourhoodPlan,
    Organization,
    Phone,
    Schedule,
)
from shire.directory.templatetags.directory_tags import money, web_url

from . import factories

pytestmark = pytest.mark.django_db

PRIVATE_NAME = "Jo Private-Person"
PRIVATE_EMAIL = "jo.private@example.org"
PRIVATE_NUMBER = "07700 900123"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def listing():
    blaby = factories.district()
    desford = factories.parish("Desford", blaby)
    organization = factories.organization("Desford Good Neighbour Scheme", district=blaby, parish=desford,
                                          email="hello@desford.example.org", website="https://desford.example.org/")
    hall = factories.location(organization, "Desford Village Hall", district=blaby, parish=desford,
                              transportation="Bus 26 stops outside.")
    factories.feature(hall, Accessibility.Feature.STEP_FREE)
    factories.feature(hall, Accessibility.Feature.HEARING_LOOP)
    older = factories.term("older-people", "Older people", audience=True)
    social = factories.term("social", "Friendship and social activities")
    service = factories.service(organization, "Lunch club", description="A hot lunch and company.",
                                locations=[hall], terms=[older, social], minimum_age=60, cost="paid",
                                fees_description="Lunch is £6.", eligibility_description="Anyone over 60.")
    CostOption.objects.create(service=service, option="Two-course lunch", amount_pence=600)
    Schedule.objects.create(service=service, freq="WEEKLY", byday="TH", opens_at=time(12), closes_at=time(14))
    Schedule.objects.create(location=hall, freq="WEEKLY", byday="MO,TU", opens_at=time(9), closes_at=time(17))
    Phone.objects.create(service=service, number="0116 496 0100", description="Weekday mornings")
    Contact.objects.create(organization=organization, name="Scheme coordinator", email="coordinator@desford.example.org")
    # Private details, on every kind of record: none may ever show on a public page.
    Contact.objects.create(organization=organization, name=PRIVATE_NAME, email=PRIVATE_EMAIL, private=True)
    Contact.objects.create(service=service, name=PRIVATE_NAME, email=PRIVATE_EMAIL, private=True)
    Contact.objects.create(location=hall, name=PRIVATE_NAME, email=PRIVATE_EMAIL, private=True)
    public_contact = Contact.objects.create(service=service, name="Lunch club organiser")
    Phone.objects.create(contact=public_contact, number=PRIVATE_NUMBER, private=True)
    Phone.objects.create(organization=organization, number=PRIVATE_NUMBER, private=True)
    Phone.objects.create(service=service, number=PRIVATE_NUMBER, private=True)
    Phone.objects.create(location=hall, number=PRIVATE_NUMBER, private=True)
    return {"organization": organization, "service": service, "hall": hall}


def assert_no_private_details(text):
    assert PRIVATE_NAME not in text
    assert PRIVATE_EMAIL not in text
    assert PRIVATE_NUMBER not in text
    assert PRIVATE_NUMBER.replace(" ", "") not in text


def test_service_page_says_what_who_cost_when_where_and_how_to_get_in_touch(client, listing):
    response = client.get(listing["service"].get_absolute_url())
    assert response.status_code == 200
    text = response.text
    for expected in ("Lunch club", "A hot lunch and company.", "Desford Good Neighbour Scheme", "Older people",
                     "Ages 60 and over", "Anyone over 60.", "Two-course lunch: £6", "Lunch is £6.",
                     "Every Thursday, midday to 2pm", "Desford Village Hall", "1 Main Street", "LE9 9AA",
                     "hearing loop", "0116 496 0100", "Weekday mornings", "Lunch club organiser",
                     "Friendship and social activities"):
        assert expected in text, expected
    assert f"Last checked on {timezone.localdate():%-d %B %Y}" in text
    assert "Report an error on this page" in text
    assert_no_private_details(text)


def test_organisation_page(client, listing):
    text = client.get(listing["organization"].get_absolute_url()).text
    for expected in ("Desford Good Neighbour Scheme", "Community group", "Desford, Blaby", "Lunch club",
                     "Desford Village Hall", "hello@desford.example.org", "https://desford.example.org/",
                     "Scheme coordinator", "coordinator@desford.example.org"):
        assert expected in text, expected
    assert_no_private_details(text)


def test_place_page(client, listing):
    text = client.get(listing["hall"].get_absolute_url()).text
    for expected in ("Desford Village Hall", "Step-free access", "Hearing loop", "Bus 26 stops outside.",
                     "Every Monday and Tuesday, 9am to 5pm", "Lunch club"):
        assert expected in text, expected
    assert_no_private_details(text)


def test_search_results_never_show_private_details(client, listing):
    assert_no_private_details(client.get("/directory/", {"q": "lunch"}).text)
    assert_no_private_details(client.get("/directory/organisations/").text)


def test_a_service_without_contacts_of_its_own_shows_its_organisations(client, listing):
    service = factories.service(listing["organization"], "Coffee morning")
    text = client.get(service.get_absolute_url()).text
    assert "Contact Desford Good Neighbour Scheme" in text
    assert "Scheme coordinator" in text and "hello@desford.example.org" in text
    assert_no_private_details(text)


def test_a_listing_not_checked_for_twelve_months_is_flagged(client, listing):
    organization = listing["organization"]
    organization.last_checked_on = timezone.localdate() - timedelta(days=400)
    organization.save()
    for url in (organization.get_absolute_url(), listing["service"].get_absolute_url()):
        text = client.get(url).text
        assert "more than 12 months ago" in text, url
        assert "govuk-warning-text" in text
    organization.last_checked_on = timezone.localdate() - timedelta(days=30)
    organization.save()
    assert "more than 12 months ago" not in client.get(organization.get_absolute_url()).text


def test_free_text_is_escaped_everywhere(client):
    organization = factories.organization("<script>alert('org')</script>",
                                          description="<img src=x onerror=alert(1)> & friends")
    service = factories.service(organization, "<b>Bold</b> club", description="<iframe src=evil></iframe>",
                                alert="<script>alert('alert')</script>")
    place = factories.location(organization, "<svg onload=alert(1)>", address_1="<script>x</script>")
    for url in (organization.get_absolute_url(), service.get_absolute_url(), place.get_absolute_url(),
                "/directory/?q=club", "/directory/organisations/"):
        text = client.get(url).text
        for raw in ("<script>alert", "<img src=x", "<iframe", "<b>Bold</b>", "<svg onload", "<script>x"):
            assert raw not in text, (url, raw)
    assert "&lt;b&gt;Bold&lt;/b&gt; club" in client.get(service.get_absolute_url()).text


def test_only_web_addresses_become_links():
    assert web_url("javascript:alert(1)") == ""
    assert web_url(" data:text/html,x") == ""
    assert web_url("https://example.org/") == "https://example.org/"
    assert money(600) == "£6" and money(250) == "£2.50" and money(150000) == "£1,500"


def test_a_javascript_website_from_an_import_is_not_a_link(client):
    organization = factories.organization(website="javascript:alert(1)")
    assert 'href="javascript:' not in client.get(organization.get_absolute_url()).text


def test_unknown_records_are_404(client):
    for kind in ("organisations", "services", "places"):
        assert client.get(f"/directory/{kind}/{uuid.uuid4()}/").status_code == 404
    assert client.get("/directory/services/not-a-uuid/").status_code == 404


def test_organisation_list_filters_by_kind_and_district(client, listing):
    melton = factories.district("Melton", "E07000133")
    factories.organization("Melton Space", Organization.Kind.SOCIAL_ENTERPRISE, district=melton)
    response = client.get("/directory/organisations/", {"kind": "social_enterprise"})
    assert [o.name for o in response.context["page"]] == ["Melton Space"]
    response = client.get("/directory/organisations/", {"district": "blaby"})
    assert [o.name for o in response.context["page"]] == ["Desford Good Neighbour Scheme"]
    assert client.get("/directory/organisations/", {"kind": "<x>", "district": "'"}).status_code == 200


def test_neighbourhood_plans_page_counts_each_stage(client):
    for index, stage in enumerate(["made", "made", "designated"]):
        organization = factories.organization(f"Plan group {index}", Organization.Kind.NEIGHBOURHOOD_PLANNING_GROUP)
        NeighbourhoodPlan.objects.create(organization=organization, area_name=f"Area {index}", stage=stage,
                                         members_count=2)
    response = client.get("/directory/neighbourhood-plans/")
    assert response.context["total"] == 3 and response.context["members"] == 6
    assert dict((code, count) for code, _, count in response.context["stages"])["made"] == 2
    made = client.get("/directory/neighbourhood-plans/", {"stage": "made"})
    assert [plan.area_name for plan in made.context["page"]] == ["Area 0", "Area 1"]
    text = client.get(NeighbourhoodPlan.objects.get(area_name="Area 0").organization.get_absolute_url()).text
    assert "Made (adopted)" in text


def test_anyone_can_report_an_error(client, listing):
    url = f"/directory/report/service/{listing['service'].pk}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"message": "The lunch is now on Fridays.", "email": "me@example.org"})
    assert response.status_code == 302
    report = ErrorReport.objects.get()
    assert (report.organization, report.target_type, report.page) == (
        listing["organization"], "service", listing["service"].get_absolute_url())
    assert report.reporter_email == "me@example.org" and report.status == "new"
    sent = client.get(response["Location"])
    assert "Report sent" in sent.text
    # The reporter's address is never on a public page.
    for page in (listing["service"].get_absolute_url(), listing["organization"].get_absolute_url()):
        assert "me@example.org" not in client.get(page).text


def test_a_report_needs_a_message_and_a_valid_address(client, listing):
    url = f"/directory/report/organisation/{listing['organization'].pk}/"
    response = client.post(url, {"message": "  ", "email": "not an address"})
    assert response.status_code == 200
    assert "Enter what is wrong on the page" in response.text
    assert "Enter an e-mail address in the correct format" in response.text
    assert response.text.count('href="#id_message"') == 1
    assert ErrorReport.objects.count() == 0


def test_reports_need_the_csrf_token(listing):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(f"/directory/report/place/{listing['hall'].pk}/", {"message": "Wrong address"})
    assert response.status_code == 403
    assert ErrorReport.objects.count() == 0


def test_reports_are_rate_limited_per_address(client, listing):
    url = f"/directory/report/service/{listing['service'].pk}/"
    for _ in range(5):
        assert client.post(url, {"message": "Wrong"}).status_code == 302
    refused = client.post(url, {"message": "Wrong again"})
    assert refused.status_code == 429
    assert "try again later" in refused.text
    assert ErrorReport.objects.count() == 5
    other = client.post(url, {"message": "From elsewhere"}, REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 302


def test_reports_on_unknown_things_are_404(client):
    assert client.get(f"/directory/report/consultation/{uuid.uuid4()}/").status_code == 404
    assert client.get(f"/directory/report/service/{uuid.uuid4()}/").status_code == 404
