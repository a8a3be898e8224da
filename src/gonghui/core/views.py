from django.conf import settings
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.static import serve


@require_GET
def home(request):
    return render(request, "core/home.html")


@never_cache
@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True, "database": connection.vendor})


@require_GET
def public_media(request, path):
    """Serve an uploaded file only if it lies below one of the public prefixes; anything else is a 404."""
    if ".." in path.split("/") or not path.startswith(tuple(settings.PUBLIC_MEDIA_PREFIXES)):
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)
