"""The sysadmin page, the retry action, the Django admin and the ``gonghui jobs`` command."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse

from gonghui.core.models import AuditEvent, AuditResult
from gonghui.jobs import enqueue_on_commit
from gonghui.jobs.models import JobRun, RunState
from gonghui.jobs.runner import background_commands
from gonghui.jobs.services import run_retry
from tests.factories import role_user, staff_user
from tests.jobs import sample_jobs
from tests.jobs.sample_jobs import always_fails, record_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_run(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = enqueue_on_commit(always_fails, "printer jammed")
    run.refresh_from_db()
    assert run.state == RunState.FAILED
    sample_jobs.CALLS.clear()
    return run


def _login(client, user):
    client.force_login(user)
    return client


def test_sysadmin_sees_failed_runs_with_their_error(client, failed_run):
    response = _login(client, role_user("sysadmin")).get(reverse("jobs:index"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "ValueError: cannot do it: printer jammed" in page
    assert "jobs.heartbeat" in page and "jobs.prune" in page
    detail = client.get(reverse("jobs:run", args=[failed_run.pk])).content.decode()
    assert "Traceback (most recent call last)" in detail and 'data-test="retry"' in detail


@pytest.mark.parametrize("role", ["staff", "member", "craftsman", "secadmin", "auditadmin", "anonymous"])
def test_other_roles_are_refused_the_jobs_pages(client, failed_run, role):
    if role == "staff":
        _login(client, staff_user("330127"))
    elif role != "anonymous":
        _login(client, role_user(role))
    assert client.get(reverse("jobs:index")).status_code == 403
    assert client.get(reverse("jobs:run", args=[failed_run.pk])).status_code == 403
    assert client.post(reverse("jobs:retry", args=[failed_run.pk])).status_code == 403
    assert JobRun.objects.get(pk=failed_run.pk).state == RunState.FAILED


def test_sysadmin_retries_a_failed_run(client, failed_run, django_capture_on_commit_callbacks):
    _login(client, role_user("sysadmin"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("jobs:retry", args=[failed_run.pk]))
    assert response.status_code == 302
    failed_run.refresh_from_db()
    # One more attempt was given and it failed again: recorded, not lost.
    assert (failed_run.state, failed_run.attempts, failed_run.max_attempts) == (RunState.FAILED, 3, 3)
    assert sample_jobs.CALLS == [("always_fails", "printer jammed")]
    event = AuditEvent.objects.get(action="jobs.run_retry")
    assert (event.result, event.object_id, event.role) == (
        AuditResult.ALLOWED,
        str(failed_run.pk),
        "sysadmin",
    )


def test_retrying_a_run_that_did_not_fail_is_refused_and_changes_nothing(
    client, django_capture_on_commit_callbacks, actor_of
):
    with django_capture_on_commit_callbacks(execute=True):
        run = enqueue_on_commit(record_call, "fine")
    admin = role_user("sysadmin")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        run_retry(actor=actor_of(admin, "sysadmin"), run_id=run.pk)
    assert refused.value.messages == [f"任务 #{run.pk} 当前状态为“成功”，只有失败的任务可以重试"]
    run.refresh_from_db()
    assert (run.state, run.attempts) == (RunState.SUCCEEDED, 1)
    event = AuditEvent.objects.get(action="jobs.run_retry")
    assert event.result == AuditResult.REFUSED


def test_the_retry_service_refuses_other_roles(failed_run, actor_of):
    with pytest.raises(PermissionDenied):
        run_retry(actor=actor_of(staff_user("330127"), "staff"), run_id=failed_run.pk)
    assert JobRun.objects.get(pk=failed_run.pk).state == RunState.FAILED
    assert AuditEvent.objects.get(action="jobs.run_retry").result == AuditResult.REFUSED


def test_django_admin_lists_runs(client, failed_run):
    admin_user = role_user("sysadmin")
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    response = client.get(reverse("admin:jobs_jobrun_changelist"))
    assert response.status_code == 200
    assert "ValueError: cannot do it: printer jammed" in response.content.decode()


def test_jobs_command_lists_schedules_and_recent_runs(failed_run, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(record_call, "ok")
    out = io.StringIO()
    call_command("jobs", stdout=out)
    text = out.getvalue()
    assert "jobs.heartbeat" in text and "every 300 s" in text
    assert "jobs.prune" in text and "daily at 03:30" in text
    assert "pending 0, running 0, retrying 0, succeeded 1, skipped 0, failed 1" in text
    assert f"#{failed_run.pk:<6} always_fails" in text and "ValueError: cannot do it: printer jammed" in text
    assert "1 failed run(s)" in text
    only_failed = io.StringIO()
    call_command("jobs", "--state", "failed", stdout=only_failed)
    assert "record_call" not in only_failed.getvalue() and "always_fails" in only_failed.getvalue()


def test_jobs_command_retry_and_its_errors(failed_run, django_capture_on_commit_callbacks):
    with pytest.raises(CommandError, match="give the number of the failed run"):
        call_command("jobs", "retry")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("jobs", "retry", str(failed_run.pk), stdout=io.StringIO())
    assert JobRun.objects.get(pk=failed_run.pk).attempts == 3
    with pytest.raises(CommandError, match="没有这条任务记录"):
        call_command("jobs", "retry", "999999")


def test_jobs_command_probe_and_sweep(django_capture_on_commit_callbacks):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("jobs", "probe", stdout=out)
    run = JobRun.objects.get()
    assert (run.task_name, run.state) == ("probe", RunState.SUCCEEDED)
    assert out.getvalue().startswith(f"probe queued as run #{run.pk}")
    out = io.StringIO()
    call_command("jobs", "sweep", stdout=out)
    assert out.getvalue().strip() == "sweep: reaped 0, dispatched 0, left waiting 0"


def test_up_starts_a_worker_and_a_scheduler():
    worker, scheduler = background_commands()
    assert worker[-7:] == ["gonghui.cli", "db_worker", "--queue-name", "*", "--no-reload", "--interval", "1"]
    assert scheduler[-2:] == ["gonghui.cli", "scheduler"]
