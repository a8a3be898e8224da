from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "gonghui.jobs"
    label = "jobs"
    verbose_name = _("后台任务")

    def ready(self):
        from gonghui.core import navigation

        # Every package declares its jobs and schedules in tasks.py; importing them all here fills the registry
        # in every process (web, worker, scheduler), and a schedule with an invalid time stops start-up at once.
        autodiscover_modules("tasks")
        navigation.register(_("后台任务"), "jobs:index", {"sysadmin"})
