from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecuperationConfig(AppConfig):
    name = "gonghui.recuperation"
    label = "recuperation"
    verbose_name = _("职工疗休养")
