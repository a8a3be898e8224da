"""Outdoor workers on a phone: find the nearest open station with a microwave, the navigation links, a door QR
visit, and a complaint that reaches the station manager and is resolved."""

import io
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone
from PIL import Image

from gonghui.stations import geo
from gonghui.stations.models import AMENITY_BIT, Complaint, HoursOverride, Visit
from tests.stations.factories import StationFactory, manager_user

pytestmark = pytest.mark.django_db(transaction=True)

HERE = {"longitude": 120.1690, "latitude": 30.2430}  # WGS-84, as the browser reports it


def test_find_nearest_station_open_now_with_a_microwave(phone_page, live_server):
    # Nearest: no microwave. Next: microwave but closed today. Then: the one we want. Farther: another match.
    StationFactory(name="最近但无微波炉", lng_wgs84=120.1692, lat_wgs84=30.2431, open_24h=True)
    closed = StationFactory(
        name="有微波炉但今天闭站",
        lng_wgs84=120.1700,
        lat_wgs84=30.2435,
        open_24h=True,
        amenity_bits=AMENITY_BIT["microwave"],
    )
    HoursOverride.objects.create(station=closed, date=timezone.localdate(), closed=True)
    wanted = StationFactory(
        name="开放且有微波炉",
        lng_wgs84=120.1750,
        lat_wgs84=30.2460,
        open_24h=True,
        amenity_bits=AMENITY_BIT["microwave"] | AMENITY_BIT["water"],
    )
    StationFactory(
        name="更远的",
        lng_wgs84=120.2100,
        lat_wgs84=30.2700,
        open_24h=True,
        amenity_bits=AMENITY_BIT["microwave"],
    )
    page = phone_page
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation(HERE)
    page.goto(live_server.url + "/stations/")
    page.check("[data-test=open-now]")
    page.check("[data-test=amenity-microwave]")
    page.click("[data-test=locate]")
    page.wait_for_selector("[data-test=result]")
    codes = page.locator("[data-test=result]").evaluate_all("els => els.map(e => e.dataset.code)")
    assert codes[0] == wanted.code
    assert closed.code not in codes and len(codes) == 2
    first = page.locator("[data-test=result]").first.inner_text()
    assert "开放中" in first or "24小时" in first
    page.wait_for_selector("#station-map[data-drawn]")

    # The station page: navigation links carry GCJ-02 coordinates for the Chinese map apps.
    page.locator("[data-test=result] a").first.click()
    page.wait_for_selector("[data-test=nav-amap]")
    g_lng, g_lat = geo.wgs84_to_gcj02(wanted.lng_wgs84, wanted.lat_wgs84)
    amap = urlparse(page.get_attribute("[data-test=nav-amap]", "href"))
    assert (amap.scheme, amap.netloc, amap.path) == ("https", "uri.amap.com", "/navigation")
    assert parse_qs(amap.query)["to"] == [f"{g_lng:.6f},{g_lat:.6f},开放且有微波炉"]
    baidu = urlparse(page.get_attribute("[data-test=nav-baidu]", "href"))
    assert (baidu.netloc, parse_qs(baidu.query)["location"], parse_qs(baidu.query)["coord_type"]) == (
        "api.map.baidu.com",
        [f"{g_lat:.6f},{g_lng:.6f}"],
        ["gcj02"],
    )
    amap_app = urlparse(page.get_attribute("[data-test=nav-amap-app]", "href"))
    assert amap_app.scheme == "amapuri" and parse_qs(amap_app.query)["dlat"] == [f"{g_lat:.6f}"]
    assert parse_qs(amap_app.query)["dev"] == ["0"]  # 0 = the coordinates are already GCJ-02
    baidu_app = page.get_attribute("[data-test=nav-baidu-app]", "href")
    assert baidu_app.startswith("baidumap://map/direction?") and "coord_type=gcj02" in baidu_app


def test_scan_door_qr_and_record_a_visit(phone_page, live_server):
    station = StationFactory(name="湖滨驿站")
    page = phone_page
    page.goto(f"{live_server.url}/stations/door/{station.door_token}/")
    page.fill("#phone", "13912345678")
    page.select_option("#occupation", "delivery_rider")
    page.click("[data-test=visit-phone]")
    page.wait_for_selector("[data-test=visit-ok]")
    visit = Visit.objects.get()
    assert (visit.station_id, visit.occupation, visit.method) == (station.pk, "delivery_rider", "phone")
    # Scanning again within the hour: the phone is remembered, and the second visit is refused.
    page.goto(f"{live_server.url}/stations/door/{station.door_token}/")
    page.click("[data-test=visit-device]")
    page.wait_for_selector("[data-test=errors]")
    assert "一小时内已在本站登记过" in page.inner_text("[data-test=errors]")
    assert Visit.objects.count() == 1


def test_complaint_reaches_the_manager_and_is_resolved(phone_page, page, live_server, login_as):
    manager = manager_user(name="周站长")
    station = StationFactory(name="湖滨驿站", manager=manager)
    worker = phone_page
    worker.goto(f"{live_server.url}/stations/s/{station.code}/")
    worker.click("[data-test=complain]")
    worker.select_option("#category", "expired_medicine")
    worker.fill("#description", "药箱里的藿香正气水过期了")
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 120, 10)).save(buf, "JPEG")
    worker.set_input_files(
        "#photo", files=[{"name": "medicine.jpg", "mimeType": "image/jpeg", "buffer": buf.getvalue()}]
    )
    worker.click("[data-test=submit-complaint]")
    worker.wait_for_selector("[data-test=complaint-status]")
    assert worker.get_attribute("[data-test=complaint-status]", "data-status") == "open"
    follow_url = worker.url
    complaint = Complaint.objects.get()
    assert complaint.photo.name.endswith(".jpg")

    login_as(page, manager, "station_manager")
    page.goto(f"{live_server.url}/stations/manage/")
    page.click("[data-test=complaint-link]")
    assert "藿香正气水过期了" in page.inner_text("[data-test=description]")
    page.fill("#resolution", "已更换全部过期药品")
    page.click("[data-test=resolve]")
    page.wait_for_selector("[data-test=resolution]")

    worker.goto(follow_url)
    assert worker.get_attribute("[data-test=complaint-status]", "data-status") == "resolved"
    assert "已更换全部过期药品" in worker.inner_text("[data-test=resolution]")
