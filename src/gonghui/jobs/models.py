from django.db import models
from django.utils.translation import gettext_lazy as _


class RunState(models.TextChoices):
    PENDING = "pending", _("待执行")
    RUNNING = "running", _("执行中")
    RETRYING = "retrying", _("等待重试")
    SUCCEEDED = "succeeded", _("成功")
    SKIPPED = "skipped", _("目标已不存在")
    FAILED = "failed", _("失败")


FINISHED_STATES = (RunState.SUCCEEDED, RunState.SKIPPED, RunState.FAILED)
WAITING_STATES = (RunState.PENDING, RunState.RETRYING)


class JobRun(models.Model):
    """The ledger of one logical piece of background work, across all its attempts.

    The row is written inside the transaction that asks for the work (a transactional outbox): if that transaction
    rolls back there is no work; if it commits, the work exists even when the queue is down, and the sweeper hands it
    to the queue later. ``idempotency_key`` makes "the same work" a single row (a schedule's run at one time, the
    lapse of one offer); the attempt counter and lease let duplicate deliveries and dead workers be told apart.
    """

    task_path = models.CharField(_("任务"), max_length=200, db_index=True)
    args = models.JSONField(_("位置参数"), default=list, blank=True)
    kwargs = models.JSONField(_("关键字参数"), default=dict, blank=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=200, unique=True, null=True, blank=True)
    schedule_name = models.CharField(_("计划"), max_length=100, blank=True, db_index=True)
    scheduled_for = models.DateTimeField(_("计划时间"), null=True, blank=True)
    fired_by = models.CharField(_("触发进程"), max_length=100, blank=True)

    state = models.CharField(_("状态"), max_length=10, choices=RunState.choices, default=RunState.PENDING)
    attempts = models.PositiveIntegerField(_("已尝试次数"), default=0)
    max_attempts = models.PositiveIntegerField(_("最多尝试次数"), default=5)
    # When the next attempt may start (now, a deadline, or a back-off time).
    due_at = models.DateTimeField(_("应执行时间"))
    # When the current attempt was handed to the queue; null means the sweeper still has to hand it over.
    dispatched_at = models.DateTimeField(_("入队时间"), null=True, blank=True)
    queue_result_id = models.CharField(_("队列结果ID"), max_length=64, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    # A running attempt whose lease has passed belongs to a worker that died: the reaper retries it.
    lease_expires_at = models.DateTimeField(_("租约到期"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)

    last_error = models.TextField(_("最近错误"), blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("后台任务记录")
        verbose_name_plural = _("后台任务记录")
        indexes = [models.Index(fields=["state", "due_at"], name="jobs_run_state_due_idx")]

    def __str__(self):
        return f"#{self.pk} {self.task_name} {self.state}"

    @property
    def task_name(self) -> str:
        return self.task_path.rsplit(".", 1)[-1]

    @property
    def error_summary(self) -> str:
        lines = [line for line in self.last_error.strip().splitlines() if line.strip()]
        return lines[-1] if lines else ""


class Heartbeat(models.Model):
    """Written by the demo periodic task: proof that scheduler → queue → worker works end to end."""

    scheduled_for = models.DateTimeField(_("计划时间"), null=True, blank=True)
    beat_at = models.DateTimeField(_("执行时间"), auto_now_add=True)
    run = models.OneToOneField(
        JobRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="heartbeat"
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("心跳")
        verbose_name_plural = _("心跳")

    def __str__(self):
        return f"♥ {self.beat_at:%Y-%m-%d %H:%M:%S}"
