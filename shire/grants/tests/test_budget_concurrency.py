"""A round's awards never exceed its budget, even when two officers decide at the same moment.

Two threads, each with its own database connection, decide two applications at once; together
they ask for more than the round has left. Exactly one award is made; the other officer is told
the budget would be exceeded, and the round's awards still add up to no more than its budget.

Runs on whichever database DATABASE_URL names: on PostgreSQL the round's row lock
(SELECT ... FOR UPDATE) makes the second decision wait for the first and then see its award; on
SQLite each decision's transaction takes the database's write lock when it begins. To make the race
real, the test holds each decision inside its transaction for a moment just after it has added up
the awards already made, the exact point where a decision without the lock would read a stale total.

The same lock keeps a budget change in the round's setup page from crossing a decision: lowering
the budget below what is awarded is checked under it (`test_a_budget_cut_and_a_decision_at_once...`),
and so does correcting a decision to a larger award (`test_a_correction_and_a_decision_at_once...`,
which fails on PostgreSQL if `amend_decision` reads the round without the lock).

One difference on SQLite: the test database is in memory with a shared cache, where a second
writer is told "database table is locked" at once instead of waiting, as it does on the real file
database (settings give it a 20-second busy timeout). There alone the test waits and tries the
statement again, as that timeout would (`_busy_timeout`); the second decision then begins only
after the first has committed, and sees its award.
"""
import threading
import time

import pytest
from django.db import OperationalError, connection, connections
from django.test import Client
from django.urls import reverse

from shire.core.models import AuditEvent
from shire.core.tests.factories import make_officer, make_team

from .. import assessment, awards
from ..models import Application, Award, Decision
from .factories import make_applicant, make_application, make_round, submit

pytestmark = pytest.mark.django_db(transaction=True)


def _in_assessment(round_, officer, email, name):
    member, organisation = make_applicant(email, organisation_name=name)
    application = submit(make_application(round_, organisation, member), member)
    assessment.start_assessment(application, officer)
    return application


def _busy_timeout(execute, sql, params, many, context):
    """Wait and try a statement again while SQLite's shared cache says "locked", as a busy timeout would."""
    deadline = time.monotonic() + 20
    while True:
        try:
            return execute(sql, params, many, context)
        except OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _decide(application, officer, outcome, amount):
    if connection.vendor == "sqlite":
        with connection.execute_wrapper(_busy_timeout):
            return awards.decide(application, officer, outcome, "Meets the criteria well.", amount_pence=amount)
    return awards.decide(application, officer, outcome, "Meets the criteria well.", amount_pence=amount)


