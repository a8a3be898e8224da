"""Three roll-ups of the same figures at once (a scheduled run meeting two on-demand ones), on PostgreSQL with
real threads: none fails, and the cells are exactly those of one run."""

import threading
from datetime import date

import pytest
from django.db import connection, connections

from gonghui.dashboard import rollup
from gonghui.dashboard.models import FigureValue
from tests.dashboard.test_rollup import build_stations, cells

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
KEYS = ["stations.visits", "stations.beneficiaries"]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


def test_concurrent_rollups_write_each_cell_once():
    build_stations()
    barrier = threading.Barrier(3)
    errors = []

    def run():
        try:
            barrier.wait()
            rollup.run_rollup(KEYS, today=date(2025, 12, 15))
        except Exception as exc:  # noqa: BLE001 — any failure is the finding
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    concurrent = {key: cells(key) for key in KEYS}
    FigureValue.objects.all().delete()
    rollup.run_rollup(KEYS, today=date(2025, 12, 15), rebuild=True)
    assert concurrent == {key: cells(key) for key in KEYS}
    assert FigureValue.objects.count() == 14 + 6  # visits 14 cells, check-ins 6 (May and June)
