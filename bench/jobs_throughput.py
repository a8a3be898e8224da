"""Throughput of the job pipeline on the database queue: enqueue rate, then drain rate with N worker processes.

    .venv/bin/python bench/jobs_throughput.py                       # SQLite file in a temporary directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gonghui_bench .venv/bin/python bench/jobs_throughput.py
    .venv/bin/python bench/jobs_throughput.py --jobs 2000 --workers 1 2 4 --json var/bench-jobs.json

Each job is ``gonghui.jobs.tasks.probe`` (no work of its own), so the figures are the pipeline's own cost per job:
ledger row, queue row, claim, run, record. The database is flushed of jobs between rounds.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--json", type=Path)
    options = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="gonghui-bench-jobs-"))
    os.environ.setdefault("GONGHUI_VAR_DIR", str(var_dir))
    os.environ["GONGHUI_TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
    os.environ.pop("GONGHUI_TESTING", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "gonghui.settings"
    os.environ.setdefault("GONGHUI_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django_tasks_db.models import DBTaskResult

    from gonghui.jobs import enqueue_on_commit
    from gonghui.jobs.models import JobRun, RunState
    from gonghui.jobs.tasks import probe

    call_command("migrate", verbosity=0)
    rows = []
    for workers in options.workers:
        JobRun.objects.all().delete()
        DBTaskResult.objects.all().delete()
        started = time.perf_counter()
        with transaction.atomic():
            for number in range(options.jobs):
                enqueue_on_commit(probe, f"bench-{number}")
        enqueue_seconds = time.perf_counter() - started

        started = time.perf_counter()
        command = [
            sys.executable,
            "-m",
            "gonghui.cli",
            "db_worker",
            "--queue-name",
            "*",
            "--no-reload",
            "--batch",
            "--interval",
            "0",
            "--no-startup-delay",
            "-v",
            "0",
        ]
        processes = [subprocess.Popen(command, env=os.environ.copy()) for _ in range(workers)]
        for process in processes:
            process.wait(timeout=1800)
        drain_seconds = time.perf_counter() - started
        done = JobRun.objects.filter(state=RunState.SUCCEEDED).count()
        rows.append(
            {
                "database": connection.vendor,
                "jobs": options.jobs,
                "workers": workers,
                "enqueue_per_s": round(options.jobs / enqueue_seconds),
                "drain_per_s": round(done / drain_seconds),
                "succeeded": done,
            }
        )

    header = f"{'database':<10} {'jobs':>6} {'workers':>7} {'enqueue/s':>10} {'drain/s':>8} {'succeeded':>9}"
    print(header)
    for row in rows:
        print(
            f"{row['database']:<10} {row['jobs']:>6} {row['workers']:>7} {row['enqueue_per_s']:>10} "
            f"{row['drain_per_s']:>8} {row['succeeded']:>9}"
        )
    print("(drain includes each worker process's start-up, about 1 s)")
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
