"""The jobs package's own periodic work: a heartbeat (proof that the pipeline runs) and pruning of old records."""

import datetime as dt
import os

from django.utils import timezone

from gonghui.jobs.ledger import current_run
from gonghui.jobs.models import Heartbeat, JobRun, RunState
from gonghui.jobs.registry import job, periodic

HEARTBEAT_SECONDS = int(os.environ.get("GONGHUI_HEARTBEAT_SECONDS", 300))
KEEP_FINISHED_DAYS = 30
KEEP_FAILED_DAYS = 90


@periodic(every=dt.timedelta(seconds=HEARTBEAT_SECONDS), name="jobs.heartbeat")
@job(max_attempts=3, backoff_seconds=5, timeout_seconds=60)
def heartbeat() -> int:
    """Write one heartbeat row per scheduled run. Idempotent: the row is keyed by the run, so a repeated
    delivery of the same run writes nothing more."""
    run = current_run()
    beat, _ = Heartbeat.objects.get_or_create(
        run=run, defaults={"scheduled_for": run.scheduled_for if run else None}
    )
    return beat.pk


@periodic(daily="03:30", name="jobs.prune")
@job(max_attempts=3, timeout_seconds=1800)
def prune_finished_runs() -> dict:
    """Delete ledger rows and queue results of finished work older than 30 days (failed ones: 90 days)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    finished_before = now - dt.timedelta(days=KEEP_FINISHED_DAYS)
    failed_before = now - dt.timedelta(days=KEEP_FAILED_DAYS)
    Heartbeat.objects.filter(beat_at__lt=finished_before).delete()
    runs, _ = JobRun.objects.filter(
        state__in=[RunState.SUCCEEDED, RunState.SKIPPED], finished_at__lt=finished_before
    ).delete()
    failed, _ = JobRun.objects.filter(state=RunState.FAILED, finished_at__lt=failed_before).delete()
    results, _ = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED], finished_at__lt=finished_before
    ).delete()
    return {"runs": runs, "failed_runs": failed, "queue_results": results}


@job(max_attempts=3, backoff_seconds=1, timeout_seconds=5)
def probe(token: str, hold_seconds: float = 0.0, fail_times: int = 0) -> str:
    """A diagnostic job (``gonghui jobs probe``): returns its token. On its first attempt it holds for
    ``hold_seconds`` (to kill a worker mid-task in tests); it fails on its first ``fail_times`` attempts."""
    import time

    run = current_run()
    attempt = run.attempts if run else 1
    if attempt <= fail_times:
        raise RuntimeError(f"probe {token}: planned failure on attempt {attempt}")
    if attempt == 1 and hold_seconds:
        time.sleep(hold_seconds)
    return token
