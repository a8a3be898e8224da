"""Writes by people on background work: a system administrator sends a failed run round again."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.actor import Actor
from gonghui.core.audit import audited
from gonghui.core.errors import ServiceError
from gonghui.jobs.ledger import dispatch
from gonghui.jobs.models import JobRun, RunState

ALLOWED_ROLES = {"sysadmin", "system"}


def run_retry(*, actor: Actor, run_id: int) -> JobRun:
    """Give a failed run one more attempt."""
    run = JobRun.objects.filter(pk=run_id).first()
    with audited(actor, "jobs.run_retry", target=run):
        if actor.role not in ALLOWED_ROLES:
            raise PermissionDenied(_("只有系统管理员可以重试后台任务"))
        if run is None:
            raise ServiceError(_("没有这条任务记录"))
        run = JobRun.objects.select_for_update().get(pk=run_id)
        if run.state != RunState.FAILED:
            raise ServiceError(
                _("任务 #%(id)s 当前状态为“%(state)s”，只有失败的任务可以重试")
                % {"id": run.pk, "state": run.get_state_display()}
            )
        run.state = RunState.RETRYING
        run.max_attempts = run.attempts + 1
        run.due_at = timezone.now()
        run.dispatched_at = None
        run.finished_at = None
        run.save(update_fields=["state", "max_attempts", "due_at", "dispatched_at", "finished_at"])
        transaction.on_commit(lambda: dispatch(run.pk), robust=True)
    return run
