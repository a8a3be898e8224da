"""Server time and database queries of the main pages, as each demo account sees them.

Run against a database with demo data (province scale for the published figures):
    GONGHUI_VAR_DIR=/tmp/bench-var .venv/bin/gonghui migrate && GONGHUI_VAR_DIR=/tmp/bench-var .venv/bin/gonghui demo --scale province --reset
    GONGHUI_VAR_DIR=/tmp/bench-var .venv/bin/python bench/pages.py [--repeat 20] [--json out.json]
Pages are the navigation entries of every demo role plus the public ones, requested in-process through Django's
test client (the full middleware stack, no network), so the times are server time only.
"""

import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from gonghui.accounts.models import RoleAssignment  # noqa: E402
from gonghui.core.middleware import ACTIVE_ROLE_SESSION_KEY  # noqa: E402
from gonghui.core.navigation import items_for  # noqa: E402


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def clients():
    yield "anonymous", Client()
    seen = set()
    for assignment in RoleAssignment.objects.filter(active=True).select_related("user", "organisation").order_by("id"):
        key = (assignment.role, assignment.organisation_id and assignment.organisation.level)
        if key in seen:
            continue
        seen.add(key)
        client = Client()
        client.force_login(assignment.user)
        session = client.session
        session[ACTIVE_ROLE_SESSION_KEY] = assignment.pk
        session.save()
        label = assignment.role + (f"/{assignment.organisation.level}" if assignment.organisation_id else "")
        yield label, client


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", dest="json_path")
    args = parser.parse_args()
    rows = []
    for label, client in clients():
        role = label.split("/")[0]
        for item in items_for(role):
            url = item["url"]
            client.get(url)  # warm caches and imports
            timings, queries, status = [], [], None
            for _ in range(args.repeat):
                with CaptureQueriesContext(connection) as ctx:
                    started = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - started) * 1000)
                queries.append(len(ctx.captured_queries))
                status = response.status_code
            rows.append(
                {
                    "role": label,
                    "url": url,
                    "status": status,
                    "p50_ms": round(statistics.median(timings), 2),
                    "p95_ms": round(percentile(timings, 0.95), 2),
                    "queries": max(queries),
                    "bytes": len(response.content),
                }
            )
    header = f"{'role':<22} {'page':<40} {'status':>6} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'KiB':>7}"
    print(f"database: {connection.vendor}  repeat: {args.repeat}")
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['role']:<22} {r['url']:<40} {r['status']:>6} {r['p50_ms']:>8.2f} {r['p95_ms']:>8.2f} "
            f"{r['queries']:>8} {r['bytes'] / 1024:>7.1f}"
        )
    if args.json_path:
        with open(args.json_path, "w") as handle:
            json.dump({"database": connection.vendor, "repeat": args.repeat, "pages": rows}, handle, indent=2)
    return 0 if all(r["status"] < 500 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
