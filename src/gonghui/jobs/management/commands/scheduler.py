"""gonghui scheduler: fire the declared schedules and sweep the outbox. Run one or several (see docs/jobs.md)."""

import logging
import signal

from django.core.management.base import BaseCommand

from gonghui.jobs.registry import SCHEDULES
from gonghui.jobs.scheduler import build_scheduler, default_sweep_seconds, scheduler_id


class Command(BaseCommand):
    help = (
        "Run the job scheduler (schedules + sweeper). Several may run at once: each run fires exactly once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sweep-seconds",
            type=int,
            default=default_sweep_seconds(),
            help="how often to retry lost, waiting and due runs (default: %(default)s)",
        )

    def handle(self, *args, sweep_seconds, **options):
        if sweep_seconds < 1:
            self.stderr.write("--sweep-seconds must be at least 1")
            raise SystemExit(2)
        # APScheduler logs every sweep at INFO; our own lines say what was fired.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        scheduler = build_scheduler(sweep_seconds)

        def stop(signum, frame):
            scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        names = ", ".join(f"{s.name} ({s.description})" for s in SCHEDULES.values()) or "none"
        self.stdout.write(
            f"scheduler {scheduler_id()} starting; schedules: {names}; sweep every {sweep_seconds} s"
        )
        self.stdout.flush()
        scheduler.start()
        self.stdout.write(f"scheduler {scheduler_id()} stopped")
