"""The background processes that ``gonghui up`` starts beside the web server (worker, scheduler)."""

import sys


def background_commands() -> list[list[str]]:
    """Commands for the embedded default: one task worker on the database backend."""
    return [[sys.executable, "-m", "gonghui.cli", "db_worker"]]
