"""Schedules: validation at declaration, fire times every scheduler agrees on, one run per fire time."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError

from gonghui.jobs.models import Heartbeat, JobRun, RunState
from gonghui.jobs.registry import SCHEDULES, Schedule, periodic, register_schedule
from gonghui.jobs.scheduler import fire, run_key
from gonghui.jobs.tasks import heartbeat, probe

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def scratch_schedules():
    before = dict(SCHEDULES)
    yield
    SCHEDULES.clear()
    SCHEDULES.update(before)


@pytest.mark.parametrize(
    "timetable,message",
    [
        ({"daily": "25:00"}, "daily= must be a time of day HH:MM (00:00–23:59), got '25:00'"),
        ({"daily": "7:60"}, "daily= must be a time of day HH:MM (00:00–23:59), got '7:60'"),
        ({"daily": "seven"}, "daily= must be a time of day HH:MM (00:00–23:59), got 'seven'"),
        ({"every": dt.timedelta(0)}, "every= must be a whole number of seconds ≥ 1, got 0.0"),
        ({"every": dt.timedelta(milliseconds=1500)}, "every= must be a whole number of seconds ≥ 1, got 1.5"),
        ({"every": 300}, "every= must be a timedelta, got 300"),
        ({"cron": "61 * * * *"}, "cron= must be 5 fields 'minute hour day month weekday', got '61 * * * *'"),
        ({"cron": "* * *"}, "cron= must be 5 fields 'minute hour day month weekday', got '* * *'"),
        ({}, "give exactly one of every=, daily=, cron="),
        ({"daily": "08:00", "every": dt.timedelta(minutes=5)}, "give exactly one of every=, daily=, cron="),
    ],
)
def test_an_invalid_timetable_is_refused_at_registration(scratch_schedules, timetable, message):
    with pytest.raises(ImproperlyConfigured) as refused:
        register_schedule("test.bad", probe, **timetable)
    assert str(refused.value).startswith(f"schedule 'test.bad': {message}")
    assert "test.bad" not in SCHEDULES


def test_a_schedule_must_run_a_declared_job(scratch_schedules):
    from django_tasks import task

    with pytest.raises(ImproperlyConfigured, match="is not a gonghui job: declare it with @gonghui.jobs.job"):
        register_schedule("test.plain", task(_plain_function), every=dt.timedelta(minutes=1))


def _plain_function():
    return None


def test_one_name_cannot_be_registered_with_two_timetables(scratch_schedules):
    register_schedule("test.twice", probe, daily="08:00", args=("x",))
    register_schedule("test.twice", probe, daily="08:00", args=("x",))  # the same again is harmless
    with pytest.raises(ImproperlyConfigured, match="registered twice with different settings"):
        register_schedule("test.twice", probe, daily="09:00", args=("x",))


def test_periodic_registers_under_the_given_name(scratch_schedules):
    decorated = periodic(cron="0 8 * * mon-fri", name="test.weekday")(probe)
    assert decorated is probe
    assert SCHEDULES["test.weekday"].description == "cron 0 8 * * mon-fri"


def test_the_package_declares_its_own_schedules():
    assert SCHEDULES["jobs.heartbeat"].task is heartbeat
    assert SCHEDULES["jobs.prune"].daily == "03:30"


def _fire_times(schedule: Schedule, started: dt.datetime, count: int) -> list[dt.datetime]:
    trigger = schedule.trigger(SHANGHAI)
    times, previous, now = [], None, started
    for _ in range(count):
        nxt = trigger.get_next_fire_time(previous, now)
        times.append(nxt)
        previous, now = nxt, nxt
    return times


def test_schedulers_started_at_different_moments_agree_on_fire_times():
    schedule = Schedule(name="t", task=probe, every=dt.timedelta(minutes=5))
    one = _fire_times(schedule, dt.datetime(2026, 11, 30, 8, 1, 13, tzinfo=SHANGHAI), 3)
    other = _fire_times(schedule, dt.datetime(2026, 11, 30, 8, 3, 59, tzinfo=SHANGHAI), 3)
    expected = [dt.datetime(2026, 11, 30, 8, minute, tzinfo=SHANGHAI) for minute in (5, 10, 15)]
    assert one == other == expected


def test_daily_runs_at_the_local_time():
    schedule = Schedule(name="t", task=probe, daily="02:30")
    assert _fire_times(schedule, dt.datetime(2026, 11, 30, 8, 0, tzinfo=SHANGHAI), 2) == [
        dt.datetime(2026, 12, 1, 2, 30, tzinfo=SHANGHAI),
        dt.datetime(2026, 12, 2, 2, 30, tzinfo=SHANGHAI),
    ]


@pytest.mark.django_db
def test_each_fire_time_becomes_one_run_whoever_fires_it(django_capture_on_commit_callbacks):
    schedule = SCHEDULES["jobs.heartbeat"]
    due = dt.datetime(2026, 11, 30, 8, 5, tzinfo=SHANGHAI)
    with django_capture_on_commit_callbacks(execute=True):
        first = fire(schedule, due, fired_by="host-a:1")
        second = fire(schedule, due, fired_by="host-b:2")
        third = fire(schedule, due + dt.timedelta(minutes=5), fired_by="host-b:2")
    assert second is None
    assert (first.fired_by, third.fired_by) == ("host-a:1", "host-b:2")
    runs = JobRun.objects.filter(schedule_name="jobs.heartbeat").order_by("scheduled_for")
    assert [(r.scheduled_for, r.idempotency_key, r.state) for r in runs] == [
        (due, "schedule:jobs.heartbeat@2026-11-30T00:05:00+00:00", RunState.SUCCEEDED),
        (
            due + dt.timedelta(minutes=5),
            "schedule:jobs.heartbeat@2026-11-30T00:10:00+00:00",
            RunState.SUCCEEDED,
        ),
    ]
    assert sorted(Heartbeat.objects.values_list("scheduled_for", flat=True)) == [
        due,
        due + dt.timedelta(minutes=5),
    ]


@pytest.mark.django_db
def test_the_database_refuses_a_second_run_for_the_same_fire_time():
    schedule = SCHEDULES["jobs.heartbeat"]
    key = run_key(schedule, dt.datetime(2026, 11, 30, 8, 5, tzinfo=SHANGHAI))
    JobRun.objects.create(
        task_path="gonghui.jobs.tasks.heartbeat", idempotency_key=key, due_at=dt.datetime.now(SHANGHAI)
    )
    with pytest.raises(IntegrityError):
        JobRun.objects.create(
            task_path="gonghui.jobs.tasks.heartbeat", idempotency_key=key, due_at=dt.datetime.now(SHANGHAI)
        )


@pytest.mark.django_db
def test_heartbeat_is_idempotent_per_run(django_capture_on_commit_callbacks):
    from gonghui.jobs.ledger import RUN_KWARG

    with django_capture_on_commit_callbacks(execute=True):
        run = fire(SCHEDULES["jobs.heartbeat"], dt.datetime(2026, 11, 30, 8, 5, tzinfo=SHANGHAI))
    # A worker died after writing the heartbeat but before recording success: the retry writes nothing more.
    JobRun.objects.filter(pk=run.pk).update(state=RunState.RETRYING)
    heartbeat.enqueue(**{RUN_KWARG: run.pk})
    assert Heartbeat.objects.filter(run=run).count() == 1
    assert JobRun.objects.get(pk=run.pk).attempts == 2
