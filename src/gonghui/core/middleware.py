from django.utils.functional import SimpleLazyObject

from gonghui.core.actor import actor_for_user

ACTIVE_ROLE_SESSION_KEY = "active_role_assignment"


def client_ip(request) -> str:
    # Behind a reverse proxy, set the proxy to overwrite X-Real-IP; we never trust X-Forwarded-For chains.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR", "")


class ActorMiddleware:
    """Attach ``request.actor``: the user in their active role (chosen in the session), with the client address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        def build():
            assignment_id = request.session.get(ACTIVE_ROLE_SESSION_KEY) if hasattr(request, "session") else None
            return actor_for_user(
                getattr(request, "user", None), assignment_id=assignment_id, client_ip=client_ip(request)
            )

        request.actor = SimpleLazyObject(build)
        return self.get_response(request)
