"""Talent pool: staff create and import profiles (all or nothing), craftsmen propose edits that staff approve."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from gonghui.core.errors import ServiceError
from gonghui.core.models import AuditEvent
from gonghui.craftsmen import services
from gonghui.craftsmen.models import Craftsman, Notification
from gonghui.craftsmen.services import IMPORT_COLUMNS

pytestmark = pytest.mark.django_db


def workbook(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append([label for _key, label in IMPORT_COLUMNS])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


GOOD = [
    "王建国",
    "13900001111",
    "330102",
    "模具工",
    "高级技师",
    "浙江工匠:2021；全国劳动模范:2015",
    "注塑模具、模流分析",
    "注塑模具修模",
    "C367",
    "工艺、产品设计与质量",
    "某汽配公司",
    120,
    "是",
    4,
    "王建国技能大师工作室",
]


def test_import_creates_every_row(world):
    second = list(GOOD)
    second[0:3] = ["李秀英", "13900002222", "330102"]
    result = services.craftsmen_import(actor=world.staff, workbook_file=workbook([GOOD, second]))
    assert (result.created, result.errors) == (2, [])
    wang = Craftsman.objects.get(name="王建国")
    assert wang.phone == "13900001111"
    assert (wang.skill_grade, wang.tags, wang.categories) == (
        "1",
        ["注塑模具", "模流分析"],
        ["process_quality"],
    )
    assert (wang.service_radius_km, wang.cross_region, wang.monthly_capacity) == (120, True, 4)
    assert sorted(wang.honours.values_list("honour", "level", "year")) == [
        ("national_model", "national", 2015),
        ("zhejiang_craftsman", "provincial", 2021),
    ]


def test_import_with_bad_rows_imports_nothing_and_names_every_bad_row(world):
    bad_phone = list(GOOD)
    bad_phone[0:3] = ["甲", "12345", "330102"]
    bad_county = list(GOOD)
    bad_county[0:3] = ["乙", "13900003333", "999999"]
    out_of_scope = list(GOOD)
    out_of_scope[0:3] = ["丙", "13900004444", "330382"]
    bad_honour = list(GOOD)
    bad_honour[0:2] = ["丁", "13900005555"]
    bad_honour[5] = "火星劳模:2020"
    before = Craftsman.objects.count()
    result = services.craftsmen_import(
        actor=world.staff,
        workbook_file=workbook([GOOD, bad_phone, bad_county, out_of_scope, bad_honour, GOOD]),
    )
    assert result.created == 0
    assert result.errors == [
        "第 3 行：手机号无效",
        "第 4 行：县区代码无效",
        "第 5 行：县区不在您的管辖范围内",
        "第 6 行：荣誉“火星劳模:2020”无效（格式：浙江工匠:2023）",
        "第 7 行：手机号重复",
    ]
    assert Craftsman.objects.count() == before
    assert AuditEvent.objects.filter(action="craftsmen.craftsman.import", result="refused").count() == 1


def test_import_rejects_a_file_that_is_not_excel(world):
    with pytest.raises(ServiceError, match="xlsx"):
        services.craftsmen_import(actor=world.staff, workbook_file=io.BytesIO(b"not excel"))


def test_craftsman_edits_wait_for_approval(world):
    w = world
    services.craftsman_propose_changes(
        actor=w.artisan, changes={"tags": "注塑模具、热流道", "monthly_capacity": 5, "available": False}
    )
    w.craftsman.refresh_from_db()
    assert w.craftsman.available is False  # applies at once
    assert w.craftsman.tags == ["注塑模具"]  # waits
    assert w.craftsman.pending_changes == {"tags": ["注塑模具", "热流道"], "monthly_capacity": 5}
    assert Notification.objects.filter(user=w.staff_user, message__contains="修改了档案").count() == 1
    services.craftsman_review_changes(actor=w.staff, craftsman_id=w.craftsman.pk, approve=True)
    w.craftsman.refresh_from_db()
    assert (w.craftsman.tags, w.craftsman.monthly_capacity, w.craftsman.pending_changes) == (
        ["注塑模具", "热流道"],
        5,
        {},
    )


def test_craftsman_cannot_change_staff_only_fields(world):
    with pytest.raises(ServiceError, match="只能由工作人员修改"):
        services.craftsman_propose_changes(actor=world.artisan, changes={"region_id": "330382"})
    world.craftsman.refresh_from_db()
    assert world.craftsman.pending_changes == {}


@pytest.mark.parametrize("role", ["enterprise", "craftsman"])
def test_only_staff_create_profiles(world, role):
    actor = world.contact if role == "enterprise" else world.artisan
    with pytest.raises(PermissionDenied):
        services.craftsman_create(actor=actor, region_code="330102", name="某", occupation="焊工")


def test_staff_create_in_scope_only(world):
    created = services.craftsman_create(
        actor=world.staff,
        region_code="330102",
        name="赵师傅",
        occupation="焊工",
        phone="13900009999",
        honours=[{"honour": "skill_master", "year": 2020}],
    )
    assert created.honours.get().level == "provincial"
    with pytest.raises(PermissionDenied):
        services.craftsman_create(actor=world.other_staff, region_code="330102", name="钱", occupation="焊工")
