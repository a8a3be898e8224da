from django.contrib import admin

from gonghui.craftsmen.models import (
    Craftsman,
    Problem,
    ServiceTeam,
    Solution,
    SpecialSession,
    WorkdayOverride,
)


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "note")


@admin.register(ServiceTeam)
class ServiceTeamAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "theme", "region")
    list_filter = ("kind",)


@admin.register(Craftsman)
class CraftsmanAdmin(admin.ModelAdmin):
    list_display = ("name", "occupation", "region", "available", "status")
    search_fields = ("name", "occupation")
    exclude = ("phone_cipher", "phone_hash")


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ("title", "enterprise", "region", "status", "submitted_at")
    list_filter = ("status", "category")
    readonly_fields = [f.name for f in Problem._meta.fields]

    def has_change_permission(self, request, obj=None):
        return False  # the workflow changes problems, through its services (audited)


@admin.register(Solution)
class SolutionAdmin(admin.ModelAdmin):
    list_display = ("title", "region", "status", "published_at")


@admin.register(SpecialSession)
class SpecialSessionAdmin(admin.ModelAdmin):
    list_display = ("title", "region", "date", "workers_trained")
