"""The roll-up in the background: every 10 minutes on the schedule, and on demand (``rollup_request``)."""

from datetime import timedelta

from gonghui.jobs import job, periodic


@periodic(every=timedelta(minutes=10))
@job(timeout_seconds=1800, max_attempts=3, backoff_seconds=60)
def refresh_rollups(keys: list | None = None, rebuild: bool = False) -> dict:
    """Resumable and idempotent (see gonghui.dashboard.rollup): a retried or repeated run only finishes the work."""
    from gonghui.dashboard.rollup import run_rollup

    stats = run_rollup(keys or None, rebuild=rebuild)
    return {s.figure_key: s.written for s in stats}
