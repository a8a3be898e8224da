"""The sweeper: what makes sure no work is lost. Every scheduler process runs it every few seconds.

- runs whose worker died (lease passed while RUNNING) are retried, or recorded as failed when out of attempts;
- runs waiting to be queued (the queue was down at enqueue time, a retry is due, a deferred run fell out of the
  queue) are handed to the queue.

It works on the database only, so it keeps working while the queue backend is unreachable. Several sweepers may
run at once: rows are claimed under a row lock (SKIP LOCKED on PostgreSQL; SQLite serialises writers).
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gonghui.jobs.ledger import RUN_KWARG, dispatch
from gonghui.jobs.models import WAITING_STATES, JobRun, RunState
from gonghui.jobs.registry import JOBS

logger = logging.getLogger("gonghui.jobs")

BATCH = 200


def redispatch_after() -> dt.timedelta:
    """How long a handed-over run may sit unstarted past its due time before it is handed over again (for queues
    whose contents we cannot inspect; on the database queue we look instead)."""
    return dt.timedelta(seconds=getattr(settings, "GONGHUI_JOBS_REDISPATCH_SECONDS", 900))


@dataclass
class SweepReport:
    reaped: int = 0
    dispatched: int = 0
    not_dispatched: int = 0

    def __str__(self):
        return f"reaped {self.reaped}, dispatched {self.dispatched}, left waiting {self.not_dispatched}"


def sweep(now: dt.datetime | None = None) -> SweepReport:
    now = now or timezone.now()
    report = SweepReport()
    report.reaped = reap_lost(now)
    report.dispatched, report.not_dispatched = dispatch_waiting(now)
    return report


def reap_lost(now: dt.datetime) -> int:
    reaped = 0
    with transaction.atomic():
        lost = list(
            JobRun.objects.select_for_update(skip_locked=True)
            .filter(state=RunState.RUNNING, lease_expires_at__lt=now)
            .order_by("lease_expires_at")[:BATCH]
        )
        for run in lost:
            spec = JOBS.get(run.task_path)
            message = (
                f"worker lost: attempt {run.attempts} started at {run.started_at.isoformat()} did not finish "
                f"before its lease ended at {run.lease_expires_at.isoformat()}"
            )
            run.last_error = message
            run.lease_expires_at = None
            run.dispatched_at = None
            if run.attempts >= run.max_attempts:
                run.state = RunState.FAILED
                run.finished_at = now
                logger.error("job %s run #%s: %s; no attempts left", run.task_path, run.pk, message)
            else:
                run.state = RunState.RETRYING
                run.due_at = now + (spec.backoff(run.attempts) if spec else dt.timedelta(0))
                logger.warning(
                    "job %s run #%s: %s; retrying at %s", run.task_path, run.pk, message, run.due_at
                )
            run.save(
                update_fields=[
                    "last_error",
                    "lease_expires_at",
                    "dispatched_at",
                    "state",
                    "finished_at",
                    "due_at",
                ]
            )
            _close_dead_queue_results(run, message)
            reaped += 1
    return reaped


def _close_dead_queue_results(run: JobRun, message: str) -> None:
    """On the database queue, the dead worker's result row says RUNNING for ever: record it as failed."""
    if not _uses_database_queue():
        return
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING,
        task_path=run.task_path,
        **{f"args_kwargs__kwargs__{RUN_KWARG}": run.pk},
    ).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path="gonghui.jobs.WorkerLost",
        traceback=message,
    )


def dispatch_waiting(now: dt.datetime) -> tuple[int, int]:
    stale = now - redispatch_after()
    with transaction.atomic():
        due = list(
            JobRun.objects.select_for_update(skip_locked=True)
            .filter(state__in=WAITING_STATES, due_at__lte=now)
            .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=stale, due_at__lt=stale))
            .order_by("due_at")[:BATCH]
        )
        due = [run for run in due if run.dispatched_at is None or not _still_queued(run)]
        # Claim them before leaving the transaction, so a second sweeper does not hand them over too.
        JobRun.objects.filter(pk__in=[run.pk for run in due]).update(dispatched_at=now)
    accepted = sum(1 for run in due if dispatch(run.pk, now))
    return accepted, len(due) - accepted


def _still_queued(run: JobRun) -> bool:
    if not _uses_database_queue() or not run.queue_result_id:
        return False
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        pk=run.queue_result_id, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).exists()


def _uses_database_queue() -> bool:
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)
