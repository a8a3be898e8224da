"""Coordinates with an explicit datum, and distances.

Browsers (navigator.geolocation) and GPS give WGS-84. Chinese map apps (高德/Amap, 腾讯) use GCJ-02, the offset datum
required by Chinese regulations; 百度 uses BD-09 but accepts GCJ-02 when told ``coord_type=gcj02``. We store station
coordinates in WGS-84 (``lng_wgs84``/``lat_wgs84``) and convert to GCJ-02 only when building links for those apps.

The WGS-84 → GCJ-02 transform is the published Krasovsky-ellipsoid formula used by every open implementation;
GCJ-02 → WGS-84 has no closed form, so it is inverted by fixed-point iteration to well under a centimetre.
"""

import math

EARTH_RADIUS_M = 6_371_008.8
_A = 6_378_245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared

# Mainland China's rough bounding box; outside it GCJ-02 equals WGS-84.
CHINA_LNG = (73.66, 135.05)
CHINA_LAT = (3.86, 53.55)


class CoordinateError(ValueError):
    pass


def in_china(lng: float, lat: float) -> bool:
    return CHINA_LNG[0] <= lng <= CHINA_LNG[1] and CHINA_LAT[0] <= lat <= CHINA_LAT[1]


def check_in_china(lng, lat) -> tuple[float, float]:
    """Validate a WGS-84 point; raises CoordinateError for non-numbers and points outside China."""
    try:
        lng, lat = float(lng), float(lat)
    except (TypeError, ValueError):
        raise CoordinateError("not a number") from None
    if not (math.isfinite(lng) and math.isfinite(lat)) or not in_china(lng, lat):
        raise CoordinateError("outside China")
    return lng, lat


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _offset(lng: float, lat: float) -> tuple[float, float]:
    d_lat = _transform_lat(lng - 105.0, lat - 35.0)
    d_lng = _transform_lng(lng - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lng = (d_lng * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lng, d_lat


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    if not in_china(lng, lat):
        return lng, lat
    d_lng, d_lat = _offset(lng, lat)
    return lng + d_lng, lat + d_lat


def gcj02_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    """Invert by iteration: start at the GCJ point, step by the residual until it vanishes."""
    if not in_china(lng, lat):
        return lng, lat
    w_lng, w_lat = lng, lat
    for _ in range(30):
        g_lng, g_lat = wgs84_to_gcj02(w_lng, w_lat)
        r_lng, r_lat = lng - g_lng, lat - g_lat
        w_lng, w_lat = w_lng + r_lng, w_lat + r_lat
        if abs(r_lng) < 1e-10 and abs(r_lat) < 1e-10:
            break
    return w_lng, w_lat


def haversine_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


# Travel estimates from straight-line distance: streets are not straight, so a detour factor applies.
DETOUR_FACTOR = 1.3
WALK_M_PER_MIN = 75  # 4.5 km/h
RIDE_M_PER_MIN = 250  # 15 km/h, an e-bike in town


def travel_minutes(distance_m: float) -> dict:
    route = distance_m * DETOUR_FACTOR
    return {
        "walk_min": max(1, math.ceil(route / WALK_M_PER_MIN)),
        "ride_min": max(1, math.ceil(route / RIDE_M_PER_MIN)),
    }
