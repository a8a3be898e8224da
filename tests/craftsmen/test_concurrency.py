"""Two craftsmen claiming one listed problem at the same moment: exactly one wins (real threads, PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from gonghui.core.actor import actor_for_user
from gonghui.core.errors import ConflictError
from gonghui.craftsmen import services
from gonghui.craftsmen.models import Offer, OfferStatus, Problem, ProblemStatus
from tests.craftsmen.factories import PROBLEM, craftsman_user, enterprise_contact
from tests.factories import staff_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def only_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")


def race(functions):
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = ("ok", fn())
        except ConflictError as exc:
            results[i] = ("conflict", exc.messages[0])
        except Exception as exc:  # noqa: BLE001 - reported in the assertion
            results[i] = ("error", repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.parametrize("claimers", [2, 6])
def test_exactly_one_claim_wins(claimers):
    staff = actor_for_user(staff_user("330102"), role="staff")
    contact_user, _enterprise = enterprise_contact("330102")
    problem = services.problem_file(actor=actor_for_user(contact_user, role="enterprise"), **PROBLEM)
    services.problem_review(actor=staff, problem_id=problem.pk, accept=True)
    services.problem_list_for_claim(actor=staff, problem_id=problem.pk)
    actors = [actor_for_user(craftsman_user()[0], role="craftsman") for _ in range(claimers)]
    results = race([lambda a=a: services.problem_claim(actor=a, problem_id=problem.pk) for a in actors])
    outcomes = sorted(kind for kind, _value in results)
    assert outcomes == ["conflict"] * (claimers - 1) + ["ok"], results
    assert {value for kind, value in results if kind == "conflict"} == {"该问题已被其他劳模工匠揭榜。"}
    problem.refresh_from_db()
    winner = next(value for kind, value in results if kind == "ok")
    assert (problem.status, problem.craftsman_id) == (ProblemStatus.ACCEPTED, winner.craftsman_id)
    assert list(Offer.objects.filter(problem=problem).values_list("status", flat=True)) == [
        OfferStatus.ACCEPTED
    ]


def test_accept_and_expiry_sweep_race_leaves_one_outcome():
    from datetime import timedelta

    from django.utils import timezone

    staff = actor_for_user(staff_user("330102"), role="staff")
    contact_user, _enterprise = enterprise_contact("330102")
    problem = services.problem_file(actor=actor_for_user(contact_user, role="enterprise"), **PROBLEM)
    services.problem_review(actor=staff, problem_id=problem.pk, accept=True)
    user, craftsman = craftsman_user()
    offer = services.problem_dispatch(actor=staff, problem_id=problem.pk, craftsman_id=craftsman.pk)
    Offer.objects.filter(pk=offer.pk).update(due_at=timezone.now() + timedelta(seconds=1))
    later = timezone.now() + timedelta(seconds=2)
    results = race(
        [
            lambda: services.offer_accept(actor=actor_for_user(user, role="craftsman"), offer_id=offer.pk),
            lambda: services.deadlines_sweep(now=later),
        ]
    )
    offer.refresh_from_db()
    if offer.status == OfferStatus.PENDING:
        # The accept came after the real deadline and was refused while it held the row, so the sweep skipped the
        # locked row (SKIP LOCKED); the next sweep expires it. Never both outcomes, never a lost offer.
        assert results[0][0] in ("error", "conflict")
        services.deadlines_sweep(now=later)
        offer.refresh_from_db()
    problem = Problem.objects.get(pk=problem.pk)
    # Either the craftsman accepted in time (the sweep then finds nothing to expire) or the sweep expired it
    # first; never both.
    if offer.status == OfferStatus.ACCEPTED:
        assert problem.status == ProblemStatus.ACCEPTED
        assert results[1] == ("ok", {"expired_offers": 0, "expired_listings": 0, "flagged": 0})
    else:
        assert offer.status == OfferStatus.EXPIRED
        assert problem.status == ProblemStatus.REVIEWED  # nobody else in the pool
        assert results[0][0] in ("error", "conflict")
