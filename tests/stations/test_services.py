from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gonghui.core.errors import ConflictError, ServiceError
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import Occupation, OrgLevel
from gonghui.stations import services
from gonghui.stations.models import (
    AMENITY_BIT,
    CheckIn,
    CheckInResult,
    Complaint,
    ComplaintStatus,
    HoursOverride,
    OpeningHours,
    SignUp,
    Station,
    StationStatus,
    StationType,
    Visit,
    Visitor,
)
from tests.factories import MemberFactory, OrganisationFactory, role_user, staff_user
from tests.stations.factories import StationFactory, manager_user

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()


def local(*args):
    return datetime(*args, tzinfo=TZ)


def station_data(**overrides):
    data = {
        "code": "ZJ-330102-0001",
        "name": "湖滨驿站",
        "station_type": "fixed",
        "region_code": "330102003",
        "address": "湖滨路1号",
        "lng": 120.165,
        "lat": 30.257,
        "amenities": ["microwave", "water"],
        "hours": [{"weekday": d, "opens": "08:00", "closes": "20:00"} for d in range(7)],
        "star_level": 3,
        "year_renovated": 2025,
        "subsidy_yuan": "20000",
    }
    data.update(overrides)
    return data


def refused(action):
    return AuditEvent.objects.filter(action=action, result="refused").count()


# --- registry -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who,allowed",
    [
        ("county_staff", True),
        ("province_staff", True),
        ("other_county_staff", False),
        ("manager", False),
        ("member", False),
    ],
)
def test_station_create_permission_by_role(who, allowed, actor_of):
    users = {
        "county_staff": lambda: (staff_user("330102"), "staff"),
        "province_staff": lambda: (staff_user("330000", level=OrgLevel.PROVINCE), "staff"),
        "other_county_staff": lambda: (staff_user("330127"), "staff"),
        "manager": lambda: (manager_user(), "station_manager"),
        "member": lambda: (role_user("member"), "member"),
    }
    user, role = users[who]()
    actor = actor_of(user, role)
    if allowed:
        station = services.station_create(actor=actor, data=station_data())
        assert station.amenity_bits == AMENITY_BIT["microwave"] | AMENITY_BIT["water"]
        assert OpeningHours.objects.filter(station=station).count() == 7
        assert AuditEvent.objects.filter(action="station.create", result="allowed").count() == 1
    else:
        with pytest.raises(PermissionDenied):
            services.station_create(actor=actor, data=station_data())
        assert Station.objects.count() == 0
        assert refused("station.create") == 1


@pytest.mark.parametrize(
    "bad,field",
    [
        ({"lng": 2.35, "lat": 48.85}, "lng"),
        ({"hours": [{"weekday": 0, "opens": "09:00", "closes": "09:00"}]}, "hours"),
        ({"amenities": ["jacuzzi"]}, "amenities"),
        ({"star_level": 6}, "star_level"),
        ({"region_code": "110101"}, "region_code"),
    ],
)
def test_station_create_bad_input_changes_nothing(bad, field, actor_of):
    actor = actor_of(staff_user("330102"), "staff")
    with pytest.raises(ValidationError) as exc:
        services.station_create(actor=actor, data=station_data(**bad))
    assert field in exc.value.message_dict
    assert Station.objects.count() == 0
    assert OpeningHours.objects.count() == 0


def test_manager_edits_hours_but_not_star_level(actor_of):
    manager = manager_user()
    station = StationFactory(manager=manager)
    actor = actor_of(manager, "station_manager")
    services.station_update(
        actor=actor, station=station, data={"hours": [{"weekday": 5, "opens": "20:00", "closes": "06:00"}]}
    )
    assert list(station.hours.values_list("weekday", "opens", "closes")) == [(5, time(20), time(6))]
    with pytest.raises(PermissionDenied):
        services.station_update(actor=actor, station=station, data={"star_level": 5})
    station.refresh_from_db()
    assert station.star_level == 3


def test_smart_station_is_open_around_the_clock(actor_of):
    actor = actor_of(staff_user("330102"), "staff")
    station = services.station_create(actor=actor, data=station_data(station_type="smart24", hours=[]))
    assert station.open_24h is True


# --- visits ----------------------------------------------------------------------------------------------------


