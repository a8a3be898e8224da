"""The trust layer's costs: member codes, Excel imports and audit-chain verification.

    .venv/bin/python bench/accounts_trust.py                       # 2,000-row import (best of 3), 20,000 audit events
    .venv/bin/python bench/accounts_trust.py --rows 500 --events 5000 --json var/bench-accounts.json

It works on a fresh SQLite database in a temporary directory (or DATABASE_URL if set), migrates it, and measures:
- member code: issuing and checking a token offline with the public key (pure Python, per second);
- Excel import of enterprise rows, all valid (validate every row, then write them with bulk_create in batches,
  audited as one import event);
- the same file with one bad row (validation only: nothing is saved);
Imports are timed as the best of ``--repeat`` rounds, each with fresh rows.
- ``verify_chain`` over the audit log (events per second).
"""

import argparse
import io
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--codes", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3, help="import rounds; the best is reported")
    parser.add_argument("--json", type=Path)
    options = parser.parse_args()

    os.environ.setdefault("GONGHUI_VAR_DIR", tempfile.mkdtemp(prefix="gonghui-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    os.environ["GONGHUI_LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from openpyxl import Workbook

    from gonghui.accounts import membercode
    from gonghui.accounts.models import Role, RoleAssignment, User
    from gonghui.core import identities
    from gonghui.core.actor import Actor, actor_for_user
    from gonghui.core.audit import record, verify_chain
    from gonghui.orgs import excel
    from gonghui.orgs.models import Enterprise, Organisation

    figures = {}
    key = membercode.private_key_from_seed(b"b" * 32)
    public = membercode.public_key_bytes(key)
    started = time.perf_counter()
    tokens = [membercode.issue_token(key, f"{i:016x}") for i in range(options.codes)]
    figures["member_code_issue_per_s"] = options.codes / (time.perf_counter() - started)
    seen = set()
    started = time.perf_counter()
    for token in tokens:
        result = membercode.check_token(token, public, seen=seen)
        seen.add(result.token_id)
    figures["member_code_check_per_s"] = options.codes / (time.perf_counter() - started)
    figures["member_code_token_chars"] = len(tokens[0])

    org = Organisation.objects.create(code="330000", name="省总", level="province", region_id="330000")
    user = User.objects.create_user("13800009999", None, name="bench")
    RoleAssignment.objects.create(user=user, role=Role.STAFF, organisation=org)
    actor = actor_for_user(user, role=Role.STAFF)
    rng = random.Random(1)
    headers = ["统一社会信用代码", "企业名称", "行业门类", "行业大类代码", "区划代码", "职工人数"]

    def workbook(rows):
        book = Workbook()
        sheet = book.active
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    # Best of --repeat rounds (fresh rows each round): a shared machine's load only ever slows a round down.
    best_validate = best_import = float("inf")
    for round_number in range(options.repeat):
        codes = set()
        while len(codes) < options.rows:
            code = identities.credit_code(rng, "330127")
            if not Enterprise.objects.filter(credit_code=code).exists():
                codes.add(code)
        rows = [
            [code, f"企业{round_number}-{i}", "C", "34", "330127", 50] for i, code in enumerate(sorted(codes))
        ]
        bad = workbook(rows[:-1] + [["91330127XXXXXXXXX0", "坏", "C", "34", "330127", 1]])
        good = workbook(rows)
        started = time.perf_counter()
        try:
            excel.import_file(actor=actor, kind="enterprises", content=bad)
        except excel.ImportRejected:
            pass
        best_validate = min(best_validate, time.perf_counter() - started)
        started = time.perf_counter()
        excel.import_file(actor=actor, kind="enterprises", content=good)
        best_import = min(best_import, time.perf_counter() - started)
    figures["import_rejected_rows_per_s"] = options.rows / best_validate
    figures["import_rows_per_s"] = options.rows / best_import
    assert Enterprise.objects.count() == options.rows * options.repeat

    bench_actor = Actor(role="staff", user_id=user.pk, name="bench", region_prefix="33")
    for i in range(max(0, options.events - verify_chain().checked)):
        record(bench_actor, "bench.event", detail=str(i))
    started = time.perf_counter()
    report = verify_chain()
    figures["audit_events"] = report.checked
    figures["audit_verify_per_s"] = report.checked / (time.perf_counter() - started)

    print(f"{'figure':<30} {'value':>12}")
    for name, value in figures.items():
        print(f"{name:<30} {value:>12,.0f}")
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
