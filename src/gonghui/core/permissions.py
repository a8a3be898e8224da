"""Role checks for pages and API handlers: a refusal is audited, then raised (403; out-of-scope rows are 404)."""

import functools

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from gonghui.core.audit import record_refusal


def require_role(actor, *roles, action: str = "page.view") -> None:
    if actor.role not in roles:
        record_refusal(actor, action, reason=f"role {actor.role} not in {sorted(roles)}")
        raise PermissionDenied(_("您当前的角色不能使用这个功能。"))


def role_required(*roles, action: str | None = None):
    """Page decorator: anonymous visitors go to the login page; other roles get 403 (audited)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require_role(request.actor, *roles, action=action or f"page.{view.__name__}")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def login_required_page(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper
