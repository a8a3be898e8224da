"""The gonghui command's bad-input behaviour: one-line errors that say what to do, and nothing half-done."""

import os
import secrets
import socket
import sqlite3
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gonghui.orgs.models import Organisation


def run_gonghui(*args, env=None, tmp_path):
    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GONGHUI_TESTING", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    full_env.update({"GONGHUI_VAR_DIR": str(tmp_path)})
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "gonghui.cli", *args], env=full_env, capture_output=True, text=True, timeout=120
    )


def test_malformed_database_url_is_one_line(tmp_path):
    result = run_gonghui("check", env={"DATABASE_URL": "mysqlish://nowhere"}, tmp_path=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("gonghui: configuration error: DATABASE_URL")


def test_unreachable_postgres_is_one_line_and_creates_nothing(tmp_path):
    result = run_gonghui(
        "up", "--check-only", env={"DATABASE_URL": "postgres://nobody@127.0.0.1:1/gonghui"}, tmp_path=tmp_path
    )
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "cannot reach PostgreSQL at 127.0.0.1:1" in result.stderr
    assert "fix DATABASE_URL" in result.stderr


def test_port_in_use_is_refused_before_anything_is_migrated(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_gonghui("up", "--check-only", "--port", str(port), tmp_path=tmp_path)
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert result.stderr.strip().count("\n") == 0
    with sqlite3.connect(tmp_path / "gonghui.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone() == (0,)


def test_production_needs_secrets_from_the_environment(tmp_path):
    result = run_gonghui("check", env={"DEBUG": "0"}, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "SECRET_KEY must be set in the environment when DEBUG is off" in result.stderr
    env = {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "GONGHUI_FIELD_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "gonghui.example.org",
    }
    result = run_gonghui("check", "--deploy", "--fail-level", "WARNING", env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_demo_refuses_a_database_that_holds_data():
    Organisation.objects.create(code="X", name="已有数据", level="province", region_id="330000")
    with pytest.raises(CommandError, match="--reset"):
        call_command("demo")
    assert list(Organisation.objects.values_list("code", flat=True)) == ["X"]


@pytest.mark.django_db
def test_only_public_uploads_are_served(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "stations" / "1" / "photos").mkdir(parents=True)
    (tmp_path / "stations" / "1" / "photos" / "a.jpg").write_bytes(b"jpeg")
    (tmp_path / "craftsmen" / "2026" / "01").mkdir(parents=True)
    (tmp_path / "craftsmen" / "2026" / "01" / "secret.pdf").write_bytes(b"pdf")
    assert client.get("/media/stations/1/photos/a.jpg").status_code == 200
    assert client.get("/media/craftsmen/2026/01/secret.pdf").status_code == 404
    assert client.get("/media/stations/../craftsmen/2026/01/secret.pdf").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_demo_reset_replaces_the_data_set_instead_of_mixing_two():
    from gonghui.accounts.models import User
    from gonghui.orgs.models import Enterprise, Member

    def census():
        return (
            Organisation.objects.count(),
            Enterprise.objects.count(),
            Member.objects.count(),
            User.objects.count(),
            sorted(Enterprise.objects.values_list("credit_code", flat=True))[:5],
        )

    call_command("demo", scale="small")
    first = census()
    assert first[1] > 1000
    call_command("demo", scale="small", reset=True)
    assert census() == first
