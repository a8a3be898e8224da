import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from gonghui.orgs.models import OrgLevel
from gonghui.stations.models import AMENITY_BIT, Complaint, ServiceSession, SessionSlot, Station, Visit
from tests.factories import staff_user
from tests.stations.factories import StationFactory, manager_user

pytestmark = pytest.mark.django_db
API = "/api/v1/stations"


def login(client, user, role):
    from gonghui.core.middleware import ACTIVE_ROLE_SESSION_KEY

    client.force_login(user)
    session = client.session
    session[ACTIVE_ROLE_SESSION_KEY] = user.role_assignments.get(role=role).pk
    session.save()
    return client


def test_nearest_public(client):
    a = StationFactory(
        lng_wgs84=120.17, lat_wgs84=30.243, open_24h=True, amenity_bits=AMENITY_BIT["microwave"]
    )
    StationFactory(lng_wgs84=120.169, lat_wgs84=30.2431, open_24h=True)
    body = client.get(
        f"{API}/nearest", {"lng": 120.169, "lat": 30.243, "amenity": "microwave", "open_now": 1}
    ).json()
    assert [i["code"] for i in body["items"]] == [a.code]
    assert body["items"][0]["datum"] == "WGS-84" and body["items"][0]["walk_min"] == 2
    bad = client.get(f"{API}/nearest", {"lng": 2.35, "lat": 48.85})
    assert bad.status_code == 400 and "lng" in bad.json()["errors"]
    assert client.get(f"{API}/nearest", {"lng": 120, "lat": 30, "amenity": "spa"}).status_code == 400
    # A chosen town: the middle of its stations.
    by_town = client.get(f"{API}/nearest", {"town": a.region_id, "limit": 1}).json()
    assert by_town["count"] == 1 and by_town["origin_lat"] == pytest.approx((30.243 + 30.2431) / 2)


def test_public_station_visit_and_complaint_flow(client):
    manager = manager_user()
    station = StationFactory(manager=manager)
    detail = client.get(f"{API}/public/{station.code}").json()
    assert detail["navigation"]["amap_web"].startswith("https://uri.amap.com/navigation?")
    r = client.post(
        f"{API}/visits",
        {"door_token": station.door_token, "phone": "13912345678", "occupation": "courier"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["method"] == "phone"
    r = client.post(
        f"{API}/visits",
        {"door_token": station.door_token, "phone": "13912345678"},
        content_type="application/json",
    )
    assert r.status_code == 400 and Visit.objects.count() == 1
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, "JPEG")
    buf.seek(0)
    buf.name = "x.jpg"
    r = client.post(
        f"{API}/public/{station.code}/complaints",
        {"category": "broken", "description": "微波炉坏了", "photo": buf},
    )
    assert r.status_code == 200, r.content
    token = r.json()["follow_token"]
    login(client, manager, "station_manager")
    listed = client.get(f"{API}/complaints").json()
    assert listed["count"] == 1 and listed["items"][0]["region_code"] == station.region_id
    cid = listed["items"][0]["id"]
    assert (
        client.post(
            f"{API}/complaints/{cid}/resolve", {"resolution": "已修好"}, content_type="application/json"
        ).json()["status"]
        == "resolved"
    )
    client.logout()
    assert client.get(f"{API}/complaints/follow/{token}").json()["resolution"] == "已修好"


def test_scoping_404_and_role_refusals(client):
    inside = StationFactory()
    outside = StationFactory(region_id="330203001")
    login(client, staff_user("330102"), "staff")
    assert client.get(f"{API}/stations/{inside.pk}").status_code == 200
    assert client.get(f"{API}/stations/{outside.pk}").status_code == 404
    items = client.get(f"{API}/stations").json()["items"]
    assert [i["id"] for i in items] == [inside.pk] and items[0]["region_code"] == inside.region_id
    client.logout()
    assert client.get(f"{API}/stations").status_code == 401


def test_create_station_and_bad_hours(client):
    login(client, staff_user("330100", level=OrgLevel.CITY), "staff")
    data = {
        "code": "ZJ-NEW",
        "name": "新驿站",
        "region_code": "330102003",
        "address": "路",
        "lng": 120.16,
        "lat": 30.25,
        "amenities": ["microwave"],
        "hours": [{"weekday": 0, "opens": "20:00", "closes": "06:00"}],
    }
    r = client.post(f"{API}/stations", data, content_type="application/json")
    assert r.status_code == 201, r.content
    bad = dict(data, code="ZJ-BAD", hours=[{"weekday": 0, "opens": "09:00", "closes": "09:00"}])
    r = client.post(f"{API}/stations", bad, content_type="application/json")
    assert r.status_code == 400 and "hours" in r.json()["errors"]
    assert list(Station.objects.values_list("code", flat=True)) == ["ZJ-NEW"]


def test_signup_full_slot_is_a_clear_400(client):
    station = StationFactory()
    session = ServiceSession.objects.create(
        station=station,
        region_id=station.region_id,
        kind="clinic",
        title="义诊",
        date=timezone.localdate() + timedelta(days=1),
    )
    slot = SessionSlot.objects.create(session=session, starts="09:00", ends="10:00", capacity=1)
    ok = client.post(
        f"{API}/signups",
        {"slot_id": slot.pk, "phone": "13900000001", "occupation": "courier"},
        content_type="application/json",
    )
    assert ok.status_code == 200
    full = client.post(
        f"{API}/signups",
        {"slot_id": slot.pk, "phone": "13900000002", "occupation": "courier"},
        content_type="application/json",
    )
    assert full.status_code == 400 and "名额已满" in full.json()["detail"]
    upcoming = client.get(f"{API}/upcoming").json()
    assert upcoming[0]["slots"][0]["left"] == 0


def test_figures_for_staff_only(client):
    StationFactory(year_renovated=2025)
    login(client, staff_user("330102"), "staff")
    body = client.get(f"{API}/figures", {"year": 2025}).json()
    assert body["totals"]["renovated"] == 1 and body["rows"][0]["region_code"] == "330102"
    client.logout()
    manager = manager_user()
    login(client, manager, "station_manager")
    assert client.get(f"{API}/figures").status_code == 403
    assert Complaint.objects.count() == 0


def test_counter_visit_by_phone_and_refused_for_other_manager(client):
    manager = manager_user()
    station = StationFactory(manager=manager)
    login(client, manager, "station_manager")
    r = client.post(
        f"{API}/stations/{station.pk}/visits",
        {"phone": "13911112222", "occupation": "courier"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["method"] == "staff"
    login(client, manager_user(), "station_manager")
    r = client.post(
        f"{API}/stations/{station.pk}/visits",
        {"phone": "13911113333", "occupation": "courier"},
        content_type="application/json",
    )
    assert r.status_code == 404
    assert Visit.objects.count() == 1
