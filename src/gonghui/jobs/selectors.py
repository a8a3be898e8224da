"""Reads for the jobs pages and the ``gonghui jobs`` command."""

import datetime as dt

from django.db.models import Count, Max
from django.utils import timezone

from gonghui.jobs.models import Heartbeat, JobRun, RunState
from gonghui.jobs.registry import SCHEDULES


def schedule_rows(now: dt.datetime | None = None) -> list[dict]:
    now = now or timezone.now()
    zone = timezone.get_default_timezone()
    last = {
        row["schedule_name"]: row["latest"]
        for row in JobRun.objects.exclude(schedule_name="").values("schedule_name").annotate(latest=Max("id"))
    }
    latest_runs = JobRun.objects.in_bulk(list(last.values()))
    rows = []
    for schedule in sorted(SCHEDULES.values(), key=lambda s: s.name):
        run = latest_runs.get(last.get(schedule.name))
        rows.append(
            {
                "name": schedule.name,
                "timetable": schedule.description,
                "task": schedule.task.module_path,
                "next_fire": schedule.trigger(zone).get_next_fire_time(None, now),
                "last_run": run,
            }
        )
    return rows


def recent_runs(*, state: str | None = None, limit: int = 20):
    runs = JobRun.objects.all()
    if state:
        runs = runs.filter(state=state)
    return list(runs.order_by("-id")[:limit])


def state_counts() -> dict[str, int]:
    counts = dict(JobRun.objects.values_list("state").annotate(n=Count("id")).order_by())
    return {state: counts.get(state, 0) for state in RunState.values}


def last_heartbeat() -> Heartbeat | None:
    return Heartbeat.objects.order_by("-id").first()
