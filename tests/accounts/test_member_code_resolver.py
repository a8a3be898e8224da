import pytest

from gonghui.accounts.models import Role, RoleAssignment
from gonghui.accounts.selectors import member_for_code
from gonghui.accounts.services import member_code_issue
from gonghui.orgs.models import MemberStatus
from gonghui.stations.member_codes import member_code_resolver
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_stations_resolve_a_member_code_to_its_member(actor_of):
    user = UserFactory()
    member = MemberFactory(user=user)
    RoleAssignment.objects.create(user=user, role=Role.MEMBER)
    code = member_code_issue(actor=actor_of(user, "member"))
    assert member_code_resolver() is member_for_code
    assert member_for_code(code) == member
    assert member_for_code(code[:-2] + ("AA" if not code.endswith("AA") else "BB")) is None
    assert member_for_code("not a code") is None
    member.status = MemberStatus.LEFT
    member.save(update_fields=["status"])
    assert member_for_code(code) is None
