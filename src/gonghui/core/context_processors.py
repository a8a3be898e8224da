from gonghui.core.navigation import items_for


def navigation(request):
    from gonghui.accounts.models import Role

    actor = getattr(request, "actor", None)
    role = actor.role if actor is not None else "anonymous"
    return {"nav_items": items_for(role), "actor": actor, "role_label": dict(Role.choices).get(role, "")}
