"""Region scoping: the one mechanism every selector and API handler uses.

A model opts in by declaring ``scope_region_field`` (the lookup to the region code of the row, e.g. ``"region__code"``
or ``"enterprise__region__code"``) and, for people who see only their own rows, a classmethod
``scope_owner_q(actor) -> Q | None``. Staff see rows whose region code starts with their organisation's prefix;
everyone else sees what ``scope_owner_q`` grants, or nothing.
"""

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from gonghui.core.actor import SYSTEM, Actor


def scope_q(model: type[Model], actor: Actor) -> Q | None:
    """The filter that limits ``model`` to ``actor``'s reach; None means nothing is visible."""
    if actor.role == SYSTEM:
        return Q()
    if actor.is_staff and actor.region_prefix is not None:
        field = getattr(model, "scope_region_field", None)
        if field is not None:
            return Q(**{f"{field}__startswith": actor.region_prefix})
    owner = getattr(model, "scope_owner_q", None)
    if owner is not None:
        return owner(actor)
    return None


def scoped(queryset: QuerySet | type[Model], actor: Actor) -> QuerySet:
    qs = queryset.objects.all() if isinstance(queryset, type) else queryset
    q = scope_q(qs.model, actor)
    return qs.none() if q is None else qs.filter(q)


class OutOfScope(Http404):
    """A row that exists outside the actor's scope: shown as 404; ``audited`` records it against the row."""

    def __init__(self, target):
        super().__init__("out_of_scope")
        self.target = target


def get_scoped_or_404(queryset: QuerySet | type[Model], actor: Actor, *, action: str = "view", **lookup):
    """Fetch one row inside the actor's scope. A row that exists outside it is a 404 too (no hint that it
    exists), and that refusal is audited."""
    qs = queryset.objects.all() if isinstance(queryset, type) else queryset
    try:
        return scoped(qs, actor).get(**lookup)
    except qs.model.DoesNotExist:
        target = qs.model._default_manager.filter(**lookup).first()
        if target is not None:
            from gonghui.core.audit import record_refusal

            # Inside audited(...) this entry is rolled back with the transaction and audited() records the
            # refusal against the same row instead; outside a transaction it stands on its own.
            record_refusal(actor, f"{action}", target=target, reason="out_of_scope")
            raise OutOfScope(target) from None
        raise Http404 from None
