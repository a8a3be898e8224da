import io
import json
from datetime import time
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gonghui.core.models import AuditEvent
from gonghui.orgs.models import Occupation
from gonghui.stations import geo
from gonghui.stations.exchange import stations_to_xlsx
from gonghui.stations.models import AMENITY_BIT, Complaint, Station, Visit
from tests.factories import staff_user
from tests.stations.factories import StationFactory, manager_user, with_hours

pytestmark = pytest.mark.django_db


def login(client, user, role):
    from gonghui.core.middleware import ACTIVE_ROLE_SESSION_KEY

    client.force_login(user)
    session = client.session
    session[ACTIVE_ROLE_SESSION_KEY] = user.role_assignments.get(role=role).pk
    session.save()
    return client


def test_finder_results_nearest_open_with_microwave(client):
    near_no_micro = StationFactory(name="近站", lng_wgs84=120.170, lat_wgs84=30.243, open_24h=True)
    far_micro = StationFactory(
        name="远站", lng_wgs84=120.200, lat_wgs84=30.260, open_24h=True, amenity_bits=AMENITY_BIT["microwave"]
    )
    StationFactory(name="关站", lng_wgs84=120.171, lat_wgs84=30.2431, amenity_bits=AMENITY_BIT["microwave"])
    response = client.get(
        reverse("stations:results"), {"lng": 120.169, "lat": 30.243, "amenity": "microwave", "open_now": "1"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert far_micro.name in body and near_no_micro.name not in body and "关站" not in body
    assert "约 4 公里 · 骑行约 19 分钟" in body  # 3.5 km: over an hour on foot, so only the ride is shown
    response = client.get(reverse("stations:results"), {"lng": 2.35, "lat": 48.85})
    assert "中国境内" in response.content.decode()


def test_station_page_navigation_links_use_gcj02(client):
    station = with_hours(StationFactory(name="湖滨驿站"))
    response = client.get(reverse("stations:station", args=[station.code]))
    assert response.status_code == 200
    html = response.content.decode()
    g_lng, g_lat = geo.wgs84_to_gcj02(station.lng_wgs84, station.lat_wgs84)
    amap = next(a for a in html.split('"') if a.startswith("https://uri.amap.com/navigation?"))
    params = parse_qs(urlparse(amap.replace("&amp;", "&")).query)
    assert params["to"] == [f"{g_lng:.6f},{g_lat:.6f},湖滨驿站"] and params["coordinate"] == ["gaode"]
    baidu = next(a for a in html.split('"') if a.startswith("https://api.map.baidu.com/marker?"))
    bparams = parse_qs(urlparse(baidu.replace("&amp;", "&")).query)
    assert bparams["location"] == [f"{g_lat:.6f},{g_lng:.6f}"] and bparams["coord_type"] == ["gcj02"]


def test_door_visit_then_device_visit_is_refused_within_the_hour(client):
    station = StationFactory()
    url = reverse("stations:door", args=[station.door_token])
    response = client.post(url, {"phone": "13912345678", "occupation": Occupation.COURIER})
    assert "登记成功" in response.content.decode()
    response = client.post(url, {"use_device": "1"})
    assert "一小时内已在本站登记过" in response.content.decode()
    assert Visit.objects.count() == 1


def test_complaint_page_rejects_non_image_and_records_nothing(client):
    station = StationFactory()
    fake = io.BytesIO(b"MZ this is an exe")
    fake.name = "photo.jpg"
    response = client.post(
        reverse("stations:complain", args=[station.code]),
        {"category": "broken", "description": "坏了", "photo": fake},
    )
    assert response.status_code == 200
    assert "JPEG、PNG 或 WebP" in response.content.decode()
    assert Complaint.objects.count() == 0


def test_manager_sees_and_resolves_complaint(client):
    manager = manager_user()
    station = StationFactory(manager=manager)
    client.post(
        reverse("stations:complain", args=[station.code]), {"category": "locked", "description": "锁门"}
    )
    complaint = Complaint.objects.get()
    login(client, manager, "station_manager")
    listing = client.get(reverse("stations:manage")).content.decode()
    assert f'href="/stations/manage/complaints/{complaint.pk}/"' in listing and "开放时间内锁门" in listing
    response = client.post(
        reverse("stations:manage_complaint", args=[complaint.pk]),
        {"action": "resolve", "resolution": "已开门"},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "resolved"
    follow = client.get(reverse("stations:complaint_follow", args=[complaint.follow_token])).content.decode()
    assert "已开门" in follow


def test_other_manager_gets_404_for_station_page(client):
    station = StationFactory(manager=manager_user())
    login(client, manager_user(), "station_manager")
    assert client.get(reverse("stations:manage_station", args=[station.pk])).status_code == 404
    assert AuditEvent.objects.filter(result="refused", action="station.view").count() == 1


def test_door_qr_is_a_printable_svg(client):
    manager = manager_user()
    station = StationFactory(manager=manager)
    login(client, manager, "station_manager")
    html = client.get(reverse("stations:door_qr", args=[station.pk])).content.decode()
    assert "<svg" in html and f"/stations/door/{station.door_token}/" in html


def test_screen_shows_totals(client):
    station = StationFactory()
    client.post(
        reverse("stations:door", args=[station.door_token]),
        {"phone": "13912345678", "occupation": Occupation.SANITATION},
    )
    html = client.get(reverse("stations:screen", args=[station.code])).content.decode()
    assert 'data-test="visits-total">1<' in html and "环卫工人 100%" in html


def test_export_formats_and_import_round_trip(client):
    staff = staff_user("330102")
    station = with_hours(
        StationFactory(code="ZJ-A1", amenity_bits=AMENITY_BIT["microwave"]), opens=time(20), closes=time(6)
    )
    login(client, staff, "staff")
    geojson = json.loads(client.get(reverse("stations:export", args=["geojson"]) + "?datum=gcj02").content)
    g = geo.wgs84_to_gcj02(station.lng_wgs84, station.lat_wgs84)
    assert geojson["features"][0]["geometry"]["coordinates"] == [round(g[0], 6), round(g[1], 6)]
    assert geojson["features"][0]["properties"]["datum"] == "GCJ-02"
    csv_text = client.get(reverse("stations:export", args=["csv"])).content.decode("utf-8-sig")
    assert csv_text.splitlines()[1].startswith("ZJ-A1,")
    # Export to Excel, change codes, import: two new stations with the same hours; a bad row imports nothing.
    wb = load_workbook(io.BytesIO(stations_to_xlsx(Station.objects.all())))
    ws = wb.active
    ws.cell(row=3, column=1, value="ZJ-B1")
    ws.append(
        [
            "ZJ-B2",
            "新站",
            "fixed",
            "active",
            "330102001",
            "路",
            120.2,
            30.2,
            "否",
            "water",
            "一 08:00-17:00",
            "",
            3,
            2025,
            1000,
            "",
        ]
    )
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "s.xlsx"
    client.post(reverse("stations:import"), {"file": buf})
    assert sorted(Station.objects.values_list("code", flat=True)) == ["ZJ-A1", "ZJ-B1", "ZJ-B2"]
    assert [(h.opens, h.closes) for h in Station.objects.get(code="ZJ-B1").hours.all()][0] == (
        time(20),
        time(6),
    )
    ws.cell(row=3, column=1, value="ZJ-C1")
    ws.cell(row=4, column=1, value="ZJ-C2")
    ws.cell(row=4, column=7, value=2.35)  # outside China
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "s.xlsx"
    html = client.post(reverse("stations:import"), {"file": buf}).content.decode()
    assert "第 4 行" in html
    assert Station.objects.count() == 3
