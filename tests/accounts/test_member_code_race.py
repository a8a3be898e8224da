import threading

import pytest
from django.db import connection

from gonghui.accounts import services
from gonghui.accounts.models import MemberCodeScan, Role, RoleAssignment
from gonghui.core.actor import actor_for_user
from tests.factories import MemberFactory, UserFactory, role_user


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_stations_checking_the_same_code_at_once_accept_it_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrent transactions")
    user = UserFactory()
    MemberFactory(user=user, region_id="330127")
    RoleAssignment.objects.create(user=user, role=Role.MEMBER)
    token = services.member_code_issue(actor=actor_for_user(user, role=Role.MEMBER))
    checkers = [actor_for_user(role_user(Role.STATION_MANAGER), role=Role.STATION_MANAGER) for _ in range(4)]
    results, barrier = [], threading.Barrier(len(checkers))

    def check(actor):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results.append(services.member_code_verify(actor=actor, token=token))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=check, args=(a,)) for a in checkers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.reason for r in results) == ["", "replayed", "replayed", "replayed"]
    assert MemberCodeScan.objects.filter(accepted=True).count() == 1
