"""Whatever members do after the draw (confirm, decline, cancel, let holds lapse), in any order: no unit holds more
places than it has, no departure more seats than it has, and places pass down the waiting list in rank order."""

from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from gonghui.core.errors import ServiceError
from gonghui.recuperation import services
from gonghui.recuperation.models import HOLDS_PLACE, HOLDS_SEAT, Application, AppState

from .factories import AFTER, actor, apply_all, build_world, close_and_draw

PLACES, MEMBERS, SEATS = 3, 8, 2
ACTIONS = st.lists(
    st.tuples(st.sampled_from(["confirm", "decline", "cancel", "lapse"]), st.integers(1, MEMBERS)),
    max_size=12,
)


class WaitingListProperties(TestCase):
    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(actions=ACTIONS)
    def test_places_seats_and_rank_order_hold(self, actions):
        world = build_world(places=PLACES, members=MEMBERS, capacity=SEATS, budget=Decimal("100000"))
        apply_all(world)
        close_and_draw(world)
        clock = AFTER
        for action, rank in actions:
            clock += timedelta(hours=49 if action == "lapse" else 1)
            application = Application.objects.get(programme=world.programme, draw_rank=rank)
            member_actor = actor(application.member.user, "member")
            try:
                if action == "confirm":
                    departure = world.departures[rank % 2]
                    services.application_confirm(
                        actor=member_actor, application=application, departure=departure, now=clock
                    )
                elif action == "decline":
                    services.application_decline(actor=member_actor, application=application, now=clock)
                elif action == "cancel":
                    services.application_cancel(actor=member_actor, application=application, now=clock)
                else:
                    services.holds_lapse(now=clock)
            except ServiceError:
                pass  # refused in this state: the invariants must hold all the same
            self.assert_invariants(world)

    def assert_invariants(self, world):
        rows = list(
            Application.objects.filter(programme=world.programme).values("draw_rank", "state", "selected_at")
        )
        holding = [r for r in rows if r["state"] in HOLDS_PLACE]
        waiting = [r["draw_rank"] for r in rows if r["state"] == AppState.WAITING]
        assert len(holding) <= PLACES
        if waiting:
            assert len(holding) == PLACES  # a free place never stays free while someone waits
            # Everyone ever given a place ranks above everyone still waiting for one.
            given_a_place = [r["draw_rank"] for r in rows if r["selected_at"] is not None]
            assert max(given_a_place) < min(waiting)
        for departure in world.departures:
            assert departure.applications.filter(state__in=HOLDS_SEAT).count() <= SEATS
