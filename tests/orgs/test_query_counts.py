"""Staff list pages cost a fixed number of queries, whatever the number of rows they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.core.middleware import ACTIVE_ROLE_SESSION_KEY
from tests.factories import EnterpriseFactory, MemberFactory, OrganisationFactory, staff_user

pytestmark = pytest.mark.django_db

MAKERS = {
    "organisations": lambda n: OrganisationFactory.create_batch(n, region_id="330127", level="grassroots"),
    "enterprises": lambda n: EnterpriseFactory.create_batch(n, region_id="330127"),
    "members": lambda n: MemberFactory.create_batch(
        n,
        region_id="330127",
        union=OrganisationFactory(region_id="330127"),
        enterprise=EnterpriseFactory(region_id="330127"),
    ),
}


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_list_page_queries_do_not_grow_with_rows(client, kind):
    user = staff_user("330127")
    client.force_login(user)
    session = client.session
    session[ACTIVE_ROLE_SESSION_KEY] = user.role_assignments.get().pk
    session.save()
    MAKERS[kind](2)
    few, _ = _count(client, f"/orgs/{kind}/")
    MAKERS[kind](15)
    many, html = _count(client, f"/orgs/{kind}/")
    assert many == few
    assert html.count('data-region-code="330127') >= 15
