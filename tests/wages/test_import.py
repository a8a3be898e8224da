import io
from datetime import date

import pytest
from openpyxl import Workbook

from gonghui.core.models import AuditEvent
from gonghui.wages.importer import agreements_import, all_columns
from gonghui.wages.models import Agreement, BargainingCase, CaseStatus, ChecklistEntry, LadderStep
from gonghui.wages.services import ServiceError, checklist_build
from tests.factories import EnterpriseFactory
from tests.wages.factories import instructor

pytestmark = pytest.mark.django_db
ON = date(2026, 6, 1)


def workbook(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    header = all_columns()
    ws.append(header)
    for row in rows:
        ws.append([row.get(h) for h in header])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def row(enterprise, **overrides):
    values = {
        "统一社会信用代码": enterprise.credit_code,
        "合同类型": "能级工资专项集体合同",
        "签订日期": date(2025, 5, 1),
        "起始日期": date(2025, 5, 1),
        "终止日期": date(2028, 4, 30),
        "覆盖职工数": 210,
        "平均涨幅（%）": 7.2,
        "最低工资（元/月）": 2600,
        "备案号": "备2025-9",
        "初级工岗位工资": 4000,
        "初级工技能津贴": 100,
        "中级工岗位工资": 4500,
        "中级工技能津贴": 300,
        "高级工岗位工资": 5200,
        "高级工技能津贴": 600,
    }
    values.update(overrides)
    return values


@pytest.fixture
def staff():
    return instructor("330127")


def test_good_file_imports_every_row_and_ticks_checklist(staff):
    user, actor = staff
    a = EnterpriseFactory(region_id="330127", above_designated_size=True)
    b = EnterpriseFactory(region_id="330127", above_designated_size=True)
    checklist_build(actor=actor, instructor_id=user.pk, region_code="330127", on=date(2025, 1, 1))
    count = agreements_import(
        actor=actor, data=workbook([row(a), row(b, 合同类型="skill_wage", 终止日期="2026-07-15")]), on=ON
    )
    assert count == 2
    statuses = dict(BargainingCase.objects.values_list("enterprise_id", "status"))
    assert statuses == {a.pk: CaseStatus.IN_FORCE, b.pk: CaseStatus.EXPIRING}
    agreement = Agreement.objects.get(case__enterprise=a)
    assert (agreement.imported, agreement.workers_covered, str(agreement.average_raise)) == (
        True,
        210,
        "7.20",
    )
    assert list(agreement.ladder.values_list("grade", "base_pay", "allowance")) == [
        ("5", 4000, 100),
        ("4", 4500, 300),
        ("3", 5200, 600),
    ]
    assert set(ChecklistEntry.objects.values_list("ticked_off_on", flat=True)) == {date(2025, 5, 1)}


def test_one_bad_row_imports_nothing_and_every_bad_row_is_reported(staff):
    user, actor = staff
    good = EnterpriseFactory(region_id="330127")
    decreasing = EnterpriseFactory(region_id="330127")
    backwards = EnterpriseFactory(region_id="330127")
    ningbo = EnterpriseFactory(region_id="330203")
    data = workbook(
        [
            row(good),
            row(decreasing, 中级工岗位工资=3900),
            row(backwards, 终止日期=date(2024, 1, 1)),
            row(ningbo),
            {**row(good), "统一社会信用代码": "91330127MA2XXXXXX0"},
            row(good),
        ]
    )
    with pytest.raises(ServiceError) as exc:
        agreements_import(actor=actor, data=data, on=ON)
    assert exc.value.messages == [
        "第3行：工资等级表不能随等级递减：中级工岗位工资 3900 元低于初级工的 4000 元",
        "第4行：合同期限的终止日期（2024-01-01）早于起始日期（2025-05-01）",
        f"第5行：企业不在您的管辖范围内：{ningbo.credit_code}",
        "第6行：统一社会信用代码未登记：91330127MA2XXXXXX0",
        f"第7行：同一企业在文件中重复出现：{good.credit_code}",
    ]
    assert (BargainingCase.objects.count(), Agreement.objects.count(), LadderStep.objects.count()) == (
        0,
        0,
        0,
    )
    event = AuditEvent.objects.get(action="wages.agreements.import")
    assert event.result == "refused"
    assert event.detail.startswith("第3行：")


def test_not_a_workbook_is_refused(staff):
    _, actor = staff
    with pytest.raises(ServiceError) as exc:
        agreements_import(actor=actor, data=b"not excel", on=ON)
    assert exc.value.messages == ["无法读取文件：请上传 .xlsx 格式的Excel文件"]


def test_missing_columns_are_named(staff):
    _, actor = staff
    wb = Workbook()
    wb.active.append(["统一社会信用代码", "合同类型"])
    buffer = io.BytesIO()
    wb.save(buffer)
    with pytest.raises(ServiceError) as exc:
        agreements_import(actor=actor, data=buffer.getvalue(), on=ON)
    assert exc.value.messages == [
        "缺少列：签订日期、起始日期、终止日期、覆盖职工数、平均涨幅（%）、最低工资（元/月）、备案号"
    ]