def test_first_visit_needs_occupation_then_one_per_hour():
    station = StationFactory()
    anon = services.Actor.anonymous("10.0.0.1")
    now = local(2025, 12, 1, 10, 0)
    with pytest.raises(ValidationError):
        services.visit_record(actor=anon, door_token=station.door_token, phone="13912345678", now=now)
    assert Visitor.objects.count() == 0
    visit = services.visit_record(
        actor=anon,
        door_token=station.door_token,
        phone="13912345678",
        occupation=Occupation.DELIVERY_RIDER,
        now=now,
    )
    assert (visit.method, visit.occupation) == ("phone", Occupation.DELIVERY_RIDER)
    with pytest.raises(ConflictError):
        services.visit_record(
            actor=anon, door_token=station.door_token, phone="13912345678", now=now + timedelta(minutes=59)
        )
    assert Visit.objects.count() == 1
    assert refused("station.visit") == 2
    # Known phone, no occupation needed; an hour later it counts again.
    services.visit_record(
        actor=anon, door_token=station.door_token, phone="139 1234 5678", now=now + timedelta(minutes=61)
    )
    # Another station within the hour is a separate visit.
    other = StationFactory()
    services.visit_record(
        actor=anon, door_token=other.door_token, visitor_id=visit.visitor_id, now=now + timedelta(minutes=62)
    )
    assert Visit.objects.count() == 3
    assert Visitor.objects.count() == 1


def test_closed_station_and_unknown_qr_record_nothing():
    station = StationFactory(status=StationStatus.CLOSED)
    anon = services.Actor.anonymous()
    with pytest.raises(ServiceError):
        services.visit_record(
            actor=anon, door_token=station.door_token, phone="13912345678", occupation="courier"
        )
    with pytest.raises(ServiceError):
        services.visit_record(actor=anon, door_token="not-a-token", phone="13912345678", occupation="courier")
    assert Visit.objects.count() == 0 and Visitor.objects.count() == 0


def test_member_code_visit_through_the_plug_in(member_code_resolver):
    station = StationFactory()
    member = MemberFactory(phone="13700000001", occupation=Occupation.SANITATION)
    member_code_resolver["GH-OK"] = member
    anon = services.Actor.anonymous()
    visit = services.visit_record(actor=anon, door_token=station.door_token, member_code="GH-OK")
    assert (visit.method, visit.occupation, visit.visitor.member_id) == (
        "member_code",
        Occupation.SANITATION,
        member.pk,
    )
    with pytest.raises(ValidationError):
        services.visit_record(actor=anon, door_token=station.door_token, member_code="GH-BAD")
    assert Visit.objects.count() == 1


def test_member_code_without_the_plug_in_is_refused_clearly(settings):
    settings.GONGHUI_MEMBER_CODE_RESOLVER = ""
    station = StationFactory()
    with pytest.raises(ServiceError, match="会员码"):
        services.visit_record(
            actor=services.Actor.anonymous(), door_token=station.door_token, member_code="X"
        )


# --- complaints ------------------------------------------------------------------------------------------------


def test_complaint_with_non_image_is_refused_without_a_trace():
    station = StationFactory()
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        services.complaint_file(
            actor=services.Actor.anonymous(),
            station=station,
            category="locked",
            description="锁门了",
            photo=fake,
        )
    assert Complaint.objects.count() == 0
    assert refused("station.complaint_file") == 1


