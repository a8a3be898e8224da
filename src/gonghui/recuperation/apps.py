from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecuperationConfig(AppConfig):
    name = "gonghui.recuperation"
    label = "recuperation"
    verbose_name = _("职工疗休养")

    def ready(self):
        from gonghui.core.navigation import register

        register(_("职工疗休养"), "recuperation:index", {"*"})
        register(_("我的疗休养"), "recuperation:my_applications", {"member"})
        register(_("疗休养活动报告"), "recuperation:reports", {"staff"})
        register(_("基地与线路管理"), "recuperation:catalogue_routes", {"staff"})
