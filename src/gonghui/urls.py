from importlib import import_module

from django.apps import apps
from django.contrib import admin
from django.urls import include, path, re_path

from gonghui.api import api
from gonghui.core import views as core_views


def _app_urls() -> list:
    """Every app with a ``urls.py`` is mounted at /<label>/ under its label as namespace."""
    patterns = []
    for config in apps.get_app_configs():
        if not config.name.startswith("gonghui."):
            continue
        try:
            import_module(f"{config.name}.urls")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.urls":
                raise
            continue
        patterns.append(path(f"{config.label}/", include((f"{config.name}.urls", config.label))))
    return patterns


urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    *_app_urls(),
]
# Uploaded files are served only below public prefixes (station photos); everything else (problem attachments and
# the like) goes through its app's scoped view.
urlpatterns.append(re_path(r"^media/(?P<path>.+)$", core_views.public_media, name="public_media"))