def _race(monkeypatch, decisions):
    """Run each (application, officer, outcome, amount) decision in its own thread, all released at once.

    A decision may instead be a function of no arguments (another step that locks the round), run
    in its thread the same way; it returns ("ok", ...) or ("refused", message) itself.
    """
    original = awards.awarded_pence

    def slow_awarded_pence(round_):
        total = original(round_)
        time.sleep(0.4)  # still inside the decision's transaction, holding the round's lock
        return total

    monkeypatch.setattr(awards, "awarded_pence", slow_awarded_pence)
    start = threading.Barrier(len(decisions))
    results = [None] * len(decisions)

    def run(index, *decision):
        try:
            start.wait(timeout=10)
            if callable(decision[0]):
                results[index] = decision[0]()
                return
            results[index] = ("ok", _decide(*decision).pk)
        except awards.BudgetExceeded as error:
            results[index] = ("refused", str(error))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results[index] = ("error", repr(error))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(index, *(decision if isinstance(decision, tuple) else (decision,))))
        for index, decision in enumerate(decisions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def test_two_officers_deciding_at_once_cannot_overspend_the_budget(monkeypatch):
    team = make_team()
    first_officer = make_officer("first", team=team)
    second_officer = make_officer("second", team=team)
    # £5,000 left: each asks for £3,000, so only one can be awarded.
    round_ = make_round(team=team, budget_pence=500_000, max_request_pence=500_000)
    one = _in_assessment(round_, first_officer, "one@example.org", "Coalville Food Bank")
    two = _in_assessment(round_, first_officer, "two@example.org", "Melton Men's Shed")
    Application.objects.filter(pk__in=[one.pk, two.pk]).update(amount_requested_pence=300_000)

    results = _race(
        monkeypatch,
        [(one, first_officer, "award", None), (two, second_officer, "award", None)],
    )

    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["ok", "refused"], results
    refusal = next(message for kind, message in results if kind == "refused")
    assert "over its budget" in refusal and "£2,000 is left" in refusal
    assert Award.objects.count() == 1 and Decision.objects.count() == 1
    assert awards.awarded_pence(round_) == 300_000 <= round_.budget_pence
    statuses = sorted(Application.objects.filter(pk__in=[one.pk, two.pk]).values_list("status", flat=True))
    assert statuses == ["awarded", "in_assessment"]
    # The refused officer's decision left nothing behind: no decision, no status change, no audit entry.
    assert AuditEvent.objects.filter(action="grants.application.awarded").count() == 1
    assert AuditEvent.objects.filter(action="grants.application.decided").count() == 1


def test_part_awards_at_once_fill_the_budget_exactly_and_no_further(monkeypatch):
    team = make_team()
    officers = [make_officer(f"officer{n}", team=team) for n in range(3)]
    round_ = make_round(team=team, budget_pence=600_000, max_request_pence=600_000)
    applications = [
        _in_assessment(round_, officers[0], f"m{n}@example.org", f"Organisation {n}") for n in range(3)
    ]
    Application.objects.filter(pk__in=[a.pk for a in applications]).update(amount_requested_pence=400_000)

    # Three part awards of £3,000 against £6,000: two fit, the third does not.
    results = _race(
        monkeypatch,
        [(application, officer, "part", 300_000) for application, officer in zip(applications, officers, strict=True)],
    )

    assert sorted(kind for kind, _ in results) == ["ok", "ok", "refused"], results
    assert awards.awarded_pence(round_) == 600_000
    assert connection.vendor in ("sqlite", "postgresql")


def test_a_budget_cut_and_a_decision_at_once_never_leave_the_awards_over_the_budget(monkeypatch):
    team = make_team()
    officer = make_officer("officer", team=team)
    setter = make_officer("setter", team=team)
    # £5,000 budget; a £3,000 award and a cut to £2,000 cannot both happen.
    round_ = make_round(team=team, budget_pence=500_000, max_request_pence=500_000, min_request_pence=0)
    application = _in_assessment(round_, officer, "one@example.org", "Coalville Food Bank")
    Application.objects.filter(pk=application.pk).update(amount_requested_pence=300_000)
    edit = reverse("grants:setup-round-edit", args=[round_.slug])
    data = {
        "name": round_.name, "slug": round_.slug, "description": "", "budget_pence": "2000",
        **{f"opens_on_{part}": str(getattr(round_.opens_on, part)) for part in ("day", "month", "year")},
        **{f"closes_on_{part}": str(getattr(round_.closes_on, part)) for part in ("day", "month", "year")},
        "eligible_org_types": round_.eligible_org_types, "must_be_in_leicestershire": "yes",
        "min_request_pence": "0", "max_request_pence": "2000", "max_applications_per_organisation": "1",
    }

    client = Client()
    client.force_login(setter)

    def cut_budget():
        if connection.vendor == "sqlite":
            with connection.execute_wrapper(_busy_timeout):
                response = client.post(edit, data)
        else:
            response = client.post(edit, data)
        if response.status_code == 302:
            return ("ok", None)
        return ("refused", response.content.decode())

    results = _race(monkeypatch, [(application, officer, "award", None), cut_budget])

    round_.refresh_from_db()
    assert sorted(kind for kind, _ in results) == ["ok", "refused"], results
    assert awards.awarded_pence(round_) <= round_.budget_pence
    if results[0][0] == "ok":  # the decision went first: the cut is refused, naming what is awarded
        assert round_.budget_pence == 500_000
        assert "Budget cannot be less than the £3,000 2019-20 has already awarded" in results[1][1]
    else:  # the cut went first: the award no longer fits
        assert round_.budget_pence == 200_000 and not Award.objects.exists()
        assert "over its budget" in results[0][1]


def test_a_correction_and_a_decision_at_once_cannot_overspend_the_budget(monkeypatch):
    team = make_team()
    officer = make_officer("officer", team=team)
    corrector = make_officer("corrector", team=team)
    # £10,000: £3,000 of £6,000 awarded in part; a correction to the full £6,000 (£3,000 more) and an
    # award of £5,000 elsewhere cannot both fit in the £7,000 left.
    round_ = make_round(team=team, budget_pence=1_000_000, max_request_pence=1_000_000)
    corrected = _in_assessment(round_, officer, "one@example.org", "Coalville Food Bank")
    waiting = _in_assessment(round_, officer, "two@example.org", "Melton Men's Shed")
    Application.objects.filter(pk=corrected.pk).update(amount_requested_pence=600_000)
    Application.objects.filter(pk=waiting.pk).update(amount_requested_pence=500_000)
    awards.decide(Application.objects.get(pk=corrected.pk), officer, "part", "Part.", amount_pence=300_000)

    def correct():
        application = Application.objects.get(pk=corrected.pk)
        try:
            if connection.vendor == "sqlite":
                with connection.execute_wrapper(_busy_timeout):
                    return ("ok", awards.amend_decision(application, corrector, "award", "Should have been in full.").pk)
            return ("ok", awards.amend_decision(application, corrector, "award", "Should have been in full.").pk)
        except awards.BudgetExceeded as error:
            return ("refused", str(error))

    results = _race(monkeypatch, [correct, (waiting, officer, "award", None)])

    assert sorted(kind for kind, _ in results) == ["ok", "refused"], results
    assert awards.awarded_pence(round_) <= round_.budget_pence
    if results[0][0] == "ok":  # the correction went first: £4,000 left, too little for £5,000
        assert awards.awarded_pence(round_) == 600_000 and "£4,000 is left" in results[1][1]
        assert not Award.objects.filter(application=waiting).exists()
    else:  # the decision went first: £2,000 left, too little for £3,000 more
        assert awards.awarded_pence(round_) == 800_000 and "(£3,000 more)" in results[0][1] and "£2,000 is left" in results[0][1]
        assert Award.objects.get(application=corrected).amount_pence == 300_000
