from gonghui.core.navigation import items_for


def navigation(request):
    actor = getattr(request, "actor", None)
    role = actor.role if actor is not None else "anonymous"
    return {"nav_items": items_for(role), "actor": actor}
