"""Eligibility rules of a programme, as one function that lists every problem (empty list: eligible)."""

from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from gonghui.orgs.models import NEW_EMPLOYMENT_FORM, MemberStatus, Occupation
from gonghui.recuperation.models import HOLDS_SEAT, Application, AppState, TargetGroup

FRONTLINE_OCCUPATIONS = {Occupation.FRONTLINE, Occupation.SANITATION, Occupation.CONSTRUCTION}
RETIREMENT_AGE = {"M": 60, "F": 55}
NEAR_RETIREMENT_YEARS = 5


def member_groups(member, on: date) -> list[str]:
    """The target groups a member belongs to, most specific first."""
    groups = []
    if member.occupation in NEW_EMPLOYMENT_FORM:
        groups.append(TargetGroup.NEW_EMPLOYMENT_FORM)
    if member.model_worker:
        groups.append(TargetGroup.MODEL_WORKER)
    if member.occupation in FRONTLINE_OCCUPATIONS:
        groups.append(TargetGroup.FRONTLINE)
    if member.birth_date:
        age = (
            on.year
            - member.birth_date.year
            - ((on.month, on.day) < (member.birth_date.month, member.birth_date.day))
        )
        if age >= RETIREMENT_AGE.get(member.gender, 60) - NEAR_RETIREMENT_YEARS:
            groups.append(TargetGroup.NEAR_RETIREMENT)
    if member.enterprise_id and member.enterprise.non_public:
        groups.append(TargetGroup.NON_PUBLIC)
    return [str(g) for g in groups] or [str(TargetGroup.GENERAL)]


def chosen_group(programme, groups: list[str]) -> str | None:
    """The group an application counts under: the first of the member's groups the programme targets."""
    if not programme.target_groups:
        return groups[0]
    for group in groups:
        if group in programme.target_groups:
            return group
    return None


def yearly_spend(id_number_hash: str, year: int, *, exclude_pk=None) -> Decimal:
    """What union funds already pay for this person's trips in ``year`` (confirmed or travelled)."""
    qs = Application.objects.filter(
        id_number_hash=id_number_hash, state__in=HOLDS_SEAT, departure__starts_on__year=year
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.aggregate(total=Sum("cost"))["total"] or Decimal("0")


def route_problems(programme, route) -> list[str]:
    problems = []
    limit = programme.max_days_partner if route.partner_region else programme.max_days
    if route.days > limit:
        problems.append(
            _("线路“%(route)s”共 %(days)s 天，超过 %(limit)s 天的上限")
            % {"route": route.name, "days": route.days, "limit": limit}
        )
    if route.price_per_person_day > programme.daily_cap:
        problems.append(
            _("线路“%(route)s”每人每天 %(price)s 元，超过 %(cap)s 元的上限")
            % {"route": route.name, "price": route.price_per_person_day, "cap": programme.daily_cap}
        )
    return problems


def eligibility_problems(
    programme, member, routes, *, today: date, exclude_pk=None
) -> tuple[str | None, list[str]]:
    """(target group, problems) for ``member`` applying to ``programme`` with ``routes`` as preferences."""
    problems = []
    if programme.require_good_standing and member.status != MemberStatus.ACTIVE:
        problems.append(_("会员状态不是在册，不能申报"))
    if not member.region_id.startswith(programme.region.prefix):
        problems.append(_("所在地区不在本项目范围内"))
    group = chosen_group(programme, member_groups(member, today))
    if group is None:
        problems.append(_("不属于本项目的对象范围"))
    if not member.id_number_hash:
        problems.append(_("会员档案缺少身份证号，无法查重"))
    else:
        duplicate = Application.objects.filter(
            programme=programme, id_number_hash=member.id_number_hash
        ).exclude(state=AppState.CANCELLED)
        if exclude_pk:
            duplicate = duplicate.exclude(pk=exclude_pk)
        if duplicate.exists():
            problems.append(_("已申报过本项目（每人每个项目限报一次）"))
        if programme.lookback_years:
            recent = Application.objects.filter(
                id_number_hash=member.id_number_hash,
                state__in=(AppState.TRAVELLED, AppState.REVIEWED),
                travelled_on__year__gt=programme.year - 1 - programme.lookback_years,
            )
            if recent.exists():
                problems.append(_("近 %(n)s 年内已参加过资助疗休养") % {"n": programme.lookback_years})
    if not routes:
        problems.append(_("请至少选择一条线路"))
    allowed = set(programme.routes.values_list("pk", flat=True))
    for route in routes:
        if route.pk not in allowed:
            problems.append(_("线路“%(route)s”不属于本项目") % {"route": route.name})
        problems.extend(route_problems(programme, route))
    if routes and member.id_number_hash:
        cheapest = min(r.price_per_person for r in routes)
        if (
            yearly_spend(member.id_number_hash, programme.year, exclude_pk=exclude_pk) + cheapest
            > programme.yearly_cap
        ):
            problems.append(_("本年度疗休养费用将超过 %(cap)s 元的上限") % {"cap": programme.yearly_cap})
    return group, problems
