"""Jobs used only by the tests (module level, so the queue can import them by path)."""

from gonghui.jobs import TargetGone, job
from gonghui.jobs.models import Heartbeat

CALLS: list[tuple] = []


@job(max_attempts=2, backoff_seconds=0)
def always_fails(reason: str) -> None:
    CALLS.append(("always_fails", reason))
    raise ValueError(f"cannot do it: {reason}")


@job(max_attempts=3, backoff_seconds=10)
def record_call(label: str, *, times: int = 1) -> str:
    CALLS.append(("record_call", label, times))
    return label


@job()
def touch_heartbeat(heartbeat_id: int) -> int:
    """Stands for any job acting on a row that may have been deleted since it was queued."""
    beat = Heartbeat.objects.filter(pk=heartbeat_id).first()
    if beat is None:
        raise TargetGone(f"heartbeat {heartbeat_id} was deleted")
    CALLS.append(("touch_heartbeat", heartbeat_id))
    return beat.pk
