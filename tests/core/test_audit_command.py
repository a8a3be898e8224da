import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from gonghui.core.actor import Actor
from gonghui.core.audit import record
from gonghui.core.models import AuditEvent

pytestmark = pytest.mark.django_db
ACTOR = Actor(role="staff", user_id=1, name="测试", region_prefix="33", client_ip="10.0.0.1")


def test_verify_passes_then_names_the_altered_row(capsys):
    events = [record(ACTOR, f"test.cmd{i}") for i in range(4)]
    call_command("audit", "verify")
    assert "audit chain intact: 4 entries checked" in capsys.readouterr().out
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET result = 'allowed', action = 'x' WHERE id = %s",
            [events[1].pk],
        )
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify")
    assert str(exc.value) == (
        f"audit chain broken at entry #{events[1].pk}: entry #{events[1].pk} was altered after it was written "
        "(1 entries before it are intact)"
    )


def test_verify_names_the_row_after_a_deleted_one():
    events = [record(ACTOR, f"test.cmd{i}") for i in range(3)]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [events[1].pk])
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify")
    assert f"broken at entry #{events[2].pk}" in str(exc.value)
