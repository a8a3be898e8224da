"""The monthly star review job: every active station reviewed once a month by the system, managers told of changes."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gonghui.core.actor import SYSTEM
from gonghui.core.models import AuditEvent
from gonghui.stations import services
from gonghui.stations.models import ComplaintStatus, Rating, StarReview, StationStatus
from tests.stations.factories import StationFactory, manager_user

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 15, 10, 0, tzinfo=SHANGHAI)


def sms_about_stars(caplog):
    return [
        r.getMessage() for r in caplog.records if r.name == "gonghui.sms" and "星级评定" in r.getMessage()
    ]


def complaint(station, *, filed, status=ComplaintStatus.OPEN):
    made = services.complaint_file(
        actor=services.Actor.anonymous(), station=station, category="locked", description="锁门", now=filed
    )
    if status != ComplaintStatus.OPEN:
        type(made).objects.filter(pk=made.pk).update(status=status)
    return made


@pytest.fixture
def network():
    """Four stations: one with an unfixed late complaint, one untouched, one well rated, one suspended."""
    late_manager, rated_manager = manager_user(), manager_user()
    late = StationFactory(name="湖滨驿站", star_level=4, manager=late_manager)
    complaint(late, filed=NOW - timedelta(days=3))  # deadline 48 h: passed, still open
    complaint(late, filed=NOW - timedelta(hours=5))  # still within its deadline
    complaint(late, filed=NOW - timedelta(days=10), status=ComplaintStatus.RESOLVED)
    quiet = StationFactory(name="清波驿站", star_level=3)
    rated = StationFactory(name="南山驿站", star_level=2, manager=rated_manager)
    for _ in range(5):
        services.rating_submit(actor=services.Actor.anonymous(), station=rated, score=5)
    Rating.objects.update(created_at=NOW - timedelta(days=1))
    suspended = StationFactory(name="暂停驿站", star_level=5, status=StationStatus.SUSPENDED)
    complaint(suspended, filed=NOW - timedelta(days=3))
    return {
        "late": late,
        "quiet": quiet,
        "rated": rated,
        "suspended": suspended,
        "late_manager": late_manager,
        "rated_manager": rated_manager,
    }


def levels(network):
    return {
        name: type(s).objects.get(pk=s.pk).star_level for name, s in network.items() if name[-7:] != "manager"
    }


def test_monthly_review_demotes_unfixed_complaints_and_tells_managers(
    network, caplog, django_capture_on_commit_callbacks
):
    audits_before = AuditEvent.objects.filter(action="station.star_review").count()
    with caplog.at_level("INFO", logger="gonghui.sms"), django_capture_on_commit_callbacks(execute=True):
        counts = services.star_reviews_monthly(now=NOW)

    assert counts == {"reviewed": 3, "demoted": 1, "promoted": 1, "unchanged": 1}
    assert levels(network) == {"late": 3, "quiet": 3, "rated": 5, "suspended": 5}
    reviews = {
        r.station.name: (r.old_level, r.new_level, r.overdue_complaints, r.average_rating, r.reason, r.period)
        for r in StarReview.objects.select_related("station")
    }
    march = date(2026, 3, 1)
    assert reviews == {
        "湖滨驿站": (4, 3, 1, None, "1 overdue complaint(s)", march),
        "清波驿站": (3, 3, 0, None, "no change", march),
        "南山驿站": (2, 5, 0, 5.0, "rating 5.00 (5)", march),
    }
    events = AuditEvent.objects.filter(action="station.star_review").order_by("id")
    assert events.count() == audits_before + 3
    assert [(e.role, e.actor_user_id, e.result, e.object_id, e.changes) for e in events] == [
        (SYSTEM, None, "allowed", str(network["late"].pk), {"old": 4, "new": 3, "period": "2026-03-01"}),
        (SYSTEM, None, "allowed", str(network["quiet"].pk), {"old": 3, "new": 3, "period": "2026-03-01"}),
        (SYSTEM, None, "allowed", str(network["rated"].pk), {"old": 2, "new": 5, "period": "2026-03-01"}),
    ]
    assert sms_about_stars(caplog) == [
        f"SMS to {network['late_manager'].phone}: 【工会驿站】湖滨驿站本月星级评定由4星降为3星（1件投诉逾期未解决）。",
        f"SMS to {network['rated_manager'].phone}: 【工会驿站】南山驿站本月星级评定由2星调整为5星。",
    ]


def test_running_again_in_the_same_month_changes_nothing(network, caplog, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.star_reviews_monthly(now=NOW)
    reviews = list(StarReview.objects.order_by("pk").values())
    audit_count = AuditEvent.objects.count()
    after_first = levels(network)
    caplog.clear()

    with caplog.at_level("INFO", logger="gonghui.sms"), django_capture_on_commit_callbacks(execute=True):
        assert services.star_reviews_monthly(now=NOW) == {
            "reviewed": 0,
            "demoted": 0,
            "promoted": 0,
            "unchanged": 0,
        }
        # Later in the month (the schedule runs daily), and a direct call for a station already reviewed.
        assert services.star_reviews_monthly(now=NOW + timedelta(days=16)) == {
            "reviewed": 0,
            "demoted": 0,
            "promoted": 0,
            "unchanged": 0,
        }
        again = services.star_review(
            actor=services.Actor.system(), station=network["late"], now=NOW, period=date(2026, 3, 1)
        )

    assert again.pk == reviews[0]["id"]
    assert list(StarReview.objects.order_by("pk").values()) == reviews
    assert AuditEvent.objects.count() == audit_count
    assert levels(network) == after_first
    assert sms_about_stars(caplog) == []


def test_next_month_reviews_again_and_keeps_demoting_while_unfixed(
    network, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.star_reviews_monthly(now=NOW)
        april = NOW + timedelta(days=20)  # 2026-04-04 local
        counts = services.star_reviews_monthly(now=april)
    assert counts == {"reviewed": 3, "demoted": 1, "promoted": 0, "unchanged": 2}
    assert levels(network) == {"late": 1, "quiet": 3, "rated": 5, "suspended": 5}
    assert sorted(StarReview.objects.values_list("period", flat=True).distinct()) == [
        date(2026, 3, 1),
        date(2026, 4, 1),
    ]
    # Both complaints left open (filed 3 days and 5 hours before March's run) are now past their deadline:
    # each demotes again, month after month, until fixed.
    late_april = StarReview.objects.get(station=network["late"], period=date(2026, 4, 1))
    assert (late_april.old_level, late_april.new_level, late_april.overdue_complaints) == (3, 1, 2)


def test_month_follows_shanghai_time():
    assert services.review_month(datetime(2026, 3, 31, 16, 30, tzinfo=ZoneInfo("UTC"))) == date(2026, 4, 1)
    assert services.review_month(datetime(2026, 3, 31, 15, 59, tzinfo=ZoneInfo("UTC"))) == date(2026, 3, 1)


def test_scheduled_job_is_registered_and_runs_as_the_sweep(network):
    from gonghui.jobs.registry import SCHEDULES
    from gonghui.stations.tasks import monthly_star_reviews

    schedule = SCHEDULES["gonghui.stations.tasks.monthly_star_reviews"]
    assert (schedule.task, schedule.description) == (monthly_star_reviews, "daily at 03:30")
    first = monthly_star_reviews.call()
    assert first["reviewed"] == 3
    assert monthly_star_reviews.call() == {"reviewed": 0, "demoted": 0, "promoted": 0, "unchanged": 0}
