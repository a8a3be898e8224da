from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "gonghui.dashboard"
    label = "dashboard"
    verbose_name = _("共富数据大屏")
