from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from gonghui.core.actor import actor_for_user
from gonghui.jobs import services
from gonghui.jobs.models import Heartbeat, JobRun, RunState


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "task_name",
        "state",
        "attempts",
        "max_attempts",
        "due_at",
        "finished_at",
        "error_summary",
    ]
    list_filter = ["state", "schedule_name", "task_path"]
    search_fields = ["task_path", "idempotency_key", "last_error"]
    date_hierarchy = "created_at"
    actions = ["retry_failed"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in JobRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("重试所选的失败任务"))
    def retry_failed(self, request, queryset):
        actor = actor_for_user(request.user, role="sysadmin", client_ip=request.META.get("REMOTE_ADDR"))
        for run in queryset.filter(state=RunState.FAILED):
            try:
                services.run_retry(actor=actor, run_id=run.pk)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, " ".join(getattr(exc, "messages", [str(exc)])), messages.ERROR)


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["id", "scheduled_for", "beat_at", "run"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
