"""The rows the directory's lists keep for each service (list_rows): the same as made afresh, and
made again whenever what they show changes, however it changes."""
import json

import pytest

from shire.directory import api_data, list_rows, search_html, services
from shire.directory.models import Service, ServiceAtLocation, ServiceAtLocationListRow, ServiceListRow

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_caches(settings):
    settings.DIRECTORY_API_CACHE_SECONDS = 0
    settings.DIRECTORY_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def group():
    organization = factories.organization("Desford Good Neighbour Scheme")
    hall = factories.location(organization, "Desford Village Hall", city="Desford")
    library = factories.location(organization, "Desford Library", city="Botcheston")
    service = factories.service(organization, "Lunch club", locations=[hall, library], cost="free", minimum_age=60)
    return {"organization": organization, "hall": hall, "library": library, "service": service}


def made_afresh(service):
    """What the lists show of `service`, made now from its records."""
    row = api_data.service_rows([service.pk])[service.pk]
    pairings = api_data.service_at_location_rows(
        list(ServiceAtLocation.objects.filter(service=service).values_list("pk", flat=True)))
    return (json.loads(api_data.dumps(api_data.service_json(row))),
            {pk: api_data.service_at_location_json(row) for pk, row in pairings.items()},
            search_html.result_rows([service.pk])[service.pk][1:])


def kept(service):
    row = ServiceListRow.objects.get(pk=service.pk)
    pairings = {row.pk: json.loads(row.json) for row in ServiceAtLocationListRow.objects.filter(
        service_at_location__service=service)}
    return json.loads(row.json), pairings, (row.result_html, row.map_point)


def test_a_saved_service_keeps_rows_equal_to_rows_made_afresh(group):
    assert kept(group["service"]) == made_afresh(group["service"])
    assert len(kept(group["service"])[1]) == 2


@pytest.mark.parametrize("change", ["organisation", "place", "service"])
def test_a_change_to_what_a_row_shows_makes_it_again(client, group, change):
    if change == "organisation":
        group["organization"].name = "Desford <GNS> & friends"
        group["organization"].save()
        shown = "Desford &lt;GNS&gt; &amp; friends"
    elif change == "place":
        group["hall"].city = "Kirby Muxloe"
        group["hall"].save()
        shown = "Kirby Muxloe"
    else:
        group["service"].name = "Lunch club & bingo"
        group["service"].save()
        shown = "Lunch club &amp; bingo"
    assert kept(group["service"]) == made_afresh(group["service"])
    assert shown in client.get("/directory/", {"q": "desford"}).text
    listed = client.get("/api/oruk/service_at_locations").json()["contents"]
    assert all(row == made for row, made in zip(
        sorted(listed, key=lambda row: row["id"]),
        [made for _, made in sorted(made_afresh(group["service"])[1].items(), key=lambda item: str(item[0]))]))


def test_an_edit_that_removes_a_place_changes_where_the_result_says(client, group):
    officer = factories.officer()
    services.propose(officer, group["organization"], "service", group["service"],
                     {"locations": [str(group["hall"].pk)]})
    text = client.get("/directory/", {"q": "lunch"}).text
    assert "Where: Desford</li>" in text and "Botcheston" not in text
    services.propose(officer, group["organization"], "location", group["hall"], {}, action="delete")
    assert "Where:" not in client.get("/directory/", {"q": "lunch"}).text
    assert kept(group["service"]) == made_afresh(group["service"])


def test_confirming_a_listing_is_checked_changes_its_services_assured_date(client, group):
    Service.objects.filter(pk=group["service"].pk).update(last_checked_on="2020-01-01")
    list_rows.refresh([group["service"].pk])
    assert client.get("/api/oruk/services").json()["contents"][0]["assured_date"] == "2020-01-01"
    services.confirm_checked(factories.officer(), group["organization"])
    group["service"].refresh_from_db()
    assert client.get("/api/oruk/services").json()["contents"][0]["assured_date"] == \
        group["service"].last_checked_on.isoformat() != "2020-01-01"


