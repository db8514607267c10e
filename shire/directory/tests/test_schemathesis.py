"""Schemathesis against the API's own OpenAPI document (/api/oruk/openapi.json), through Django's
WSGI application in this process (no server, no network).

For every operation, Hypothesis generates query parameters and path ids from the document, and
schemathesis checks each answer: no 5xx, a status code the document lists, the content type it
lists, and a body that validates against the ORUK schema the document gives for that status.
Half the generated ids of the {id} paths are swapped for real ones, so the full records are
checked as well as the 404s. Examples are bounded (MAX_EXAMPLES an operation) to keep it quick.
"""
import zlib

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from .oruk_sample import PRIVATE_MARKER, make_sample


@pytest.fixture(autouse=True)
def _no_api_cache(settings):
    """Every request reaches the views (the API's 60-second cache is tested on its own)."""
    settings.DIRECTORY_API_CACHE_SECONDS = 0

MAX_EXAMPLES = 30

application = get_wsgi_application()

# The document is read through the application, as a client reads it (it needs no database).
schema = schemathesis.openapi.from_wsgi("/api/oruk/openapi.json", application)

REAL_IDS = {}


@pytest.fixture
def sample(db):
    # The WSGI handler closes the database connection after each request, which would end the
    # test's transaction; Django's test client keeps it open the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    sample = make_sample()
    REAL_IDS.clear()
    REAL_IDS.update({
        "/services/{id}": [str(sample[name].pk) for name in ("football", "foodbank", "closed")],
        "/service_at_locations/{id}": [str(sample[name].pk) for name in ("sal", "sal_online", "sal_church")],
        "/organizations/{id}": [str(sample[name].pk) for name in ("org", "org2", "parent_org")],
        "/taxonomies/{id}": [str(sample[name].pk) for name in ("categories", "audiences")],
        "/taxonomy_terms/{id}": [str(sample[name].pk) for name in ("health", "sport", "older")],
    })
    yield sample
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_the_api_keeps_to_its_openapi_document(case, sample):
    ids = REAL_IDS.get(case.operation.path)
    if ids and case.path_parameters:
        generated = str(case.path_parameters.get("id", ""))
        digest = zlib.crc32(generated.encode("utf-8", "surrogatepass"))
        if digest % 2:
            case.path_parameters["id"] = ids[digest % len(ids)]
    response = case.call_and_validate()
    assert response.status_code < 500
    assert PRIVATE_MARKER not in response.text
