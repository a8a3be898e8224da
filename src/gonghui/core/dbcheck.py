"""Checks that the configured database can be reached, with a one-line message that says what to do."""

from django.db import connection
from django.db.utils import OperationalError


def database_problem() -> str | None:
    settings_dict = connection.settings_dict
    try:
        connection.ensure_connection()
    except OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if connection.vendor == "postgresql":
            where = f"{settings_dict.get('HOST') or 'localhost'}:{settings_dict.get('PORT') or 5432}"
            return (
                f"cannot reach PostgreSQL at {where} (database {settings_dict.get('NAME')}): {first_line} "
                "— start the server, create the database, or fix DATABASE_URL"
            )
        return f"cannot open the database {settings_dict.get('NAME')}: {first_line}"
    return None
