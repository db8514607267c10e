"""The Open Referral UK API's behaviour: paging, filters, full records, errors, private contact
details, and the number of database queries a page costs (which must not grow with the page)."""
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from shire.directory import services
from shire.directory.models import Contact, Organization, Phone, Service, ServiceAttribute

from .oruk_sample import PRIVATE_MARKER, make_sample


@pytest.fixture(autouse=True)
def _no_api_cache(settings):
    """Every request reaches the views (the API's 60-second cache is tested on its own)."""
    settings.DIRECTORY_API_CACHE_SECONDS = 0

pytestmark = pytest.mark.django_db


@pytest.fixture
def s():
    return make_sample()


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.content[:300])
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.json()


def names(page):
    """The names on a page, sorted (lists come in the order of their ids)."""
    return sorted(row["name"] for row in page["contents"])


def test_root_says_what_the_api_is_and_where_its_document_is(client):
    body = get(client, "/api/oruk/")
    assert body["version"] == "HSDS-UK-3.0"
    assert body["profile"].startswith("https://openreferraluk.org/specifications/3.0")
    assert body["openapi_url"] == "http://testserver/api/oruk/openapi.json"
    document = get(client, "/api/oruk/openapi.json")
    assert document["servers"] == [{"url": "http://testserver/api/oruk"}]
    assert set(document["paths"]) >= {"/", "/services", "/services/{id}", "/taxonomies", "/taxonomies/{id}",
                                      "/taxonomy_terms", "/taxonomy_terms/{id}", "/service_at_locations",
                                      "/service_at_locations/{id}", "/organizations", "/organizations/{id}"}
    assert "openreferraluk.org" not in str([v for k, v in _refs(document)])


def _refs(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "$ref":
                yield key, item
            else:
                yield from _refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)


def test_every_schema_reference_in_the_document_resolves(client):
    document = get(client, "/api/oruk/openapi.json")
    for _, ref in _refs(document):
        assert ref.startswith("#/components/schemas/")
        assert ref.rsplit("/", 1)[1] in document["components"]["schemas"], ref


def test_services_are_paged_as_oruk_says(client, s):
    first = get(client, "/api/oruk/services?per_page=2")
    assert {k: v for k, v in first.items() if k != "contents"} == {
        "total_items": 3, "total_pages": 2, "page_number": 1, "size": 2, "first_page": True, "last_page": False,
        "empty": False}
    second = get(client, "/api/oruk/services?per_page=2&page=2")
    assert second["last_page"] and not second["first_page"] and second["size"] == 1
    assert (second["total_items"], second["total_pages"]) == (3, 2)  # the last page counts without a count
    ids = [row["id"] for row in first["contents"] + second["contents"]]
    assert ids == sorted(ids) == sorted(str(pk) for pk in Service.objects.values_list("pk", flat=True))
    beyond = get(client, "/api/oruk/services?per_page=2&page=3")
    assert beyond["contents"] == [] and beyond["empty"] and beyond["size"] == 0 and beyond["total_items"] == 3


def test_an_empty_directory_is_one_empty_page(client):
    body = get(client, "/api/oruk/services")
    assert body == {"total_items": 0, "total_pages": 0, "page_number": 1, "size": 0, "first_page": True,
                    "last_page": True, "empty": True, "contents": []}


def test_list_items_are_one_to_one_fields_with_the_organization(client, s):
    item = next(row for row in get(client, "/api/oruk/services")["contents"] if row["name"] == "Walking football")
    assert item["organization"]["name"] == "Measham Walking Football"
    assert item["organization_id"] == str(s["org"].pk)
    assert "schedules" not in item and "contacts" not in item
    assert item["last_modified"].endswith("Z") and len(item["last_modified"]) == len("2023-03-15T10:30:45.123Z")


def test_search_finds_every_word_in_service_organisation_terms_and_towns(client, s):
    assert names(get(client, "/api/oruk/services?search=football")) == ["Walking football"]
    assert names(get(client, "/api/oruk/services?search=MEASHAM%20football")) == ["Walking football"]
    assert names(get(client, "/api/oruk/services?search=sport")) == ["Walking football"]  # its term
    assert names(get(client, "/api/oruk/services?search=coalville")) == ["Food bank"]  # its town
    assert names(get(client, "/api/oruk/services?search=football+food")) == []


