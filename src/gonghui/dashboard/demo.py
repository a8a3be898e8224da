"""Demo: roll up every registered figure from the records the programmes' demo builders just made (this app comes
last in INSTALLED_APPS), so the dashboard opens with the seed's figures computed from those records."""

from gonghui.dashboard.rollup import run_rollup


def build(ctx) -> None:
    run_rollup(rebuild=True)
