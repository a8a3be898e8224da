"""Import existing agreements from Excel: all or nothing, every bad row reported."""

import io
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from gonghui.core.actor import Actor
from gonghui.core.audit import audited
from gonghui.core.errors import ServiceError
from gonghui.orgs.models import Enterprise
from gonghui.wages.models import (
    COVERING_STATUSES,
    GRADE_RANK,
    LADDER_GRADES,
    Agreement,
    AgreementEnterprise,
    AgreementKind,
    AgreementScope,
    BargainingCase,
    ChecklistEntry,
    LadderStep,
)
from gonghui.wages.rules import check_term, parse_ladder
from gonghui.wages.services import _instructor, _require_staff, time_status

MAX_ROWS = 5000
COLUMNS = [
    "统一社会信用代码",
    "合同类型",
    "签订日期",
    "起始日期",
    "终止日期",
    "覆盖职工数",
    "平均涨幅（%）",
    "最低工资（元/月）",
    "备案号",
]


def grade_columns() -> list[tuple[str, str, str]]:
    """(grade, base-pay column, allowance column), with Chinese headers that do not depend on the UI language."""
    from gonghui.orgs.models import SkillGrade

    labels = {
        SkillGrade.GRADE5: "初级工",
        SkillGrade.GRADE4: "中级工",
        SkillGrade.GRADE3: "高级工",
        SkillGrade.GRADE2: "技师",
        SkillGrade.GRADE1: "高级技师",
        SkillGrade.SPECIAL: "特级技师",
        SkillGrade.CHIEF: "首席技师",
    }
    return [(g.value, f"{labels[g]}岗位工资", f"{labels[g]}技能津贴") for g in LADDER_GRADES]


def all_columns() -> list[str]:
    return COLUMNS + [c for _, base, allowance in grade_columns() for c in (base, allowance)]


