"""Shire's background work on free-text themes: proposing a codebook and coding the answers.

The sentence models take tens of seconds and most of a gigabyte, too much for a web request, so
the officers' pages queue the work with Django's Tasks framework and its database backend
(django-tasks-db), and `shire db_worker`, a process of its own, runs it. The rules stay in
coding.py (`propose_themes`, `code_answers`); this module starts them, runs them and keeps the
state officers see in a `ThemeWork` row: queued, running, done or failed, who started it, when,
and what came of it. A question has one piece of work queued or running at a time (a database
constraint, so two officers pressing at once still start one).

The results report's documents (documents.py, a `ReportDocument` row each) are prepared here too,
with the same running, heartbeat and lost-worker rules.

Task arguments are ids (the queue stores them as JSON); the task reads everything else again.
"""
import logging
import threading
from datetime import timedelta

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.tasks import TaskResultStatus, task
from django.utils import dateformat, timezone
from django_tasks_db.models import DBTaskResult

from shire.core import audit

from . import coding, reports
from .models import ReportDocument, ThemeWork

logger = logging.getLogger(__name__)

# While work runs, its worker marks it alive every HEARTBEAT_EVERY; work not marked for LOST_AFTER
# has lost its worker (stopped hard, or out of memory), so an officer may start it again within
# minutes rather than waiting. Work running longer than GIVE_UP_AFTER is given up even so (a
# worker alive but stuck): coding 10,000 answers takes about a minute.
HEARTBEAT_EVERY = timedelta(seconds=20)
LOST_AFTER = timedelta(minutes=2)
GIVE_UP_AFTER = timedelta(minutes=30)
LOST = ("Shire stopped before it finished (its background worker stopped). Nothing was changed: "
        "start it again.")


class WorkUnderWay(coding.ThemeError):
    """The question already has work queued or running."""


def _finish(work_id, status, model=ThemeWork, **fields):
    """Record how the work (a ThemeWork or a ReportDocument) ended, unless it was given up
    meanwhile. True if recorded."""
    return bool(model.objects.filter(pk=work_id, status__in=model.ACTIVE)
                .update(status=status, finished_at=timezone.now(), **fields))


def given_up_if_lost(work):
    """`work` (a ThemeWork or a ReportDocument), marked failed first if it was queued or running
    and its worker was lost: it has not been marked alive for LOST_AFTER, or has run longer than
    GIVE_UP_AFTER, or its task failed outside Shire's code."""
    if work is None or not work.active:
        return work
    now = timezone.now()
    lost = work.status == work.Status.RUNNING and (
        now - (work.heartbeat_at or work.started_at) > LOST_AFTER or now - work.started_at > GIVE_UP_AFTER)
    if not lost and work.task_id:
        lost = DBTaskResult.objects.filter(id=work.task_id, status=TaskResultStatus.FAILED).exists()
    if lost and _finish(work.pk, work.Status.FAILED, type(work), errors=[LOST]):
        work.refresh_from_db()
    return work


def current_work(consultation, question):
    """The question's newest piece of work, or None; work whose worker was lost is marked failed first."""
    return given_up_if_lost(
        ThemeWork.objects.filter(consultation=consultation, question=question).select_related("started_by").first())


def under_way_message(work):
    if work is None:  # finished a moment ago
        return "Shire was already working on this question. Check its progress, then try again"
    when = timezone.localtime(work.requested_at)
    when = f"{dateformat.format(when, 'G:i')} on {dateformat.format(when, 'j F')}"
    return f"Shire is already {work.get_kind_display().lower()} for this question (started by {work.started_by_name} at {when}). " \
           "Wait for it to finish, then try again"


def queue(model, run, user, **fields):
    """Make a piece of work's row (a ThemeWork or a ReportDocument, asked for by `user`) and
    enqueue the task `run` for it, in one transaction: the Tasks framework's database backend keeps
    the task in the same database, so the worker sees the task only with its row. Raises
    IntegrityError when the same work is already queued or running (the model's constraint)."""
    with transaction.atomic():
        work = model.objects.create(started_by=user if getattr(user, "is_authenticated", False) else None, **fields)
        work.task_id = str(run.enqueue(work.pk).id)
        work.save(update_fields=["task_id"])
    return work


def start(consultation, question, user, kind, **options):
    """Queue Shire's work on `question` (ThemeWork.Kind) and return its ThemeWork.

    What would fail at once is refused at once (coding.check_propose / check_code raise
    ThemeError), as is work while the question already has some queued or running
    (WorkUnderWay). The request is audited."""
    if kind == ThemeWork.Kind.PROPOSE:
        coding.check_propose(consultation, question, options.get("replace", False))
        run = propose_themes
    else:
        coding.check_code(consultation, question)
        run = code_answers
    current = current_work(consultation, question)
    if current is not None and current.active:
        raise WorkUnderWay(under_way_message(current))
    try:
        with transaction.atomic():
            work = queue(ThemeWork, run, user, consultation=consultation, question=question, kind=kind, options=options)
            audit.record(user, f"themes.{kind}_started", consultation, question=question, work=work.pk, **options)
    except IntegrityError:
        # Another officer's request started work on this question a moment ago.
        raise WorkUnderWay(under_way_message(current_work(consultation, question))) from None
    return work


