"""Small builders for the directory's tests."""
from datetime import time

from django.utils import timezone

from shire.core.models import District, Parish, User
from shire.directory.models import (
    Accessibility,
    Location,
    Manager,
    Organization,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    Taxonomy,
    TaxonomyTerm,
    AUDIENCES_TAXONOMY,
    CATEGORIES_TAXONOMY,
)

PASSWORD = "correct horse battery"


def district(name="Blaby", code="E07000129"):
    return District.objects.get_or_create(gss_code=code, defaults={"name": name, "slug": name.lower().replace(" ", "-")})[0]


def parish(name="Desford", district_obj=None, kind=Parish.Kind.PARISH_COUNCIL):
    return Parish.objects.get_or_create(slug=name.lower().replace(" ", "-"), defaults={
        "name": name, "district": district_obj or district(), "kind": kind})[0]


def organization(name="Desford Good Neighbour Scheme", kind=Organization.Kind.COMMUNITY_GROUP, **values):
    values.setdefault("description", "Volunteers who help neighbours.")
    values.setdefault("last_checked_on", timezone.localdate())
    return Organization.objects.create(name=name, kind=kind, **values)


def location(organization_obj, name="Desford Village Hall", **values):
    values.setdefault("address_1", "1 Main Street")
    values.setdefault("city", "Desford")
    values.setdefault("postal_code", "LE9 9AA")
    values.setdefault("latitude", "52.625")
    values.setdefault("longitude", "-1.293")
    return Location.objects.create(organization=organization_obj, name=name, **values)


def service(organization_obj, name="Lunch club", locations=(), terms=(), **values):
    values.setdefault("description", "A hot lunch and company.")
    created = Service.objects.create(organization=organization_obj, name=name, **values)
    for place in locations:
        ServiceAtLocation.objects.create(service=created, location=place)
    for term_obj in terms:
        ServiceAttribute.objects.create(service=created, taxonomy_term=term_obj)
    created.save()  # search text with its terms and towns
    return created


def taxonomies():
    categories = Taxonomy.objects.get_or_create(slug=CATEGORIES_TAXONOMY, defaults={
        "name": "Categories", "description": "What a service offers."})[0]
    audiences = Taxonomy.objects.get_or_create(slug=AUDIENCES_TAXONOMY, defaults={
        "name": "Who it is for", "description": "Who a service is for."})[0]
    return categories, audiences


def term(code, name, audience=False, parent=None):
    categories, audiences = taxonomies()
    return TaxonomyTerm.objects.get_or_create(taxonomy=audiences if audience else categories, code=code, defaults={
        "name": name, "description": name, "parent": parent})[0]


def feature(location_obj, code=Accessibility.Feature.STEP_FREE):
    return Accessibility.objects.create(location=location_obj, feature=code)


def community_user(username="cara", **values):
    values.setdefault("email", f"{username}@example.org")
    return User.objects.create_user(username=username, password=PASSWORD, role=User.Role.COMMUNITY, **values)


def officer(username="olivia"):
    return User.objects.create_user(username=username, password=PASSWORD, role=User.Role.OFFICER,
                                    email=f"{username}@example.gov.uk")


def manager(organization_obj, username="cara", trusted=True, approved=True):
    user = community_user(username)
    Manager.objects.create(organization=organization_obj, user=user, approved=approved, first_edit_approved=trusted)
    return user


WEDNESDAY_MORNING = (time(10), time(12))
