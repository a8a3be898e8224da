"""The recuperation lottery at province scale: a draw of 1,000,000 applications for 20,000 places across 90 quota
units, and its verification (recompute + compare), with several ways of computing HMAC-SHA256 side by side.

    .venv/bin/python bench/recuperation_draw.py [--applications 1000000] [--places 20000] [--units 90] [--json out.json]

The production code is ``gonghui.recuperation.lottery`` (plain Python: keyed SHA-256 inner/outer states copied per
id). The other variants are here for comparison only; every variant must produce the identical ranking.
Each step runs in a forked child process so that its time and its extra memory (peak RSS above the RSS at the start
of the step, Linux /proc/self/clear_refs + VmHWM) are its own.
"""

import argparse
import hashlib
import hmac
import json
import multiprocessing as mp
import os
import platform
import random
import resource
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from gonghui.recuperation import lottery  # noqa: E402  (no Django needed)
from gonghui.recuperation.apportion import largest_remainder  # noqa: E402

SEED = "5eed" * 16


def make_inputs(n_applications: int, places: int, n_units: int, seed: int = 2025):
    """Unit sizes vary like county member counts (log-normal); ids are shuffled over units."""
    rng = random.Random(seed)
    weights = {f"33{u:04d}": int(rng.lognormvariate(9, 0.8)) + 1 for u in range(n_units)}
    sizes = largest_remainder(n_applications, weights)
    unit_places = largest_remainder(places, weights)
    ids = list(range(1, n_applications + 1))
    rng.shuffle(ids)
    units, start = {}, 0
    for unit, size in sizes.items():
        units[unit] = sorted(ids[start : start + size])
        start += size
    return units, unit_places


# --- variants ----------------------------------------------------------------------------------------------------


def draw_plain_hmac(seed_hex, units):
    key = bytes.fromhex(seed_hex)
    return {
        u: sorted(ids, key=lambda i: hmac.new(key, str(i).encode(), hashlib.sha256).digest())
        for u, ids in units.items()
    }


def draw_hmac_copy(seed_hex, units):
    base = hmac.new(bytes.fromhex(seed_hex), digestmod=hashlib.sha256)

    def score(i):
        h = base.copy()
        h.update(b"%d" % i)
        return h.digest()

    return {u: sorted(ids, key=score) for u, ids in units.items()}


def draw_production(seed_hex, units):
    return lottery.run_draw(seed_hex, units)


def _draw_part(args):
    seed_hex, part = args
    return lottery.run_draw(seed_hex, part)


def draw_two_processes(seed_hex, units):
    """Units split into two halves of equal size, one process each (fork)."""
    halves, sizes = [{}, {}], [0, 0]
    for unit, ids in sorted(units.items(), key=lambda kv: -len(kv[1])):
        k = 0 if sizes[0] <= sizes[1] else 1
        halves[k][unit] = ids
        sizes[k] += len(ids)
    with mp.get_context("fork").Pool(2) as pool:
        parts = pool.map(_draw_part, [(seed_hex, h) for h in halves])
    return {**parts[0], **parts[1]}


def draw_numpy_sort(seed_hex, units):
    """Digests from the production scorer, sorted by numpy (lexsort over four big-endian 64-bit words)."""
    import numpy as np

    score = lottery.scorer(seed_hex)
    out = {}
    for unit, ids in units.items():
        digests = b"".join(map(score, ids))
        words = np.frombuffer(digests, dtype=">u8").reshape(-1, 4)
        order = np.lexsort((words[:, 3], words[:, 2], words[:, 1], words[:, 0]))
        arr = np.asarray(ids)
        out[unit] = arr[order].tolist()
    return out


VARIANTS = {
    "hmac.new per id (plain)": draw_plain_hmac,
    "hmac .copy() per id": draw_hmac_copy,
    "sha256 inner/outer states (production)": draw_production,
    "production scorer + numpy lexsort": draw_numpy_sort,
    "production, 2 processes": draw_two_processes,
}


# --- measurement -------------------------------------------------------------------------------------------------


