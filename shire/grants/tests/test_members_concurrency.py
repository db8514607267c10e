"""Two lead contacts stepping down at the same moment never leave their organisation without one.

Each steps down in its own thread, with its own database connection, and the test holds each inside
its transaction just after it has made its change (before it commits): without the lock on the
organisation's row, the second would still see the first as a lead contact and step down too (on
PostgreSQL, which reads the first's row as it was before the uncommitted change). With it, the second
waits for the first, then sees it is the only lead contact left, and is refused. On SQLite the test
waits and retries while the in-memory shared cache says "locked", as in test_budget_concurrency.
"""
import threading
import time

import pytest
from django.db import connection, connections

from shire.core import audit

from .. import services
from ..models import Membership
from .factories import make_applicant, make_community_user
from .test_budget_concurrency import _busy_timeout

pytestmark = pytest.mark.django_db(transaction=True)


def _step_down(organisation, user):
    if connection.vendor == "sqlite":
        with connection.execute_wrapper(_busy_timeout):
            return services.step_down(organisation, user)
    return services.step_down(organisation, user)


def test_two_lead_contacts_stepping_down_at_once_leave_one(monkeypatch):
    first, organisation = make_applicant("first@example.org", "Syston Good Neighbours")
    second = make_community_user("second@example.org")
    organisation.memberships.create(user=second, role=Membership.Role.LEAD)

    record = audit.record

    def slow_record(actor, action, *args, **kwargs):
        result = record(actor, action, *args, **kwargs)
        if action == "grants.organisation.lead_contact_stepped_down":
            time.sleep(0.4)  # changed, not yet committed, still holding the organisation's lock
        return result

    monkeypatch.setattr(audit, "record", slow_record)
    start = threading.Barrier(2)
    results = {}

    def run(user):
        try:
            start.wait(timeout=10)
            _step_down(organisation, user)
            results[user.email] = "stepped down"
        except services.GrantsError as error:
            results[user.email] = str(error)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results[user.email] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(user,)) for user in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    assert sorted(results.values())[1] == "stepped down", results
    assert "You are the only lead contact of Syston Good Neighbours, so you cannot step down" in sorted(results.values())[0]
    assert organisation.memberships.filter(role=Membership.Role.LEAD).count() == 1
