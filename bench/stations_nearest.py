"""Nearest open stations with filters among 200,000 stations (national scale): in process and over HTTP.

    .venv/bin/python bench/stations_nearest.py                                   # in process only
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gonghui_stations_bench \\
        .venv/bin/python bench/stations_nearest.py --http --json var/bench/stations_nearest.json

In process: the same 200,000 synthetic stations (clustered around 300 city centres across China, weekly hours with
overnight spans, 15% open 24 h) answered by the naive numpy scan (haversine to every station, filter, sort) and by
``gonghui.stations.finder.StationIndex`` (cKDTree over unit vectors, filter-aware expansion, "open now" mask cached
per minute). Both must return the same stations; the script checks every query of the comparison.

Over HTTP (``--http``, PostgreSQL): the stations are loaded into the database, gunicorn serves
``/api/v1/stations/nearest`` (each worker builds its index at start), and ``wrk`` (Debian package) drives it from a
second process with 50 connections and random points near the city centres; ``--load python`` uses a Python
asyncio client in a separate process instead. Reports throughput, latency percentiles and the workers' memory.
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from gonghui.stations.finder import StationIndex, StationRecord, naive_nearest  # noqa: E402

BITS = {"microwave": 1 << 4, "wifi": 1 << 9, "shower": 1 << 12}
TYPES = ["fixed", "smart24", "mobile", "partner"]


def city_centres(rng, count=300):
    # Eastern China is denser: most centres between 105°E and 122°E, 21°N and 41°N.
    return [
        (rng.uniform(105, 122), rng.uniform(21, 41))
        if rng.random() < 0.85
        else (rng.uniform(80, 105), rng.uniform(25, 45))
        for _ in range(count)
    ]


def synthetic_records(n, seed=2025):
    rng = random.Random(seed)
    centres = city_centres(rng)
    patterns = [
        (55, range(7), 480, 1200),
        (15, range(5), 540, 1020),
        (20, range(7), 420, 1320),
        (10, range(7), 1080, 360 + 1440),
    ]
    records = []
    for i in range(n):
        c_lng, c_lat = rng.choice(centres)
        open_24h = rng.random() < 0.15
        weekly = {}
        if not open_24h:
            _w, days, s, e = rng.choices(patterns, [p[0] for p in patterns])[0]
            weekly = {d: [(s, e)] for d in days}
        bits = sum(1 << b for b in range(18) if rng.random() < (0.7 if b < 10 else 0.15))
        records.append(
            StationRecord(
                id=i + 1,
                lng=c_lng + rng.gauss(0, 0.15),
                lat=c_lat + rng.gauss(0, 0.12),
                amenity_bits=bits,
                station_type="smart24"
                if open_24h and rng.random() < 0.8
                else rng.choices(TYPES, [70, 0, 3, 27])[0],
                open_24h=open_24h,
                weekly=weekly,
                code=f"BENCH-{i + 1:06d}",
                name=f"驿站{i + 1}",
                address="",
            )
        )
    return records, centres


SCENARIOS = [
    ("k=20, no filter", dict(k=20)),
    ("k=10, microwave, open now", dict(k=10, amenity_mask=BITS["microwave"], open=True)),
    (
        "k=10, microwave+wifi+shower, open now",
        dict(k=10, amenity_mask=BITS["microwave"] | BITS["wifi"] | BITS["shower"], open=True),
    ),
    ("k=10, mobile container, open now", dict(k=10, types=["mobile"], open=True)),
]


def percentile(values, p):
    return float(np.percentile(np.asarray(values), p))


def in_process(records, centres, queries, naive_queries, seed=7):
    rng = random.Random(seed)
    started = time.perf_counter()
    index = StationIndex(records)
    build_s = time.perf_counter() - started
    at = datetime(2025, 12, 3, 2, 30)  # 02:30 on a Wednesday: only 24 h and overnight stations are open
    started = time.perf_counter()
    index._open_cache = None
    index.open_mask(at)
    mask_ms = (time.perf_counter() - started) * 1000
    points = [
        (c[0] + rng.gauss(0, 0.1), c[1] + rng.gauss(0, 0.08))
        for c in (rng.choice(centres) for _ in range(queries))
    ]
    rows = []
    for label, spec in SCENARIOS:
        kwargs = {k: v for k, v in spec.items() if k != "open"}
        if spec.get("open"):
            kwargs["open_at"] = at
        fast = []
        for lng, lat in points:
            t = time.perf_counter()
            index.nearest(lng, lat, **kwargs)
            fast.append((time.perf_counter() - t) * 1000)
        slow, mismatches = [], 0
        for lng, lat in points[:naive_queries]:
            t = time.perf_counter()
            expected = naive_nearest(index, lng, lat, **kwargs)
            slow.append((time.perf_counter() - t) * 1000)
            got = index.nearest(lng, lat, **kwargs)
            mismatches += [h.id for h in got] != [h.id for h in expected]
        rows.append(
            {
                "scenario": label,
                "queries": queries,
                "kdtree_mean_ms": round(float(np.mean(fast)), 4),
                "kdtree_p50_ms": round(percentile(fast, 50), 4),
                "kdtree_p99_ms": round(percentile(fast, 99), 4),
                "naive_mean_ms": round(float(np.mean(slow)), 3),
                "naive_p99_ms": round(percentile(slow, 99), 3),
                "speedup": round(float(np.mean(slow)) / float(np.mean(fast)), 1),
                "checked": len(slow),
                "mismatches": mismatches,
            }
        )
    return {
        "stations": len(records),
        "index_build_s": round(build_s, 2),
        "open_mask_refresh_ms": round(mask_ms, 2),
        "scenarios": rows,
    }


# --- HTTP --------------------------------------------------------------------------------------------------------

GUNICORN_CONF = """
def post_worker_init(worker):
    from gonghui.stations.finder import current_index
    current_index()  # build the index before the first request
