"""Jobs used only by the tests (module level, so the queue can import them by path)."""

import json

import redis
from django.utils import timezone
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import TaskResult, TaskResultStatus
from django_tasks.utils import get_random_id

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


class RedisListBackend(BaseTaskBackend):
    """A minimal queue backend that pushes onto a Redis list: enough to meet a real, unreachable Redis."""

    def enqueue(self, task, args, kwargs):
        self.validate_task(task)
        client = redis.Redis.from_url(self.options["URL"], socket_connect_timeout=0.5, socket_timeout=0.5)
        result_id = get_random_id()
        client.rpush("gonghui-test-queue", json.dumps([result_id, task.module_path, list(args), kwargs]))
        return TaskResult(
            task=task,
            id=result_id,
            status=TaskResultStatus.READY,
            enqueued_at=timezone.now(),
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=list(args),
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