def test_complaint_reaches_manager_is_escalated_when_late_and_resolved(
    actor_of, png_upload, django_capture_on_commit_callbacks
):
    manager = manager_user()
    county_union = OrganisationFactory(region_id="330102", level=OrgLevel.COUNTY)
    station = StationFactory(manager=manager)
    filed_at = local(2025, 12, 1, 9, 0)
    with django_capture_on_commit_callbacks(execute=True):
        complaint = services.complaint_file(
            actor=services.Actor.anonymous(),
            station=station,
            category="expired_medicine",
            description="药箱里的药过期了",
            photo=png_upload(),
            phone="13912340000",
            now=filed_at,
        )
    assert complaint.deadline_at == filed_at + timedelta(hours=48)
    assert complaint.photo.name.endswith(".png")
    from gonghui.stations.selectors import complaints_for

    manager_actor = actor_of(manager, "station_manager")
    assert list(complaints_for(manager_actor)) == [complaint]
    assert list(complaints_for(actor_of(manager_user(), "station_manager"))) == []
    # Not late yet: nothing escalates.
    assert services.complaints_escalate_overdue(now=filed_at + timedelta(hours=47)) == 0
    assert services.complaints_escalate_overdue(now=filed_at + timedelta(hours=49)) == 1
    complaint.refresh_from_db()
    assert (complaint.status, complaint.escalated_to_id) == (ComplaintStatus.ESCALATED, county_union.pk)
    services.complaint_add_note(
        actor=services.Actor.anonymous(), complaint=complaint, text="还没换药", by_worker=True
    )
    services.complaint_resolve(
        actor=manager_actor,
        complaint=complaint,
        resolution="已更换全部药品",
        now=filed_at + timedelta(hours=50),
    )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RESOLVED
    with pytest.raises(ServiceError):
        services.complaint_resolve(actor=manager_actor, complaint=complaint, resolution="again")
    services.complaint_reopen(
        actor=services.Actor.anonymous(),
        complaint=complaint,
        reason="又过期了",
        now=filed_at + timedelta(hours=60),
    )
    complaint.refresh_from_db()
    assert (complaint.status, complaint.deadline_at) == (
        ComplaintStatus.OPEN,
        filed_at + timedelta(hours=108),
    )


def test_other_manager_cannot_resolve(actor_of):
    complaint = services.complaint_file(
        actor=services.Actor.anonymous(),
        station=StationFactory(manager=manager_user()),
        category="locked",
        description="锁门",
    )
    with pytest.raises(PermissionDenied):
        services.complaint_resolve(
            actor=actor_of(manager_user(), "station_manager"), complaint=complaint, resolution="x"
        )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.OPEN


# --- operations ------------------------------------------------------------------------------------------------


def test_inspection_scores_and_star_review_demotes_for_unfixed_complaints(actor_of):
    staff = actor_of(staff_user("330102"), "staff")
    station = StationFactory(star_level=4)
    checklist = {
        k: True
        for k in [
            "rain_gear",
            "first_aid",
            "water",
            "charging",
            "microwave",
            "fridge",
            "tables",
            "heating",
            "tools",
        ]
    } | {"wifi": False}
    inspection = services.inspection_record(
        actor=staff, station=station, kind="mystery", inspected_on=timezone.localdate(), checklist=checklist
    )
    assert (inspection.score, inspection.missing) == (90, ["wifi"])
    for _ in range(5):
        services.rating_submit(actor=services.Actor.anonymous(), station=station, score=5)
    complaint = services.complaint_file(
        actor=services.Actor.anonymous(),
        station=station,
        category="locked",
        description="锁门",
        now=timezone.now() - timedelta(days=3),
    )
    services.complaints_escalate_overdue()
    review = services.star_review(actor=staff, station=station)
    assert (review.old_level, review.new_level, review.overdue_complaints) == (4, 4, 1)
    station.refresh_from_db()
    assert station.star_level == 4  # base 5 from ratings, minus one for the unfixed complaint
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ESCALATED


def test_manager_may_not_run_mystery_visits(actor_of):
    manager = manager_user()
    station = StationFactory(manager=manager)
    with pytest.raises(PermissionDenied):
        services.inspection_record(
            actor=actor_of(manager, "station_manager"),
            station=station,
            kind="mystery",
            inspected_on=timezone.localdate(),
            checklist={},
        )
    assert station.inspections.count() == 0


def test_restock_alerts(actor_of):
    from gonghui.stations.selectors import restock_alerts

    manager = manager_user()
    station = StationFactory(manager=manager)
    actor = actor_of(manager, "station_manager")
    today = date(2025, 12, 1)
    services.consumable_save(
        actor=actor, station=station, name="创可贴", quantity=20, expires_on=date(2025, 11, 30)
    )
    services.consumable_save(
        actor=actor, station=station, name="藿香正气水", quantity=10, expires_on=date(2025, 12, 20)
    )
    services.consumable_save(actor=actor, station=station, name="饮用水", quantity=2, min_quantity=12)
    services.consumable_save(
        actor=actor, station=station, name="口罩", quantity=50, expires_on=date(2027, 1, 1)
    )
    rows = restock_alerts(actor, today=today)
    assert [(r["item"].name, r["reasons"]) for r in rows] == [
        ("创可贴", ["expired"]),
        ("藿香正气水", ["expiring"]),
        ("饮用水", ["low"]),
    ]


