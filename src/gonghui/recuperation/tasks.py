"""Background work: lapse unconfirmed holds at their deadline, passing each place to the waiting list.

The draw and every promotion ask for a run at the hold's deadline; a sweep every ten minutes catches anything a
stopped worker missed (holds_lapse only touches holds that are really past their deadline, so extra runs are
harmless)."""

from datetime import timedelta

from gonghui.jobs import job, periodic


@job(max_attempts=5, backoff_seconds=30, timeout_seconds=600)
def lapse_expired_holds(programme_id: int | None = None) -> int:
    from gonghui.recuperation.services import holds_lapse

    return len(holds_lapse(programme_id=programme_id))


@periodic(every=timedelta(minutes=10))
@job(max_attempts=3, backoff_seconds=60, timeout_seconds=600)
def lapse_expired_holds_sweep() -> int:
    from gonghui.recuperation.services import holds_lapse

    return len(holds_lapse())
