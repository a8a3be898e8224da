import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType

from gonghui.core.audit import verify_chain
from gonghui.core.models import AuditEvent
from gonghui.regions.models import Region
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_changes_made_in_the_django_admin_are_on_the_audit_chain():
    admin = UserFactory(name="系统管理员")
    LogEntry.objects.create(
        user=admin,
        content_type=ContentType.objects.get_for_model(Region),
        object_id="330127",
        object_repr="淳安县",
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["Mountain"]}}]',
    )
    event = AuditEvent.objects.get(action="admin.change")
    assert (event.actor_user_id, event.role, event.object_type, event.object_id) == (
        admin.pk,
        "sysadmin",
        "regions.region",
        "330127",
    )
    assert event.detail.startswith("淳安县 ")
    assert verify_chain().ok
