"""Races on PostgreSQL with real threads: one offer per enterprise, one signature per case."""

import threading

import pytest
from django.db import connection, connections

from gonghui.core.errors import ServiceError
from gonghui.wages import services
from gonghui.wages.models import Agreement, BargainingCase
from tests.factories import EnterpriseFactory
from tests.wages.factories import case_at, instructor, sign_terms

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


def run_at_once(n, work):
    barrier = threading.Barrier(n)
    outcomes = []

    def runner(i):
        try:
            barrier.wait()
            work(i)
            outcomes.append("won")
        except ServiceError:
            outcomes.append("lost")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


def test_simultaneous_offers_to_one_enterprise_open_one_case():
    user, actor = instructor("330127")
    enterprise = EnterpriseFactory(region_id="330127")
    outcomes = run_at_once(
        6, lambda i: services.case_offer(actor=actor, enterprise_id=enterprise.pk, instructor_id=user.pk)
    )
    assert outcomes == ["lost"] * 5 + ["won"]
    assert BargainingCase.objects.filter(enterprise=enterprise).count() == 1


def test_simultaneous_signatures_make_one_agreement():
    user, actor = instructor("330127")
    case = case_at(actor, user, stage="reviewed")
    outcomes = run_at_once(4, lambda i: services.case_sign(actor=actor, case_id=case.pk, **sign_terms()))
    assert outcomes == ["lost"] * 3 + ["won"]
    assert Agreement.objects.filter(case=case).count() == 1
