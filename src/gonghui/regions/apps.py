from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "gonghui.regions"
    label = "regions"
    verbose_name = _("行政区划")

    def ready(self):
        from django.db.models.signals import post_migrate

        from gonghui.regions.signals import load_regions_after_migrate

        post_migrate.connect(load_regions_after_migrate, sender=self)
