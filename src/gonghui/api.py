"""The JSON API under /api/v1/: one NinjaAPI, with a router from every app that has ``api.py`` exposing ``router``."""

from importlib import import_module

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.security import django_auth

api = NinjaAPI(
    title="gonghui API",
    version="1",
    description="浙江工会共同富裕数字平台 API / The gonghui platform API",
    urls_namespace="api",
    docs_url="/docs",
    auth=django_auth,
)


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": "; ".join(exc.messages), "errors": errors}, status=400)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or "forbidden"}, status=403)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "not found"}, status=404)


def _mount_app_routers() -> None:
    for config in apps.get_app_configs():
        if not config.name.startswith("gonghui."):
            continue
        try:
            module = import_module(f"{config.name}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.api":
                raise
            continue
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router(f"/{config.label}/", router)


_mount_app_routers()

__all__ = ["api", "django_auth"]
