"""Real worker and scheduler processes against the test database (the SQLite file, or PostgreSQL's test_<name>).

The test process enqueues onto the database queue (``settings.TASKS`` switched to DatabaseBackend); the
subprocesses run ``gonghui db_worker`` and ``gonghui scheduler`` with the same database URL. Every wait is bounded.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from gonghui.jobs import enqueue_on_commit
from gonghui.jobs.models import Heartbeat, JobRun, RunState
from gonghui.jobs.tasks import heartbeat, probe

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 90
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    if connection.vendor == "postgresql":
        auth = quote(db["USER"] or "postgres") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
        return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    pytest.skip(f"no integration setup for {connection.vendor}")


class Processes:
    """Background gonghui processes with their output in log files; all stopped at teardown."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.started: dict[str, subprocess.Popen] = {}
        env = {k: v for k, v in os.environ.items() if k not in ("GONGHUI_TESTING", "DJANGO_SETTINGS_MODULE")}
        env.update(
            DJANGO_SETTINGS_MODULE="gonghui.settings",
            DATABASE_URL=_database_url(),
            GONGHUI_TASKS_BACKEND="django_tasks_db.DatabaseBackend",
            GONGHUI_HEARTBEAT_SECONDS="1",
            GONGHUI_LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        self.env = env

    def start(self, name: str, *command: str) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            [sys.executable, "-m", "gonghui.cli", *command],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.log_file = log
        self.started[name] = process
        return process

    def worker(self, name: str) -> subprocess.Popen:
        return self.start(
            name,
            "db_worker",
            "--queue-name",
            "*",
            "--no-reload",
            "--interval",
            "0.2",
            "--no-startup-delay",
            "--worker-id",
            name,
        )

    def scheduler(self, name: str) -> subprocess.Popen:
        return self.start(name, "scheduler", "--sweep-seconds", "1")

    def kill(self, name: str) -> None:
        process = self.started[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self, name: str) -> None:
        process = self.started[name]
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        process.log_file.close()

    def stop_all(self) -> None:
        for name in list(self.started):
            self.stop(name)

    def log(self, name: str) -> str:
        return (self.log_dir / f"{name}.log").read_text()

    def logs(self) -> str:
        return "\n".join(f"----- {name} -----\n{self.log(name)[-4000:]}" for name in self.started)

    def wait_for(self, condition, what: str, timeout: float = WAIT_SECONDS):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            for name, process in self.started.items():
                if process.poll() is not None and process.returncode not in (0, -signal.SIGKILL):
                    pytest.fail(
                        f"{name} exited with {process.returncode} while waiting for {what}\n{self.logs()}"
                    )
            time.sleep(0.2)
        pytest.fail(f"gave up after {timeout} s waiting for {what}\n{self.logs()}")


@pytest.fixture
def processes(tmp_path, settings):
    settings.TASKS = DATABASE_QUEUE
    running = Processes(tmp_path)
    yield running
    running.stop_all()


def _queue_rows(run: JobRun):
    return DBTaskResult.objects.filter(args_kwargs__kwargs__gonghui_run_id=run.pk).order_by("started_at")


def test_a_deferred_lapse_fires_at_its_time_on_a_real_worker(processes):
    due = timezone.now() + timezone.timedelta(seconds=3)
    with transaction.atomic():
        run = enqueue_on_commit(probe, "offer-lapse", run_after=due, idempotency_key="integration:lapse")
    queued = _queue_rows(run).get()
    assert (queued.status, queued.run_after) == (TaskResultStatus.READY, due)

    processes.worker("worker-a")
    processes.wait_for(lambda: JobRun.objects.get(pk=run.pk).state == RunState.SUCCEEDED, "the lapse to run")

    run.refresh_from_db()
    assert run.attempts == 1
    assert run.started_at >= due
    queued.refresh_from_db()
    assert (queued.status, queued.return_value, queued.worker_ids) == (
        TaskResultStatus.SUCCESSFUL,
        "offer-lapse",
        ["worker-a"],
    )


def test_the_scheduler_fires_a_periodic_job_that_the_worker_runs(processes):
    scheduler = processes.scheduler("scheduler-a")
    processes.worker("worker-a")
    beat = processes.wait_for(lambda: Heartbeat.objects.select_related("run").first(), "a heartbeat")
    assert beat.run.schedule_name == "jobs.heartbeat"
    assert beat.run.fired_by.endswith(f":{scheduler.pid}")
    assert beat.scheduled_for == beat.run.scheduled_for
    assert beat.beat_at >= beat.scheduled_for


def test_a_task_of_a_killed_worker_is_picked_up_again(processes):
    with transaction.atomic():
        run = enqueue_on_commit(probe, "survivor", hold_seconds=120)  # holds on its first attempt only
    processes.scheduler("scheduler-a")  # its sweeper reaps the lost attempt once the 5 s lease has passed
    processes.worker("worker-a")
    processes.wait_for(
        lambda: JobRun.objects.filter(pk=run.pk, state=RunState.RUNNING, attempts=1).exists(),
        "worker-a to start the task",
    )
    processes.kill("worker-a")
    processes.worker("worker-b")
    processes.wait_for(
        lambda: JobRun.objects.get(pk=run.pk).state == RunState.SUCCEEDED, "worker-b to finish it"
    )

    run.refresh_from_db()
    assert run.attempts == 2
    assert run.last_error.startswith("worker lost: attempt 1 started at")
    rows = list(_queue_rows(run))
    assert [(r.status, r.worker_ids, r.exception_class_path) for r in rows] == [
        (TaskResultStatus.FAILED, ["worker-a"], "gonghui.jobs.WorkerLost"),
        (TaskResultStatus.SUCCESSFUL, ["worker-b"], ""),
    ]
    assert rows[1].return_value == "survivor"


def test_two_schedulers_fire_each_run_once(processes):
    first = processes.scheduler("scheduler-a")
    second = processes.scheduler("scheduler-b")
    processes.worker("worker-a")
    runs = JobRun.objects.filter(schedule_name="jobs.heartbeat")
    processes.wait_for(lambda: runs.filter(state=RunState.SUCCEEDED).count() >= 4, "four heartbeats")
    processes.stop("scheduler-a")
    processes.stop("scheduler-b")
    processes.wait_for(lambda: not runs.exclude(state=RunState.SUCCEEDED).exists(), "the worker to drain")

    fired = list(runs.values_list("scheduled_for", "attempts", "fired_by"))
    times = [when for when, _, _ in fired]
    assert len(set(times)) == len(times) >= 4
    assert {attempts for _, attempts, _ in fired} == {1}
    assert {by.rsplit(":", 1)[1] for _, _, by in fired} <= {str(first.pid), str(second.pid)}
    # Each run went to the queue once and was run once.
    queued = DBTaskResult.objects.filter(task_path=heartbeat.module_path)
    assert queued.count() == len(fired)
    assert set(queued.values_list("status", flat=True)) == {TaskResultStatus.SUCCESSFUL}
    assert Heartbeat.objects.count() == len(fired)
    # Both schedulers were competing for the same runs, and each run had one winner.
    lost = processes.log("scheduler-a").count("already fired by") + processes.log("scheduler-b").count(
        "already fired by"
    )
    won = processes.log("scheduler-a").count("fired jobs.heartbeat") + processes.log("scheduler-b").count(
        "fired jobs.heartbeat"
    )
    assert won == len(fired)
    assert lost >= 1