def test_mobile_station_relocation_durations(actor_of):
    staff = actor_of(staff_user("330900", level=OrgLevel.CITY), "staff")
    station = StationFactory(
        station_type=StationType.MOBILE, region_id="330902002", lng_wgs84=122.1, lat_wgs84=30.0
    )
    start = local(2025, 6, 1, 8)
    relocation = services.relocation_start(
        actor=staff,
        station=station,
        project="甬舟铁路金塘隧道",
        to_address="金塘镇工地",
        to_region_code="330902002",
        lng=122.0,
        lat=30.05,
        now=start,
    )
    station.refresh_from_db()
    assert station.status == StationStatus.SUSPENDED
    with pytest.raises(ServiceError):
        services.relocation_start(
            actor=staff,
            station=station,
            project="x",
            to_address="y",
            to_region_code="330902002",
            lng=122.0,
            lat=30.0,
            now=start,
        )
    services.relocation_arrive(actor=staff, relocation=relocation, now=start + timedelta(days=2))
    relocation = services.relocation_ready(actor=staff, relocation=relocation, now=start + timedelta(days=5))
    station.refresh_from_db()
    assert (relocation.move_hours, relocation.setup_hours) == (48.0, 72.0)
    assert (station.status, station.address, station.lng_wgs84) == (StationStatus.ACTIVE, "金塘镇工地", 122.0)


def test_fixed_station_cannot_relocate(actor_of):
    staff = actor_of(staff_user("330102"), "staff")
    with pytest.raises(ServiceError):
        services.relocation_start(
            actor=staff,
            station=StationFactory(),
            project="x",
            to_address="y",
            to_region_code="330102001",
            lng=120.1,
            lat=30.2,
        )


# --- sessions --------------------------------------------------------------------------------------------------


def test_signup_until_full_then_checkin_results(actor_of):
    manager = manager_user()
    station = StationFactory(manager=manager)
    actor = actor_of(manager, "station_manager")
    day = timezone.localdate() + timedelta(days=3)
    session = services.session_create(
        actor=actor, station=station, kind="haircut", title="义务理发", day=day, slots=[("09:00", "10:00", 2)]
    )
    slot = session.slots.get()
    anon = services.Actor.anonymous()
    first = services.signup_create(actor=anon, slot_id=slot.pk, phone="13900000001", occupation="courier")
    with pytest.raises(ConflictError):
        services.signup_create(actor=anon, slot_id=slot.pk, phone="13900000001")
    services.signup_create(actor=anon, slot_id=slot.pk, phone="13900000002", occupation="courier")
    with pytest.raises(ConflictError, match="名额已满"):
        services.signup_create(actor=anon, slot_id=slot.pk, phone="13900000003", occupation="courier")
    assert SignUp.objects.count() == 2
    services.signup_cancel(actor=anon, token=first.token)
    services.signup_create(actor=anon, slot_id=slot.pk, phone="13900000003", occupation="courier")
    on_the_day = datetime.combine(day, time(9, 5), TZ)
    second = SignUp.objects.get(visitor__phone_hash=Visitor.phone.hash_of("13900000002"))
    results = [
        services.checkin_record(
            actor=actor, session=session, signup_token=second.token, now=on_the_day
        ).result,
        services.checkin_record(
            actor=actor, session=session, signup_token=second.token, now=on_the_day
        ).result,
        services.checkin_record(
            actor=actor, session=session, signup_token=first.token, now=on_the_day
        ).result,
        services.checkin_record(
            actor=actor, session=session, phone="13900000099", walk_in=True, now=on_the_day
        ).result,
        services.checkin_record(
            actor=actor, session=session, phone="13900000003", now=on_the_day - timedelta(days=1)
        ).result,
    ]
    assert results == ["ok", "duplicate", "not_signed_up", "ok", "wrong_day"]
    assert CheckIn.objects.filter(result=CheckInResult.OK).count() == 2
    assert CheckIn.objects.count() == 5


