"""The run ledger, inline (ImmediateBackend): after-commit enqueueing, idempotency, retries, failures, outbox."""

import datetime as dt
import logging

import pytest
from django.db import transaction
from django.utils import timezone

from gonghui.jobs import enqueue_on_commit
from gonghui.jobs.ledger import RUN_KWARG
from gonghui.jobs.maintenance import sweep
from gonghui.jobs.models import Heartbeat, JobRun, RunState
from gonghui.jobs.registry import spec_for
from gonghui.jobs.tasks import probe
from tests.jobs import sample_jobs
from tests.jobs.sample_jobs import always_fails, record_call, touch_heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clear_calls():
    sample_jobs.CALLS.clear()
    yield
    sample_jobs.CALLS.clear()


def test_work_runs_only_after_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            run = enqueue_on_commit(record_call, "a", times=2)
            assert sample_jobs.CALLS == []
            assert JobRun.objects.get(pk=run.pk).state == RunState.PENDING
    assert len(callbacks) == 1
    assert sample_jobs.CALLS == [("record_call", "a", 2)]
    run.refresh_from_db()
    assert (run.state, run.attempts, run.args, run.kwargs) == (RunState.SUCCEEDED, 1, ["a"], {"times": 2})
    assert run.finished_at is not None and run.dispatched_at is not None and run.lease_expires_at is None


