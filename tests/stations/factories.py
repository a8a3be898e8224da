from datetime import time

import factory

from gonghui.accounts.models import Role, RoleAssignment
from gonghui.stations.models import AMENITY_BIT, OpeningHours, Station, StationType
from tests.factories import UserFactory

# 杭州市上城区 has towns 330102xxx; coordinates near West Lake (WGS-84).
TOWN = "330102001"
HZ_LNG, HZ_LAT = 120.1690, 30.2430


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    code = factory.Sequence(lambda n: f"ZJ-T{n:05d}")
    name = factory.Sequence(lambda n: f"测试驿站{n}")
    station_type = StationType.FIXED
    region_id = TOWN
    address = "杭州市上城区测试路1号"
    lng_wgs84 = HZ_LNG
    lat_wgs84 = HZ_LAT
    amenity_bits = AMENITY_BIT["water"] | AMENITY_BIT["charging"]


def with_hours(station, opens=time(8, 0), closes=time(20, 0), days=range(7)):
    OpeningHours.objects.bulk_create(
        [OpeningHours(station=station, weekday=d, opens=opens, closes=closes) for d in days]
    )
    return station


def manager_user(**kwargs):
    user = UserFactory(**kwargs)
    RoleAssignment.objects.create(user=user, role=Role.STATION_MANAGER)
    return user
