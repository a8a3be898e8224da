import hashlib
import hmac

from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.recuperation import lottery
from gonghui.recuperation.apportion import largest_remainder

SEED = "00" * 31 + "2a"


@given(key=st.binary(min_size=1, max_size=100), app_id=st.integers(min_value=0, max_value=10**12))
@settings(max_examples=200)
def test_scorer_is_hmac_sha256_of_the_decimal_id(key, app_id):
    assert lottery.scorer(key.hex())(app_id) == hmac.new(key, str(app_id).encode(), hashlib.sha256).digest()


def test_ranking_is_by_digest_within_each_unit():
    units = {"a": [5, 3, 9, 1], "b": [2, 4]}
    ranked = lottery.run_draw(SEED, units)
    key = bytes.fromhex(SEED)
    for unit, ids in units.items():
        expected = sorted(ids, key=lambda i: hmac.new(key, str(i).encode(), hashlib.sha256).digest())
        assert ranked[unit] == expected
    assert lottery.split_ranking(ranked["a"], 2) == (ranked["a"][:2], ranked["a"][2:])


def test_commitment_is_sha256_of_the_seed_bytes():
    assert lottery.commitment_of(SEED) == hashlib.sha256(bytes.fromhex(SEED)).hexdigest()


def _record():
    units = {"1": [10, 11, 12, 13], "2": [20, 21]}
    return units, {"1": 2, "2": 1}, lottery.run_draw(SEED, units)


def test_an_untouched_draw_verifies():
    units, places, results = _record()
    check = lottery.verify_draw(
        seed_hex=SEED,
        commitment=lottery.commitment_of(SEED),
        units=units,
        places=places,
        recorded=results,
        database_rankings=results,
    )
    assert (check.matches, check.commitment_ok, check.units_checked, check.applications_checked) == (
        True,
        True,
        2,
        6,
    )
    assert check.problems == []


def test_a_swapped_result_is_reported_with_its_position():
    units, places, results = _record()
    tampered = {k: list(v) for k, v in results.items()}
    tampered["1"][0], tampered["1"][3] = tampered["1"][3], tampered["1"][0]
    check = lottery.verify_draw(
        seed_hex=SEED, commitment=lottery.commitment_of(SEED), units=units, places=places, recorded=tampered
    )
    assert not check.matches
    assert check.problems == ["unit 1: recorded ranking differs from the recomputed one at position 1"]


def test_a_different_seed_fails_the_commitment():
    units, places, results = _record()
    check = lottery.verify_draw(
        seed_hex="11" * 32,
        commitment=lottery.commitment_of(SEED),
        units=units,
        places=places,
        recorded=results,
    )
    assert (check.matches, check.commitment_ok) == (False, False)
    assert check.problems == ["seed does not match the published commitment"]


def test_database_ranks_that_disagree_are_reported():
    units, places, results = _record()
    stored = {"1": list(reversed(results["1"])), "2": results["2"]}
    check = lottery.verify_draw(
        seed_hex=SEED,
        commitment=lottery.commitment_of(SEED),
        units=units,
        places=places,
        recorded=results,
        database_rankings=stored,
    )
    assert check.problems == [
        "unit 1: the ranks stored on the applications differ from the recomputed ranking"
    ]


def test_largest_remainder_exact_example():
    # 10 places over 3 units with 5/3/2 thousand... remainders decide the last place.
    assert largest_remainder(10, {"a": 4700, "b": 3300, "c": 2000}) == {"a": 5, "b": 3, "c": 2}
    assert largest_remainder(7, {"a": 1, "b": 1, "c": 1}) == {"a": 3, "b": 2, "c": 2}
    assert largest_remainder(5, {"a": 0, "b": 0}) == {"a": 3, "b": 2}
    assert largest_remainder(3, {}) == {}


@given(
    total=st.integers(min_value=0, max_value=100_000),
    weights=st.dictionaries(
        st.text(min_size=1, max_size=4), st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30
    ),
)
def test_largest_remainder_always_sums_to_total_and_is_within_one_of_the_quota(total, weights):
    shares = largest_remainder(total, weights)
    assert sum(shares.values()) == total
    weight_sum = sum(weights.values())
    if weight_sum:
        for key, share in shares.items():
            exact = total * weights[key] / weight_sum
            assert exact - 1 < share < exact + 1