@pytest.mark.parametrize("search", ["'; DROP TABLE directory_service; --", "<script>alert(1)</script>", "x" * 5000,
                                    "\u0000\u0001", "🙂🙂", "Ḿeasham", "Лестер", "%", "_", "\\", "ｆｏｏｔｂａｌｌ"])
def test_odd_searches_return_a_page(client, s, search):
    body = get(client, "/api/oruk/services?" + _q(search=search))
    assert body["empty"] == (body["total_items"] == 0)
    get(client, "/api/oruk/organizations?" + _q(search=search))
    get(client, "/api/oruk/taxonomy_terms?" + _q(search=search))


def _q(**params):
    from urllib.parse import urlencode

    return urlencode(params)


def test_fullwidth_letters_find_the_same_as_ascii(client, s):
    assert names(get(client, "/api/oruk/services?" + _q(search="ｆｏｏｔｂａｌｌ"))) == ["Walking football"]


def test_filters(client, s):
    assert names(get(client, f"/api/oruk/services?taxonomy_term_id={s['sport'].pk}")) == ["Walking football"]
    # A broader term finds services filed under narrower ones.
    assert names(get(client, f"/api/oruk/services?taxonomy_term_id={s['health'].pk}")) == ["Walking football"]
    assert names(get(client, f"/api/oruk/services?taxonomy_id={s['categories'].pk}")) == ["Food bank", "Walking football"]
    assert names(get(client, f"/api/oruk/services?taxonomy_id={s['audiences'].pk}")) == ["Walking football"]
    assert names(get(client, f"/api/oruk/services?organization_id={s['org2'].pk}")) == ["Food bank", "Toddler group"]
    assert names(get(client, f"/api/oruk/services?organization_id={uuid.uuid4()}")) == []