def test_records_written_in_bulk_are_listed_before_their_rows_are_kept(client, group):
    Service.objects.bulk_create([Service(organization=group["organization"], name="Bulk <b>walk</b>",
                                         description="Written without save().", search_text="bulk walk")])
    created = Service.objects.get(name="Bulk <b>walk</b>")
    assert not ServiceListRow.objects.filter(pk=created.pk).exists()
    listed = {row["name"]: row for row in client.get("/api/oruk/services").json()["contents"]}
    assert listed["Bulk <b>walk</b>"] == made_afresh(created)[0]
    text = client.get("/directory/", {"q": "bulk"}).text
    assert "Bulk &lt;b&gt;walk&lt;/b&gt;" in text and "<b>walk</b>" not in text
    assert list_rows.refresh([created.pk]) == 1 and list_rows.refresh([created.pk]) == 0
    assert kept(created) == made_afresh(created)


def test_a_list_page_is_the_kept_rows_joined_exactly_as_the_api_writes_json(client, group):
    response = client.get("/api/oruk/services?per_page=1")
    page = response.json()
    assert page["total_items"] == 1 and page["size"] == 1 and page["last_page"] is True
    assert response.content.decode() == api_data.dumps({**{k: v for k, v in page.items() if k != "contents"},
                                                        "contents": [made_afresh(group["service"])[0]]})


@pytest.mark.parametrize("how", ["place", "pairing"])
def test_a_place_deleted_outside_an_edit_leaves_where_the_result_says(client, group, how,
                                                                      django_capture_on_commit_callbacks):
    """The Django admin or a shell deletes records without services.apply_change."""
    with django_capture_on_commit_callbacks(execute=True):
        if how == "place":
            group["library"].delete()
        else:
            ServiceAtLocation.objects.filter(location=group["library"]).delete()
    text = client.get("/directory/", {"q": "lunch"}).text
    assert "Where: Desford</li>" in text and "Botcheston" not in text
    assert client.get("/directory/", {"q": "botcheston"}).context["page_services"] == []
    group["service"].refresh_from_db()
    assert "botcheston" not in group["service"].search_text
    assert kept(group["service"]) == made_afresh(group["service"])


def test_a_place_renamed_outside_an_edit_is_searched_by_its_new_town(client, group):
    group["library"].city = "Newtown Linford"
    group["library"].save()
    assert [s.name for s in client.get("/directory/", {"q": "linford"}).context["page_services"]] == ["Lunch club"]
    assert client.get("/directory/", {"q": "botcheston"}).context["page_services"] == []


def test_deleting_a_service_with_its_places_keeps_no_rows_of_it(group, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        group["service"].delete()
    assert not ServiceListRow.objects.exists() and not ServiceAtLocationListRow.objects.exists()


def test_migrate_makes_the_rows_of_services_that_have_none(group):
    from django.core.management import call_command

    ServiceListRow.objects.all().delete()
    ServiceAtLocationListRow.objects.all().delete()
    call_command("migrate", verbosity=0)
    assert kept(group["service"]) == made_afresh(group["service"])
    assert len(kept(group["service"])[1]) == 2


@pytest.mark.django_db(transaction=True)
def test_a_directory_held_before_rows_were_kept_gets_them_on_upgrade():
    """Migrating from 0004 (before kept rows) with services already held: each gets its rows once
    every migration has run, and the partial migrate on the way does not fail."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    call_command("migrate", "directory", "0004", verbosity=0)
    try:
        state = MigrationExecutor(connection).loader.project_state(("directory", "0004_shared_cache_table")).apps
        organization = state.get_model("directory", "Organization").objects.create(name="Old hall", description="")
        state.get_model("directory", "Service").objects.create(
            organization=organization, name="Old club", description="Lunch.", status="active", search_text="old club")
    finally:
        call_command("migrate", verbosity=0)
    service = Service.objects.get(name="Old club")
    assert kept(service) == made_afresh(service)
