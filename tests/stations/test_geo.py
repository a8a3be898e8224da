import pytest

from gonghui.stations import geo


def test_wgs84_to_gcj02_matches_the_published_reference_value():
    # Reference: gcoord's test suite (WGS84 [123, 45] -> GCJ02 [123.00607541, 45.00197815]).
    lng, lat = geo.wgs84_to_gcj02(123.0, 45.0)
    assert lng == pytest.approx(123.00607541, abs=1e-7)
    assert lat == pytest.approx(45.00197815, abs=1e-7)


@pytest.mark.parametrize("lng,lat", [(120.1690, 30.2430), (122.2070, 29.9853), (119.6, 27.9), (118.1, 29.1)])
def test_gcj02_round_trip_in_zhejiang_is_exact_to_a_centimetre(lng, lat):
    g_lng, g_lat = geo.wgs84_to_gcj02(lng, lat)
    # The offset in Zhejiang is hundreds of metres, never zero and never kilometres.
    offset = geo.haversine_m(lng, lat, g_lng, g_lat)
    assert 100 < offset < 1000
    back = geo.gcj02_to_wgs84(g_lng, g_lat)
    assert geo.haversine_m(lng, lat, *back) < 0.01


def test_outside_china_is_unchanged():
    assert geo.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert geo.gcj02_to_wgs84(151.2, -33.9) == (151.2, -33.9)


@pytest.mark.parametrize("lng,lat", [(2.35, 48.85), (200, 30), ("abc", 30), (float("nan"), 30), (120, 60)])
def test_points_outside_china_are_refused(lng, lat):
    with pytest.raises(geo.CoordinateError):
        geo.check_in_china(lng, lat)


def test_haversine_one_degree_of_latitude():
    assert geo.haversine_m(120, 30, 120, 31) == pytest.approx(111_195, abs=5)


def test_travel_minutes_apply_detour_and_speeds():
    # 1,000 m straight -> 1,300 m of street: 18 min walking at 75 m/min, 6 min riding at 250 m/min.
    assert geo.travel_minutes(1000) == {"walk_min": 18, "ride_min": 6}
    assert geo.travel_minutes(0) == {"walk_min": 1, "ride_min": 1}
