"""Demo stations. At province scale the seed's 2025 figures come out of these records through figures.py:
1,595 stations renovated in 2025, 111 of them open 24 hours; 2,696 special service sessions with 263,000
check-ins (person-visits). Everything is bulk-created; only the demo manager's account goes through create_user.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from gonghui.accounts.models import Role, RoleAssignment, User
from gonghui.core.demodata import DEMO_PASSWORD
from gonghui.core.pii import encrypt, lookup_hash
from gonghui.orgs.models import Occupation, Organisation, OrgLevel
from gonghui.regions.models import Region, RegionLevel
from gonghui.stations.models import (
    AMENITY_BIT,
    BASIC_KIT,
    COMPLAINT_DEADLINE_HOURS,
    CheckIn,
    Complaint,
    ComplaintCategory,
    ComplaintStatus,
    Consumable,
    HoursOverride,
    Inspection,
    OpeningHours,
    Rating,
    Relocation,
    ServiceDay,
    ServiceSession,
    SessionKind,
    SessionSlot,
    Station,
    StationType,
    Visit,
    Visitor,
    new_token,
)
from gonghui.stations.services import inspection_score

MANAGER_PHONE = "13800000050"
DEMO_COUNTY = "330127"  # 淳安, where the other demo accounts live


def targets(ctx) -> dict:
    return {
        "stations": ctx.pick(300, 6200),
        "renovated": ctx.pick(120, 1595),
        "renovated_24h": ctx.pick(9, 111),
        "other_24h": ctx.pick(6, 120),
        "sessions": ctx.pick(24, 2696),
        "checkins": ctx.pick(1800, 263_000),
        "visitors": ctx.pick(1500, 20_000),
        "visits": ctx.pick(4000, 60_000),
        "complaints": ctx.pick(40, 900),
    }


HOURS_PATTERNS = [  # (weight, weekdays, opens, closes)
    (55, range(7), time(8), time(20)),
    (15, range(5), time(9), time(17)),  # weekday-only: a known complaint, kept so the filter has work to do
    (20, range(7), time(7), time(22)),
    (10, range(7), time(18), time(6)),  # overnight, for night-shift riders
]
SESSION_TITLES = {
    SessionKind.HAIRCUT: "户外劳动者服务日·义务理发",
    SessionKind.CLINIC: "健康义诊进驿站",
    SessionKind.TRAFFIC_SAFETY: "骑手交通安全课",
    SessionKind.LEGAL: "法律咨询进驿站",
    SessionKind.HEAT_RELIEF: "夏送清凉",
}


def _aware(d: date, t: time) -> datetime:
    return datetime.combine(d, t, timezone.get_current_timezone())


def _split(total: int, parts: int, rng: random.Random, cap: int) -> list[int]:
    """``total`` split into ``parts`` positive counts, none above ``cap``, summing exactly to ``total``."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    scale = total / sum(weights)
    counts = [max(1, min(cap, int(w * scale))) for w in weights]
    i = 0
    while sum(counts) != total:
        diff = total - sum(counts)
        j = i % parts
        if diff > 0 and counts[j] < cap:
            counts[j] += 1
        elif diff < 0 and counts[j] > 1:
            counts[j] -= 1
        i += 1
    return counts


