"""The shared cache: the directory's pages and API answers are kept where every server process
reads them (settings.CACHES, a table in the database), under a version that every change renews,
so a published edit, an approval or an import shows on the very next request in any process."""
import pytest
from django.core.cache import cache, caches
from django.db import connection

from shire.directory import hsds_tabular, services
from shire.directory.models import Service

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _caches_on(settings):
    settings.DIRECTORY_API_CACHE_SECONDS = 60
    settings.DIRECTORY_PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def another_worker():
    """What another server process has: its own cache client and none of this one's memory."""
    del caches["default"]
    services._OPTIONS.clear()


@pytest.fixture
def group():
    organization = factories.organization("Desford Good Neighbour Scheme", district=factories.district())
    hall = factories.location(organization, "Desford Village Hall")
    service = factories.service(organization, "Lunch club", locations=[hall], description="A hot lunch.")
    return {"organization": organization, "hall": hall, "service": service}


def served(client):
    """The search page and the API's list as an anonymous visitor gets them; both are cached."""
    page = client.get("/directory/", {"q": "lunch"})
    api = client.get("/api/oruk/services")
    assert page.status_code == api.status_code == 200
    return page, api


def test_the_cache_is_a_table_every_process_reads(group):
    cache.set("shire-test", "kept")
    other = caches.create_connection("default")  # a second client, as another process makes
    assert other is not cache and other.get("shire-test") == "kept"
    # Kept in the database, not in this process's memory.
    table = connection.ops.quote_name(caches["default"]._table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE cache_key LIKE %s", ["%shire-test"])
        assert cursor.fetchone()[0] == 1


def test_pages_and_answers_come_from_the_shared_cache_the_second_time(client, group):
    page, api = served(client)
    assert page.context is not None
    another_worker()
    again, api_again = served(client)
    assert again.context is None and again.content == page.content  # from the cache, not rendered
    assert api_again.content == api.content


def test_a_published_edit_shows_at_once_in_every_worker(client, group):
    served(client)
    officer = factories.officer()
    services.propose(officer, group["organization"], "service", group["service"], {"name": "Friday lunch club"})
    another_worker()
    page, api = served(client)
    assert "Friday lunch club" in page.text
    assert "Friday lunch club" in api.json()["contents"][0]["name"]


def test_an_approved_edit_shows_at_once_in_every_worker(client, group):
    user = factories.manager(group["organization"], trusted=False)
    outcome = services.propose(user, group["organization"], "service", group["service"], {"description": "With pudding."})
    assert outcome.pending is not None
    page, api = served(client)
    assert "With pudding." not in page.text and "With pudding." not in api.text
    services.approve(factories.officer(), outcome.pending)
    another_worker()
    page, api = served(client)
    assert "With pudding." in page.text and "With pudding." in api.text


def test_an_import_shows_at_once_in_every_worker(client, group, tmp_path, django_capture_on_commit_callbacks):
    hsds_tabular.export_folder(tmp_path)
    services_csv = tmp_path / "services.csv"
    services_csv.write_text(services_csv.read_text(encoding="utf-8").replace("Lunch club", "Imported lunch club"),
                            encoding="utf-8", newline="")
    served(client)
    with django_capture_on_commit_callbacks(execute=True):
        hsds_tabular.import_package(tmp_path)
    assert Service.objects.get().name == "Imported lunch club"
    another_worker()
    page, api = served(client)
    assert "Imported lunch club" in page.text and "Imported lunch club" in api.text


def test_a_change_that_is_rolled_back_leaves_the_cached_pages(client, group):
    """The version is written in the change's own transaction: no change, no new version."""
    from django.db import transaction

    page, _ = served(client)
    version = services.directory_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Service.objects.filter(pk=group["service"].pk).first().save()
        assert services.directory_version() != version
        raise RuntimeError("abandoned")
    another_worker()
    assert services.directory_version() == version
    assert client.get("/directory/", {"q": "lunch"}).context is None
