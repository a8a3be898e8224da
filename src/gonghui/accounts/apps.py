from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gonghui.accounts"
    label = "accounts"
    verbose_name = _("账号与角色")

    def ready(self):
        from django.contrib import admin

        from gonghui.core.navigation import register

        signed_in = {
            "sysadmin",
            "secadmin",
            "auditadmin",
            "staff",
            "enterprise",
            "craftsman",
            "member",
            "station_manager",
        }
        register(_("我的账号"), "accounts:me", signed_in)
        register(_("我的工惠码"), "accounts:member_code", {"member"})
        register(_("核验工惠码"), "accounts:member_code_check", {"staff", "station_manager"})
        register(_("系统管理"), "accounts:system", {"sysadmin"})
        register(_("账号与角色"), "accounts:users", {"secadmin"})
        register(_("审计日志"), "accounts:audit_log", {"auditadmin"})

        # Separation of duties: the Django admin (system settings) is for the system administrator acting in
        # that role only; accounts, roles and the audit log are never registered there.
        def has_permission(request):
            actor = getattr(request, "actor", None)
            return bool(
                request.user.is_active
                and request.user.is_staff
                and actor is not None
                and actor.role == "sysadmin"
            )

        admin.site.has_permission = has_permission
