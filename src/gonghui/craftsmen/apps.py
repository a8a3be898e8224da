from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CraftsmenConfig(AppConfig):
    name = "gonghui.craftsmen"
    label = "craftsmen"
    verbose_name = _("劳模工匠助企行")

    def ready(self):
        from gonghui.core.navigation import register

        register(_("劳模工匠助企行"), "craftsmen:home", {"staff", "enterprise", "craftsman"})
        register(_("解决方案库"), "craftsmen:solutions", {"staff", "enterprise", "craftsman", "member"})
        register(_("助企行数据"), "craftsmen:figures", {"staff"})
