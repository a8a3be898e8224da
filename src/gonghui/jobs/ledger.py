"""The run ledger: enqueue after commit (through an outbox row), claim, retry with back-off, record failures."""

import contextvars
import datetime as dt
import logging
import traceback
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks.base import Task
from django_tasks.utils import normalize_json

from gonghui.jobs.models import FINISHED_STATES, WAITING_STATES, JobRun, RunState
from gonghui.jobs.registry import JOBS, JobSpec, TargetGone, spec_for

logger = logging.getLogger("gonghui.jobs")

# The queue payload carries the ledger row's id under this keyword; the job function never sees it.
RUN_KWARG = "gonghui_run_id"

_current_run: contextvars.ContextVar[JobRun | None] = contextvars.ContextVar(
    "gonghui_current_run", default=None
)


def current_run() -> JobRun | None:
    """The ledger row of the job now running in this thread (None outside a job)."""
    return _current_run.get()


def enqueue_on_commit(
    queued: Task,
    *args,
    idempotency_key: str | None = None,
    run_after: dt.datetime | None = None,
    **kwargs,
) -> JobRun:
    """Ask for ``queued(*args, **kwargs)`` to run once the current transaction commits.

    The ledger row is written now, inside the caller's transaction (so a rollback leaves no work behind), and is
    handed to the queue after commit. If the queue is unreachable then, the request still succeeds: the row stays
    waiting and the scheduler's sweeper hands it over later. With ``idempotency_key``, asking twice for the same
    work returns the first row and queues nothing more. ``run_after`` defers the work (deadlines, lapses).
    """
    return _record(queued, args, kwargs, idempotency_key=idempotency_key, run_after=run_after)


def _record(
    queued,
    args,
    kwargs,
    *,
    idempotency_key=None,
    run_after=None,
    schedule_name="",
    scheduled_for=None,
    fired_by="",
) -> JobRun:
    spec = spec_for(queued)
    if run_after is not None and timezone.is_naive(run_after):
        raise ValueError("run_after must be an aware datetime")
    fields = {
        "task_path": spec.path,
        # Normalising now turns an argument the queue cannot carry into an error for the caller, not the worker.
        "args": normalize_json(list(args)),
        "kwargs": normalize_json(dict(kwargs)),
        "max_attempts": spec.max_attempts,
        "due_at": run_after or timezone.now(),
        "schedule_name": schedule_name,
        "scheduled_for": scheduled_for,
        "fired_by": fired_by,
    }
    if idempotency_key is None:
        run = JobRun.objects.create(**fields)
    else:
        try:
            with transaction.atomic():
                run = JobRun.objects.create(idempotency_key=idempotency_key, **fields)
        except IntegrityError:
            existing = JobRun.objects.get(idempotency_key=idempotency_key)
            existing.created = False
            logger.info(
                "job %s: work %r is already recorded as run #%s", spec.path, idempotency_key, existing.pk
            )
            return existing
    run.created = True
    transaction.on_commit(partial(dispatch, run.pk), robust=True)
    return run


def dispatch(run_id: int, now: dt.datetime | None = None) -> bool:
    """Hand a waiting run to the queue. Returns whether the queue accepted it; failures leave it for the sweeper."""
    run = JobRun.objects.filter(pk=run_id, state__in=WAITING_STATES).first()
    if run is None:
        return False
    spec = JOBS.get(run.task_path)
    if spec is None:
        JobRun.objects.filter(pk=run.pk).update(
            state=RunState.FAILED,
            finished_at=timezone.now(),
            last_error=f"no job named {run.task_path} is declared",
        )
        logger.error(
            "job run #%s names %s, which is no longer declared: recorded as failed", run.pk, run.task_path
        )
        return False
    queued = spec.task
    if run.due_at > (now or timezone.now()):
        if not queued.get_backend().supports_defer:
            return False  # the sweeper hands it over when it is due
        queued = queued.using(run_after=run.due_at)
    attempts = run.attempts
    try:
        result = queued.enqueue(*run.args, **{**run.kwargs, RUN_KWARG: run.pk})
    except Exception as exc:  # a broker that is down raises its own connection errors
        logger.warning(
            "job %s run #%s could not be handed to the queue (%s: %s); it stays recorded and the sweeper retries",
            run.task_path,
            run.pk,
            type(exc).__name__,
            exc,
        )
        JobRun.objects.filter(pk=run.pk, attempts=attempts).update(
            dispatched_at=None, note=f"enqueue failed: {type(exc).__name__}: {exc}"[:300]
        )
        return False
    # Only if no worker has claimed it meanwhile (a fast worker may already be done with it).
    JobRun.objects.filter(pk=run.pk, attempts=attempts, state__in=WAITING_STATES).update(
        dispatched_at=timezone.now(), queue_result_id=str(result.id)
    )
    return True


