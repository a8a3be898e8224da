"""Station figures for a region and a year, computed from records (the dashboard calls these).

``region_prefix`` is a GB/T 2260 prefix ("33" province, "3301" Hangzhou, "330127" Chun'an); an actor may be passed
instead, and then their reach is used. The seed's 2025 province figures (1,595 renovated, 111 of them 24-hour,
2,696 service sessions, 263,000 person-visits) come out of these functions over the province demo data.
"""

from datetime import date, datetime, time

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import Substr
from django.utils import timezone

from gonghui.stations.models import (
    CheckIn,
    CheckInResult,
    Complaint,
    ComplaintStatus,
    ServiceSession,
    Station,
    StationStatus,
    StationType,
    Visit,
)


def _prefix(region_prefix: str | None, actor) -> str:
    if actor is not None:
        return actor.region_prefix or ""
    return region_prefix or "33"


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(date(year, 1, 1), time.min, tz), datetime.combine(
        date(year + 1, 1, 1), time.min, tz
    )


def station_figures(*, region_prefix: str | None = None, year: int = 2025, actor=None) -> dict:
    prefix = _prefix(region_prefix, actor)
    start, end = _year_bounds(year)
    stations = Station.objects.filter(region__code__startswith=prefix).exclude(status=StationStatus.CLOSED)
    by_type = dict(stations.values_list("station_type").annotate(n=Count("id")))
    renovated = stations.filter(year_renovated=year)
    sessions = ServiceSession.objects.filter(
        region__code__startswith=prefix, date__year=year, cancelled=False
    )
    complaints = Complaint.objects.filter(
        station__region__code__startswith=prefix, created_at__gte=start, created_at__lt=end
    )
    resolved = complaints.filter(status=ComplaintStatus.RESOLVED, resolved_at__isnull=False)
    avg_resolve = resolved.aggregate(
        d=Avg(ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField()))
    )["d"]
    return {
        "region_prefix": prefix,
        "year": year,
        "stations": sum(by_type.values()),
        "by_type": {t: by_type.get(t, 0) for t in StationType.values},
        "open_24h": stations.filter(open_24h=True).count(),
        "renovated": renovated.count(),
        "renovated_open_24h": renovated.filter(open_24h=True).count(),
        "subsidy_yuan": float(sum(renovated.values_list("subsidy_yuan", flat=True)) or 0),
        "visits": Visit.objects.filter(
            station__region__code__startswith=prefix, visited_at__gte=start, visited_at__lt=end
        ).count(),
        "sessions": sessions.count(),
        "beneficiaries": CheckIn.objects.filter(
            session__region__code__startswith=prefix,
            session__date__year=year,
            session__cancelled=False,
            result=CheckInResult.OK,
        ).count(),
        "complaints": complaints.count(),
        "complaints_resolved": resolved.count(),
        "complaints_escalated": complaints.filter(escalated_at__isnull=False).count(),
        "hours_to_resolve": round(avg_resolve.total_seconds() / 3600, 1) if avg_resolve is not None else None,
    }


def station_figures_by_region(
    *, region_prefix: str | None = None, year: int = 2025, level: str = "county", actor=None
) -> list[dict]:
    """One row per county (6-digit code) or city (4-digit prefix + "00") inside the prefix."""
    prefix = _prefix(region_prefix, actor)
    width = 6 if level == "county" else 4
    start, end = _year_bounds(year)

    def grouped(qs, field, **agg):
        return {
            row["key"]: row for row in qs.annotate(key=Substr(field, 1, width)).values("key").annotate(**agg)
        }

    stations = grouped(
        Station.objects.filter(region__code__startswith=prefix).exclude(status=StationStatus.CLOSED),
        "region_id",
        n_stations=Count("id"),
        n_fixed=Count("id", filter=Q(station_type=StationType.FIXED)),
        n_smart24=Count("id", filter=Q(station_type=StationType.SMART24)),
        n_mobile=Count("id", filter=Q(station_type=StationType.MOBILE)),
        n_partner=Count("id", filter=Q(station_type=StationType.PARTNER)),
        n_open_24h=Count("id", filter=Q(open_24h=True)),
        n_renovated=Count("id", filter=Q(year_renovated=year)),
        n_renovated_open_24h=Count("id", filter=Q(year_renovated=year, open_24h=True)),
    )
    visits = grouped(
        Visit.objects.filter(
            station__region__code__startswith=prefix, visited_at__gte=start, visited_at__lt=end
        ),
        "station__region_id",
        visits=Count("id"),
    )
    sessions = grouped(
        ServiceSession.objects.filter(region__code__startswith=prefix, date__year=year, cancelled=False),
        "region_id",
        sessions=Count("id"),
    )
    checkins = grouped(
        CheckIn.objects.filter(
            session__region__code__startswith=prefix,
            session__date__year=year,
            session__cancelled=False,
            result=CheckInResult.OK,
        ),
        "session__region_id",
        beneficiaries=Count("id"),
    )
    complaints = grouped(
        Complaint.objects.filter(
            station__region__code__startswith=prefix, created_at__gte=start, created_at__lt=end
        ),
        "station__region_id",
        complaints=Count("id"),
        complaints_resolved=Count("id", filter=Q(status=ComplaintStatus.RESOLVED)),
        resolve_time=Avg(
            ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField()),
            filter=Q(status=ComplaintStatus.RESOLVED),
        ),
    )
    keys = sorted(set(stations) | set(visits) | set(sessions) | set(checkins) | set(complaints))
    rows = []
    for key in keys:
        s = stations.get(key, {})
        c = complaints.get(key, {})
        rows.append(
            {
                "region_code": key if width == 6 else key + "00",
                "stations": s.get("n_stations", 0),
                "by_type": {t: s.get(f"n_{t}", 0) for t in StationType.values},
                "open_24h": s.get("n_open_24h", 0),
                "renovated": s.get("n_renovated", 0),
                "renovated_open_24h": s.get("n_renovated_open_24h", 0),
                "visits": visits.get(key, {}).get("visits", 0),
                "sessions": sessions.get(key, {}).get("sessions", 0),
                "beneficiaries": checkins.get(key, {}).get("beneficiaries", 0),
                "complaints": c.get("complaints", 0),
                "complaints_resolved": c.get("complaints_resolved", 0),
                "hours_to_resolve": round(c["resolve_time"].total_seconds() / 3600, 1)
                if c.get("resolve_time")
                else None,
            }
        )
    return rows
