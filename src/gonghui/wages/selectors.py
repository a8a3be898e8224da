"""Reads of the wages programme, always through ``scoped``."""

from statistics import median

from django.db.models import Count, Q
from django.utils import timezone

from gonghui.core.actor import Actor
from gonghui.core.scoping import scoped
from gonghui.orgs.models import Enterprise
from gonghui.wages.models import (
    COVERING_STATUSES,
    LADDER_GRADES,
    Agreement,
    BargainingCase,
    Campaign,
    ChecklistEntry,
    ContactLog,
    ExpiryFlag,
    LadderStep,
)


def cases(actor: Actor, *, status: str | None = None, instructor_id=None, campaign_id=None):
    qs = scoped(BargainingCase, actor).select_related("enterprise", "instructor", "region", "campaign")
    if status:
        qs = qs.filter(status=status)
    if instructor_id:
        qs = qs.filter(instructor_id=instructor_id)
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    return qs


def campaigns(actor: Actor):
    return scoped(Campaign, actor).annotate(case_count=Count("cases"))


def agreements(actor: Actor, *, industry: str | None = None, kind: str | None = None):
    qs = scoped(Agreement, actor).select_related("case", "case__enterprise", "region")
    if industry:
        qs = qs.filter(industry=industry)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def contacts(actor: Actor, *, enterprise_id=None):
    qs = scoped(ContactLog, actor).select_related("enterprise", "recorded_by")
    if enterprise_id:
        qs = qs.filter(enterprise_id=enterprise_id)
    return qs


def enterprises(actor: Actor):
    return scoped(Enterprise, actor)


def checklist(actor: Actor, *, instructor_id=None, open_only: bool = False):
    """An instructor's 排查销号 list (their own by default), with each enterprise's latest case."""
    qs = scoped(ChecklistEntry, actor).select_related("enterprise", "ticked_off_by", "instructor")
    qs = qs.filter(instructor_id=instructor_id or actor.user_id)
    if open_only:
        qs = qs.filter(ticked_off_on__isnull=True)
    return qs


def checklist_progress(entries) -> dict:
    counts = entries.aggregate(total=Count("id"), done=Count("id", filter=Q(ticked_off_on__isnull=False)))
    return {"total": counts["total"], "done": counts["done"], "open": counts["total"] - counts["done"]}


def latest_case_by_enterprise(enterprise_ids) -> dict[int, BargainingCase]:
    latest: dict[int, BargainingCase] = {}
    for case in BargainingCase.objects.filter(enterprise_id__in=list(enterprise_ids)).order_by(
        "offered_on", "id"
    ):
        latest[case.enterprise_id] = case
    return latest


def expiry_flags(actor: Actor, *, unseen_only: bool = False):
    qs = (
        scoped(ExpiryFlag, actor)
        .filter(instructor_id=actor.user_id)
        .select_related("agreement", "agreement__case")
    )
    return qs.filter(seen=False) if unseen_only else qs


def _median_ladder(peers) -> dict[str, float]:
    by_grade: dict[str, list[int]] = {}
    for grade, base, allowance in LadderStep.objects.filter(agreement__in=peers).values_list(
        "grade", "base_pay", "allowance"
    ):
        by_grade.setdefault(grade, []).append(base + allowance)
    return {grade: float(median(values)) for grade, values in by_grade.items()}


def ladder_comparison(agreement: Agreement, *, on=None) -> dict:
    """The agreement's ladder (base + allowance per grade) beside the median ladder of the other agreements of
    the same industry in force in its county and in its city. Medians are aggregates over all peers, not rows,
    so a county instructor may see the city median."""
    on = on or timezone.localdate()
    peers = Agreement.objects.filter(
        industry=agreement.industry, case__status__in=COVERING_STATUSES, ends_on__gte=on
    ).exclude(pk=agreement.pk)
    county = agreement.region_id[:6]
    city = agreement.region_id[:4]
    county_peers = peers.filter(region__code__startswith=county)
    city_peers = peers.filter(region__code__startswith=city)
    own = {s.grade: s.total for s in agreement.ladder.all()}
    county_median = _median_ladder(county_peers)
    city_median = _median_ladder(city_peers)
    grades = [g for g in LADDER_GRADES if g in own or g in county_median or g in city_median]
    return {
        "grades": [g.value for g in grades],
        "labels": [str(g.label) for g in grades],
        "agreement": [own.get(g) for g in grades],
        "county_median": [county_median.get(g) for g in grades],
        "city_median": [city_median.get(g) for g in grades],
        "county_peers": county_peers.count(),
        "city_peers": city_peers.count(),
    }
