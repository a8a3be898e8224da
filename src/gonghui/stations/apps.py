from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "gonghui.stations"
    label = "stations"
    verbose_name = _("户外劳动者服务站点")

    def ready(self):
        from gonghui.core.navigation import register

        register(_("找驿站"), "stations:finder", {"*"})
        register(_("驿站管理"), "stations:manage", {"staff", "station_manager"})