def template_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "agreements"
    ws.append(all_columns())
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def read_rows(data: bytes) -> list[tuple[int, dict]]:
    """(spreadsheet row number, {header: value}) for every non-empty row of the first sheet."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a file that is not a workbook
        raise ServiceError(_("无法读取文件：请上传 .xlsx 格式的Excel文件")) from None
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise ServiceError(_("文件是空的"))
    header = [str(h).strip() if h is not None else "" for h in header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ServiceError(_("缺少列：%(columns)s") % {"columns": "、".join(missing)})
    out = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue
        out.append((number, dict(zip(header, values, strict=False))))
        if len(out) > MAX_ROWS:
            raise ServiceError(_("一次最多导入 %(n)s 行") % {"n": MAX_ROWS})
    if not out:
        raise ServiceError(_("文件中没有数据行"))
    return out


def _date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value).strip().replace("/", "-"))
    except ValueError:
        return "bad"


KIND_BY_TEXT = {
    **{k.value: k.value for k in AgreementKind},
    "综合性集体合同": AgreementKind.COMPREHENSIVE,
    "工资专项集体合同": AgreementKind.WAGE_SPECIFIC,
    "能级工资专项集体合同": AgreementKind.SKILL_WAGE,
    "能级工资": AgreementKind.SKILL_WAGE,
}


def _check_row(row: dict, problems: list[str]) -> dict | None:
    parsed = {}
    kind = KIND_BY_TEXT.get(str(row.get("合同类型") or "").strip())
    if kind is None:
        problems.append(_("合同类型无效：%(v)s") % {"v": row.get("合同类型")})
    parsed["kind"] = kind
    dates = {}
    for column, key in (("签订日期", "signed_on"), ("起始日期", "starts_on"), ("终止日期", "ends_on")):
        value = _date(row.get(column))
        if value == "bad":
            problems.append(_("%(column)s不是有效日期：%(v)s") % {"column": column, "v": row.get(column)})
            value = None
        dates[key] = value
    if all(v is not None for v in dates.values()) or not problems:
        problems += check_term(dates["starts_on"], dates["ends_on"], dates["signed_on"])
    parsed.update(dates)
    try:
        workers = int(str(row.get("覆盖职工数") or "").strip())
        if workers <= 0:
            raise ValueError
        parsed["workers_covered"] = workers
    except ValueError:
        problems.append(_("覆盖职工数须为正整数：%(v)s") % {"v": row.get("覆盖职工数")})
    try:
        parsed["average_raise"] = Decimal(str(row.get("平均涨幅（%）")).strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        problems.append(_("平均涨幅不是有效数字：%(v)s") % {"v": row.get("平均涨幅（%）")})
    try:
        minimum = int(Decimal(str(row.get("最低工资（元/月）")).strip()))
        if minimum <= 0:
            raise ValueError
        parsed["minimum_pay"] = minimum
    except (InvalidOperation, ValueError):
        problems.append(_("最低工资须为正数：%(v)s") % {"v": row.get("最低工资（元/月）")})
    ladder = [
        {"grade": grade, "base_pay": row.get(base), "allowance": row.get(allowance) or 0}
        for grade, base, allowance in grade_columns()
        if row.get(base) not in (None, "")
    ]
    rungs, ladder_problems = parse_ladder(ladder)
    problems += ladder_problems
    parsed["rungs"] = rungs
    parsed["filing_number"] = str(row.get("备案号") or "").strip()[:40]
    return parsed


def agreements_import(*, actor: Actor, data: bytes, instructor_id=None, on: date | None = None) -> int:
    """Import single-enterprise agreements already signed and filed. One bad row imports nothing; the refusal
    lists every bad row by its spreadsheet row number."""
    on = on or timezone.localdate()
    with audited(actor, "wages.agreements.import") as audit:
        _require_staff(actor)
        rows = read_rows(data)
        codes = [str(r.get("统一社会信用代码") or "").strip().upper() for _, r in rows]
        enterprises = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=codes)}
        already = set(
            AgreementEnterprise.objects.filter(
                enterprise__credit_code__in=codes, agreement__case__status__in=COVERING_STATUSES
            ).values_list("enterprise__credit_code", flat=True)
        )
        seen: set[str] = set()
        errors, good = [], []
        for (number, row), code in zip(rows, codes, strict=True):
            problems: list[str] = []
            enterprise = enterprises.get(code)
            if enterprise is None:
                problems.append(_("统一社会信用代码未登记：%(code)s") % {"code": code or "—"})
            elif not actor.covers(enterprise.region_id):
                problems.append(_("企业不在您的管辖范围内：%(code)s") % {"code": code})
            elif code in seen:
                problems.append(_("同一企业在文件中重复出现：%(code)s") % {"code": code})
            elif code in already:
                problems.append(_("该企业已有有效的集体合同：%(code)s") % {"code": code})
            seen.add(code)
            parsed = _check_row(row, problems)
            if enterprise is not None and not problems:
                try:
                    parsed["instructor"] = _instructor(instructor_id or actor.user_id, enterprise.region_id)
                except ServiceError as exc:
                    problems += exc.messages
            if problems:
                errors.append(
                    _("第%(row)s行：%(problems)s") % {"row": number, "problems": "；".join(problems)}
                )
            else:
                good.append((enterprise, parsed))
        if errors:
            raise ServiceError(errors)
        cases = BargainingCase.objects.bulk_create(
            BargainingCase(
                scope=AgreementScope.ENTERPRISE,
                enterprise=e,
                region_id=e.region_id,
                industry=e.industry,
                title=_("%(name)s能级工资集体协商") % {"name": e.name},
                instructor=p["instructor"],
                offered_on=p["signed_on"],
                status=time_status(p["starts_on"], p["ends_on"], on),
            )
            for e, p in good
        )
        agreements = Agreement.objects.bulk_create(
            Agreement(
                case=case,
                kind=p["kind"],
                scope=AgreementScope.ENTERPRISE,
                region_id=e.region_id,
                industry=e.industry,
                signed_on=p["signed_on"],
                starts_on=p["starts_on"],
                ends_on=p["ends_on"],
                workers_covered=p["workers_covered"],
                average_raise=p["average_raise"],
                minimum_pay=p["minimum_pay"],
                filed_on=p["signed_on"],
                filing_number=p["filing_number"],
                published_on=p["signed_on"],
                imported=True,
            )
            for case, (e, p) in zip(cases, good, strict=True)
        )
        LadderStep.objects.bulk_create(
            LadderStep(
                agreement=a,
                grade=r.grade,
                rank=GRADE_RANK[r.grade],
                base_pay=r.base_pay,
                allowance=r.allowance,
            )
            for a, (_e, p) in zip(agreements, good, strict=True)
            for r in p["rungs"]
        )
        AgreementEnterprise.objects.bulk_create(
            AgreementEnterprise(agreement=a, enterprise=e)
            for a, (e, _p) in zip(agreements, good, strict=True)
        )
        for case, (e, p) in zip(cases, good, strict=True):
            if case.status in COVERING_STATUSES:
                ChecklistEntry.objects.filter(enterprise=e, ticked_off_on__isnull=True).update(
                    ticked_off_on=p["signed_on"], ticked_off_by=case
                )
        audit.changes = {"imported": len(good)}
    return len(good)
