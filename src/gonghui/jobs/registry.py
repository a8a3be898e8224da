"""Where jobs and schedules are declared: ``@job`` and ``@periodic`` (see the package docstring for the API).

Nothing here touches the database, so packages may import it at module level from their ``tasks.py``.
"""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django_tasks.base import DEFAULT_TASK_QUEUE_NAME, Task, task


class TargetGone(Exception):
    """Raised by a job whose target row no longer exists: the run ends as a logged no-op, never retried."""


@dataclass(frozen=True)
class JobSpec:
    task: Task
    raw: Callable
    max_attempts: int
    backoff_seconds: int
    max_backoff_seconds: int
    timeout_seconds: int

    @property
    def path(self) -> str:
        return self.task.module_path

    def backoff(self, failed_attempts: int) -> dt.timedelta:
        """Delay before the next attempt: doubling from ``backoff_seconds``, capped (30 s, 60 s, 120 s, ...)."""
        seconds = self.backoff_seconds * 2 ** max(failed_attempts - 1, 0)
        return dt.timedelta(seconds=min(seconds, self.max_backoff_seconds))


JOBS: dict[str, JobSpec] = {}


def job(
    function: Callable | None = None,
    *,
    max_attempts: int = 5,
    backoff_seconds: int = 30,
    max_backoff_seconds: int = 3600,
    timeout_seconds: int = 600,
    priority: int = 0,
    queue_name: str = DEFAULT_TASK_QUEUE_NAME,
):
    """Declare a background job: a django-tasks ``Task`` with a ledger, retries with back-off and a lease.

    ``timeout_seconds`` is the lease: an attempt still running after it is taken for a dead worker and retried,
    so set it above the longest honest run.
    """
    if max_attempts < 1 or backoff_seconds < 0 or timeout_seconds < 1:
        raise ImproperlyConfigured("job(): max_attempts and timeout_seconds must be ≥ 1, backoff_seconds ≥ 0")

    def decorate(raw: Callable) -> Task:
        from gonghui.jobs import ledger

        def run(*args, **kwargs):
            return ledger.execute(JOBS[spec_path], args, kwargs)

        # The queue imports the task by its module path, so the wrapper must carry the function's own names.
        run.__module__ = raw.__module__
        run.__qualname__ = raw.__qualname__
        run.__name__ = raw.__name__
        run.__doc__ = raw.__doc__
        run.raw = raw
        queued = task(run, priority=priority, queue_name=queue_name)
        spec_path = queued.module_path
        JOBS[spec_path] = JobSpec(
            task=queued,
            raw=raw,
            max_attempts=max_attempts,
            backoff_seconds=backoff_seconds,
            max_backoff_seconds=max_backoff_seconds,
            timeout_seconds=timeout_seconds,
        )
        return queued

    return decorate(function) if function is not None else decorate


def spec_for(queued: Task) -> JobSpec:
    try:
        return JOBS[queued.module_path]
    except KeyError:
        raise ImproperlyConfigured(
            f"{queued.module_path} is not a gonghui job: declare it with @gonghui.jobs.job"
        ) from None


# ---------------------------------------------------------------------------------------------- schedules

_DAILY_AT = re.compile(r"^(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class Schedule:
    """A timetable for one job: ``every`` (a fixed interval) or ``daily`` ("HH:MM") or ``cron`` (5 fields)."""

    name: str
    task: Task
    every: dt.timedelta | None = None
    daily: str | None = None
    cron: str | None = None
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    @property
    def description(self) -> str:
        if self.every is not None:
            return f"every {int(self.every.total_seconds())} s"
        if self.daily is not None:
            return f"daily at {self.daily}"
        return f"cron {self.cron}"

    def trigger(self, timezone: dt.tzinfo):
        """The APScheduler trigger. Interval triggers start at a fixed epoch so that every scheduler process, started
        whenever, computes the same fire times — which is what lets them agree on who fires each run."""
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        if self.every is not None:
            epoch = dt.datetime(2026, 1, 1, tzinfo=timezone)
            return IntervalTrigger(
                seconds=int(self.every.total_seconds()), start_date=epoch, timezone=timezone
            )
        if self.daily is not None:
            hour, minute = (int(part) for part in self.daily.split(":"))
            return CronTrigger(hour=hour, minute=minute, timezone=timezone)
        return CronTrigger.from_crontab(self.cron, timezone=timezone)


SCHEDULES: dict[str, Schedule] = {}


def _validated(schedule: Schedule) -> Schedule:
    given = [value for value in (schedule.every, schedule.daily, schedule.cron) if value is not None]
    where = f"schedule {schedule.name!r}"
    if len(given) != 1:
        raise ImproperlyConfigured(f"{where}: give exactly one of every=, daily=, cron=")
    if schedule.every is not None:
        if not isinstance(schedule.every, dt.timedelta):
            raise ImproperlyConfigured(f"{where}: every= must be a timedelta, got {schedule.every!r}")
        seconds = schedule.every.total_seconds()
        if seconds < 1 or seconds != int(seconds):
            raise ImproperlyConfigured(
                f"{where}: every= must be a whole number of seconds ≥ 1, got {seconds}"
            )
    if schedule.daily is not None:
        match = _DAILY_AT.match(str(schedule.daily))
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise ImproperlyConfigured(
                f"{where}: daily= must be a time of day HH:MM (00:00–23:59), got {schedule.daily!r}"
            )
    if schedule.cron is not None:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(schedule.cron)
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(
                f"{where}: cron= must be 5 fields 'minute hour day month weekday', got {schedule.cron!r} ({exc})"
            ) from None
    if schedule.name in SCHEDULES and SCHEDULES[schedule.name] != schedule:
        raise ImproperlyConfigured(f"{where} is registered twice with different settings")
    spec_for(schedule.task)
    return schedule


def register_schedule(
    name: str,
    queued: Task,
    *,
    every: dt.timedelta | None = None,
    daily: str | None = None,
    cron: str | None = None,
    args: tuple = (),
    kwargs: dict[str, Any] | None = None,
) -> Schedule:
    """Run ``queued`` (a ``@job``) on a timetable. Raises ImproperlyConfigured at once for an invalid time."""
    schedule = _validated(
        Schedule(
            name=name, task=queued, every=every, daily=daily, cron=cron, args=tuple(args), kwargs=kwargs or {}
        )
    )
    SCHEDULES[name] = schedule
    return schedule


def periodic(
    *, every: dt.timedelta | None = None, daily: str | None = None, cron: str | None = None, name=None
):
    """Decorator form of :func:`register_schedule`; put it above ``@job`` (a bare function becomes a job)."""

    def decorate(target):
        queued = target if isinstance(target, Task) else job(target)
        register_schedule(name or queued.module_path, queued, every=every, daily=daily, cron=cron)
        return queued

    return decorate
