"""The programme's figures, computed from agreements and their covered-enterprise links (the dashboard calls these).

An agreement counts on day ``on`` when its case is signed or later and not lapsed/renewed, it was signed on or
before ``on`` and its term has not ended. Coverage is measured against three denominators: enterprises of the
industrial-worker reform pilot (产改试点), unionised enterprises above designated size (已建会规上企业), and
new-employment-form platform enterprises (新就业形态平台企业).
"""

from datetime import date

from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from gonghui.core.actor import Actor
from gonghui.orgs.models import Enterprise, Industry
from gonghui.regions.models import Region, RegionLevel
from gonghui.wages.models import COVERING_STATUSES, Agreement, AgreementEnterprise, AgreementKind

DENOMINATORS = {
    "pilot": Q(reform_pilot=True),
    "unionised_above": Q(unionised=True, above_designated_size=True),
    "platform": Q(platform=True),
}
SKILL_WAGE_ONLY = (AgreementKind.SKILL_WAGE,)


def _prefix(who: Actor | str) -> str:
    if isinstance(who, str):
        return who
    if who.region_prefix is None:
        raise ValueError("figures need a staff actor or a region prefix")
    return who.region_prefix


def period_end(year: int) -> date:
    """The day a yearly figure is read on: 31 December, or today for the current year."""
    today = timezone.localdate()
    return min(date(year, 12, 31), today)


def effective_agreements(who: Actor | str = "33", *, on: date | None = None, kinds=SKILL_WAGE_ONLY):
    on = on or timezone.localdate()
    return Agreement.objects.filter(
        region__code__startswith=_prefix(who),
        kind__in=kinds,
        case__status__in=COVERING_STATUSES,
        signed_on__lte=on,
        ends_on__gte=on,
    )


def covered_enterprise_ids(*, on: date | None = None, kinds=SKILL_WAGE_ONLY):
    """Every enterprise covered by an effective agreement, wherever the agreement was made (a city industry
    agreement covers enterprises in its counties)."""
    return AgreementEnterprise.objects.filter(
        agreement__in=effective_agreements("", on=on, kinds=kinds)
    ).values("enterprise_id")


def _rate(covered: int, total: int) -> float | None:
    return round(covered * 100 / total, 2) if total else None


def _coverage_aggregates(covered_ids) -> dict:
    aggregates = {"enterprises_covered": Count("id", filter=Q(id__in=covered_ids))}
    for name, q in DENOMINATORS.items():
        aggregates[f"{name}_total"] = Count("id", filter=q)
        aggregates[f"{name}_covered"] = Count("id", filter=q & Q(id__in=covered_ids))
    return aggregates


def _shape(row: dict) -> dict:
    for name in DENOMINATORS:
        row[f"{name}_rate"] = _rate(row[f"{name}_covered"], row[f"{name}_total"])
    return row


def coverage(who: Actor | str = "33", *, on: date | None = None, kinds=SKILL_WAGE_ONLY) -> dict:
    """Agreements, enterprises and workers covered inside a region, and coverage of each denominator (%)."""
    on = on or timezone.localdate()
    prefix = _prefix(who)
    agreements = effective_agreements(prefix, on=on, kinds=kinds).aggregate(
        agreements=Count("id"), workers_covered=Sum("workers_covered")
    )
    row = Enterprise.objects.filter(region__code__startswith=prefix).aggregate(
        **_coverage_aggregates(covered_enterprise_ids(on=on, kinds=kinds))
    )
    row.update(agreements=agreements["agreements"], workers_covered=agreements["workers_covered"] or 0)
    return _shape(row)


GROUPS = ("county", "city", "industry")


def coverage_rows(
    who: Actor | str = "33", *, by: str = "county", on: date | None = None, kinds=SKILL_WAGE_ONLY
) -> list[dict]:
    """Coverage grouped by county, city or industry section: one row per group with enterprises in the region."""
    if by not in GROUPS:
        raise ValueError(f"by must be one of {GROUPS}")
    on = on or timezone.localdate()
    prefix = _prefix(who)
    if by == "county":
        key = Substr("region_id", 1, 6)
    elif by == "city":
        key = Concat(Substr("region_id", 1, 4), Value("00"))
    else:
        key = Substr("industry", 1, 1)
    enterprise_rows = (
        Enterprise.objects.filter(region__code__startswith=prefix)
        .annotate(key=key)
        .values("key")
        .annotate(**_coverage_aggregates(covered_enterprise_ids(on=on, kinds=kinds)))
    )
    agreement_rows = {
        r["key"]: r
        for r in effective_agreements(prefix, on=on, kinds=kinds)
        .annotate(key=key)
        .values("key")
        .annotate(agreements=Count("id"), workers_covered=Sum("workers_covered"))
    }
    if by == "industry":
        names = {k: str(v) for k, v in Industry.choices}
    else:
        level = RegionLevel.COUNTY if by == "county" else RegionLevel.CITY
        names = dict(Region.objects.filter(level=level).values_list("code", "name"))
    rows = []
    for row in enterprise_rows:
        found = agreement_rows.get(row["key"], {})
        row.update(
            name=names.get(row["key"], row["key"]),
            agreements=found.get("agreements", 0),
            workers_covered=found.get("workers_covered") or 0,
        )
        rows.append(_shape(row))
    return sorted(rows, key=lambda r: r["key"])


def seed_figures(who: Actor | str = "33", *, on: date | None = None) -> dict:
    """The seed's headline figures as they come out of the records."""
    row = coverage(who, on=on)
    return {
        "agreements": row["agreements"],
        "enterprises_covered": row["enterprises_covered"],
        "workers_covered": row["workers_covered"],
        "pilot_all_covered": row["pilot_total"] > 0 and row["pilot_covered"] == row["pilot_total"],
        "unionised_above_rate": row["unionised_above_rate"],
    }
