"""Background work: lapse unconfirmed holds at their deadline, passing each place to the waiting list."""

from django_tasks import task


@task()
def lapse_expired_holds_task(programme_id: int | None = None) -> int:
    from gonghui.recuperation.services import holds_lapse

    return len(holds_lapse(programme_id=programme_id))