def execute(spec: JobSpec, args: tuple, kwargs: dict):
    """Run one delivery of a job (called by the queue worker through the task wrapper)."""
    kwargs = dict(kwargs)
    run_id = kwargs.pop(RUN_KWARG, None)
    run = _claim(run_id, spec) if run_id is not None else _adopt(spec, args, kwargs)
    if run is None:
        return None
    token = _current_run.set(run)
    try:
        value = spec.raw(*args, **kwargs)
    except TargetGone as exc:
        logger.warning("job %s run #%s: target gone (%s); finished as a no-op", spec.path, run.pk, exc)
        _finish(run, RunState.SKIPPED, note=str(exc)[:300])
        return None
    except Exception as exc:
        _record_failure(run, spec, exc)
        raise
    finally:
        _current_run.reset(token)
    _finish(run, RunState.SUCCEEDED)
    return value


def _claim(run_id: int, spec: JobSpec) -> JobRun | None:
    now = timezone.now()
    with transaction.atomic():
        run = JobRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            logger.warning("job %s: run #%s no longer exists; nothing to do", spec.path, run_id)
            return None
        if run.state in FINISHED_STATES:
            logger.info(
                "job %s run #%s is already %s; duplicate delivery ignored", spec.path, run.pk, run.state
            )
            return None
        if run.state == RunState.RUNNING and run.lease_expires_at and run.lease_expires_at > now:
            logger.info("job %s run #%s is running elsewhere; duplicate delivery ignored", spec.path, run.pk)
            return None
        if run.state == RunState.RUNNING and run.attempts >= run.max_attempts:
            _mark_lost_for_good(run, now)
            return None
        run.state = RunState.RUNNING
        run.attempts += 1
        run.started_at = now
        run.lease_expires_at = now + dt.timedelta(seconds=spec.timeout_seconds)
        run.dispatched_at = (
            run.dispatched_at or now
        )  # a worker has it, whether or not dispatch() noted that yet
        run.save(update_fields=["state", "attempts", "started_at", "lease_expires_at", "dispatched_at"])
    return run


def _adopt(spec: JobSpec, args: tuple, kwargs: dict) -> JobRun:
    """A job enqueued straight through ``task.enqueue()`` gets its ledger row when it starts."""
    now = timezone.now()
    return JobRun.objects.create(
        task_path=spec.path,
        args=normalize_json(list(args)),
        kwargs=normalize_json(kwargs),
        max_attempts=spec.max_attempts,
        due_at=now,
        dispatched_at=now,
        state=RunState.RUNNING,
        attempts=1,
        started_at=now,
        lease_expires_at=now + dt.timedelta(seconds=spec.timeout_seconds),
    )


def _finish(run: JobRun, state: str, note: str = "") -> None:
    changes = {"state": state, "finished_at": timezone.now(), "lease_expires_at": None}
    if note:
        changes["note"] = note
    JobRun.objects.filter(pk=run.pk).update(**changes)


def _record_failure(run: JobRun, spec: JobSpec, exc: BaseException) -> None:
    error = "".join(traceback.format_exception(exc))
    now = timezone.now()
    with transaction.atomic():
        run = JobRun.objects.select_for_update().get(pk=run.pk)
        run.last_error = error
        run.lease_expires_at = None
        if run.attempts >= run.max_attempts:
            run.state = RunState.FAILED
            run.finished_at = now
            logger.error(
                "job %s run #%s failed for good after %d attempts: %r", spec.path, run.pk, run.attempts, exc
            )
        else:
            run.state = RunState.RETRYING
            run.due_at = now + spec.backoff(run.attempts)
            run.dispatched_at = None
            logger.warning(
                "job %s run #%s attempt %d/%d failed (%r); retrying at %s",
                spec.path,
                run.pk,
                run.attempts,
                run.max_attempts,
                exc,
                run.due_at.isoformat(),
            )
        run.save(
            update_fields=[
                "last_error",
                "lease_expires_at",
                "state",
                "finished_at",
                "due_at",
                "dispatched_at",
            ]
        )
    if run.state == RunState.RETRYING:
        transaction.on_commit(partial(dispatch, run.pk), robust=True)


def _mark_lost_for_good(run: JobRun, now: dt.datetime) -> None:
    run.state = RunState.FAILED
    run.finished_at = now
    run.lease_expires_at = None
    run.last_error = (
        f"worker lost: attempt {run.attempts} started at {run.started_at.isoformat()} did not finish "
        f"within its lease; no attempts left ({run.attempts}/{run.max_attempts})"
    )
    run.save(update_fields=["state", "finished_at", "lease_expires_at", "last_error"])
    logger.error("job %s run #%s: %s", run.task_path, run.pk, run.last_error)
