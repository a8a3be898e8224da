"""A sign-up race for the last place, and a double scan at the door, on PostgreSQL with real threads."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from gonghui.core.actor import Actor
from gonghui.core.errors import ConflictError
from gonghui.stations import services
from gonghui.stations.models import ServiceSession, SessionSlot, SignUp, Visit
from tests.stations.factories import StationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_at_once(n, work):
    barrier = threading.Barrier(n)
    outcomes = []

    def runner(i):
        try:
            barrier.wait()
            work(i)
            outcomes.append("won")
        except ConflictError:
            outcomes.append("lost")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


def test_last_place_has_exactly_one_winner():
    station = StationFactory()
    session = ServiceSession.objects.create(
        station=station,
        region_id=station.region_id,
        kind="haircut",
        title="义务理发",
        date=timezone.localdate() + timedelta(days=1),
    )
    slot = SessionSlot.objects.create(session=session, starts="09:00", ends="10:00", capacity=3)
    for i in range(2):
        services.signup_create(
            actor=Actor.anonymous(), slot_id=slot.pk, phone=f"1390000{i:04d}", occupation="courier"
        )

    outcomes = run_at_once(
        8,
        lambda i: services.signup_create(
            actor=Actor.anonymous(), slot_id=slot.pk, phone=f"1381111{i:04d}", occupation="courier"
        ),
    )
    assert outcomes == ["lost"] * 7 + ["won"]
    assert SignUp.objects.filter(slot=slot, status="active").count() == 3


def test_double_scan_records_one_visit():
    station = StationFactory()
    services.visit_record(
        actor=Actor.anonymous(),
        door_token=station.door_token,
        phone="13912345678",
        occupation="courier",
        now=timezone.now() - timedelta(hours=2),
    )
    outcomes = run_at_once(
        6,
        lambda i: services.visit_record(
            actor=Actor.anonymous(), door_token=station.door_token, phone="13912345678"
        ),
    )
    assert outcomes == ["lost"] * 5 + ["won"]
    assert Visit.objects.count() == 2