"""

WRK_SCRIPT = """
math.randomseed(7)
local centres = {%s}
request = function()
  local c = centres[math.random(#centres)]
  local lng = c[1] + (math.random() - 0.5) * 0.3
  local lat = c[2] + (math.random() - 0.5) * 0.25
  return wrk.format("GET", string.format("/api/v1/stations/nearest?lng=%%.5f&lat=%%.5f&open_now=1&amenity=microwave&limit=10", lng, lat))
end
"""

PY_CLIENT = r"""
import asyncio, json, random, sys, time
host, port, clients, duration, centres = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), json.loads(sys.argv[5])
lat_ms, errors = [], 0
async def client(seed):
    global errors
    rng = random.Random(seed)
    reader, writer = await asyncio.open_connection(host, port)
    end = time.perf_counter() + duration
    while time.perf_counter() < end:
        c = rng.choice(centres)
        path = "/api/v1/stations/nearest?lng=%.5f&lat=%.5f&open_now=1&amenity=microwave&limit=10" % (c[0] + rng.uniform(-.15, .15), c[1] + rng.uniform(-.12, .12))
        t = time.perf_counter()
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0].split(b":")[1])
        await reader.readexactly(length)
        lat_ms.append((time.perf_counter() - t) * 1000)
        if not head.startswith(b"HTTP/1.1 200"):
            errors += 1
async def main():
    await asyncio.gather(*(client(i) for i in range(clients)))
asyncio.run(main())
lat_ms.sort()
q = lambda p: lat_ms[min(len(lat_ms) - 1, int(p / 100 * len(lat_ms)))]
print(json.dumps({"requests": len(lat_ms), "rps": len(lat_ms) / duration, "p50_ms": q(50), "p90_ms": q(90), "p99_ms": q(99), "max_ms": lat_ms[-1], "errors": errors}))
"""


def load_database(records):
    """Put the synthetic stations (and their hours) into the database named by DATABASE_URL."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    os.environ.pop("GONGHUI_TESTING", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from gonghui.regions.models import Region, RegionLevel
    from gonghui.stations.models import HoursOverride, OpeningHours, Station

    call_command("migrate", verbosity=0)
    if Station.objects.count() == len(records) and Station.objects.filter(code="BENCH-000001").exists():
        return "reused"
    OpeningHours.objects.all().delete()
    HoursOverride.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE stations_station CASCADE")
    towns = list(Region.objects.filter(level=RegionLevel.TOWN).values_list("code", flat=True))
    now = timezone.now()
    rng = random.Random(1)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            "COPY stations_station (code, name, station_type, status, host_name, region_id, address, lng_wgs84, "
            "lat_wgs84, open_24h, amenity_bits, extras, contact_phone, star_level, subsidy_yuan, door_token, "
            "created_at, updated_at) FROM STDIN"
        ) as copy:
            for r in records:
                copy.write_row(
                    (
                        r.code,
                        r.name,
                        r.station_type,
                        "active",
                        "",
                        rng.choice(towns),
                        r.address or "-",
                        r.lng,
                        r.lat,
                        r.open_24h,
                        r.amenity_bits,
                        "",
                        "",
                        3,
                        0,
                        f"bench{r.id}",
                        now,
                        now,
                    )
                )
        ids = dict(Station.objects.values_list("code", "id"))
        with cursor.cursor.copy(
            "COPY stations_openinghours (station_id, weekday, opens, closes) FROM STDIN"
        ) as copy:
            for r in records:
                sid = ids[r.code]
                for weekday, spans in r.weekly.items():
                    for s, e in spans:
                        e %= 1440
                        copy.write_row(
                            (sid, weekday, f"{s // 60:02d}:{s % 60:02d}", f"{e // 60:02d}:{e % 60:02d}")
                        )
    return "loaded"