def _beat(work_id, model=ThemeWork):
    """Mark running work alive. False once it is no longer running."""
    return bool(model.objects.filter(pk=work_id, status=model.Status.RUNNING).update(heartbeat_at=timezone.now()))


class _Heartbeat(threading.Thread):
    """Beats for running work (a ThemeWork or a ReportDocument) from a thread of its own (with its
    own database connection) until stopped; a beat that fails (the database busy) is tried again
    at the next."""

    def __init__(self, work_id, model=ThemeWork):
        super().__init__(name=f"{model._meta.model_name}-{work_id}-heartbeat", daemon=True)
        self.work_id, self.model = work_id, model
        self.stopped = threading.Event()

    def run(self):
        try:
            while not self.stopped.wait(HEARTBEAT_EVERY.total_seconds()):
                try:
                    if not _beat(self.work_id, self.model):
                        return
                except DatabaseError as error:
                    logger.warning("%s %s: heartbeat not recorded (%s)", self.model.__name__, self.work_id,
                                   type(error).__name__)
        finally:
            connection.close()

    def stop(self):
        self.stopped.set()
        self.join()


def _run(work_id, do, model=ThemeWork, then=None):
    """Run `do(work)` for queued work (a ThemeWork or a ReportDocument), recording its state and
    beating while it runs. `do` returns the fields to record when it is done; `then(work, fields,
    recorded)`, if given, is then told whether they were recorded (not if the work was given up
    meanwhile). A ThemeError or ReportError is the officer's to act on; anything else is recorded
    as LOST for them and raised for the worker's log."""
    now = timezone.now()
    if not model.objects.filter(pk=work_id, status=model.Status.QUEUED).update(
            status=model.Status.RUNNING, started_at=now, heartbeat_at=now):
        return {"skipped": "no longer queued"}
    work = model.objects.select_related("consultation", "started_by").get(pk=work_id)
    heartbeat = _Heartbeat(work_id, model)
    heartbeat.start()
    try:
        done = do(work)
    except (coding.ThemeError, reports.ReportError) as error:
        errors = getattr(error, "errors", None) or [str(error)]
        _finish(work_id, model.Status.FAILED, model, errors=errors)
        return {"errors": errors}
    except BaseException:  # also the worker stopped mid-task (SystemExit)
        _finish(work_id, model.Status.FAILED, model, errors=[LOST])
        raise
    finally:
        heartbeat.stop()
    recorded = _finish(work_id, model.Status.DONE, model, **done)
    if then is not None:
        then(work, done, recorded)
    return done


@task
def propose_themes(work_id):
    def do(work):
        created = coding.propose_themes(work.consultation, work.question, work.started_by,
                                        max_themes=work.options.get("max_themes", 12),
                                        replace=work.options.get("replace", False))
        return {"result": {"themes": len(created)}}

    return _run(work_id, do)


@task
def code_answers(work_id):
    return _run(work_id, lambda work: {"result": coding.code_answers(work.consultation, work.question, work.started_by)})


def describe(work):
    """What the officer is told about a piece of work (the pages and the status endpoint)."""
    if work is None:
        return None
    Status = ThemeWork.Status
    doing = work.get_kind_display().lower()  # "coding the answers"
    if work.status == Status.QUEUED:
        heading = f"Shire is waiting to start {doing}"
        detail = ["It starts as soon as Shire's background worker is free. If it waits for more than a few "
                  "minutes, ask whoever runs Shire to check the worker (shire db_worker) is running."]
    elif work.status == Status.RUNNING:
        heading = f"Shire is {doing}"
        detail = ["This takes a minute or so for a few thousand answers. You can carry on: answers you review "
                  "meanwhile keep your decision."]
    elif work.status == Status.DONE:
        r = work.result
        if work.kind == ThemeWork.Kind.PROPOSE:
            n = r.get("themes", 0)
            heading = f"Shire proposed {n} theme{'s' if n != 1 else ''}"
            detail = ["Check them, change them as you need, then code the answers."]
        else:
            n, examples = r.get("coded", 0), r.get("examples", 0)
            heading = f"Shire coded {n} answer{'s' if n != 1 else ''}" + (
                f", learning from the {examples} you reviewed" if examples else "")
            detail = ["Review the least confident first."]
    else:
        heading = f"Shire could not finish {doing}"
        detail = list(work.errors)
    return {
        "id": work.pk,
        "kind": work.kind,
        "status": work.status,
        "active": work.active,
        "heading": heading,
        "detail": detail,
        "started_by": work.started_by_name,
        "requested_at": work.requested_at,
        "started_at": work.started_at,
        "finished_at": work.finished_at,
    }


@task
def prepare_report_document(document_id):
    """Prepare a results report document (documents.py) queued by an officer."""
    from . import documents  # it queues this task, so it is imported once both are defined

    return _run(document_id, documents.prepare, ReportDocument, then=documents.tidy)
