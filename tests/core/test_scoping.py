import pytest
from django.http import Http404

from gonghui.core.models import AuditEvent
from gonghui.core.scoping import get_scoped_or_404, scoped
from gonghui.orgs.models import Enterprise, OrgLevel
from tests.factories import EnterpriseFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def enterprises():
    return {
        "shangcheng": EnterpriseFactory(region_id="330102"),  # 杭州 上城区
        "chunan": EnterpriseFactory(region_id="330127"),  # 杭州 淳安县
        "ningbo": EnterpriseFactory(region_id="330203"),  # 宁波 海曙区
    }


@pytest.mark.parametrize(
    "region,level,visible",
    [
        ("330000", OrgLevel.PROVINCE, {"shangcheng", "chunan", "ningbo"}),
        ("330100", OrgLevel.CITY, {"shangcheng", "chunan"}),
        ("330127", OrgLevel.COUNTY, {"chunan"}),
        ("330203", OrgLevel.COUNTY, {"ningbo"}),
    ],
)
def test_staff_see_rows_inside_their_region(enterprises, actor_of, region, level, visible):
    actor = actor_of(staff_user(region, level=level), "staff")
    names = {k for k, e in enterprises.items() if scoped(Enterprise, actor).filter(pk=e.pk).exists()}
    assert names == visible


def test_out_of_scope_detail_is_404_and_audited(enterprises, actor_of):
    actor = actor_of(staff_user("330127"), "staff")
    with pytest.raises(Http404):
        get_scoped_or_404(Enterprise, actor, action="enterprise.view", pk=enterprises["ningbo"].pk)
    event = AuditEvent.objects.get(action="enterprise.view")
    assert (event.result, event.object_id, event.detail) == ("refused", str(enterprises["ningbo"].pk), "out_of_scope")
    assert get_scoped_or_404(Enterprise, actor, pk=enterprises["chunan"].pk) == enterprises["chunan"]