def cpu_seconds(pid) -> float:
    """User + system CPU time a process has used (from /proc, in clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_of(pid):
    out = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith(("Rss:", "Pss:")):
                out[line.split(":")[0].lower() + "_mb"] = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return out


def over_http(records, centres, *, clients, duration, workers, load, nice=0, threads=0):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("--http needs DATABASE_URL=postgres://... (the serving database)")
    started = time.perf_counter()
    loaded = load_database(records)
    load_s = time.perf_counter() - started
    tmp = Path(tempfile.mkdtemp(prefix="stations-bench-"))
    (tmp / "gunicorn_conf.py").write_text(GUNICORN_CONF)
    port = 18765
    env = dict(
        os.environ,
        DEBUG="0",
        SECRET_KEY="bench-secret-key-not-for-production-0123456789abcdef",
        GONGHUI_FIELD_KEY="bench-field-key-0123456789",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        GONGHUI_SSL_REDIRECT="0",
        GONGHUI_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="gonghui.settings",
        PYTHONPATH=str(ROOT / "src"),
        GONGHUI_VAR_DIR=str(tmp),
    )
    prefix = ["nice", "-n", str(nice)] if nice else []
    server = subprocess.Popen(
        prefix
        + [
            str(Path(sys.executable).parent / "gunicorn"),
            "gonghui.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "-c",
            str(tmp / "gunicorn_conf.py"),
            "--log-level",
            "warning",
            "--timeout",
            "300",
        ]
        + (["-k", "gthread", "--threads", str(threads), "--keep-alive", "5"] if threads else []),
        env=env,
        start_new_session=True,
    )
    try:
        import urllib.request

        probe = f"http://127.0.0.1:{port}/api/v1/stations/nearest?lng=120.15&lat=30.28&limit=10"
        deadline = time.time() + 300
        while True:
            try:
                with urllib.request.urlopen(probe, timeout=60) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(1)
        for _ in range(workers * 10):  # every worker warm
            urllib.request.urlopen(probe, timeout=60).read()
        worker_pids = [
            int(p)
            for p in subprocess.run(
                ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
            ).stdout.split()
        ]
        centre_list = [[round(c[0], 4), round(c[1], 4)] for c in centres]
        cpu_before = sum(cpu_seconds(pid) for pid in worker_pids)
        if load == "wrk":
            script = tmp / "nearest.lua"
            script.write_text(WRK_SCRIPT % ", ".join(f"{{{c[0]}, {c[1]}}}" for c in centre_list))
            out = subprocess.run(
                prefix
                + [
                    "wrk",
                    "-t2",
                    f"-c{clients}",
                    f"-d{duration}s",
                    "--latency",
                    "--timeout",
                    "5s",
                    "-s",
                    str(script),
                    f"http://127.0.0.1:{port}",
                ],
                capture_output=True,
                text=True,
            ).stdout
            result = parse_wrk(out)
        else:
            out = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    PY_CLIENT,
                    "127.0.0.1",
                    str(port),
                    str(clients),
                    str(duration),
                    json.dumps(centre_list),
                ],
                capture_output=True,
                text=True,
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
        memory = {str(pid): memory_of(pid) for pid in worker_pids}
        cpu_used = sum(cpu_seconds(pid) for pid in worker_pids) - cpu_before
        if result.get("requests"):
            # Load-independent cost: CPU the serving workers spent per answered request.
            result["worker_cpu_ms_per_request"] = round(1000 * cpu_used / result["requests"], 3)
        return {
            "database": "postgresql",
            "db_load": loaded,
            "db_load_s": round(load_s, 1),
            "server": (
                f"gunicorn {workers} gthread workers × {threads} threads, keep-alive"
                if threads
                else f"gunicorn {workers} sync workers"
            )
            + (f" (nice {nice})" if nice else ""),
            "load_generator": "wrk (Debian), 2 threads"
            if load == "wrk"
            else "python asyncio client (separate process)",
            "clients": clients,
            "duration_s": duration,
            **result,
            "worker_memory": memory,
            "endpoint": "/api/v1/stations/nearest?open_now=1&amenity=microwave&limit=10",
        }
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


def parse_wrk(text):
    def ms(value):
        number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
        return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]

    result = {"raw": text}
    for p in ("50", "90", "99"):
        m = re.search(rf"^\s+{p}%\s+(\S+)", text, re.M)
        if m:
            result[f"p{p}_ms"] = round(ms(m.group(1)), 2)
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    result["rps"] = float(m.group(1)) if m else None
    m = re.search(r"(\d+) requests in", text)
    result["requests"] = int(m.group(1)) if m else None
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    result["errors"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: (.*)", text)
    result["socket_errors"] = m.group(1) if m else ""
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--naive-queries", type=int, default=200)
    parser.add_argument("--http", action="store_true")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads", type=int, default=0, help="gthread workers with this many threads (keep-alive)"
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="run server and load generator at this niceness (e.g. -10 on a shared machine)",
    )
    parser.add_argument(
        "--load", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python"
    )
    parser.add_argument("--http-only", action="store_true", help="skip the in-process comparison")
    parser.add_argument("--json", type=Path)
    options = parser.parse_args()

    records, centres = synthetic_records(options.stations)
    report = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "load_average_at_start": os.getloadavg(),
        }
    }
    if not options.http_only:
        report["in_process"] = in_process(records, centres, options.queries, options.naive_queries)
    ip = report.get("in_process")
    if ip:
        print(
            f"\nNearest stations among {ip['stations']:,} (in process; index build {ip['index_build_s']} s, "
            f"open-now mask refresh {ip['open_mask_refresh_ms']} ms once per minute)"
        )
        print(
            f"{'scenario':42} {'k-d tree mean':>14} {'p99':>9} {'naive mean':>11} {'p99':>9} {'speed-up':>9} {'same answers':>13}"
        )
        for r in ip["scenarios"]:
            print(
                f"{r['scenario']:42} {r['kdtree_mean_ms']:>11.3f} ms {r['kdtree_p99_ms']:>6.3f} ms "
                f"{r['naive_mean_ms']:>8.2f} ms {r['naive_p99_ms']:>6.2f} ms {r['speedup']:>8.0f}x "
                f"{r['checked'] - r['mismatches']:>6}/{r['checked']}"
            )
    if options.http:
        report["http"] = over_http(
            records,
            centres,
            clients=options.clients,
            duration=options.duration,
            workers=options.workers,
            load=options.load,
            nice=options.nice,
            threads=options.threads,
        )
        h = report["http"]
        total_pss = sum(m.get("pss_mb", 0) for m in h["worker_memory"].values())
        load = os.getloadavg()
        h["load_average_after"] = load
        print(
            f"\nOver HTTP ({h['database']}, {h['server']}, load: {h['load_generator']}, {h['clients']} clients, "
            f"{h['duration_s']} s)"
        )
        print(
            f"requests {h['requests']}, {h['rps']:.0f} req/s, p50 {h.get('p50_ms')} ms, p90 {h.get('p90_ms')} ms, "
            f"p99 {h.get('p99_ms')} ms, errors {h['errors']}; "
            f"worker CPU per request {h.get('worker_cpu_ms_per_request')} ms"
        )
        for pid, m in h["worker_memory"].items():
            print(f"worker {pid}: RSS {m.get('rss_mb')} MB, PSS {m.get('pss_mb')} MB")
        print(f"workers' PSS total {total_pss:.0f} MB")
        start_load = report["machine"]["load_average_at_start"]
        print(
            f"machine load average (1 min) at start {start_load[0]:.1f}, after {load[0]:.1f} on {os.cpu_count()} CPUs"
        )
        h.pop("raw", None) if h.get("p99_ms") is not None else None
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
