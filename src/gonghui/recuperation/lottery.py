"""The lottery that anyone can check. Plain Python, no Django: the service, the verification page, the
``gonghui recuperation verify-draw`` command and the benchmark all call these functions.

The rule, in one sentence: within each quota unit, applications are ranked by HMAC-SHA256(seed, the application id
written in decimal ASCII), smallest digest first; equal digests (never seen in practice) keep ascending id order.
The first ``places`` of a unit are selected, the rest form its waiting list in that order. The seed's SHA-256 is
published before applications close (the commitment) and the seed itself at the draw, so anyone holding the draw
record can recompute the ranking and check it.
"""

import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

ALGORITHM = "hmac-sha256(seed, decimal application id); ascending digest, then ascending id; per quota unit"
_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


def new_seed() -> str:
    """A fresh 256-bit seed as hex."""
    return secrets.token_hex(32)


def commitment_of(seed_hex: str) -> str:
    """What is published before applications close: SHA-256 of the seed bytes, hex."""
    return hashlib.sha256(bytes.fromhex(seed_hex)).hexdigest()


def scorer(seed_hex: str):
    """A function id -> HMAC-SHA256(seed, str(id)) digest.

    HMAC's inner and outer SHA-256 states are keyed once and copied per id, which computes the same digest as
    ``hmac.new(seed, msg, sha256)`` in about a third of the time (see bench/recuperation_draw.py).
    """
    key = bytes.fromhex(seed_hex)
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner_copy = hashlib.sha256(key.translate(_IPAD)).copy
    outer_copy = hashlib.sha256(key.translate(_OPAD)).copy

    def score(application_id: int) -> bytes:
        inner = inner_copy()
        inner.update(b"%d" % application_id)
        outer = outer_copy()
        outer.update(inner.digest())
        return outer.digest()

    return score


def rank_unit(score, application_ids: Iterable[int]) -> list[int]:
    """One unit's applications in draw order (sorting ids first makes equal digests fall back to id order)."""
    return sorted(sorted(application_ids), key=score)


def run_draw(seed_hex: str, units: Mapping[str, Sequence[int]]) -> dict[str, list[int]]:
    """Rank every unit: ``{unit key: [application ids, best first]}``."""
    score = scorer(seed_hex)
    return {unit: rank_unit(score, ids) for unit, ids in units.items()}


def split_ranking(ranked: Sequence[int], places: int) -> tuple[list[int], list[int]]:
    """(selected, waiting list) of one ranked unit."""
    return list(ranked[:places]), list(ranked[places:])


def results_digest(results: Mapping[str, Sequence[int]]) -> str:
    """A short fingerprint of the ranking, shown next to the record so a copy can be compared at a glance."""
    canonical = json.dumps({k: list(v) for k, v in sorted(results.items())}, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class Verification:
    matches: bool
    commitment_ok: bool
    units_checked: int = 0
    applications_checked: int = 0
    problems: list[str] = field(default_factory=list)


def verify_draw(
    *,
    seed_hex: str,
    commitment: str,
    units: Mapping[str, Sequence[int]],
    places: Mapping[str, int],
    recorded: Mapping[str, Sequence[int]],
    database_rankings: Mapping[str, Sequence[int]] | None = None,
) -> Verification:
    """Recompute the draw from its inputs and compare with the recorded results.

    ``database_rankings`` (optional) is each unit's applications ordered by the rank stored on them: it must be
    the recomputed ranking too, so a record and applications that disagree are both caught.
    """
    problems: list[str] = []
    try:
        commitment_ok = commitment_of(seed_hex) == commitment
    except ValueError:
        commitment_ok = False
    if not commitment_ok:
        problems.append("seed does not match the published commitment")
        return Verification(False, False, problems=problems)
    recomputed = run_draw(seed_hex, units)
    if set(recorded) != set(recomputed):
        problems.append("the recorded quota units differ from the draw's inputs")
    for unit, ranking in recomputed.items():
        got = list(recorded.get(unit, []))
        if got != ranking:
            first = next(
                (i for i, (a, b) in enumerate(zip(got, ranking, strict=False)) if a != b),
                min(len(got), len(ranking)),
            )
            problems.append(
                f"unit {unit}: recorded ranking differs from the recomputed one at position {first + 1}"
            )
        if database_rankings is not None and list(database_rankings.get(unit, [])) != ranking:
            problems.append(
                f"unit {unit}: the ranks stored on the applications differ from the recomputed ranking"
            )
    return Verification(
        matches=not problems,
        commitment_ok=True,
        units_checked=len(recomputed),
        applications_checked=sum(len(v) for v in units.values()),
        problems=problems,
    )
