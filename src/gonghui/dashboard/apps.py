from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "gonghui.dashboard"
    label = "dashboard"
    verbose_name = _("共富数据大屏")

    def ready(self):
        from gonghui.core.navigation import register

        register(_("数据大屏"), "dashboard:index", {"staff"})
