"""Configuration helpers used by settings.py: database URLs and locally generated secrets."""

import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

SUPPORTED_ENGINES = {"django.db.backends.sqlite3", "django.db.backends.postgresql"}


def database_from_url(url: str | None, default_sqlite_path: Path) -> dict:
    """Parse DATABASE_URL (PostgreSQL or SQLite); with none set, use the embedded SQLite file."""
    if not url:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(default_sqlite_path)}
    else:
        try:
            config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        except Exception as exc:  # dj_database_url raises several kinds for bad URLs
            raise ImproperlyConfigured(
                f"DATABASE_URL is malformed ({exc}); expected e.g. postgres://user@127.0.0.1:5432/gonghui "
                "or sqlite:////path/to/file.sqlite3"
            ) from exc
        if config.get("ENGINE") not in SUPPORTED_ENGINES or not config.get("NAME"):
            raise ImproperlyConfigured(
                "DATABASE_URL must name a PostgreSQL database (postgres://user@host:5432/name) "
                "or an SQLite file (sqlite:////path/to/file.sqlite3)"
            )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so two writers
        # queue on the busy timeout instead of failing half-way through a transaction.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
        config.pop("CONN_HEALTH_CHECKS", None)
        config["CONN_MAX_AGE"] = 0
        config["TEST"] = {"NAME": str(Path(config["NAME"]).with_name("test_gonghui.sqlite3"))}
    return config


def local_secret(path: Path) -> str:
    """Return a secret kept in a file under var/, creating it once (local use only)."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    # Exclusive create: two processes starting at once must end up with the same key.
    try:
        with open(path, "x") as handle:
            handle.write(value)
        path.chmod(0o600)
    except FileExistsError:
        return path.read_text().strip()
    return value
