"""Races on PostgreSQL with real threads: the last seats of a departure, and the waiting list served in order."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from gonghui.core.errors import ConflictError
from gonghui.recuperation import services
from gonghui.recuperation.models import HOLDS_SEAT, Application, AppState

from .factories import actor, build_world, make_current

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")


def _in_threads(jobs):
    """Run callables at the same moment, one thread each; return what each returned or raised."""
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def run(i, job):
        from django.db import connections

        try:
            barrier.wait()
            outcomes[i] = job()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_last_seats_never_overbooked_and_waiting_list_served_in_order():
    world = make_current(build_world(places=6, members=10, capacity=3, budget=Decimal("100000")))
    for user, _member in world.members:
        services.application_submit(
            actor=actor(user, "member"), programme=world.programme, route_ids=[world.route.pk]
        )
    services.programme_close(actor=world.province_actor, programme=world.programme)
    services.draw_run(actor=world.province_actor, programme=world.programme)
    selected = list(Application.objects.filter(state=AppState.SELECTED).select_related("member__user"))
    waiting = list(Application.objects.filter(state=AppState.WAITING).order_by("draw_rank"))
    assert (len(selected), len(waiting)) == (6, 4)
    departure = world.departures[0]

    outcomes = _in_threads(
        [
            (
                lambda a=a: services.application_confirm(
                    actor=actor(a.member.user, "member"), application=a, departure=departure
                )
            )
            for a in selected
        ]
    )
    winners = [o for o in outcomes if isinstance(o, Application)]
    losers = [a for a, o in zip(selected, outcomes, strict=True) if isinstance(o, ConflictError)]
    assert (len(winners), len(losers)) == (3, 3)
    assert departure.applications.filter(state__in=HOLDS_SEAT).count() == 3

    # The three who lost decline at the same moment: ranks 7, 8 and 9 move up, rank 10 still waits.
    _in_threads(
        [
            (lambda a=a: services.application_decline(actor=actor(a.member.user, "member"), application=a))
            for a in losers
        ]
    )
    states = [Application.objects.get(pk=a.pk).state for a in waiting]
    assert states == [AppState.SELECTED, AppState.SELECTED, AppState.SELECTED, AppState.WAITING]
    held = Application.objects.filter(
        programme=world.programme, state__in=(AppState.SELECTED, AppState.CONFIRMED)
    )
    assert held.count() == 6


def test_one_person_applying_twice_at_once_gets_one_application():
    from gonghui.core.errors import ServiceError

    world = make_current(build_world(members=1))
    user, member = world.members[0]
    outcomes = _in_threads(
        [
            (
                lambda: services.application_submit(
                    actor=actor(user, "member"), programme=world.programme, route_ids=[world.route.pk]
                )
            )
            for _ in range(4)
        ]
    )
    assert sum(isinstance(o, Application) for o in outcomes) == 1
    assert sum(isinstance(o, ServiceError) for o in outcomes) == 3
    assert Application.objects.filter(id_number_hash=member.id_number_hash).count() == 1
