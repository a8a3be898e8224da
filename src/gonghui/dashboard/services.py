"""Writes: asking for a roll-up now (the schedule runs it anyway; staff can ask after a big import)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.actor import Actor
from gonghui.core.audit import audited
from gonghui.core.errors import ServiceError
from gonghui.jobs import enqueue_on_commit


def rollup_request(*, actor: Actor, rebuild: bool = False):
    """Queue a roll-up of every figure. Staff only; a full rebuild only for provincial staff. Asking again within
    the same minute queues nothing more."""
    from gonghui.dashboard.tasks import refresh_rollups

    with audited(actor, "dashboard.rollup_request") as draft:
        if not actor.is_staff:
            raise ServiceError(_("只有工会工作人员可以刷新大屏数据。"))
        if rebuild and len(actor.region_prefix or "") != 2:
            raise ServiceError(_("只有省总工会工作人员可以全量重算。"))
        minute = timezone.now().strftime("%Y%m%d%H%M")
        run = enqueue_on_commit(
            refresh_rollups,
            rebuild=rebuild,
            idempotency_key=f"dashboard.rollup:{'rebuild' if rebuild else 'update'}:{minute}",
        )
        draft.detail = f"rebuild={rebuild}"
        return run
