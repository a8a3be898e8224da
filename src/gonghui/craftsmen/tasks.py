"""Background work of 劳模工匠助企行 (declared with gonghui.jobs; the scheduler runs the sweep)."""

from datetime import timedelta

from gonghui.jobs import job, periodic


@periodic(every=timedelta(minutes=15))
@job(max_attempts=3, backoff_seconds=60, timeout_seconds=600)
def sweep_deadlines() -> str:
    """Expire unanswered offers (the engine offers the next candidate), close expired listings, flag overdue.

    A sweep over everything due now; each item is re-checked under its row lock, so a repeated run changes
    nothing that is already done."""
    from gonghui.craftsmen.services import deadlines_sweep

    counts = deadlines_sweep()
    return " ".join(f"{k}={v}" for k, v in counts.items())