def test_monthly_service_day_generates_sessions_once(actor_of):
    actor = actor_of(staff_user("330102"), "staff")
    station = StationFactory()
    service_day = services.service_day_create(
        actor=actor,
        station=station,
        kind="haircut",
        title="户外劳动者服务日",
        day_of_month=15,
        slot_times=[("09:00", "11:00")],
        capacity_per_slot=20,
    )
    assert (
        services.service_day_schedule(
            actor=actor, service_day=service_day, months=2, today=date(2025, 11, 20)
        )
        == 2
    )
    assert (
        services.service_day_schedule(
            actor=actor, service_day=service_day, months=2, today=date(2025, 11, 20)
        )
        == 0
    )
    assert list(station.sessions.values_list("date", flat=True)) == [date(2025, 12, 15), date(2026, 1, 15)]


def test_bad_slots_refused(actor_of):
    actor = actor_of(staff_user("330102"), "staff")
    with pytest.raises(ValidationError):
        services.session_create(
            actor=actor,
            station=StationFactory(),
            kind="clinic",
            title="义诊",
            day=date(2026, 1, 1),
            slots=[("10:00", "09:00", 5)],
        )
    with pytest.raises(ValidationError):
        services.session_create(
            actor=actor,
            station=StationFactory(),
            kind="clinic",
            title="义诊",
            day=date(2026, 1, 1),
            slots=[("09:00", "10:00", 0)],
        )


def test_public_holiday_hours_from_the_official_calendar(actor_of):
    manager = manager_user()
    station = StationFactory(manager=manager)
    HoursOverride.objects.create(
        station=station, date=date(2026, 10, 1), closed=False, opens=time(7), closes=time(23)
    )
    actor = actor_of(manager, "station_manager")
    added = services.station_holiday_hours(
        actor=actor, station=station, year=2026, closed=False, opens=time(9), closes=time(21)
    )
    days = dict(station.overrides.values_list("date", "opens"))
    assert days[date(2026, 2, 17)] == time(9)  # Spring Festival
    assert days[date(2026, 10, 1)] == time(7)  # kept as it was
    assert date(2026, 3, 3) not in days and date(2026, 3, 7) not in days  # a workday and a plain weekend
    assert added == len(days) - 1
    with pytest.raises(ServiceError):
        services.station_holiday_hours(actor=actor, station=station, year=2099)


def test_restock_reminder_job_messages_each_manager_once(actor_of, caplog):
    from gonghui.stations.tasks import restock_reminders

    manager = manager_user()
    station = StationFactory(manager=manager, name="湖滨驿站")
    services.consumable_save(
        actor=actor_of(manager, "station_manager"), station=station, name="创可贴", quantity=1, min_quantity=5
    )
    StationFactory()  # no manager, no alert
    with caplog.at_level("INFO", logger="gonghui.sms"):
        assert restock_reminders.call() == 1
    assert [r.getMessage() for r in caplog.records if r.name == "gonghui.sms"] == [
        f"SMS to {manager.phone}: 【工会驿站】需补货或更换：湖滨驿站·创可贴"
    ]


def test_manager_records_a_visit_by_member_code_checked_by_accounts(actor_of):
    from gonghui.accounts.services import member_code_issue

    member_user = role_user("member")
    member = MemberFactory(user=member_user, phone="13700000077", occupation=Occupation.COURIER)
    code = member_code_issue(actor=actor_of(member_user, "member"))
    manager = manager_user()
    station = StationFactory(manager=manager)
    manager_actor = actor_of(manager, "station_manager")
    visit = services.visit_record_by_manager(actor=manager_actor, station=station, member_code=code)
    assert (visit.method, visit.visitor.member_id, visit.occupation) == ("member_code", member.pk, "courier")
    # The same code shown again is a replay: refused by the accounts check, nothing recorded.
    with pytest.raises(ValidationError):
        services.visit_record_by_manager(
            actor=manager_actor, station=station, member_code=code, now=timezone.now() + timedelta(hours=2)
        )
    assert Visit.objects.count() == 1
    # By phone at the counter.
    visit = services.visit_record_by_manager(
        actor=manager_actor, station=station, phone="13911110000", occupation="sanitation"
    )
    assert visit.method == "staff"
    with pytest.raises(PermissionDenied):
        services.visit_record_by_manager(
            actor=actor_of(manager_user(), "station_manager"),
            station=station,
            phone="13911110001",
            occupation="sanitation",
        )
