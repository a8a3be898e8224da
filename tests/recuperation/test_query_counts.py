"""The programme page costs the same number of queries whatever the number of quota units and applications."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.core.middleware import ACTIVE_ROLE_SESSION_KEY
from gonghui.recuperation import services
from gonghui.recuperation.models import Quota
from tests.recuperation.factories import apply_all, build_world

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_programme_page_queries_do_not_grow_with_rows(client):
    world = build_world(places=20, members=3)
    client.force_login(world.province)
    session = client.session
    session[ACTIVE_ROLE_SESSION_KEY] = world.province.role_assignments.get(role="staff").pk
    session.save()
    url = f"/recuperation/programmes/{world.programme.pk}/"
    before = _queries(client, url)
    province_quota = Quota.objects.get(programme=world.programme, parent__isnull=True)
    services.quota_apportion(actor=world.province_actor, quota=province_quota)
    apply_all(world)
    assert Quota.objects.filter(programme=world.programme).count() > 5
    assert _queries(client, url) == before
