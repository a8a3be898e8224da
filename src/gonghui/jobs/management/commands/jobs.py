"""gonghui jobs: list schedules and recent runs; sweep, retry or probe."""

import uuid

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from gonghui.core.actor import Actor
from gonghui.jobs import selectors
from gonghui.jobs.models import JobRun, RunState


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else "-"


class Command(BaseCommand):
    help = "List scheduled and recent background jobs with their state (and: sweep, retry ID, probe)."

    def add_arguments(self, parser):
        parser.add_argument("action", nargs="?", default="list", choices=["list", "sweep", "retry", "probe"])
        parser.add_argument("run_id", nargs="?", type=int, help="for retry: the failed run's number")
        parser.add_argument("--state", choices=RunState.values, help="list only runs in this state")
        parser.add_argument("--limit", type=int, default=20)

    def handle(self, *args, action, run_id, state, limit, **options):
        if action == "sweep":
            from gonghui.jobs.maintenance import sweep

            self.stdout.write(f"sweep: {sweep()}")
        elif action == "retry":
            self.retry(run_id)
        elif action == "probe":
            from gonghui.jobs import enqueue_on_commit
            from gonghui.jobs.tasks import probe

            with transaction.atomic():
                run = enqueue_on_commit(probe, uuid.uuid4().hex[:8])
            self.stdout.write(f"probe queued as run #{run.pk}; `gonghui jobs` shows when a worker has run it")
        else:
            self.list(state, limit)

    def retry(self, run_id):
        from django.core.exceptions import ValidationError

        from gonghui.jobs.services import run_retry

        if run_id is None:
            raise CommandError("give the number of the failed run: gonghui jobs retry 42")
        try:
            run_retry(actor=Actor.system(), run_id=run_id)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"run #{run_id} queued again")

    def list(self, state, limit):
        write = self.stdout.write
        write("Schedules")
        rows = selectors.schedule_rows()
        for row in rows:
            last = row["last_run"]
            last_text = f"#{last.pk} {last.state} ({_when(last.scheduled_for)})" if last else "never fired"
            write(
                f"  {row['name']:<32} {row['timetable']:<20} next {_when(row['next_fire'])}   last {last_text}"
            )
        if not rows:
            write("  (none)")
        counts = selectors.state_counts()
        write("Runs by state: " + ", ".join(f"{name} {n}" for name, n in counts.items()))
        beat = selectors.last_heartbeat()
        write(f"Last heartbeat: {_when(beat.beat_at) if beat else 'none yet'}")
        write(f"Recent runs{f' ({state})' if state else ''}")
        runs = selectors.recent_runs(state=state, limit=limit)
        for run in runs:
            detail = run.note or run.error_summary
            write(
                f"  #{run.pk:<6} {run.task_name:<28} {run.state:<9} {run.attempts}/{run.max_attempts}  "
                f"due {_when(run.due_at)}  finished {_when(run.finished_at)}  {detail}"[:200]
            )
        if not runs:
            write("  (none)")
        failed = JobRun.objects.filter(state=RunState.FAILED).count()
        if failed:
            write(
                self.style.ERROR(
                    f"{failed} failed run(s): gonghui jobs --state failed; retry with gonghui jobs retry ID"
                )
            )
