"""Every weight and knob of the engine, in one frozen object (scores are reproducible from it)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace


def _default_honour_levels() -> dict[str, float]:
    return {
        "全国劳动模范": 1.0,
        "全国五一劳动奖章": 0.9,
        "浙江省劳动模范": 0.8,
        "浙江工匠": 0.8,
        "省级技能大师工作室领办人": 0.7,
        "市级劳动模范": 0.5,
        "市级工匠": 0.5,
        "创新工作室带头人": 0.5,
    }


@dataclass(frozen=True)
class MatchingConfig:
    # --- score = Σ weight × feature, every feature in [0, 1] (weights sum to 1 ⇒ score in [0, 1]) ---
    weight_text: float = 0.30  # normalised BM25 of the problem text against the craftsman's texts
    weight_tags: float = 0.25  # share of the problem's required tags the craftsman holds
    weight_category: float = 0.08  # craftsman serves the problem's need category
    weight_industry: float = 0.10  # same GB/T 4754 class (1) or division (0.5)
    weight_distance: float = 0.12  # exp(−distance / distance_scale_km); 1 for online problems
    weight_honours: float = 0.07  # highest honour level (honour_levels)
    weight_rating: float = 0.05  # (rating − 1) / 4, unrated = neutral 0.5
    weight_load: float = 0.03  # free share of the craftsman's capacity
    distance_scale_km: float = 80.0
    same_county_km: float = 10.0  # nominal distance inside one county (centroids coincide)
    honour_levels: dict[str, float] = field(default_factory=_default_honour_levels)
    other_honour_level: float = 0.3

    # --- candidates ---
    segmentation: str = "bigram"  # chosen on the development set (docs/matching.md): as good, 10x faster
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    top_k: int = 100  # candidates kept per problem for the batch solve
    min_tag_overlap: int = 1  # a problem with tags needs craftsmen holding at least this many (0 = soft only)

    # --- assignment objective ---
    staffing_bonus: float = (
        1.0  # gain per staffed slot, so staffing more problems beats slightly better pairs
    )
    priority_mountain_island: float = 1.5  # multiplies the staffing bonus in mountain and island counties
    urgency_factor: float = 0.25  # staffing bonus × (1 + factor × (urgency − 1)), urgency 1..3
    fairness_load_penalty: float = 0.0  # > 0: convex load penalty that spreads work (0 = off)
    stability_bonus: float = 0.05  # re-dispatch: pending offers kept unless a clearly better pair exists
    score_scale: int = 1_000_000  # float → integer costs in the flow

    def with_changes(self, **changes) -> MatchingConfig:
        return replace(self, **changes)

    def honour_level(self, honours) -> float:
        levels = [self.honour_levels.get(h, self.other_honour_level) for h in honours]
        return max(levels, default=0.0)


DEFAULT_CONFIG = MatchingConfig()
