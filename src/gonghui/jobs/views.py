"""Pages for system administrators: schedules, recent and failed runs with their errors."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from gonghui.jobs import selectors, services
from gonghui.jobs.models import JobRun, RunState

ROLE = "sysadmin"


def _require_sysadmin(request) -> None:
    if request.actor.role != ROLE:
        raise PermissionDenied


@require_GET
def index(request):
    _require_sysadmin(request)
    state = request.GET.get("state") or ""
    if state not in RunState.values:
        state = ""
    return render(
        request,
        "jobs/index.html",
        {
            "schedules": selectors.schedule_rows(),
            "runs": selectors.recent_runs(state=state or None, limit=50),
            "failed": selectors.recent_runs(state=RunState.FAILED, limit=20),
            "counts": selectors.state_counts(),
            "states": RunState.choices,
            "state": state,
            "heartbeat": selectors.last_heartbeat(),
        },
    )


@require_GET
def run_detail(request, run_id: int):
    _require_sysadmin(request)
    return render(request, "jobs/run.html", {"run": get_object_or_404(JobRun, pk=run_id)})


@require_POST
def run_retry(request, run_id: int):
    _require_sysadmin(request)
    try:
        services.run_retry(actor=request.actor, run_id=run_id)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("jobs:run", run_id=run_id)
