import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gonghui.core.actor import Actor
from gonghui.core.audit import audited, record, verify_chain
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import Organisation

pytestmark = pytest.mark.django_db

ACTOR = Actor(role="staff", user_id=1, name="测试", region_prefix="33", client_ip="10.0.0.1")


def test_chain_verifies_and_names_an_altered_row():
    for i in range(5):
        record(ACTOR, f"test.action{i}", changes={"n": i, "phone": "13812345678"})
    assert verify_chain().ok
    assert AuditEvent.objects.get(action="test.action0").changes == {"n": 0, "phone": "***"}
    third = AuditEvent.objects.get(action="test.action2")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AuditEvent._meta.db_table} SET detail = %s WHERE id = %s", ["tampered", third.pk])
    report = verify_chain()
    assert not report.ok
    assert report.first_broken_id == third.pk
    assert "altered" in report.problem


def test_chain_names_the_row_after_a_deletion():
    events = [record(ACTOR, f"test.del{i}") for i in range(4)]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [events[1].pk])
    report = verify_chain()
    assert report.first_broken_id == events[2].pk


def test_events_cannot_be_edited_through_the_app():
    event = record(ACTOR, "test.x")
    event.detail = "changed"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_audited_refusal_rolls_back_and_records_refusal():
    before = Organisation.objects.count()
    with pytest.raises(ValidationError):
        with audited(ACTOR, "org.create") as draft:
            org = Organisation.objects.create(code="X1", name="x", level="county", region_id="330102")
            draft.target = org
            raise ValidationError("不允许")
    assert Organisation.objects.count() == before
    event = AuditEvent.objects.get(action="org.create")
    assert (event.result, event.detail, event.object_id) == ("refused", "不允许", "")


def test_audited_success_writes_one_event():
    with audited(ACTOR, "org.create") as draft:
        draft.target = Organisation.objects.create(code="X2", name="x", level="county", region_id="330102")
        draft.changes = {"name": "x"}
    event = AuditEvent.objects.get(action="org.create")
    assert (event.result, event.object_type, event.changes, event.client_ip) == (
        "allowed", "orgs.organisation", {"name": "x"}, "10.0.0.1"
    )
