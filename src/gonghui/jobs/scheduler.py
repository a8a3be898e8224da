"""The scheduler process: APScheduler computes when each schedule is due; the database decides who fires it.

Each due run becomes one ledger row whose idempotency key is ``schedule:<name>@<fire time>``. Every scheduler
process (run as many as you like, on as many machines) computes the same fire times and tries to insert that row;
the unique key lets exactly one of them win, and only the winner's row is handed to the queue. No lock to expire,
no leader to elect: a scheduler that dies simply stops competing.
"""

import datetime as dt
import logging
import os
import socket

from apscheduler.executors.base import BaseExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from gonghui.jobs.ledger import _record
from gonghui.jobs.maintenance import sweep
from gonghui.jobs.models import JobRun
from gonghui.jobs.registry import SCHEDULES, Schedule

logger = logging.getLogger("gonghui.jobs.scheduler")

# A run missed by more than this (the scheduler was down) is not fired late; write periodic jobs as sweeps over
# "everything now due" so that the next run catches up.
MISFIRE_GRACE_SECONDS = 60


def scheduler_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def run_key(schedule: Schedule, fire_time: dt.datetime) -> str:
    return f"schedule:{schedule.name}@{fire_time.astimezone(dt.UTC).isoformat()}"


def fire(schedule: Schedule, fire_time: dt.datetime, fired_by: str | None = None) -> JobRun | None:
    """Record the run of ``schedule`` due at ``fire_time`` unless another scheduler already did. Returns the new
    run, or None when this scheduler lost the race."""
    with transaction.atomic():
        run = _record(
            schedule.task,
            schedule.args,
            schedule.kwargs,
            idempotency_key=run_key(schedule, fire_time),
            schedule_name=schedule.name,
            scheduled_for=fire_time,
            fired_by=fired_by or scheduler_id(),
        )
    if run.created:
        logger.info("fired %s for %s as run #%s", schedule.name, fire_time.isoformat(), run.pk)
        return run
    logger.info("%s for %s already fired by %s", schedule.name, fire_time.isoformat(), run.fired_by)
    return None


class ClaimingExecutor(BaseExecutor):
    """Fires schedules in the scheduler's own thread, passing each due time (APScheduler's own executors pass only
    the callable's arguments, and the due time is what makes the run's key)."""

    def _do_submit_job(self, job, run_times):
        schedule = job.args[0]
        for run_time in run_times:
            late = (timezone.now() - run_time).total_seconds()
            if late > MISFIRE_GRACE_SECONDS:
                logger.warning(
                    "%s run due %s missed by %.0f s; not fired late", schedule.name, run_time, late
                )
                continue
            try:
                close_old_connections()
                fire(schedule, run_time)
            except Exception:
                logger.exception("could not fire %s for %s", schedule.name, run_time)
        self._run_job_success(job.id, [])


def _sweep_safely() -> None:
    close_old_connections()
    try:
        report = sweep()
    except Exception:
        logger.exception("sweep failed; will try again")
        return
    if report.reaped or report.dispatched or report.not_dispatched:
        logger.info("sweep: %s", report)


def build_scheduler(sweep_seconds: int) -> BlockingScheduler:
    zone = timezone.get_default_timezone()
    scheduler = BlockingScheduler(
        timezone=zone,
        executors={"default": {"type": "threadpool", "max_workers": 2}, "claiming": ClaimingExecutor()},
        job_defaults={"coalesce": True, "max_instances": 1},
    )
    for schedule in SCHEDULES.values():
        scheduler.add_job(
            _never_called,
            schedule.trigger(zone),
            args=[schedule],
            id=schedule.name,
            name=schedule.name,
            executor="claiming",
            misfire_grace_time=None,
        )
    scheduler.add_job(_sweep_safely, "interval", seconds=sweep_seconds, id="gonghui.sweep", name="sweep")
    return scheduler


def _never_called(schedule):  # ClaimingExecutor fires schedules itself
    raise AssertionError(schedule)


def default_sweep_seconds() -> int:
    return int(
        getattr(settings, "GONGHUI_JOBS_SWEEP_SECONDS", os.environ.get("GONGHUI_JOBS_SWEEP_SECONDS", 15))
    )
