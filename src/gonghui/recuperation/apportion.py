"""Largest-remainder (Hamilton) apportionment: places to units in proportion to their member counts."""

from collections.abc import Mapping


def largest_remainder(total: int, weights: Mapping[str, int]) -> dict[str, int]:
    """Split ``total`` whole places over ``weights``; the sum is always exactly ``total``.

    Each unit gets the floor of its exact share; the places left over go one each to the largest remainders
    (ties: the larger weight, then the key, so the result never depends on dict order). All-zero weights split
    evenly in key order.
    """
    if total < 0:
        raise ValueError("total must not be negative")
    keys = sorted(weights)
    if not keys:
        return {}
    weight_sum = sum(weights[k] for k in keys)
    if weight_sum <= 0:
        weights = {k: 1 for k in keys}
        weight_sum = len(keys)
    shares = {}
    remainders = []
    for key in keys:
        quotient, remainder = divmod(total * weights[key], weight_sum)
        shares[key] = quotient
        remainders.append((-remainder, -weights[key], key))
    left = total - sum(shares.values())
    for _neg_remainder, _neg_weight, key in sorted(remainders)[:left]:
        shares[key] += 1
    return shares
