"""The grants domain: references, append-only records, constraints and the application state machine."""
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from shire.core.models import AuditEvent
from shire.core.tests.factories import make_officer, make_team

from .. import services
from ..models import (
    Application,
    ApplicationEvent,
    Award,
    Decision,
    DecisionAmendment,
    ImmutableRecordError,
    MonitoringReturn,
    Outcome,
    Round,
    Theme,
)
from .factories import make_applicant, make_application, make_community_user, make_round, submit

pytestmark = pytest.mark.django_db
S = Application.Status


@pytest.fixture
def setting():
    team = make_team()
    officer = make_officer("officer", team=team)
    round_ = make_round(team=team)
    member, organisation = make_applicant()
    return {"team": team, "officer": officer, "round": round_, "member": member, "organisation": organisation}


# --- references, themes, phases -------------------------------------------------------------------


def test_an_application_gets_its_programme_code_and_number_as_reference(setting):
    application = make_application(setting["round"], setting["organisation"], setting["member"], filled=False)
    assert application.reference == f"SCG-{application.pk:06d}"
    assert Application.objects.get(pk=application.pk).reference == application.reference


def test_round_themes_are_the_programmes_plus_its_own(setting):
    round_ = setting["round"]
    other = make_round(programme=round_.programme, slug="round-2", name="Round 2", themes=False)
    own = Theme.objects.create(programme=round_.programme, round=round_, name="Round one only", slug="r1", order=9)
    assert own in round_.themes()
    assert own not in other.themes()
    assert round_.themes().count() == 4 and other.themes().count() == 3


def test_round_phase_follows_the_calendar_and_closing_early(setting):
    round_ = setting["round"]
    today = timezone.localdate()
    assert round_.phase(today) == "open" and round_.is_open(today)
    assert round_.phase(round_.closes_on) == "open"  # the closing day is included
    assert round_.phase(round_.closes_on + timedelta(days=1)) == "closed"
    assert round_.phase(round_.opens_on - timedelta(days=1)) == "upcoming"
    round_.status = Round.Status.CLOSED
    assert round_.phase(today) == "closed" and not round_.is_open(today)
    round_.status = Round.Status.DRAFT
    assert round_.phase(today) == "open" and not round_.is_open(today)