def test_modified_after(client, s):
    old = timezone.now() - timedelta(days=30)
    Service.objects.filter(pk=s["closed"].pk).update(updated_at=old)
    since = (old + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert names(get(client, f"/api/oruk/services?modified_after={since}")) == ["Food bank", "Walking football"]
    assert len(get(client, "/api/oruk/services?modified_after=2000-01-01T00:00:00%2B01:00")["contents"]) == 3
    assert get(client, "/api/oruk/services?modified_after=9999-12-31T23:59:59Z")["contents"] == []
    # RFC 3339 allows what Python's datetime cannot hold: still an answer.
    assert len(get(client, "/api/oruk/services?modified_after=0001-01-01T00:00:00%2B01:00")["contents"]) == 3
    assert get(client, "/api/oruk/services?modified_after=9999-12-31T23:59:59-01:00")["contents"] == []


def test_minimal_gives_ids_and_dates_on_one_page(client, s):
    body = get(client, "/api/oruk/services?minimal=true")
    assert body["size"] == 3 and body["total_pages"] == 1
    assert set(body["contents"][0]) == {"id", "name", "status", "last_modified"}


def test_full_lists_nest_like_the_records(client, s):
    full_list = get(client, f"/api/oruk/services?full=true&organization_id={s['org'].pk}")["contents"][0]
    assert full_list == get(client, f"/api/oruk/services/{s['football'].pk}")


def test_a_full_service(client, s):
    body = get(client, f"/api/oruk/services/{s['football'].pk}")
    assert body["status"] == "active" and body["assured_date"] == "2026-02-01"
    assert body["organization"]["parent_organization_id"] == str(s["parent_org"].pk)
    assert [row["location"]["name"] for row in body["service_at_locations"]] == ["Measham Leisure Centre", "Online"]
    hall = body["service_at_locations"][0]
    assert hall["description"] == "On the 3G pitch"
    assert hall["location"]["addresses"][0]["postal_code"] == "DE12 7LQ"
    assert hall["location"]["latitude"] == 52.7053
    assert {a["accessibility"] for a in hall["location"]["accessibility"]} == {"Step-free access", "Hearing loop"}
    assert [p["number"] for p in hall["phones"]] == ["01530 000005"]
    assert hall["schedules"][0]["byday"] == "2TH"
    assert body["service_at_locations"][1]["location"]["addresses"] == []  # online: no address
    assert body["schedules"][0]["opens_at"] == "10:00:00"
    assert body["cost_options"][0]["amount"] == 3.5 and body["cost_options"][0]["currency"] == "GBP"
    assert {a["taxonomy_term"]["name"] for a in body["attributes"]} == {"Sport and exercise", "Older people"}
    assert body["fees"] == body["fees_description"] == "£3 a session"
    assert [c["name"] for c in body["contacts"]] == ["Coach"]
    assert [p["number"] for p in body["contacts"][0]["phones"]] == ["01530 000001"]
    assert [p["number"] for p in body["phones"]] == ["01530 000002"]
    assert body["service_areas"][0]["name"] == "North West Leicestershire"
    assert body["languages"][0]["code"] == "en"
    assert body["funding"][0]["source"] == "Sport England small grant"
    assert None not in _values(body) and "" not in _values(body)


def _values(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _values(item)
    elif isinstance(value, list):
        for item in value:
            yield from _values(item)
    else:
        yield value


def test_service_at_locations(client, s):
    body = get(client, "/api/oruk/service_at_locations")
    assert body["total_items"] == 3
    row = next(r for r in body["contents"] if r["id"] == str(s["sal"].pk))
    assert row["service"]["name"] == "Walking football" and row["location"]["name"] == "Measham Leisure Centre"
    assert "addresses" not in row["location"]
    detail = get(client, f"/api/oruk/service_at_locations/{s['sal'].pk}")
    assert detail["location"]["addresses"][0]["city"] == "Measham"
    assert detail["service"]["contacts"][0]["name"] == "Coach"
    assert "service_at_locations" not in detail["service"]
    assert [c["title"] for c in detail["contacts"]] == ["Pitch manager"]


def test_service_at_locations_by_postcode(client, s):
    assert [r["location"]["name"] for r in get(client, "/api/oruk/service_at_locations?postcode=de127lq")["contents"]] \
        == ["Measham Leisure Centre"]
    assert [r["location"]["name"] for r in get(client, "/api/oruk/service_at_locations?postcode=LE67")["contents"]] \
        == ["New Life Church"]
    assert get(client, "/api/oruk/service_at_locations?postcode=LE6")["contents"] == []
    body = get(client, "/api/oruk/service_at_locations?postcode=LE67&proximity=1000", 400)
    assert body["parameter"] == "proximity"


def test_service_at_locations_filters(client, s):
    rows = get(client, f"/api/oruk/service_at_locations?taxonomy_term_id={s['food'].pk}")["contents"]
    assert [r["service"]["name"] for r in rows] == ["Food bank"]
    rows = get(client, f"/api/oruk/service_at_locations?organization_id={s['org'].pk}&search=football")["contents"]
    assert len(rows) == 2


def test_organizations(client, s):
    body = get(client, "/api/oruk/organizations")
    assert names(body) == ["Measham Community Trust", "Measham Walking Football", "New Life Community Church"]
    assert "services" not in body["contents"][0]
    full = next(row for row in get(client, "/api/oruk/organizations?full=true")["contents"]
                if row["name"] == "Measham Community Trust")
    assert full["organization_identifiers"][0]["identifier"] == "1234567"
    assert full["locations"][0]["name"] == "Measham Leisure Centre"
    church = get(client, f"/api/oruk/organizations/{s['org2'].pk}")
    assert [sv["name"] for sv in church["services"]] == ["Food bank", "Toddler group"]
    assert "attributes" not in church["services"][0]
    assert [c["name"] for c in church["contacts"]] == ["Food bank coordinator"]
    assert church["funding"][0]["source"] == "Donations"
    nested = get(client, f"/api/oruk/organizations/{s['org2'].pk}?full_service=true")
    assert nested["services"][0]["attributes"][0]["taxonomy_term"]["name"] == "Food"
    assert names(get(client, "/api/oruk/organizations?search=church")) == ["New Life Community Church"]


def test_taxonomies_and_terms(client, s):
    assert names(get(client, "/api/oruk/taxonomies")) == ["Categories", "Who it is for"]
    categories = get(client, f"/api/oruk/taxonomies/{s['categories'].pk}")
    assert [t["name"] for t in categories["taxonomy_terms"]] == ["Food", "Health and wellbeing", "Sport and exercise"]
    assert len(get(client, "/api/oruk/taxonomy_terms")["contents"]) == 4
    assert names(get(client, "/api/oruk/taxonomy_terms?top_only=true&" + _q(taxonomy_id=s["categories"].pk))) == \
        ["Food", "Health and wellbeing"]
    assert names(get(client, f"/api/oruk/taxonomy_terms?parent_id={s['health'].pk}")) == ["Sport and exercise"]
    term = get(client, f"/api/oruk/taxonomy_terms/{s['sport'].pk}")
    assert term["parent_id"] == str(s["health"].pk) and term["taxonomy_id"] == str(s["categories"].pk)
    assert names(get(client, "/api/oruk/taxonomy_terms?search=food")) == ["Food"]


@pytest.mark.parametrize("path", ["services", "service_at_locations", "organizations", "taxonomies", "taxonomy_terms"])
def test_unknown_and_malformed_ids_are_a_json_404(client, s, path):
    for bad in [str(uuid.uuid4()), "not-an-id", "1", "%00", str(s["food"].pk) if path != "taxonomy_terms" else "x"]:
        body = get(client, f"/api/oruk/{path}/{bad}", 404)
        assert body["status"] == 404 and body["message"]


def test_unknown_paths_are_a_json_404(client):
    assert get(client, "/api/oruk/nothing/here", 404)["status"] == 404


@pytest.mark.parametrize("query, parameter", [
    ("page=0", "page"), ("page=-1", "page"), ("page=abc", "page"), ("page=", "page"), ("page=1.5", "page"),
    ("page=99999999999999999999999", "page"), ("per_page=0", "per_page"), ("per_page=1001", "per_page"),
    ("full=maybe", "full"), ("full=", "full"), ("minimal=yes", "minimal"), ("taxonomy_term_id=abc", "taxonomy_term_id"),
    ("taxonomy_id=1", "taxonomy_id"), ("organization_id=" + "0" * 32, "organization_id"),
    ("modified_after=yesterday", "modified_after"), ("modified_after=2026-01-01", "modified_after"),
    ("format=ndjson", "format"), ("format=", "format"),
])
def test_bad_parameters_are_a_json_400_naming_the_parameter(client, s, query, parameter):
    body = get(client, "/api/oruk/services?" + query, 400)
    assert body["parameter"] == parameter and body["status"] == 400


def test_other_lists_refuse_bad_parameters_too(client, s):
    assert get(client, "/api/oruk/taxonomy_terms?parent_id=x", 400)["parameter"] == "parent_id"
    assert get(client, "/api/oruk/taxonomy_terms?top_only=1", 400)["parameter"] == "top_only"
    assert get(client, "/api/oruk/organizations?full_service=2", 400)["parameter"] == "full_service"
    assert get(client, f"/api/oruk/organizations/{s['org'].pk}?full_service=no", 400)["parameter"] == "full_service"
    assert get(client, "/api/oruk/service_at_locations?postcode=%20-", 400)["parameter"] == "postcode"
    assert get(client, "/api/oruk/taxonomies?per_page=x", 400)["parameter"] == "per_page"


def test_the_api_is_read_only(client, s):
    for method in (client.post, client.put, client.patch, client.delete):
        response = method("/api/oruk/services")
        assert response.status_code == 405 and response.json()["status"] == 405
        assert response["Allow"] == "GET, HEAD"
    assert Service.objects.count() == 3


def test_private_contact_details_never_appear(client, s):
    urls = ["/api/oruk/services?full=true", "/api/oruk/service_at_locations?full=true",
            "/api/oruk/organizations?full=true", "/api/oruk/organizations?full_service=true",
            f"/api/oruk/services/{s['football'].pk}", f"/api/oruk/service_at_locations/{s['sal'].pk}",
            f"/api/oruk/organizations/{s['org2'].pk}?full_service=true",
            f"/api/oruk/organizations/{s['parent_org'].pk}?full_service=true"]
    private_ids = [str(pk) for pk in Contact.objects.filter(private=True).values_list("pk", flat=True)]
    private_ids += [str(pk) for pk in Phone.objects.filter(private=True).values_list("pk", flat=True)]
    for url in urls:
        text = client.get(url).content.decode()
        assert PRIVATE_MARKER not in text and "private.jane" not in text and "private.treasurer" not in text, url
        assert not [pk for pk in private_ids if pk in text], url
    # ...while the public ones do.
    assert "01530 000004" in client.get(f"/api/oruk/service_at_locations/{s['sal'].pk}").content.decode()


def _more_services(s, count):
    """`count` more services, each with contacts, phones, a schedule, a term and a location."""
    from shire.directory.models import CostOption, Location, Schedule, ServiceAtLocation

    for number in range(count):
        organization = Organization.objects.create(name=f"Bulk {uuid.uuid4()}", description="x", kind="community_group")
        Contact.objects.create(organization=organization, name="Secretary")
        service = Service.objects.create(organization=organization, name=f"Bulk service {number:03}", description="x")
        location = Location.objects.create(organization=organization, name=f"Hall {number}", address_1="1 Road",
                                           city="Melton", postal_code="LE13 0AA")
        row = ServiceAtLocation.objects.create(service=service, location=location)
        contact = Contact.objects.create(service=service, name="Clerk")
        Phone.objects.create(contact=contact, number="01664 000000")
        Phone.objects.create(service_at_location=row, number="01664 000001")
        Contact.objects.create(service=service, name=f"{PRIVATE_MARKER} person", private=True)
        Schedule.objects.create(service=service, byday="MO")
        CostOption.objects.create(service=service, option="Free", amount_pence=0)
        ServiceAttribute.objects.create(service=service, taxonomy_term=s["food"])


@pytest.mark.parametrize("url", [
    "/api/oruk/services",
    "/api/oruk/services?full=true",
    "/api/oruk/services?minimal=true",
    "/api/oruk/service_at_locations",
    "/api/oruk/service_at_locations?full=true",
    "/api/oruk/organizations?full=true",
    "/api/oruk/organizations?full_service=true",
    "/api/oruk/taxonomies",
    "/api/oruk/taxonomy_terms",
])
def test_a_page_costs_the_same_queries_however_long_it_is(client, s, url):
    """No N+1: a page of every row costs as many queries with 20 more services (and their places,
    contacts, phones, times, costs, terms and organisations) as without them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for _ in range(2):
        _more_services(s, 20)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url + ("&" if "?" in url else "?") + "per_page=1000")
            assert response.status_code == 200
        counts.append(len(queries))
    assert response.json()["size"] >= 2
    assert counts[0] == counts[1], counts
    assert counts[1] <= 40, counts


def test_a_full_service_costs_a_fixed_number_of_queries(client, s, django_assert_max_num_queries):
    with django_assert_max_num_queries(30):
        client.get(f"/api/oruk/services/{s['football'].pk}")
    with django_assert_max_num_queries(3):
        client.get("/api/oruk/services")  # a count and a page, with the organisations joined


def test_answers_are_kept_for_a_minute_and_say_so(client, s, settings):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.DIRECTORY_API_CACHE_SECONDS = 60
    cache.clear()
    first = client.get("/api/oruk/services")
    assert first["Cache-Control"] == "public, max-age=60"
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/api/oruk/services")
    # Two reads of the shared cache (the directory's version, then the answer), none of the directory.
    assert len(queries) == 2 and all("shire_cache" in query["sql"] for query in queries), queries.captured_queries
    assert again.content == first.content and again["Access-Control-Allow-Origin"] == "*"
    assert client.get("/api/oruk/services?page=1").content != b""  # another URL, its own answer
    # Errors are not kept.
    assert "Cache-Control" not in client.get("/api/oruk/services?page=x")
    assert "Cache-Control" not in client.get(f"/api/oruk/services/{uuid.uuid4()}")
    # A change to the directory is seen at once (in every process: test_cache.py).
    Service.objects.filter(pk=s["football"].pk).first().save()
    assert client.get("/api/oruk/services").content != first.content
    cache.clear()


def test_an_unfiltered_list_counts_again_once_the_directory_changes(client, s):
    assert get(client, "/api/oruk/services?per_page=1")["total_items"] == 3
    assert get(client, "/api/oruk/services?per_page=1&page=2")["total_items"] == 3  # kept for this version
    # A change made without save() (as an import makes) says so itself, and then counts.
    Service.objects.bulk_create([Service(organization=s["org"], name="Chair yoga", description="Gentle yoga.")])
    services.directory_changed()
    assert get(client, "/api/oruk/services?per_page=1")["total_items"] == 4
    Service.objects.get(name="Chair yoga").delete()  # delete(): a new version by itself
    assert get(client, "/api/oruk/services?per_page=1")["total_items"] == 3
    assert get(client, "/api/oruk/service_at_locations?per_page=1")["total_items"] == \
        get(client, "/api/oruk/service_at_locations?per_page=1&full=true")["total_items"]


def test_a_filtered_list_is_counted_for_its_own_filters(client, s):
    everything = get(client, "/api/oruk/services?per_page=1")["total_items"]
    found = get(client, "/api/oruk/services?per_page=1&search=football")["total_items"]
    assert found == Service.objects.filter(search_text__contains="football").count()
    assert 0 < found < everything
