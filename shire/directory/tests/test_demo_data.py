"""The directory's demo data: the seeds' figures, the case studies, private details kept private, idempotent."""
from datetime import date

import pytest
from django.db.models import Count, Sum

from shire.core.models import Parish
from shire.demo.loader import DemoContext, people, places
from shire.directory import demo_data
from shire.directory.models import (
    Contact,
    Location,
    Manager,
    NeighbourhoodPlan,
    Organization,
    PendingEdit,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)

MODELS = [Parish, Organization, Service, Location, ServiceAtLocation, ServiceAttribute, Schedule, Contact, Phone,
          NeighbourhoodPlan, Manager, PendingEdit]


def state():
    """Every demo row, as its values: a second load must leave all of them as they are."""
    return {model.__name__: sorted(map(repr, model.objects.values_list())) for model in MODELS}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            context = DemoContext(today=TODAY)
            people(context)
            places(context)
            demo_data.directory(context)
            first = state()
            second_context = DemoContext(today=TODAY)
            demo_data.directory(second_context)
            second = state()
            yield {"first": first, "second": second, "notes": context.notes}
            transaction.set_rollback(True)


def test_the_seeds_councils(loaded):
    kinds = dict(Parish.objects.values_list("kind").annotate(n=Count("pk")))
    assert kinds == {"town_council": 7, "parish_council": 160, "parish_meeting": 55}
    councils = dict(Organization.objects.filter(kind__in=Organization.COUNCIL_KINDS).values_list("kind")
                    .annotate(n=Count("pk")))
    assert councils == {"town_council": 7, "parish_council": 160, "parish_meeting": 55}
    assert Parish.objects.values("district").distinct().count() == 7
    assert Organization.objects.filter(kind="town_council").values("district").distinct().count() == 7
    assert not Organization.objects.filter(kind__in=Organization.COUNCIL_KINDS, parish__isnull=True).exists()


def test_community_managed_libraries_and_their_hub_services(loaded):
    libraries = Organization.objects.filter(kind="community_managed_library")
    assert libraries.count() == 35
    hub_names = set(Service.objects.filter(organization__in=libraries).values_list("name", flat=True))
    assert {"Library", "Adult learning", "Work club", "Keep safe place", "Community café",
            "Meeting room for community groups", "Local Area Coordinator drop-in"} <= hub_names
    assert all(library.locations.filter(kind="library").exists() for library in libraries)


def test_neighbourhood_plans_as_at_the_end_of_2019_20(loaded):
    stages = dict(NeighbourhoodPlan.objects.values_list("stage").annotate(n=Count("pk")))
    assert sum(stages.values()) == 123
    assert stages["made"] == 38 and stages["designated"] == 64
    assert NeighbourhoodPlan.objects.aggregate(total=Sum("members_count"))["total"] == 250
    for plan in NeighbourhoodPlan.objects.exclude(made_on=None):
        assert plan.designated_on < plan.made_on <= date(2020, 3, 31)
    assert Organization.objects.filter(kind="neighbourhood_planning_group").count() == 123


@pytest.mark.parametrize("organization, service", [
    ("Measham Community and Recreation Centre", "Walking football"),
    ("Desford Good Neighbour Scheme", "Good neighbour help"),
    ("The Mayflower Project", "Weekly drop-in"),
    ("ACCEPT", "Growing healthy food"),
    ("Remap Leicestershire and Rutland", "Made-to-measure equipment for disabled people"),
    ("Cotesbach Educational Trust", "Local History Café"),
    ("The Arc Community Hub", "Community hub activities"),
    ("The Well", "Wellbeing café"),
    ("Melton Space", "Make and fix sessions"),
    ("Rural Community Council (Leicestershire and Rutland)", "Rural Coffee Connect"),
    ("New Life Community Church", "Food bank"),
])
def test_the_seeds_case_studies_have_services(loaded, organization, service):
    found = Organization.objects.get(name=organization)
    assert found.services.filter(name=service).exists()
    assert not found.is_demo  # the names and stories are the seeds'


def test_other_kinds_are_there(loaded):
    kinds = set(Organization.objects.values_list("kind", flat=True))
    assert {"voluntary_organisation", "community_group", "social_enterprise", "faith_group", "community_building",
            "council_service"} <= kinds
    assert Organization.objects.filter(is_council_run=True).exists()


def test_invented_records_are_marked(loaded):
    assert Organization.objects.get(name="Soar Valley Men's Shed").is_demo
    assert Organization.objects.get(name="Wigston Town Council").is_demo
    assert not Parish.objects.get(name="Desford").is_demo and Parish.objects.get(name="Anstey").is_demo
    for number in Phone.objects.values_list("number", flat=True):
        assert number.startswith(("0116 496 0", "07700 900")), number


def test_private_numbers_exist_and_stay_off_the_pages(loaded, client):
    council = Organization.objects.get(name="Desford Parish Council")
    private = council.phones.get(private=True)
    text = client.get(council.get_absolute_url()).text
    assert council.phones.get(private=False).number in text
    assert private.number not in text


def test_search_finds_the_case_studies(loaded, client):
    response = client.get("/directory/", {"q": "walking football"})
    assert "Walking football" in [service.name for service in response.context["page_services"]]
    response = client.get("/directory/", {"q": "food bank", "district": "charnwood"})
    assert "Food bank" in [service.name for service in response.context["page_services"]]


def test_loading_twice_changes_nothing(loaded):
    assert loaded["first"] == loaded["second"]


def test_managers_and_a_waiting_change(loaded):
    assert Manager.objects.filter(user__username="community", approved=True, first_edit_approved=True).count() == 2
    assert Manager.objects.filter(user__username="newmanager", first_edit_approved=False).count() == 1
    assert PendingEdit.objects.filter(status="pending", reason="new_manager").count() == 1
