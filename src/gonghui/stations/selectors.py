"""Reads about stations. Staff and managers read through ``scoped``; the public finder reads active stations only."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, F, Q
from django.utils import timezone

from gonghui.core.actor import Actor
from gonghui.core.scoping import scoped
from gonghui.orgs.models import Occupation
from gonghui.stations import geo
from gonghui.stations.finder import current_index
from gonghui.stations.hours import schedule_for
from gonghui.stations.models import (
    AMENITY_LABEL,
    CheckInResult,
    Complaint,
    ComplaintStatus,
    Consumable,
    ServiceSession,
    SessionSlot,
    SignUpStatus,
    Station,
    StationStatus,
    Visit,
)

# --- public -----------------------------------------------------------------------------------------------------


def public_stations():
    return Station.objects.filter(status=StationStatus.ACTIVE).select_related("region")


@dataclass
class NearbyStation:
    id: int
    code: str
    name: str
    address: str
    lng: float
    lat: float
    distance_m: int
    walk_min: int
    ride_min: int
    open_now: bool
    open_24h: bool
    star_level: int
    amenities: list[str]


def nearest_stations(
    *,
    lng: float,
    lat: float,
    k: int = 10,
    amenities: int = 0,
    types=None,
    open_now: bool = False,
    radius_m: float | None = None,
    at: datetime | None = None,
) -> list[NearbyStation]:
    """Nearest active stations to a WGS-84 point, with distance and walking/riding minutes."""
    from gonghui.stations.models import amenity_keys

    index = current_index()
    local = timezone.localtime(at or timezone.now())
    hits = index.nearest(
        lng,
        lat,
        k=k,
        amenity_mask=amenities,
        types=types,
        open_at=local if open_now else None,
        radius_m=radius_m,
    )
    opened = index.open_mask(local)
    out = []
    for hit in hits:
        i = hit.index
        travel = geo.travel_minutes(hit.distance_m)
        out.append(
            NearbyStation(
                id=hit.id,
                code=index.codes[i],
                name=index.names[i],
                address=index.addresses[i],
                lng=float(index.lng[i]),
                lat=float(index.lat[i]),
                distance_m=round(hit.distance_m),
                walk_min=travel["walk_min"],
                ride_min=travel["ride_min"],
                open_now=bool(opened[i]),
                open_24h=bool(index.open_24h[i]),
                star_level=int(index.stars[i]),
                amenities=amenity_keys(int(index.bits[i])),
            )
        )
    return out


def is_open_now(station: Station, at: datetime | None = None) -> bool:
    return schedule_for(station).is_open(timezone.localtime(at or timezone.now()))


def navigation_links(station: Station) -> dict:
    """Links that open the 高德 and 百度 apps (or their web pages) at the station, in GCJ-02 as they expect."""
    from urllib.parse import quote, urlencode

    g_lng, g_lat = geo.wgs84_to_gcj02(station.lng_wgs84, station.lat_wgs84)
    name = station.name
    amap_app = "amapuri://route/plan/?" + urlencode(
        {
            "sourceApplication": "gonghui",
            "dlat": f"{g_lat:.6f}",
            "dlon": f"{g_lng:.6f}",
            "dname": name,
            "dev": 0,
            "t": 0,
        }
    )
    amap_web = "https://uri.amap.com/navigation?" + urlencode(
        {
            "to": f"{g_lng:.6f},{g_lat:.6f},{name}",
            "mode": "walk",
            "coordinate": "gaode",
            "callnative": 1,
            "src": "gonghui",
        }
    )
    baidu_app = "baidumap://map/direction?" + urlencode(
        {
            "destination": f"latlng:{g_lat:.6f},{g_lng:.6f}|name:{name}",
            "coord_type": "gcj02",
            "mode": "walking",
            "src": "gonghui",
        },
        quote_via=quote,
        safe=":,|",
    )
    baidu_web = "https://api.map.baidu.com/marker?" + urlencode(
        {
            "location": f"{g_lat:.6f},{g_lng:.6f}",
            "title": name,
            "content": station.address,
            "output": "html",
            "coord_type": "gcj02",
            "src": "gonghui",
        }
    )
    return {
        "gcj02": (g_lng, g_lat),
        "amap_app": amap_app,
        "amap_web": amap_web,
        "baidu_app": baidu_app,
        "baidu_web": baidu_web,
    }


def station_summary(station: Station, *, at: datetime | None = None) -> dict:
    ratings = station.ratings.aggregate(avg=Avg("score"), n=Count("id"))
    return {
        "open_now": is_open_now(station, at),
        "rating": round(ratings["avg"], 1) if ratings["avg"] is not None else None,
        "ratings": ratings["n"],
        "amenity_labels": [str(AMENITY_LABEL[k]) for k in station.amenities],
    }


def upcoming_sessions(
    *, station: Station | None = None, station_ids=None, today: date | None = None, limit: int = 50
):
    today = today or timezone.localdate()
    qs = ServiceSession.objects.filter(cancelled=False, date__gte=today).select_related("station")
    if station is not None:
        qs = qs.filter(station=station)
    if station_ids is not None:
        qs = qs.filter(station_id__in=list(station_ids))
    return list(qs.order_by("date", "id")[:limit])


def slots_with_places(session: ServiceSession) -> list[dict]:
    slots = session.slots.annotate(taken=Count("signups", filter=Q(signups__status=SignUpStatus.ACTIVE)))
    return [
        {
            "id": s.id,
            "starts": s.starts,
            "ends": s.ends,
            "capacity": s.capacity,
            "taken": s.taken,
            "left": max(0, s.capacity - s.taken),
        }
        for s in slots
    ]


def screen_figures(station: Station, *, now: datetime | None = None) -> dict:
    """For the wall display: all visits, the last seven days, and who comes (occupation mix)."""
    now = now or timezone.now()
    visits = Visit.objects.filter(station=station)
    mix = list(visits.values("occupation").annotate(n=Count("id")).order_by("-n"))
    total = sum(row["n"] for row in mix)
    labels = dict(Occupation.choices)
    return {
        "total": total,
        "last7": visits.filter(visited_at__gte=now - timedelta(days=7)).count(),
        "today": visits.filter(visited_at__date=timezone.localdate(now)).count(),
        "mix": [
            {
                "occupation": row["occupation"],
                "label": str(labels.get(row["occupation"], row["occupation"])),
                "count": row["n"],
                "share": round(100 * row["n"] / total) if total else 0,
            }
            for row in mix
        ],
    }


# --- staff and managers -----------------------------------------------------------------------------------------


def stations_for(actor: Actor, *, q: str = "", status: str = ""):
    qs = scoped(Station, actor).select_related("region", "manager")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(address__icontains=q))
    if status:
        qs = qs.filter(status=status)
    return qs


def complaints_for(actor: Actor, *, status: str = "", open_only: bool = False):
    qs = scoped(Complaint, actor).select_related("station", "station__region")
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.exclude(status=ComplaintStatus.RESOLVED)
    return qs.order_by("deadline_at")


def restock_alerts(actor: Actor, *, today: date | None = None, within_days: int = 30):
    """Consumables that are expired, expire soon, or run low."""
    today = today or timezone.localdate()
    qs = scoped(Consumable, actor).select_related("station__manager")
    qs = qs.filter(Q(expires_on__lte=today + timedelta(days=within_days)) | Q(quantity__lt=F("min_quantity")))
    rows = []
    for item in qs.order_by(F("expires_on").asc(nulls_last=True), "station__code", "name"):
        reasons = []
        if item.expires_on and item.expires_on < today:
            reasons.append("expired")
        elif item.expires_on and item.expires_on <= today + timedelta(days=within_days):
            reasons.append("expiring")
        if item.quantity < item.min_quantity:
            reasons.append("low")
        rows.append({"item": item, "reasons": reasons})
    return rows


def sessions_for(actor: Actor):
    return scoped(ServiceSession, actor).select_related("station")


def beneficiaries(session: ServiceSession) -> int:
    return session.checkins.filter(result=CheckInResult.OK).count()


def slot_for(slot_id: int):
    return SessionSlot.objects.select_related("session__station").filter(pk=slot_id).first()
