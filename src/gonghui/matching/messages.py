"""User-facing strings of the dispatch engine, in one catalogue.

This package may not import Django, so it cannot use gettext. Every sentence that a staff member reads
(explanations, reasons for unassigned problems, input errors) is a message id plus parameters; `render`
turns it into Chinese (default) or English. Results keep the id and parameters too, so the Django layer
can re-render them in the user's language or map them to its own catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_LANGUAGE = "zh"

CATALOGUE: dict[str, dict[str, str]] = {
    # --- explanation parts -------------------------------------------------------------------
    "explain.terms": {
        "zh": "文本匹配：{terms}",
        "en": "matched terms: {terms}",
    },
    "explain.tags": {
        "zh": "技能标签吻合：{tags}",
        "en": "matching skill tags: {tags}",
    },
    "explain.tags_missing": {
        "zh": "未覆盖标签：{tags}",
        "en": "tags not covered: {tags}",
    },
    "explain.category": {
        "zh": "擅长需求类别：{category}",
        "en": "serves need category: {category}",
    },
    "explain.industry": {
        "zh": "行业相同：{industry}",
        "en": "same industry: {industry}",
    },
    "explain.distance": {
        "zh": "距离约 {km} 公里",
        "en": "about {km} km away",
    },
    "explain.online": {
        "zh": "线上服务，不受距离限制",
        "en": "online service, distance does not apply",
    },
    "explain.cross_region": {
        "zh": "跨区域服务（超出服务半径 {radius} 公里）",
        "en": "cross-region service (beyond the {radius} km service radius)",
    },
    "explain.load": {
        "zh": "本期负荷 {load}/{capacity}",
        "en": "load this period {load}/{capacity}",
    },
    "explain.honours": {
        "zh": "荣誉：{honours}",
        "en": "honours: {honours}",
    },
    "explain.rating": {
        "zh": "历史评分 {rating}",
        "en": "past rating {rating}",
    },
    "explain.forced": {
        "zh": "指定派单",
        "en": "assigned by staff",
    },
    "explain.accepted": {
        "zh": "已接单，保持不变",
        "en": "already accepted, kept",
    },
    "explain.team_cover": {
        "zh": "团队覆盖标签：{tags}",
        "en": "team covers tags: {tags}",
    },
    "explain.separator": {"zh": "；", "en": "; "},
    "explain.list_separator": {"zh": "、", "en": ", "},
    # --- reasons for unassigned problems ------------------------------------------------------
    "reason.empty_pool": {
        "zh": "工匠库为空，无人可派",
        "en": "the craftsman pool is empty",
    },
    "reason.no_tag_holder": {
        "zh": "没有具备标签 {tags} 的可用工匠",
        "en": "no available craftsman has tag {tags}",
    },
    "reason.no_candidate_in_range": {
        "zh": "具备标签 {tags} 的工匠服务半径都不覆盖本区县（最近的在 {nearest_km} 公里外），且本问题不允许跨区域派单",
        "en": "no craftsman with tag {tags} serves this county within their service radius (the nearest is"
        " {nearest_km} km away), and this problem may not go across regions",
    },
    "reason.no_candidate": {
        "zh": "没有符合距离和可用性条件的工匠",
        "en": "no craftsman meets the distance and availability conditions",
    },
    "reason.all_forbidden": {
        "zh": "所有候选工匠均因回避关系被排除（{count} 人）",
        "en": "every candidate is excluded by a conflict of interest ({count} craftsmen)",
    },
    "reason.capacity_taken": {
        "zh": "{radius_km} 公里内具备标签 {tags} 的 {count} 名工匠本期已无空余负荷",
        "en": "no craftsman with tag {tags} within {radius_km} km has free capacity ({count} candidates are full)",
    },
    "reason.partly_staffed": {
        "zh": "需要 {demand} 名工匠，只派出 {assigned} 名：其余候选工匠已满负荷",
        "en": "needs {demand} craftsmen, only {assigned} assigned: the other candidates are full",
    },
    "reason.invalid_input": {
        "zh": "输入有误，未参与派单：{detail}",
        "en": "invalid input, not dispatched: {detail}",
    },
    "reason.team_infeasible": {
        "zh": "在现有负荷内无法组成覆盖标签 {tags} 的团队",
        "en": "no team within current capacities covers tags {tags}",
    },
    # --- input problems (issues) --------------------------------------------------------------
    "issue.unknown_county": {
        "zh": "{kind} {id} 的区县代码 {county} 不存在",
        "en": "{kind} {id} has unknown county code {county}",
    },
    "issue.negative_capacity": {
        "zh": "工匠 {id} 的负荷上限为负数（{value}）",
        "en": "craftsman {id} has a negative maximum load ({value})",
    },
    "issue.min_above_max": {
        "zh": "工匠 {id} 的最低负荷 {min_load} 高于上限 {max_load}",
        "en": "craftsman {id} has minimum load {min_load} above maximum {max_load}",
    },
    "issue.bad_demand": {
        "zh": "问题 {id} 需要的工匠人数 {value} 无效（应为 1 及以上）",
        "en": "problem {id} asks for an invalid number of craftsmen ({value}; must be 1 or more)",
    },
    "issue.duplicate_id": {
        "zh": "{kind} 编号 {id} 重复",
        "en": "duplicate {kind} id {id}",
    },
    "issue.unknown_reference": {
        "zh": "配对 ({problem}, {craftsman}) 引用了不存在的{kind}",
        "en": "pair ({problem}, {craftsman}) refers to an unknown {kind}",
    },
    "issue.forced_and_forbidden": {
        "zh": "问题 {problem} 与工匠 {craftsman} 既被指定又被回避，已按回避处理",
        "en": "problem {problem} and craftsman {craftsman} are both forced and forbidden; treated as forbidden",
    },
    "issue.forced_over_demand": {
        "zh": "问题 {problem} 被指定了 {count} 名工匠，超过所需 {demand} 名",
        "en": "problem {problem} has {count} forced craftsmen, more than the {demand} it needs",
    },
    "issue.forced_over_capacity": {
        "zh": "工匠 {craftsman} 被指定 {count} 个问题，超过剩余负荷 {capacity}",
        "en": "craftsman {craftsman} is forced onto {count} problems, more than the free capacity {capacity}",
    },
    "issue.min_load_unmet": {
        "zh": "工匠 {craftsman} 的最低负荷 {min_load} 无法满足（只能派到 {load} 个）",
        "en": "craftsman {craftsman} cannot reach the minimum load {min_load} (only {load} possible)",
    },
    "issue.bad_score": {
        "zh": "配对 ({problem}, {craftsman}) 的分数无效：{value}",
        "en": "pair ({problem}, {craftsman}) has an invalid score: {value}",
    },
    "issue.current_over_max": {
        "zh": "工匠 {id} 当前负荷 {load} 已超过上限 {max_load}",
        "en": "craftsman {id} already carries {load}, above the maximum {max_load}",
    },
    "kind.problem": {"zh": "问题", "en": "problem"},
    "kind.craftsman": {"zh": "工匠", "en": "craftsman"},
    # --- need categories ----------------------------------------------------------------------
    "category.process_quality": {"zh": "工艺/产品设计/质量", "en": "process, product design and quality"},
    "category.energy_cost": {"zh": "节能减排/节支降耗", "en": "energy saving and cost reduction"},
    "category.equipment": {"zh": "设备改造/设施维护", "en": "equipment retrofit and maintenance"},
    "category.management": {"zh": "经营管理", "en": "management"},
    "category.skills_career": {"zh": "职工技能与职业发展", "en": "worker skills and careers"},
    "category.safety_health": {"zh": "职业安全/身心健康/教育培训", "en": "safety, health and training"},
}


def render(message_id: str, language: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
    """Render one message; unknown languages fall back to Chinese."""
    entry = CATALOGUE[message_id]
    template = entry.get(language) or entry[DEFAULT_LANGUAGE]
    return template.format(**params)


@dataclass(frozen=True)
class Message:
    """A message id with its parameters, rendered on demand in either language."""

    id: str
    params: dict[str, object] = field(default_factory=dict)

    def text(self, language: str = DEFAULT_LANGUAGE) -> str:
        params = {key: _localise(value, language) for key, value in self.params.items()}
        return render(self.id, language, **params)

    def __str__(self) -> str:
        return self.text()


def _localise(value: object, language: str) -> object:
    """Parameters may themselves be messages (for example a category name) or lists of words."""
    if isinstance(value, Message):
        return value.text(language)
    if isinstance(value, (list, tuple)):
        return render("explain.list_separator", language).join(str(_localise(v, language)) for v in value)
    return value


def join_messages(messages: list[Message], language: str = DEFAULT_LANGUAGE) -> str:
    return render("explain.separator", language).join(message.text(language) for message in messages)