def test_a_rolled_back_transaction_leaves_no_work(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue_on_commit(record_call, "b")
            raise RuntimeError("the service refused")
    assert callbacks == []
    assert JobRun.objects.count() == 0
    assert sample_jobs.CALLS == []


def test_the_same_idempotency_key_records_and_runs_the_work_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue_on_commit(record_call, "c", idempotency_key="offer-lapse:7")
        second = enqueue_on_commit(record_call, "c", idempotency_key="offer-lapse:7")
    assert (first.created, second.created, second.pk) == (True, False, first.pk)
    assert JobRun.objects.count() == 1
    assert sample_jobs.CALLS == [("record_call", "c", 1)]


def test_a_repeated_delivery_of_a_finished_run_changes_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = enqueue_on_commit(record_call, "d")
    finished_at = JobRun.objects.get(pk=run.pk).finished_at
    result = record_call.enqueue("d", **{RUN_KWARG: run.pk})
    assert result.return_value is None
    run.refresh_from_db()
    assert (run.state, run.attempts, run.finished_at) == (RunState.SUCCEEDED, 1, finished_at)
    assert sample_jobs.CALLS == [("record_call", "d", 1)]


def test_a_delivery_for_a_run_that_is_still_leased_is_ignored():
    now = timezone.now()
    run = JobRun.objects.create(
        task_path=spec_for(record_call).path,
        args=["e"],
        due_at=now,
        state=RunState.RUNNING,
        attempts=1,
        started_at=now,
        lease_expires_at=now + dt.timedelta(minutes=5),
    )
    record_call.enqueue("e", **{RUN_KWARG: run.pk})
    run.refresh_from_db()
    assert (run.state, run.attempts) == (RunState.RUNNING, 1)
    assert sample_jobs.CALLS == []


def test_a_job_enqueued_directly_gets_a_ledger_row():
    result = record_call.enqueue("f")
    assert result.return_value == "f"
    run = JobRun.objects.get()
    assert (run.task_path, run.state, run.attempts, run.args) == (
        "tests.jobs.sample_jobs.record_call",
        RunState.SUCCEEDED,
        1,
        ["f"],
    )


def test_a_failing_job_is_retried_with_back_off_then_recorded_as_failed(
    django_capture_on_commit_callbacks, caplog
):
    with (
        caplog.at_level(logging.WARNING, logger="gonghui.jobs"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run = enqueue_on_commit(always_fails, "no stock")
    run.refresh_from_db()
    assert sample_jobs.CALLS == [("always_fails", "no stock"), ("always_fails", "no stock")]
    assert (run.state, run.attempts, run.max_attempts) == (RunState.FAILED, 2, 2)
    assert "ValueError: cannot do it: no stock" in run.last_error
    assert run.error_summary == "ValueError: cannot do it: no stock"
    assert run.finished_at is not None
    messages = [r.getMessage() for r in caplog.records]
    assert any("attempt 1/2 failed" in m for m in messages)
    assert any("failed for good after 2 attempts" in m for m in messages)


def test_a_retry_waits_for_its_back_off_and_the_sweeper_runs_it_when_due(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = enqueue_on_commit(probe, "p1", fail_times=1)
    run.refresh_from_db()
    assert (run.state, run.attempts) == (RunState.RETRYING, 1)
    assert "planned failure on attempt 1" in run.last_error
    assert run.due_at - run.started_at >= dt.timedelta(seconds=1)
    # Not yet due: the sweeper leaves it.
    with django_capture_on_commit_callbacks(execute=True):
        report = sweep(now=run.due_at - dt.timedelta(milliseconds=1))
    assert (report.dispatched, JobRun.objects.get(pk=run.pk).state) == (0, RunState.RETRYING)
    with django_capture_on_commit_callbacks(execute=True):
        report = sweep(now=run.due_at + dt.timedelta(seconds=1))
    run.refresh_from_db()
    assert report.dispatched == 1
    assert (run.state, run.attempts) == (RunState.SUCCEEDED, 2)


@pytest.mark.parametrize(
    "failed_attempts,seconds", [(1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600), (20, 3600)]
)
def test_back_off_doubles_up_to_its_cap(failed_attempts, seconds):
    assert spec_for(always_fails).backoff(failed_attempts) == dt.timedelta(seconds=0)
    assert spec_for(probe).backoff(1) == dt.timedelta(seconds=1)
    from gonghui.jobs.registry import JobSpec

    spec = JobSpec(
        task=probe, raw=None, max_attempts=5, backoff_seconds=30, max_backoff_seconds=3600, timeout_seconds=60
    )
    assert spec.backoff(failed_attempts) == dt.timedelta(seconds=seconds)


def test_a_job_whose_target_was_deleted_finishes_as_a_logged_no_op(
    django_capture_on_commit_callbacks, caplog
):
    beat = Heartbeat.objects.create()
    with django_capture_on_commit_callbacks(execute=True):
        run = enqueue_on_commit(touch_heartbeat, beat.pk, run_after=timezone.now() + dt.timedelta(minutes=1))
    beat_id = beat.pk
    beat.delete()
    with (
        caplog.at_level(logging.WARNING, logger="gonghui.jobs"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sweep(now=timezone.now() + dt.timedelta(minutes=2))
    run.refresh_from_db()
    assert (run.state, run.attempts, run.note) == (RunState.SKIPPED, 1, f"heartbeat {beat_id} was deleted")
    assert sample_jobs.CALLS == []
    assert f"target gone (heartbeat {beat_id} was deleted); finished as a no-op" in caplog.text


REDIS_DOWN = {
    "default": {
        "BACKEND": "tests.jobs.sample_jobs.RedisListBackend",
        "OPTIONS": {"URL": "redis://127.0.0.1:1/0"},
    }
}
QUEUE_BACK = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_a_redis_that_is_down_at_enqueue_keeps_the_work_for_the_sweeper(
    django_capture_on_commit_callbacks, settings, caplog
):
    settings.TASKS = REDIS_DOWN  # nothing listens on port 1: a real connection refusal
    with (
        caplog.at_level(logging.WARNING, logger="gonghui.jobs"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        with transaction.atomic():
            run = enqueue_on_commit(record_call, "g")
    run.refresh_from_db()
    assert (run.state, run.dispatched_at, run.attempts) == (RunState.PENDING, None, 0)
    assert run.note.startswith("enqueue failed: ConnectionError: Error 111 connecting to 127.0.0.1:1")
    assert "could not be handed to the queue (ConnectionError" in caplog.text
    # Still down: the sweeper tries, fails, and keeps it.
    with django_capture_on_commit_callbacks(execute=True):
        report = sweep()
    assert (report.dispatched, report.not_dispatched) == (0, 1)
    assert JobRun.objects.get(pk=run.pk).dispatched_at is None
    assert sample_jobs.CALLS == []
    settings.TASKS = QUEUE_BACK
    with django_capture_on_commit_callbacks(execute=True):
        report = sweep()
    run.refresh_from_db()
    assert (report.dispatched, run.state, run.attempts) == (1, RunState.SUCCEEDED, 1)
    assert sample_jobs.CALLS == [("record_call", "g", 1)]


def _running_run(*, attempts: int, max_attempts: int, lease_ended_ago: dt.timedelta) -> JobRun:
    now = timezone.now()
    return JobRun.objects.create(
        task_path=spec_for(record_call).path,
        args=["h"],
        due_at=now - dt.timedelta(hours=1),
        state=RunState.RUNNING,
        attempts=attempts,
        max_attempts=max_attempts,
        started_at=now - dt.timedelta(minutes=30),
        lease_expires_at=now - lease_ended_ago,
        dispatched_at=now - dt.timedelta(hours=1),
    )


def test_the_sweeper_retries_a_run_whose_worker_died(django_capture_on_commit_callbacks):
    run = _running_run(attempts=1, max_attempts=3, lease_ended_ago=dt.timedelta(seconds=1))
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        report = sweep(now=now)
    run.refresh_from_db()
    assert report.reaped == 1
    assert (run.state, run.attempts, run.due_at) == (RunState.RETRYING, 1, now + dt.timedelta(seconds=10))
    assert run.last_error.startswith("worker lost: attempt 1 started at")
    with django_capture_on_commit_callbacks(execute=True):
        sweep(now=now + dt.timedelta(seconds=11))
    run.refresh_from_db()
    assert (run.state, run.attempts) == (RunState.SUCCEEDED, 2)
    assert sample_jobs.CALLS == [("record_call", "h", 1)]


def test_a_run_still_within_its_lease_is_not_reaped():
    run = _running_run(attempts=1, max_attempts=3, lease_ended_ago=-dt.timedelta(minutes=1))
    assert sweep().reaped == 0
    assert JobRun.objects.get(pk=run.pk).state == RunState.RUNNING


def test_a_lost_run_with_no_attempts_left_is_recorded_as_failed():
    run = _running_run(attempts=3, max_attempts=3, lease_ended_ago=dt.timedelta(seconds=1))
    report = sweep()
    run.refresh_from_db()
    assert (report.reaped, report.dispatched, run.state) == (1, 0, RunState.FAILED)
    assert run.last_error.startswith("worker lost")
    assert sample_jobs.CALLS == []


def test_arguments_the_queue_cannot_carry_are_refused_at_enqueue():
    with pytest.raises(TypeError):
        enqueue_on_commit(record_call, object())
    assert JobRun.objects.count() == 0


def test_run_after_must_be_aware():
    with pytest.raises(ValueError, match="aware"):
        enqueue_on_commit(record_call, "i", run_after=dt.datetime(2026, 1, 1, 8, 0))
    assert JobRun.objects.count() == 0


def test_a_run_naming_a_job_that_no_longer_exists_is_recorded_as_failed(django_capture_on_commit_callbacks):
    run = JobRun.objects.create(task_path="gonghui.gone.tasks.old_job", due_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    run.refresh_from_db()
    assert (run.state, run.last_error) == (
        RunState.FAILED,
        "no job named gonghui.gone.tasks.old_job is declared",
    )
