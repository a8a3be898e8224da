"""Dashboard roll-up and API on PostgreSQL with millions of underlying records.

    .venv/bin/python bench/dashboard_rollup.py                                  # 5,000,000 visits + 1,000,000 check-ins
    .venv/bin/python bench/dashboard_rollup.py --visits 200000 --checkins 50000 --json var/bench-dashboard.json
    .venv/bin/python bench/dashboard_rollup.py --reuse                          # keep the generated records

It works in a database of its own (``--database``, default gonghui_dashbench on 127.0.0.1, dropped and recreated
unless ``--reuse``), generates records with ``INSERT ... SELECT generate_series`` over two years (station visits
and session check-ins across every county and town), then measures:

- a full roll-up of every registered figure (``run_rollup(rebuild=True)`` from empty roll-up tables);
- an incremental one after a day's new records (visits and check-ins dated today);
- a re-run with nothing new (must write nothing);
- dashboard API and page latency (in-process Django client, logged-in provincial staff; p50/p95/max);
- peak memory (max RSS of this process) and the size of the raw and roll-up tables.
"""

import argparse
import json
import os
import resource
import statistics
import time
from datetime import timedelta
from pathlib import Path


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup(options):
    url = f"postgres://postgres@{options.host}:5432/{options.database}"
    if not options.reuse:
        import psycopg

        with psycopg.connect(f"postgresql://postgres@{options.host}:5432/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{options.database}"')
            conn.execute(f'CREATE DATABASE "{options.database}"')
    os.environ["DATABASE_URL"] = url
    os.environ.pop("GONGHUI_TESTING", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "gonghui.settings"
    os.environ.setdefault("GONGHUI_LOG_LEVEL", "WARNING")
    os.environ.setdefault("GONGHUI_VAR_DIR", "/tmp/gonghui-bench-dashboard")
    Path(os.environ["GONGHUI_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(options) -> dict:
    """Stations, visitors and sessions through the ORM (thousands); visits and check-ins in SQL (millions)."""
    from datetime import date
    from datetime import time as dtime

    from django.db import connection
    from django.utils import timezone

    from gonghui.regions.models import Region, RegionLevel
    from gonghui.stations.models import ServiceSession, Station, Visitor

    started = time.perf_counter()
    regions = list(
        Region.objects.filter(level__in=(RegionLevel.COUNTY, RegionLevel.TOWN)).values_list("code", flat=True)
    )
    Station.objects.bulk_create(
        [
            Station(
                code=f"B{i:06d}",
                name=f"压测驿站{i}",
                region_id=regions[i % len(regions)],
                address="测试地址",
                lng_wgs84=120.0,
                lat_wgs84=30.0,
                year_renovated=2024 + i % 3,
                open_24h=i % 10 == 0,
            )
            for i in range(options.stations)
        ],
        batch_size=5000,
    )
    visitors = []
    for i in range(options.visitors):
        v = Visitor(occupation="courier")
        v.phone = f"139{i:08d}"
        visitors.append(v)
    Visitor.objects.bulk_create(visitors, batch_size=2000)
    stations = list(Station.objects.values_list("id", "region_id"))
    first_day = date(timezone.localdate().year - 1, 1, 1)
    sessions = [
        ServiceSession(
            station_id=sid,
            region_id=region,
            kind="haircut",
            title="义剪",
            date=first_day + timedelta(days=i % 700),
        )
        for i, (sid, region) in enumerate(stations * max(1, options.sessions // len(stations)))
    ][: options.sessions]
    ServiceSession.objects.bulk_create(sessions, batch_size=5000)
    v_lo, v_hi = Visitor.objects.order_by("id").values_list("id", flat=True)[:: max(1, options.visitors - 1)][
        :2
    ]
    s_lo = Station.objects.order_by("id").values_list("id", flat=True).first()
    ss_lo = ServiceSession.objects.order_by("id").values_list("id", flat=True).first()
    span_seconds = 700 * 86400
    start = timezone.make_aware(timezone.datetime.combine(first_day, dtime(0)))
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        # Loading millions of rows is much faster with the secondary indexes built once afterwards.
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('stations_visit', 'stations_checkin') "
            "AND indexdef LIKE 'CREATE INDEX%%'"
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        step = 1_000_000
        for offset in range(0, options.visits, step):
            n = min(step, options.visits - offset)
            cursor.execute(
                """
                INSERT INTO stations_visit (station_id, visitor_id, occupation, method, visited_at)
                SELECT %s + (g * 7919) %% %s, %s + (g * 104729) %% %s, 'courier', 'phone',
                       %s + ((g * 48271) %% %s) * interval '1 second'
                FROM generate_series(%s::bigint, %s::bigint) AS g
                """,
                [s_lo, options.stations, v_lo, v_hi - v_lo + 1, start, span_seconds, offset, offset + n - 1],
            )
        cursor.execute(
            """
            INSERT INTO stations_checkin (session_id, slot_id, visitor_id, result, checked_in_at, by_id)
            SELECT %s + (g * 7919) %% %s, NULL, NULL, CASE WHEN g %% 20 = 0 THEN 'wrong_day' ELSE 'ok' END,
                   %s, NULL
            FROM generate_series(1::bigint, %s::bigint) AS g
            """,
            [ss_lo, options.sessions, start, options.checkins],
        )
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("ANALYZE")
    return {"generate_seconds": round(time.perf_counter() - started, 1)}


def add_a_day(options) -> int:
    """A day's new records: visits and check-ins dated today."""
    from django.db import connection
    from django.utils import timezone

    from gonghui.stations.models import Station, Visitor

    now = timezone.now()
    s_lo = Station.objects.order_by("id").values_list("id", flat=True).first()
    v_lo = Visitor.objects.order_by("id").values_list("id", flat=True).first()
    n = options.day_visits
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO stations_visit (station_id, visitor_id, occupation, method, visited_at)
            SELECT %s + (g * 7919) %% %s, %s + g %% %s, 'courier', 'phone', %s - (g %% 3600) * interval '1 second'
            FROM generate_series(1::bigint, %s::bigint) AS g
            """,
            [s_lo, options.stations, v_lo, options.visitors, now, n],
        )
    return n


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def api_latency(options) -> list[dict]:
    from django.test import Client

    from gonghui.accounts.models import Role, RoleAssignment, User
    from gonghui.dashboard.selectors import latest_year
    from gonghui.orgs.models import Organisation, OrgLevel

    org = Organisation.objects.filter(level=OrgLevel.PROVINCE).first() or Organisation.objects.create(
        code="330000", name="浙江省总工会", level=OrgLevel.PROVINCE, region_id="330000"
    )
    user = User.objects.create_user(f"137{int(time.time()) % 10**8:08d}", "Bench@Pass123", name="压测")
    RoleAssignment.objects.get_or_create(user=user, role=Role.STAFF, organisation=org)
    client = Client()
    client.force_login(user)
    year = latest_year()
    endpoints = {
        "api summary (province)": ("/api/v1/dashboard/summary", {"year": year}),
        "api values (cities)": ("/api/v1/dashboard/values", {"figure": "stations.visits", "year": year}),
        "api values (90 counties)": (
            "/api/v1/dashboard/values",
            {"figure": "stations.visits", "year": year, "by": "counties", "limit": 100},
        ),
        "api values (county, month)": (
            "/api/v1/dashboard/values",
            {"figure": "stations.beneficiaries", "year": year, "region": "330127", "by": "self", "month": 3},
        ),
        "api trend (city)": (
            "/api/v1/dashboard/trend",
            {"figure": "stations.visits", "year": year, "region": "330100"},
        ),
        "page dashboard (province)": ("/dashboard/", {"year": year, "figure": "stations.visits"}),
        "page big screen (city)": ("/dashboard/screen/", {"year": year, "region": "330100"}),
    }
    rows = []
    for name, (path, params) in endpoints.items():
        client.get(path, params)  # warm
        times = []
        for _ in range(options.requests):
            started = time.perf_counter()
            response = client.get(path, params)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        times.sort()
        rows.append(
            {
                "endpoint": name,
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
                "max_ms": round(times[-1], 1),
            }
        )
    return rows


def table_sizes() -> dict:
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        for table in ("stations_visit", "stations_checkin", "dashboard_figurevalue"):
            cursor.execute(f"SELECT count(*), pg_total_relation_size('{table}') FROM {table}")
            count, size = cursor.fetchone()
            out[table] = {"rows": count, "mb": round(size / 2**20, 1)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--database", default="gonghui_dashbench")
    parser.add_argument("--visits", type=int, default=5_000_000)
    parser.add_argument("--checkins", type=int, default=1_000_000)
    parser.add_argument("--stations", type=int, default=20_000)
    parser.add_argument("--visitors", type=int, default=5_000)
    parser.add_argument("--sessions", type=int, default=40_000)
    parser.add_argument("--day-visits", type=int, default=8_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--reuse", action="store_true", help="keep the database and its records")
    parser.add_argument("--json", type=Path)
    options = parser.parse_args()

    setup(options)
    from gonghui.dashboard.models import FigureValue, RollupCheckpoint
    from gonghui.dashboard.rollup import run_rollup
    from gonghui.stations.models import Visit

    result = {"cpus": os.cpu_count()}
    if not options.reuse or not Visit.objects.exists():
        result.update(generate(options))
    FigureValue.objects.all().delete()
    RollupCheckpoint.objects.all().delete()
    rss_before = rss_mb()
    stats, seconds = timed(lambda: run_rollup(rebuild=True))
    result["full_rollup_seconds"] = round(seconds, 2)
    result["full_rollup_rows_written"] = sum(s.written for s in stats)
    result["slowest_figures"] = sorted(
        ({"figure": s.figure_key, "seconds": s.seconds} for s in stats), key=lambda r: -r["seconds"]
    )[:3]
    result["rss_mb_before_rollup"] = round(rss_before, 1)
    result["rss_mb_after_rollup"] = round(rss_mb(), 1)
    result["day_records"] = add_a_day(options)
    stats, seconds = timed(run_rollup)
    result["incremental_rollup_seconds"] = round(seconds, 2)
    result["incremental_rows_written"] = sum(s.written for s in stats)
    stats, seconds = timed(run_rollup)
    result["unchanged_rerun_seconds"] = round(seconds, 2)
    result["unchanged_rerun_rows_written"] = sum(s.written for s in stats)
    result["latency"] = api_latency(options)
    result["tables"] = table_sizes()
    result["peak_rss_mb"] = round(rss_mb(), 1)

    print(f"dashboard roll-up on PostgreSQL, {result['cpus']} CPUs")
    t = result["tables"]
    print(
        f"  records: {t['stations_visit']['rows']:,} visits ({t['stations_visit']['mb']} MB), "
        f"{t['stations_checkin']['rows']:,} check-ins ({t['stations_checkin']['mb']} MB); "
        f"roll-up rows {t['dashboard_figurevalue']['rows']:,} ({t['dashboard_figurevalue']['mb']} MB)"
    )
    if "generate_seconds" in result:
        print(f"  generated in {result['generate_seconds']} s")
    print(f"  {'step':<34}{'seconds':>10}{'rows written':>15}")
    for label, s, w in (
        ("full roll-up (every figure)", "full_rollup_seconds", "full_rollup_rows_written"),
        (
            f"incremental (+{result['day_records']:,} today)",
            "incremental_rollup_seconds",
            "incremental_rows_written",
        ),
        ("re-run, nothing new", "unchanged_rerun_seconds", "unchanged_rerun_rows_written"),
    ):
        print(f"  {label:<34}{result[s]:>10}{result[w]:>15,}")
    print(
        "  slowest figures: "
        + ", ".join(f"{r['figure']} {r['seconds']} s" for r in result["slowest_figures"])
    )
    print(f"  {'endpoint':<34}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for row in result["latency"]:
        print(f"  {row['endpoint']:<34}{row['p50_ms']:>10}{row['p95_ms']:>10}{row['max_ms']:>10}")
    print(
        f"  memory: peak RSS {result['peak_rss_mb']} MB (before roll-up {result['rss_mb_before_rollup']} MB, "
        f"after {result['rss_mb_after_rollup']} MB)"
    )
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
