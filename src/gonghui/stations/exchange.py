"""Import and export of the station registry: Excel both ways; CSV and GeoJSON points for map platforms.

GeoJSON (RFC 7946) is WGS-84 by definition; Chinese map platforms want GCJ-02, so ``datum="gcj02"`` converts and
says so in every feature's ``datum`` property. An import with one bad row imports nothing and reports every bad row.
"""

import csv
import io
import json
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from gonghui.core.actor import SYSTEM
from gonghui.core.audit import audited
from gonghui.stations import geo, services
from gonghui.stations.models import Station, amenity_keys

COLUMNS = [
    "code",
    "name",
    "station_type",
    "status",
    "region_code",
    "address",
    "lng",
    "lat",
    "open_24h",
    "amenities",
    "hours",
    "host_name",
    "star_level",
    "year_renovated",
    "subsidy_yuan",
    "contact_phone",
]
HEADERS = [
    "站点编码",
    "站点名称",
    "类型",
    "状态",
    "乡镇代码",
    "地址",
    "经度(WGS-84)",
    "纬度(WGS-84)",
    "24小时",
    "设施",
    "开放时间",
    "依托单位",
    "星级",
    "改造年份",
    "补助资金(元)",
    "联系电话",
]
WEEKDAYS = "一二三四五六日"


def hours_text(station) -> str:
    """ "一 08:00-20:00; 二 ..." — the spreadsheet form of the weekly hours."""
    return "; ".join(f"{WEEKDAYS[h.weekday]} {h.opens:%H:%M}-{h.closes:%H:%M}" for h in station.hours.all())


def parse_hours_text(text: str) -> list[dict]:
    rows = []
    for part in (text or "").replace("；", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        day, span = part.split()
        opens, closes = span.split("-")
        rows.append({"weekday": WEEKDAYS.index(day), "opens": opens, "closes": closes})
    return rows


def _row(station) -> list:
    return [
        station.code,
        station.name,
        station.station_type,
        station.status,
        station.region_id,
        station.address,
        station.lng_wgs84,
        station.lat_wgs84,
        "是" if station.open_24h else "否",
        ",".join(station.amenities),
        hours_text(station),
        station.host_name,
        station.star_level,
        station.year_renovated or "",
        float(station.subsidy_yuan),
        station.contact_phone,
    ]


def stations_to_xlsx(stations) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "stations"
    ws.append(HEADERS)
    ws.append(COLUMNS)  # machine-readable keys on the second row, so an exported sheet imports back as is
    for station in stations:
        ws.append(_row(station))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _point(station, datum: str) -> tuple[float, float]:
    if datum == "gcj02":
        return geo.wgs84_to_gcj02(station.lng_wgs84, station.lat_wgs84)
    return station.lng_wgs84, station.lat_wgs84


def stations_to_csv(stations, *, datum: str = "wgs84") -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "name", "type", "address", "lng", "lat", "datum", "open_24h", "amenities"])
    for s in stations:
        lng, lat = _point(s, datum)
        writer.writerow(
            [
                s.code,
                s.name,
                s.station_type,
                s.address,
                f"{lng:.6f}",
                f"{lat:.6f}",
                "GCJ-02" if datum == "gcj02" else "WGS-84",
                int(s.open_24h),
                "|".join(s.amenities),
            ]
        )
    return "\ufeff" + out.getvalue()  # BOM so that Excel opens the Chinese text correctly


def stations_to_geojson(stations, *, datum: str = "wgs84") -> str:
    features = []
    for s in stations:
        lng, lat = _point(s, datum)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lng, 6), round(lat, 6)]},
                "properties": {
                    "code": s.code,
                    "name": s.name,
                    "type": s.station_type,
                    "address": s.address,
                    "open_24h": s.open_24h,
                    "amenities": amenity_keys(s.amenity_bits),
                    "star_level": s.star_level,
                    "datum": "GCJ-02" if datum == "gcj02" else "WGS-84",
                },
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


@dataclass
class ImportReport:
    created: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell_data(values: dict) -> dict:
    data = {k: values.get(k) for k in COLUMNS if k not in ("amenities", "hours", "open_24h")}
    data["amenities"] = [a.strip() for a in str(values.get("amenities") or "").split(",") if a.strip()]
    data["hours"] = parse_hours_text(str(values.get("hours") or ""))
    data["open_24h"] = str(values.get("open_24h") or "").strip() in ("是", "1", "true", "True", "yes")
    data["station_type"] = data.get("station_type") or "fixed"
    data["status"] = data.get("status") or "active"
    for key in ("code", "region_code"):
        if data.get(key) is not None:
            data[key] = str(data[key]).strip()
    return data


def stations_import(*, actor, upload) -> ImportReport:
    """All rows or none: every row is validated first; any error means nothing is written."""
    report = ImportReport()
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
        rows = list(wb.active.iter_rows(values_only=True))
    except Exception:
        report.errors.append((0, _("无法读取Excel文件。")))
        return report
    if len(rows) < 2 or list(rows[1][: len(COLUMNS)]) != COLUMNS:
        report.errors.append((2, _("第二行应为字段名：%(cols)s") % {"cols": ",".join(COLUMNS)}))
        return report
    parsed = []
    codes = set()
    for number, row in enumerate(rows[2:], start=3):
        if not any(v not in (None, "") for v in row):
            continue
        values = dict(zip(COLUMNS, row, strict=False))
        try:
            data = _cell_data(values)
            cleaned = services.clean_station_data(data)
            if not (actor.role == SYSTEM or actor.covers(cleaned["region"].code)):
                raise ValidationError(_("不在本级工会管辖范围内。"))
            if cleaned["code"] in codes or Station.objects.filter(code=cleaned["code"]).exists():
                raise ValidationError(_("站点编码重复：%(code)s") % {"code": cleaned["code"]})
            codes.add(cleaned["code"])
            parsed.append(data)
        except (ValidationError, ValueError) as exc:
            messages = (
                exc.messages
                if isinstance(exc, ValidationError)
                else [_("开放时间格式应为“一 08:00-20:00; 二 …”。")]
            )
            report.errors.append((number, "；".join(messages)))
    if report.errors:
        return report
    try:
        with audited(actor, "station.import") as draft, transaction.atomic():
            for data in parsed:
                services.station_create(actor=actor, data=data)
            draft.changes = {"created": len(parsed)}
    except (ValidationError, PermissionDenied) as exc:
        report.errors.append((0, "；".join(getattr(exc, "messages", [str(exc)]))))
        return report
    report.created = len(parsed)
    return report
