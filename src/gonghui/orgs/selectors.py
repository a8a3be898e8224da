"""Reads for organisations, enterprises, members and join applications, always through the actor's scope."""

from django.db.models import Q

from gonghui.core.scoping import scoped
from gonghui.orgs.models import Enterprise, JoinApplication, Member, Organisation


def organisations(actor, *, q: str = "", level: str = "", holding: bool | None = None):
    qs = scoped(Organisation.objects.select_related("parent"), actor)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
    if level:
        qs = qs.filter(level=level)
    if holding is not None:
        qs = qs.filter(is_holding_union=holding)
    return qs.order_by("code")


def enterprises(actor, *, q: str = "", industry: str = "", unionised: bool | None = None):
    qs = scoped(Enterprise, actor)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__startswith=q.upper()))
    if industry:
        qs = qs.filter(industry=industry)
    if unionised is not None:
        qs = qs.filter(unionised=unionised)
    return qs.order_by("id")


def members(actor, *, q: str = "", occupation: str = "", union_code: str = ""):
    qs = scoped(Member.objects.select_related("union", "enterprise"), actor)
    if q:
        # Names are searchable; identifiers only by exact match through their keyed hash.
        qs = qs.filter(
            Q(name__startswith=q)
            | Q(id_number_hash=Member.id_number.hash_of(q))
            | Q(phone_hash=Member.phone.hash_of(q))
        )
    if occupation:
        qs = qs.filter(occupation=occupation)
    if union_code:
        qs = qs.filter(union__code=union_code)
    return qs.order_by("id")


def join_applications(actor, *, status: str = ""):
    qs = scoped(JoinApplication.objects.select_related("union"), actor)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def holding_unions():
    """Public: the county holding unions a worker may join through (reference data, no personal data)."""
    return Organisation.objects.filter(is_holding_union=True).select_related("region").order_by("code")


SELECTORS = {"organisations": organisations, "enterprises": enterprises, "members": members}