def test_a_round_cannot_close_before_it_opens(setting):
    round_ = setting["round"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Round.objects.filter(pk=round_.pk).update(closes_on=round_.opens_on - timedelta(days=1))


def test_a_round_minimum_cannot_exceed_its_maximum(setting):
    with pytest.raises(IntegrityError), transaction.atomic():
        Round.objects.filter(pk=setting["round"].pk).update(min_request_pence=2_000_000)


def test_monitoring_returns_are_late_when_overdue_or_sent_after_the_due_date(setting):
    application = submit(make_application(setting["round"], setting["organisation"], setting["member"]), setting["member"])
    award = Award.objects.create(application=application, amount_pence=250_000, award_date=date(2020, 4, 1))
    due = date(2020, 10, 1)
    pending = MonitoringReturn(award=award, due_on=due)
    assert not pending.is_late(today=due) and pending.is_late(today=due + timedelta(days=1))
    on_time = MonitoringReturn(award=award, due_on=due, submitted_on=due)
    assert not on_time.is_late(today=due + timedelta(days=100))
    late = MonitoringReturn(award=award, due_on=due, submitted_on=due + timedelta(days=3), outcomes=[Outcome.PARTICIPATION])
    assert late.is_late(today=due + timedelta(days=3))
    assert late.outcome_labels() == ["Enabling vulnerable groups to participate more fully in society"]


# --- append-only records --------------------------------------------------------------------------


def test_application_events_cannot_be_changed_or_deleted(setting):
    application = submit(make_application(setting["round"], setting["organisation"], setting["member"]), setting["member"])
    event = application.events.get()
    event.note = "rewritten"
    with pytest.raises(ImmutableRecordError):
        event.save()
    with pytest.raises(ImmutableRecordError):
        event.delete()
    with pytest.raises(ImmutableRecordError):
        ApplicationEvent.objects.filter(pk=event.pk).update(note="rewritten")
    with pytest.raises(ImmutableRecordError):
        ApplicationEvent.objects.filter(pk=event.pk).delete()
    assert ApplicationEvent.objects.get(pk=event.pk).note == ""


def test_decisions_cannot_be_edited_only_amended_with_a_record(setting):
    officer = setting["officer"]
    application = submit(make_application(setting["round"], setting["organisation"], setting["member"]), setting["member"])
    decision = Decision.objects.create(
        application=application, outcome=Decision.Outcome.AWARD, amount_awarded_pence=250_000, reasons="Strong need", decided_by=officer
    )
    decision.amount_awarded_pence = 900_000
    with pytest.raises(ImmutableRecordError):
        decision.save()
    with pytest.raises(ImmutableRecordError):
        Decision.objects.filter(pk=decision.pk).update(amount_awarded_pence=900_000)
    with pytest.raises(ImmutableRecordError):
        decision.delete()
    assert Decision.objects.get(pk=decision.pk).amount_awarded_pence == 250_000

    DecisionAmendment.objects.create(
        decision=decision, previous_outcome="award", previous_amount_pence=250_000,
        new_outcome="part", new_amount_pence=200_000, reason="Arithmetic error in the budget", amended_by=officer,
    )
    decision = Decision.objects.get(pk=decision.pk)
    assert (decision.outcome, decision.amount_awarded_pence) == ("award", 250_000)  # the original stands
    assert decision.current() == ("part", 200_000)


def test_a_decline_awards_nothing_and_an_award_something(setting):
    application = submit(make_application(setting["round"], setting["organisation"], setting["member"]), setting["member"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(application=application, outcome="decline", amount_awarded_pence=100, reasons="x", decided_by=setting["officer"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(application=application, outcome="award", amount_awarded_pence=0, reasons="x", decided_by=setting["officer"])


# --- the state machine ----------------------------------------------------------------------------


def test_the_full_path_through_the_state_machine_is_recorded(setting):
    officer, member = setting["officer"], setting["member"]
    application = make_application(setting["round"], setting["organisation"], member)
    submit(application, member)
    services.transition(application, S.RETURNED, officer, note="Please send your latest accounts.")
    assert application.status == S.RETURNED
    services.submit_application(application, member)
    services.transition(application, S.IN_ASSESSMENT, officer)
    services.transition(application, S.PART_AWARDED, officer)
    application.refresh_from_db()
    assert application.status == S.PART_AWARDED
    steps = list(application.events.values_list("from_status", "to_status", "actor"))
    assert steps == [
        (S.DRAFT, S.SUBMITTED, member.pk),
        (S.SUBMITTED, S.RETURNED, officer.pk),
        (S.RETURNED, S.RESUBMITTED, member.pk),
        (S.RESUBMITTED, S.IN_ASSESSMENT, officer.pk),
        (S.IN_ASSESSMENT, S.PART_AWARDED, officer.pk),
    ]
    audited = list(
        AuditEvent.objects.filter(object_type="grants.application", object_id=str(application.pk), action__in=[
            "grants.application.submitted", "grants.application.returned", "grants.application.resubmitted",
            "grants.application.in_assessment", "grants.application.part_awarded",
        ]).order_by("at", "id").values_list("action", "actor")
    )
    assert [a for a, _ in audited] == [
        "grants.application.submitted", "grants.application.returned", "grants.application.resubmitted",
        "grants.application.in_assessment", "grants.application.part_awarded",
    ]
    assert application.submitted_at is not None and application.last_submitted_at >= application.submitted_at


@pytest.mark.parametrize(
    "path, refused",
    [
        ([], S.IN_ASSESSMENT),  # a draft cannot skip to assessment
        ([], S.AWARDED),
        ([S.SUBMITTED], S.RESUBMITTED),
        ([S.SUBMITTED, S.IN_ASSESSMENT], S.SUBMITTED),
        ([S.SUBMITTED, S.DECLINED], S.IN_ASSESSMENT),  # decided is final
        ([S.SUBMITTED, S.IN_ASSESSMENT, S.AWARDED], S.DECLINED),
    ],
)
def test_steps_the_state_machine_does_not_allow_are_refused(setting, path, refused):
    officer, member = setting["officer"], setting["member"]
    application = make_application(setting["round"], setting["organisation"], member)
    for step in path:
        services.transition(application, step, member if step == S.SUBMITTED else officer)
    before = application.events.count()
    with pytest.raises(services.TransitionError):
        services.transition(application, refused, officer)
    application.refresh_from_db()
    assert application.status == (path[-1] if path else S.DRAFT)
    assert application.events.count() == before


def test_only_members_submit_and_only_the_teams_officers_do_the_rest(setting):
    officer, member = setting["officer"], setting["member"]
    application = make_application(setting["round"], setting["organisation"], member)
    stranger = make_community_user("stranger@example.org")
    other_team_officer = make_officer("elsewhere", team=make_team("Highways Team"))
    with pytest.raises(PermissionDenied):
        services.transition(application, S.SUBMITTED, stranger)
    with pytest.raises(PermissionDenied):
        services.transition(application, S.SUBMITTED, officer)  # officers cannot send on an applicant's behalf
    services.transition(application, S.SUBMITTED, member)
    with pytest.raises(PermissionDenied):
        services.transition(application, S.IN_ASSESSMENT, member)  # an applicant cannot move their own on
    with pytest.raises(PermissionDenied):
        services.transition(application, S.IN_ASSESSMENT, other_team_officer)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert application.events.count() == 1


def test_private_notes_are_kept_from_the_applicants_timeline(setting):
    officer, member = setting["officer"], setting["member"]
    application = submit(make_application(setting["round"], setting["organisation"], member), member)
    services.transition(application, S.IN_ASSESSMENT, officer, note="Triage: looks strong")
    services.log_event(application, ApplicationEvent.Kind.NOTE, officer, note="Assessor: chair is my cousin", visible_to_applicant=False)
    visible = [e.note for e in services.applicant_timeline(application)]
    assert "Assessor: chair is my cousin" not in visible
    assert application.events.filter(visible_to_applicant=False).count() == 1


def test_the_migration_puts_each_decisions_conditions_on_it_from_its_decided_step():
    """Conditions used to be only the 'decided' step's note; migration 0003 copies them onto the Decision."""
    from importlib import import_module

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from ..models import ApplicationEvent, Decision

    migration = import_module("shire.grants.migrations.0003_assessors_and_decision_conditions")
    officer = make_officer("officer", team=make_team())
    member, organisation = make_applicant()
    application = make_application(make_round(team=officer.teams.get()), organisation, member)
    other = make_application(make_round(programme=application.round.programme, slug="another", name="Another"),
                             organisation, member)
    for item in (application, other):
        Decision.objects.create(application=item, outcome="award", amount_awarded_pence=100_000, reasons="Good.",
                                decided_by=officer)
    ApplicationEvent.objects.create(application=application, kind="decided", actor=officer, note="Spend by 31 March.")
    ApplicationEvent.objects.create(application=other, kind="decided", actor=officer, note="")
    state = MigrationExecutor(connection).loader.project_state(("grants", "0003_assessors_and_decision_conditions"))

    migration.copy_conditions(state.apps, None)

    assert Decision.objects.get(application=application).conditions == "Spend by 31 March."
    assert Decision.objects.get(application=other).conditions == ""