def _insert_rows(model, fields: list[str], rows) -> None:
    """Plain INSERTs (COPY on PostgreSQL) for the big tables: the ORM's per-object work would dominate the build."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in fields)
    rows = list(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        for start in range(0, len(rows), 20000):
            cursor.executemany(sql, rows[start : start + 20000])


def build(ctx):
    rng = ctx.rng("stations")
    goal = targets(ctx)
    counties = list(Region.objects.filter(level=RegionLevel.COUNTY))
    towns_by_county: dict[str, list[str]] = {}
    for code, parent in Region.objects.filter(level=RegionLevel.TOWN).values_list("code", "parent_id"):
        towns_by_county.setdefault(parent, []).append(code)
    county_by_code = {c.code: c for c in counties}

    # --- stations ----------------------------------------------------------------------------------------------
    n = goal["stations"]
    renovated_idx = set(rng.sample(range(n), goal["renovated"]))
    renovated_24h = set(rng.sample(sorted(renovated_idx), goal["renovated_24h"]))
    others = [i for i in range(n) if i not in renovated_idx]
    other_24h = set(rng.sample(others, goal["other_24h"]))
    zhoushan = [c for c in counties if c.code.startswith("3309")]
    stations, hours = [], []
    for i in range(n):
        county = rng.choice(zhoushan) if i < ctx.pick(6, 40) else rng.choice(counties)
        if i < 3:
            county = county_by_code[DEMO_COUNTY]
        town = rng.choice(towns_by_county.get(county.code) or [county.code])
        open_24h = i in renovated_24h or i in other_24h
        if i < ctx.pick(6, 40) and i >= 3:
            stype = StationType.MOBILE
        elif open_24h:
            stype = StationType.SMART24 if rng.random() < 0.8 else StationType.PARTNER
        else:
            stype = StationType.PARTNER if rng.random() < 0.3 else StationType.FIXED
        bits = 0
        for key in BASIC_KIT:
            if rng.random() < 0.85:
                bits |= AMENITY_BIT[key]
        for key in (
            "books",
            "battery_swap",
            "shower",
            "aed",
            "legal_kiosk",
            "psych_kiosk",
            "toilet",
            "cooling",
        ):
            if rng.random() < 0.2:
                bits |= AMENITY_BIT[key]
        if i < 3:
            bits |= AMENITY_BIT["microwave"]
        renovated = i in renovated_idx
        stations.append(
            Station(
                code=f"ZJ-{county.code}-{i + 1:05d}",
                name=f"{county.name}{'移动' if stype == StationType.MOBILE else ''}户外劳动者服务站{i + 1:04d}号",
                station_type=stype,
                region_id=town,
                address=f"{county.name}第{rng.randint(1, 300)}路{rng.randint(1, 999)}号",
                host_name=rng.choice(["", "农商银行网点", "连锁超市", "加油站", "邮政网点", "社区服务中心"])
                if stype == StationType.PARTNER
                else "",
                lng_wgs84=round(county.lng + rng.uniform(-0.08, 0.08), 6),
                lat_wgs84=round(county.lat + rng.uniform(-0.06, 0.06), 6),
                open_24h=open_24h,
                amenity_bits=bits,
                star_level=rng.choices([2, 3, 4, 5], [10, 45, 35, 10])[0],
                year_renovated=2025 if renovated else rng.choice([None, 2023, 2024, 2024]),
                subsidy_yuan=Decimal(rng.choice([10000, 20000, 30000, 50000])) if renovated else Decimal(0),
                contact_phone=f"0571-{rng.randint(10000000, 99999999)}",
                door_token=new_token(),
            )
        )
    Station.objects.bulk_create(stations, batch_size=2000)
    stations = list(Station.objects.order_by("id"))
    adapt_time = connection.ops.adapt_timefield_value
    for st in stations:
        if st.open_24h:
            continue
        _w, days, opens, closes = rng.choices(HOURS_PATTERNS, [p[0] for p in HOURS_PATTERNS])[0]
        hours += [(st.pk, d, adapt_time(opens), adapt_time(closes)) for d in days]
    _insert_rows(OpeningHours, ["station", "weekday", "opens", "closes"], hours)
    # Spring Festival: a tenth of the stations close on New Year's Eve.
    HoursOverride.objects.bulk_create(
        [
            HoursOverride(station=st, date=date(2026, 2, 16), closed=True, note="除夕闭站")
            for st in rng.sample(stations, n // 10)
        ]
    )

    # --- the demo manager -----------------------------------------------------------------------------------
    manager = User.objects.create_user(MANAGER_PHONE, DEMO_PASSWORD, name="周站长")
    RoleAssignment.objects.create(user=manager, role=Role.STATION_MANAGER)
    managed = stations[:3]
    Station.objects.filter(pk__in=[s.pk for s in managed]).update(manager=manager)
    ctx.account(Role.STATION_MANAGER, MANAGER_PHONE, manager.name, "、".join(s.name for s in managed))

    # --- visitors and visits -----------------------------------------------------------------------------------
    outdoor = [
        Occupation.DELIVERY_RIDER,
        Occupation.COURIER,
        Occupation.SANITATION,
        Occupation.CONSTRUCTION,
        Occupation.RIDE_HAILING,
        Occupation.TRUCK_DRIVER,
        Occupation.DOMESTIC,
        Occupation.OTHER,
    ]
    weights = [26, 20, 18, 12, 8, 6, 4, 6]
    phones = set()
    visitors = []
    adapt = connection.ops.adapt_datetimefield_value
    created = timezone.now()
    while len(visitors) < goal["visitors"]:
        phone = f"15{rng.randint(0, 999_999_999):09d}"
        if phone in phones:
            continue
        phones.add(phone)
        visitors.append(
            (encrypt(phone), lookup_hash(phone), rng.choices(outdoor, weights)[0], adapt(created))
        )
    _insert_rows(Visitor, ["phone_cipher", "phone_hash", "occupation", "created_at"], visitors)
    visitor_rows = list(Visitor.objects.values_list("id", "occupation"))
    year_start = _aware(date(2025, 1, 1), time(0))
    adapt = connection.ops.adapt_datetimefield_value
    visits = []
    for _ in range(goal["visits"]):
        vid, occ = rng.choice(visitor_rows)
        st = stations[int(rng.paretovariate(1.2)) % n]
        at = year_start + timedelta(minutes=rng.randrange(365 * 24 * 60))
        visits.append((st.pk, vid, occ, rng.choice(["phone", "device", "phone"]), adapt(at)))
    _insert_rows(Visit, ["station", "visitor", "occupation", "method", "visited_at"], visits)
    now = timezone.now()
    Visit.objects.bulk_create(
        [  # the demo station's wall screen shows a live week
            Visit(
                station=managed[0],
                visitor_id=vid,
                occupation=occ,
                method="phone",
                visited_at=now - timedelta(minutes=rng.randrange(7 * 24 * 60)),
            )
            for vid, occ in rng.sample(visitor_rows, ctx.pick(60, 180))
        ]
    )

    # --- service sessions in 2025 with their check-ins -----------------------------------------------------------
    kinds = list(SESSION_TITLES)
    sessions = []
    for i in range(goal["sessions"]):
        st = rng.choice(stations)
        day = date(2025, 1, 1) + timedelta(days=rng.randrange(365))
        kind = kinds[i % len(kinds)]
        sessions.append(
            ServiceSession(
                station=st, region_id=st.region_id, kind=kind, title=SESSION_TITLES[kind], date=day
            )
        )
    ServiceSession.objects.bulk_create(sessions, batch_size=2000)
    sessions = list(ServiceSession.objects.filter(date__year=2025).order_by("id"))
    SessionSlot.objects.bulk_create(
        [SessionSlot(session=s, starts=time(9), ends=time(11, 30), capacity=200) for s in sessions]
        + [SessionSlot(session=s, starts=time(14), ends=time(16, 30), capacity=200) for s in sessions],
        batch_size=5000,
    )
    first_slot = dict(
        SessionSlot.objects.filter(session__in=sessions, starts=time(9)).values_list("session_id", "id")
    )
    visitor_ids = [vid for vid, _occ in visitor_rows]
    counts = _split(goal["checkins"], len(sessions), rng, cap=min(400, len(visitor_ids)))
    rows = []
    for session, count in zip(sessions, counts, strict=True):
        at = adapt(_aware(session.date, time(9, 30)))
        slot = first_slot[session.pk]
        rows += [(session.pk, slot, vid, "ok", at) for vid in rng.sample(visitor_ids, count)]
    _insert_rows(CheckIn, ["session", "slot", "visitor", "result", "checked_in_at"], rows)

    # A monthly service day (the 15th) at the demo station, with its upcoming sessions and places.
    today = timezone.localdate()
    service_day = ServiceDay.objects.create(
        station=managed[0],
        kind=SessionKind.HAIRCUT,
        title="户外劳动者服务日·义务理发",
        day_of_month=15,
        slot_times=[["09:00", "10:00"], ["10:00", "11:00"]],
        capacity_per_slot=10,
    )
    year, month = today.year, today.month
    for _i in range(3):
        day = date(year, month, 15)
        if day >= today:
            upcoming = ServiceSession.objects.create(
                station=managed[0],
                region_id=managed[0].region_id,
                kind=SessionKind.HAIRCUT,
                title=service_day.title,
                date=day,
                service_day=service_day,
            )
            SessionSlot.objects.bulk_create(
                [
                    SessionSlot(session=upcoming, starts=time(9), ends=time(10), capacity=10),
                    SessionSlot(session=upcoming, starts=time(10), ends=time(11), capacity=10),
                ]
            )
        month += 1
        if month == 13:
            year, month = year + 1, 1
    clinic = ServiceSession.objects.create(
        station=managed[1],
        region_id=managed[1].region_id,
        kind=SessionKind.CLINIC,
        title=SESSION_TITLES[SessionKind.CLINIC],
        date=today + timedelta(days=2),
    )
    SessionSlot.objects.create(session=clinic, starts=time(14), ends=time(16), capacity=30)

    # --- ratings, complaints, inspections, consumables, relocations -----------------------------------------------
    Rating.objects.bulk_create(
        [
            Rating(
                station=rng.choice(stations),
                visitor_id=rng.choice(visitor_ids),
                score=rng.choices([1, 2, 3, 4, 5], [3, 5, 15, 40, 37])[0],
            )
            for _ in range(ctx.pick(300, 8000))
        ],
        batch_size=5000,
    )
    county_union = dict(Organisation.objects.filter(level=OrgLevel.COUNTY).values_list("region_id", "id"))
    complaints = []
    categories = list(ComplaintCategory.values)
    for _ in range(goal["complaints"]):
        st = rng.choice(stations)
        created = year_start + timedelta(minutes=rng.randrange(360 * 24 * 60))
        c = Complaint(
            station=st,
            visitor_id=rng.choice(visitor_ids),
            category=rng.choice(categories),
            description="演示投诉：站点问题",
            created_at=created,
            deadline_at=created + timedelta(hours=COMPLAINT_DEADLINE_HOURS),
            follow_token=new_token(),
        )
        late = rng.random() < 0.1
        c.status = ComplaintStatus.RESOLVED
        c.resolved_at = created + timedelta(hours=rng.uniform(60, 120) if late else rng.uniform(2, 40))
        c.resolution = "已整改"
        if late:
            c.escalated_at = c.deadline_at
            c.escalated_to_id = county_union.get(st.region_id[:6])
        complaints.append(c)
    for st, category, text in [
        (managed[0], ComplaintCategory.EXPIRED_MEDICINE, "药箱里的藿香正气水过期了"),
        (managed[1], ComplaintCategory.LOCKED, "公示开放时间内锁门"),
    ]:
        complaints.append(
            Complaint(
                station=st,
                category=category,
                description=text,
                created_at=now - timedelta(hours=5),
                deadline_at=now + timedelta(hours=COMPLAINT_DEADLINE_HOURS - 5),
                follow_token=new_token(),
            )
        )
    Complaint.objects.bulk_create(complaints, batch_size=5000)
    inspections = []
    for st in rng.sample(stations, min(n, ctx.pick(100, 2500))):
        checklist = {k: rng.random() < 0.9 for k in BASIC_KIT}
        posted = rng.random() < 0.92
        inspections.append(
            Inspection(
                station=st,
                kind=rng.choice(["routine", "mystery"]),
                inspected_on=date(2025, rng.randint(1, 12), rng.randint(1, 28)),
                open_as_posted=posted,
                checklist=checklist,
                score=inspection_score(checklist, posted),
            )
        )
    Inspection.objects.bulk_create(inspections, batch_size=5000)
    Consumable.objects.bulk_create(
        [
            Consumable(
                station=managed[0],
                name="藿香正气水",
                quantity=6,
                min_quantity=4,
                expires_on=today - timedelta(days=3),
            ),
            Consumable(
                station=managed[0],
                name="创可贴",
                quantity=40,
                min_quantity=20,
                expires_on=today + timedelta(days=200),
            ),
            Consumable(station=managed[0], name="饮用水（箱）", quantity=1, min_quantity=5),
            Consumable(
                station=managed[1],
                name="降压药",
                quantity=3,
                min_quantity=2,
                expires_on=today + timedelta(days=12),
            ),
        ]
    )
    relocations = []
    for st in [s for s in stations if s.station_type == StationType.MOBILE]:
        started = _aware(date(2025, rng.randint(1, 10), rng.randint(1, 28)), time(8))
        moved = started + timedelta(hours=rng.choice([40, 48, 52]))
        relocations.append(
            Relocation(
                station=st,
                project=rng.choice(["甬舟铁路隧道工程", "跨海大桥桥墩施工", "码头扩建工程"]),
                from_address="原工地",
                to_address=st.address,
                to_region_id=st.region_id,
                to_lng_wgs84=st.lng_wgs84,
                to_lat_wgs84=st.lat_wgs84,
                move_started_at=started,
                moved_at=moved,
                ready_at=moved + timedelta(hours=rng.choice([60, 72, 72, 80])),
            )
        )
    Relocation.objects.bulk_create(relocations)
    ctx.shared["stations_managed"] = managed
