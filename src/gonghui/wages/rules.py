"""Pure rules of an agreement's content, shared by signing and by the Excel import (no database access)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from gonghui.orgs.models import SkillGrade
from gonghui.wages.models import GRADE_RANK, LADDER_GRADES, ItemKind


@dataclass(frozen=True)
class Rung:
    grade: str
    base_pay: int
    allowance: int = 0

    @property
    def total(self) -> int:
        return self.base_pay + self.allowance


def grade_label(grade: str) -> str:
    return str(SkillGrade(grade).label)


def _whole_yuan(value, label: str, problems: list[str]) -> int | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        problems.append(_("%(label)s不是有效金额：%(value)s") % {"label": label, "value": value})
        return None
    if number < 0 or number != number.to_integral_value():
        problems.append(_("%(label)s须为非负整数元：%(value)s") % {"label": label, "value": value})
        return None
    return int(number)


def parse_ladder(rows) -> tuple[list[Rung], list[str]]:
    """Rows of {grade, base_pay, allowance} → rungs ordered 初级工→首席技师, and every problem found.

    The ladder must not decrease with grade: neither the base pay nor the allowance of a higher grade may be
    lower than that of a lower grade.
    """
    problems: list[str] = []
    rungs: list[Rung] = []
    seen: set[str] = set()
    for row in rows:
        grade = str(row.get("grade", "")).strip()
        if grade not in GRADE_RANK:
            problems.append(_("未知的技能等级：%(grade)s") % {"grade": grade})
            continue
        if grade in seen:
            problems.append(_("技能等级重复：%(grade)s") % {"grade": grade_label(grade)})
            continue
        seen.add(grade)
        label = grade_label(grade)
        base = _whole_yuan(row.get("base_pay"), _("%(grade)s岗位工资") % {"grade": label}, problems)
        allowance = _whole_yuan(
            row.get("allowance") or 0, _("%(grade)s技能津贴") % {"grade": label}, problems
        )
        if base is not None and allowance is not None:
            rungs.append(Rung(grade, base, allowance))
    if not rungs and not problems:
        problems.append(_("工资等级表至少需要一个技能等级"))
    rungs.sort(key=lambda r: GRADE_RANK[r.grade])
    for lower, higher in zip(rungs, rungs[1:], strict=False):
        if higher.base_pay < lower.base_pay:
            problems.append(
                _("工资等级表不能随等级递减：%(high)s岗位工资 %(hb)s 元低于%(low)s的 %(lb)s 元")
                % {
                    "high": grade_label(higher.grade),
                    "hb": higher.base_pay,
                    "low": grade_label(lower.grade),
                    "lb": lower.base_pay,
                }
            )
        if higher.allowance < lower.allowance:
            problems.append(
                _("工资等级表不能随等级递减：%(high)s技能津贴 %(ha)s 元低于%(low)s的 %(la)s 元")
                % {
                    "high": grade_label(higher.grade),
                    "ha": higher.allowance,
                    "low": grade_label(lower.grade),
                    "la": lower.allowance,
                }
            )
    return rungs, problems


def check_term(starts_on: date | None, ends_on: date | None, signed_on: date | None = None) -> list[str]:
    problems = []
    if starts_on is None or ends_on is None:
        problems.append(_("请填写合同期限的起止日期"))
    elif ends_on < starts_on:
        problems.append(
            _("合同期限的终止日期（%(end)s）早于起始日期（%(start)s）") % {"end": ends_on, "start": starts_on}
        )
    if signed_on is None:
        problems.append(_("请填写签订日期"))
    return problems


def check_items(items) -> list[str]:
    problems = []
    for item in items:
        if item.get("kind") not in ItemKind.values:
            problems.append(_("未知的“1+X”项目：%(kind)s") % {"kind": item.get("kind")})
    return problems


def vote_passes(representatives: int, votes_for: int) -> bool:
    """More than half of ALL representatives (not of those present) must vote for."""
    return votes_for * 2 > representatives


__all__ = ["LADDER_GRADES", "Rung", "check_items", "check_term", "parse_ladder", "vote_passes"]
