"""The background processes that ``gonghui up`` starts beside the web server: one queue worker, one scheduler."""

import sys


def background_commands() -> list[list[str]]:
    """Commands for the embedded default (database queue on the same SQLite or PostgreSQL database)."""
    gonghui = [sys.executable, "-m", "gonghui.cli"]
    return [
        [*gonghui, "db_worker", "--queue-name", "*", "--no-reload", "--interval", "1"],
        [*gonghui, "scheduler"],
    ]
