"""Parsing the finder's query (pages and API share it): WGS-84 point or a town, filters, limits."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Avg
from django.utils.translation import gettext as _

from gonghui.regions.models import Region
from gonghui.stations import geo
from gonghui.stations.models import Station, StationStatus, StationType, amenity_mask


@dataclass
class FinderQuery:
    lng: float
    lat: float
    amenity_bits: int = 0
    amenities: tuple = ()
    types: tuple = ()
    open_now: bool = False
    limit: int = 10
    radius_m: float | None = None


def town_point(code: str) -> tuple[float, float]:
    """A chosen town's point: the middle of its active stations, else its county's centre."""
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationError({"town": [_("未知的乡镇（街道）。")]})
    mid = Station.objects.filter(region=region, status=StationStatus.ACTIVE).aggregate(
        lng=Avg("lng_wgs84"), lat=Avg("lat_wgs84")
    )
    if mid["lng"] is not None:
        return mid["lng"], mid["lat"]
    county = Region.objects.filter(code=code[:6]).first()
    if county is None or county.lng is None:
        raise ValidationError({"town": [_("该乡镇暂无位置信息。")]})
    return county.lng, county.lat


def _flag(value) -> bool:
    return str(value or "").lower() in ("1", "true", "on", "yes")


def parse_finder_query(params) -> FinderQuery:
    getlist = params.getlist if hasattr(params, "getlist") else lambda k: params.get(k) or []
    if params.get("town"):
        lng, lat = town_point(params.get("town"))
    else:
        if params.get("lng") in (None, "") or params.get("lat") in (None, ""):
            raise ValidationError({"lng": [_("请允许定位，或选择所在乡镇（街道）。")]})
        try:
            lng, lat = geo.check_in_china(params.get("lng"), params.get("lat"))
        except geo.CoordinateError:
            raise ValidationError({"lng": [_("位置不在中国境内，请选择所在乡镇（街道）。")]}) from None
    amenities = tuple(a for a in getlist("amenity") if a)
    try:
        bits = amenity_mask(amenities)
    except ValueError as exc:
        raise ValidationError({"amenity": [_("未知的设施：%(key)s") % {"key": exc.args[0]}]}) from None
    types = tuple(t for t in getlist("type") if t)
    if any(t not in StationType.values for t in types):
        raise ValidationError({"type": [_("未知的站点类型。")]})
    try:
        limit = min(50, max(1, int(params.get("limit") or 10)))
        radius = float(params.get("radius_km")) * 1000 if params.get("radius_km") else None
    except (TypeError, ValueError):
        raise ValidationError({"limit": [_("数量或半径无效。")]}) from None
    return FinderQuery(
        lng=lng,
        lat=lat,
        amenity_bits=bits,
        amenities=amenities,
        types=types,
        open_now=_flag(params.get("open_now")),
        limit=limit,
        radius_m=radius,
    )
