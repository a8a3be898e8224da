"""Records for roll-up tests: a few stations, visits, sessions and check-ins at known places and times."""

from datetime import date, datetime, time

from django.utils import timezone

from gonghui.stations.models import CheckIn, ServiceSession, SessionSlot, Visit, Visitor
from tests.stations.factories import StationFactory

TZ = timezone.get_current_timezone()
SHANGCHENG_TOWN = "330102001"  # 杭州市上城区
CHUNAN_TOWN = "330127"  # 淳安县 itself (a mountain county)
NINGBO_TOWN = "330203001"  # 宁波市海曙区


_phones = iter(range(13911110000, 13911119999))


def visitor() -> Visitor:
    v = Visitor(occupation="courier")
    v.phone = str(next(_phones))
    v.save()
    return v


def station(region_id=SHANGCHENG_TOWN, **kwargs):
    return StationFactory(region_id=region_id, **kwargs)


def visits(at_station, *moments: datetime):
    who = visitor()
    return Visit.objects.bulk_create(
        [
            Visit(station=at_station, visitor=who, occupation="courier", method="phone", visited_at=m)
            for m in moments
        ]
    )


def session_with_checkins(at_station, day: date, ok: int, failed: int = 0, cancelled=False):
    session = ServiceSession.objects.create(
        station=at_station,
        region_id=at_station.region_id,
        kind="haircut",
        title="理发",
        date=day,
        cancelled=cancelled,
    )
    slot = SessionSlot.objects.create(session=session, starts=time(9), ends=time(10), capacity=100)
    at = datetime.combine(day, time(9), TZ)
    CheckIn.objects.bulk_create([CheckIn(session=session, slot=slot, checked_in_at=at) for _ in range(ok)])
    CheckIn.objects.bulk_create(
        [CheckIn(session=session, slot=slot, checked_in_at=at, result="wrong_day") for _ in range(failed)]
    )
    return session


def at(y, m, d, h=10) -> datetime:
    return datetime(y, m, d, h, tzinfo=TZ)
