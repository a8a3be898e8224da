from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "gonghui.orgs"
    label = "orgs"
    verbose_name = _("组织与会员")

    def ready(self):
        from gonghui.core.navigation import register

        register(_("工会组织"), "orgs:organisations", {"staff"})
        register(_("企业"), "orgs:enterprises", {"staff"})
        register(_("会员"), "orgs:members", {"staff"})
        register(_("入会审核"), "orgs:join_review", {"staff"})
        register(_("在线入会"), "orgs:join", {"anonymous"})