def _rss_kib(field):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def _measured(fn, queue):
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # reset the peak RSS to the current RSS
    except OSError:
        pass
    start_rss = _rss_kib("VmRSS:")
    cpu_before = os.times()
    started = time.perf_counter()
    summary = fn()
    seconds = time.perf_counter() - started
    cpu_after = os.times()
    # CPU time of this process and of worker processes it waited for: less sensitive than wall time to other
    # programs sharing the machine.
    cpu = sum(after - before for after, before in zip(cpu_after[:4], cpu_before[:4], strict=True))
    peak = _rss_kib("VmHWM:")
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    queue.put(
        {
            "seconds": seconds,
            "cpu_seconds": cpu,
            "extra_mib": (peak - start_rss) / 1024,
            "workers_peak_mib": children / 1024,
            **summary,
        }
    )


def measure(fn, repeat: int = 1):
    """Best of ``repeat`` runs (the least disturbed by other programs), each in a fresh forked child."""
    runs = []
    for _ in range(repeat):
        ctx = mp.get_context("fork")
        queue = ctx.Queue()
        child = ctx.Process(target=_measured, args=(fn, queue))
        child.start()
        runs.append(queue.get())
        child.join()
    best = min(runs, key=lambda r: r["seconds"])
    return {**best, "runs": repeat, "all_seconds": [round(r["seconds"], 3) for r in runs]}


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--places", type=int, default=20_000)
    parser.add_argument("--units", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=3, help="runs per step; the best is reported")
    parser.add_argument("--skip-slow", action="store_true", help="leave out the plain hmac.new variant")
    parser.add_argument("--json", dest="json_path")
    args = parser.parse_args()

    units, places = make_inputs(args.applications, args.places, args.units)
    reference = lottery.run_draw(SEED, units)
    reference_digest = lottery.results_digest(reference)
    rows = []
    for name, variant in VARIANTS.items():
        if args.skip_slow and variant is draw_plain_hmac:
            continue

        def step(variant=variant):
            ranked = variant(SEED, units)
            return {"same_as_production": lottery.results_digest(ranked) == reference_digest}

        rows.append({"step": "draw", "variant": name, **measure(step, args.repeat)})

    def verify():
        check = lottery.verify_draw(
            seed_hex=SEED,
            commitment=lottery.commitment_of(SEED),
            units=units,
            places=places,
            recorded=reference,
            database_rankings=reference,
        )
        return {"same_as_production": check.matches}

    rows.append(
        {
            "step": "verify",
            "variant": "production (recompute + compare record and ranks)",
            **measure(verify, args.repeat),
        }
    )

    def tampered():
        bad = dict(reference)
        unit = next(iter(bad))
        bad[unit] = [bad[unit][1], bad[unit][0], *bad[unit][2:]]
        check = lottery.verify_draw(
            seed_hex=SEED, commitment=lottery.commitment_of(SEED), units=units, places=places, recorded=bad
        )
        return {"same_as_production": not check.matches}  # the mismatch must be found

    rows.append(
        {
            "step": "verify",
            "variant": "production, tampered record (must report mismatch)",
            **measure(tampered, args.repeat),
        }
    )

    meta = {
        "applications": args.applications,
        "places": args.places,
        "units": len(units),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "selected": sum(min(places[u], len(ids)) for u, ids in units.items()),
        "results_digest": reference_digest,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "process_rss_with_inputs_mib": round(_rss_kib("VmRSS:") / 1024, 1),
    }
    print(
        f"recuperation draw: {meta['applications']:,} applications, {meta['places']:,} places, "
        f"{meta['units']} quota units, {meta['cores']} cores, Python {meta['python']}"
    )
    print(
        f"load average at start: {meta['load_average']}; process RSS holding the inputs and the reference "
        f"ranking: {meta['process_rss_with_inputs_mib']} MiB (each step's extra memory is on top of this)"
    )
    print(f"{'step':<7} {'variant':<52} {'wall s':>7} {'CPU s':>7} {'extra MiB':>10} {'workers MiB':>12}  ok")
    for r in rows:
        print(
            f"{r['step']:<7} {r['variant']:<52} {r['seconds']:>7.2f} {r['cpu_seconds']:>7.2f} "
            f"{r['extra_mib']:>10.1f} {r['workers_peak_mib']:>12.1f}  {'yes' if r['same_as_production'] else 'NO'}"
        )
    if args.json_path:
        with open(args.json_path, "w") as fh:
            json.dump({"meta": meta, "rows": rows}, fh, indent=2)
    if not all(r["same_as_production"] for r in rows):
        raise SystemExit("a variant disagreed with the production ranking")


if __name__ == "__main__":
    main()
