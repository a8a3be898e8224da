from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CraftsmenConfig(AppConfig):
    name = "gonghui.craftsmen"
    label = "craftsmen"
    verbose_name = _("劳模工匠助企行")
