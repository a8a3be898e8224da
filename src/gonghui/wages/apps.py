from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WagesConfig(AppConfig):
    name = "gonghui.wages"
    label = "wages"
    verbose_name = _("能级工资集体协商")

    def ready(self):
        from gonghui.core.navigation import register

        register(_("能级工资"), "wages:index", {"staff"})
