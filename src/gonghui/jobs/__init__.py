"""Background work and schedules for every gonghui package. Engine and production setup: docs/jobs.md.

Declare a job in your package's ``tasks.py`` (every installed app's ``tasks.py`` is imported at start-up)::

    from datetime import timedelta
    from gonghui.jobs import TargetGone, enqueue_on_commit, job, periodic

    @job(max_attempts=5, backoff_seconds=30, timeout_seconds=600)   # retries at +30 s, +60 s, +120 s, +240 s
    def lapse_offer(offer_id: int) -> str:
        offer = Offer.objects.filter(pk=offer_id).first()
        if offer is None:
            raise TargetGone(f"offer {offer_id} was deleted")     # logged; the run ends as a no-op, no retry
        with audited(Actor.system(), "craftsmen.offer_lapse", target=offer):
            offer = Offer.objects.select_for_update().get(pk=offer_id)
            if offer.state != "offered":                          # already accepted or lapsed: change nothing
                return "unchanged"
            ...

Ask for it from a service, inside its transaction; it is queued only once the transaction commits::

    enqueue_on_commit(lapse_offer, offer.pk, run_after=offer.deadline,
                      idempotency_key=f"craftsmen.offer-lapse:{offer.pk}:{offer.deadline.isoformat()}")

Schedules (validated when declared: a bad time raises ImproperlyConfigured at start-up)::

    @periodic(every=timedelta(minutes=5))          # fixed interval, aligned to a fixed epoch
    @periodic(daily="02:30")                       # every day at 02:30 (TIME_ZONE, Asia/Shanghai)
    @periodic(cron="0 8 * * mon-fri")              # 5-field cron
    @job()
    def refresh_rollups(): ...

    register_schedule("wages.expiry-alerts", expiry_alerts, daily="07:00", kwargs={"days": 30})   # with arguments

Write periodic jobs as sweeps over "everything due now" (``deadline <= now() and state == open``) rather than
"the thing due at this minute": a run missed while every scheduler was down is then caught up by the next one.

Guarantees and the contract they need from you:
- ``enqueue_on_commit`` writes a ledger row (``JobRun``) in your transaction — a transactional outbox. A rollback
  leaves no work; after commit the row is handed to the queue, and if the queue is unreachable the request still
  succeeds and the scheduler's sweeper hands the row over later. Nothing is dropped.
- The same ``idempotency_key`` twice records the work once (the returned ``JobRun`` has ``created`` False the
  second time). A run that already succeeded ignores repeated deliveries.
- A failing attempt (any exception) is retried with doubling back-off up to ``max_attempts``, then recorded as
  failed with its traceback: sysadmins see it at ``/jobs/``, in the Django admin and with ``gonghui jobs``.
- An attempt whose worker dies is retried once its lease (``timeout_seconds``) has passed. So an attempt may have
  partly run before: make the body idempotent — check state under ``select_for_update()`` and change nothing when
  the work is already done (the example above), or key the rows you create by ``current_run()`` (see
  ``gonghui.jobs.tasks.heartbeat``).
- Arguments must be JSON values (ids, strings, numbers); pass ids, never model instances.
- In tests (ImmediateBackend) jobs run inline when the transaction commits: use pytest-django's
  ``django_capture_on_commit_callbacks(execute=True)``; ``gonghui.jobs.maintenance.sweep(now=...)`` runs due retries.
"""

from gonghui.jobs.registry import TargetGone, job, periodic, register_schedule

__all__ = ["TargetGone", "current_run", "enqueue_on_commit", "job", "periodic", "register_schedule"]


def enqueue_on_commit(task, *args, **kwargs):
    """See the module docstring; implemented in :mod:`gonghui.jobs.ledger`."""
    from gonghui.jobs.ledger import enqueue_on_commit as enqueue

    return enqueue(task, *args, **kwargs)


def current_run():
    """The ``JobRun`` of the job running in this thread, or None."""
    from gonghui.jobs.ledger import current_run as current

    return current()
