"""The Open Referral UK 3.0 API, mounted at /api/oruk/ (views in api.py).

Paths are as the ORUK specification writes them, with no trailing slash (/services, /services/{id});
a trailing slash is accepted too. Ids that are not UUIDs reach the views, which answer 404 in JSON.
"""
from django.urls import path, re_path

from . import api

app_name = "oruk"


def _both(route, view, name):
    """`route` with and without a trailing slash."""
    return [re_path(rf"^{route}/?$", view, name=name)]


urlpatterns = [
    path("", api.api_details, name="api-details"),
    *_both(r"openapi\.json", api.openapi_document, "openapi"),
    *_both("services", api.service_list, "services"),
    *_both(r"services/(?P<pk>[^/]+)", api.service_detail, "service"),
    *_both("service_at_locations", api.service_at_location_list, "service-at-locations"),
    *_both(r"service_at_locations/(?P<pk>[^/]+)", api.service_at_location_detail, "service-at-location"),
    *_both("organizations", api.organization_list, "organizations"),
    *_both(r"organizations/(?P<pk>[^/]+)", api.organization_detail, "organization"),
    *_both("taxonomies", api.taxonomy_list, "taxonomies"),
    *_both(r"taxonomies/(?P<pk>[^/]+)", api.taxonomy_detail, "taxonomy"),
    *_both("taxonomy_terms", api.taxonomy_term_list, "taxonomy-terms"),
    *_both(r"taxonomy_terms/(?P<pk>[^/]+)", api.taxonomy_term_detail, "taxonomy-term"),
    re_path(r"^(?P<rest>.+)$", api.not_an_endpoint),
]
