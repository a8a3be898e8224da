import io
import random

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from gonghui.core import identities
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import Enterprise, Member, OrgLevel
from tests.factories import EnterpriseFactory, OrganisationFactory, staff_user

pytestmark = pytest.mark.django_db
rng = random.Random(5)
ENTERPRISE_HEADERS = [
    "统一社会信用代码",
    "企业名称",
    "行业门类",
    "行业大类代码",
    "区划代码",
    "职工人数",
    "已建会",
]


def _xlsx(headers, rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _client(region="330127"):
    client = Client()
    client.force_login(staff_user(region))
    return client


def _upload(client, kind, content, **extra):
    return client.post(f"/api/v1/orgs/import/{kind}", {"file": io.BytesIO(content)}, **extra)


def _bad_checksum() -> str:
    code = identities.credit_code(rng, "330127")
    return code[:17] + ("0" if code[17] != "0" else "1")


def _good_row(name="好企业有限公司"):
    return [identities.credit_code(rng, "330127"), name, "C", "34", "330127", 80, "是"]


def test_good_file_imports_every_row():
    content = _xlsx(ENTERPRISE_HEADERS, [_good_row("甲公司"), _good_row("乙公司")])
    response = _upload(_client(), "enterprises", content)
    assert response.json() == {"imported": 2}
    assert sorted(Enterprise.objects.values_list("name", "unionised")) == [("乙公司", True), ("甲公司", True)]
    ids = sorted(Enterprise.objects.values_list("pk", flat=True))
    # One event for the whole import (rows written in bulk), none per row.
    event = AuditEvent.objects.filter(action="enterprises.import").get()
    assert (event.result, event.changes) == ("allowed", {"rows": 2, "first_id": ids[0], "last_id": ids[1]})
    assert AuditEvent.objects.filter(action="enterprise.create").count() == 0


def test_any_bad_row_imports_nothing_and_reports_every_bad_row():
    existing = EnterpriseFactory(region_id="330127")
    dup = _good_row("重复")
    rows = [
        _good_row("好一"),
        [_bad_checksum(), "坏校验位", "C", "34", "330127", 10, ""],  # row 3: checksum
        [identities.credit_code(rng, "330127"), "越界", "C", "34", "330203", 10, ""],  # row 4: out of scope
        [identities.credit_code(rng, "330127"), "错门类", "C", "59", "339999", 10, ""],  # row 5: two errors
        [existing.credit_code, "已登记", "C", "34", "330127", 10, ""],  # row 6: duplicate in database
        dup,  # row 7
        list(dup),  # row 8: duplicate in the file
    ]
    response = _upload(_client(), "enterprises", _xlsx(ENTERPRISE_HEADERS, rows))
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "导入失败：5行有错误，未导入任何数据。"
    assert [(e["row"], e["field"]) for e in body["rows"]] == [
        (3, "credit_code"),
        (4, "region"),
        (5, "region"),
        (5, "industry_division"),
        (6, "credit_code"),
        (8, "credit_code"),
    ]
    messages = {e["row"]: e["message"] for e in body["rows"]}
    assert messages[3] == "统一社会信用代码校验位不正确。"
    assert messages[4] == "该区划不在您的管辖范围内。"
    assert messages[6] == "该统一社会信用代码已登记。"
    assert messages[8] == "与第7行重复。"
    assert Enterprise.objects.count() == 1
    event = AuditEvent.objects.get(action="enterprises.import")
    assert (event.result, event.detail) == ("refused", "5 bad rows of 7")


def test_division_outside_section_is_reported_once_the_region_is_valid():
    rows = [[identities.credit_code(rng, "330127"), "错门类", "C", "59", "330127", 10, ""]]
    body = _upload(_client(), "enterprises", _xlsx(ENTERPRISE_HEADERS, rows)).json()
    assert [(e["row"], e["field"], e["message"]) for e in body["rows"]] == [
        (2, "industry_division", "行业大类59不属于门类C（GB/T 4754）。")
    ]


def test_member_import_checks_id_numbers_and_reports_in_english():
    union = OrganisationFactory(region_id="330127", level=OrgLevel.GRASSROOTS)
    good = identities.id_number(rng, "330127")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    headers = ["Name", "ID number", "Mobile number", "Union code", "Occupation", "Joined"]
    rows = [
        ["王五", good, "13812340000", union.code, "courier", "2025-01-02"],
        ["赵六", bad, "1381234", union.code, "courier", "2025-01-02"],
    ]
    response = _upload(_client(), "members", _xlsx(headers, rows), HTTP_ACCEPT_LANGUAGE="en")
    body = response.json()
    assert [(e["row"], e["field"], e["message"]) for e in body["rows"]] == [
        (3, "id_number", "The ID number's check digit is wrong."),
        (3, "phone", "Enter an 11-digit mainland China mobile number."),
    ]
    assert body["detail"] == "Import failed: 1 row(s) have errors; nothing was imported."
    assert not Member.objects.exists()


def test_import_page_shows_every_error_row():
    rows = [[_bad_checksum(), "坏", "C", "34", "330127", 1, ""], _good_row()]
    client = _client()
    upload = io.BytesIO(_xlsx(ENTERPRISE_HEADERS, rows))
    upload.name = "e.xlsx"
    response = client.post(reverse("orgs:enterprise_import"), {"file": upload})
    assert response.status_code == 400
    assert [(e.row, e.field) for e in response.context["errors"]] == [(2, "credit_code")]
    assert not Enterprise.objects.exists()


def test_unreadable_file_and_unknown_columns():
    client = _client()
    assert _upload(client, "enterprises", b"not a workbook").json()["errors"] == {
        "file": ["无法读取文件：请上传 .xlsx 格式的 Excel 文件。"]
    }
    body = _upload(client, "enterprises", _xlsx(["统一社会信用代码", "颜色"], [["x", "红"]])).json()
    assert body["errors"] == {"file": ["无法识别的列：颜色"]}


def test_export_is_scoped_and_reimports():
    mine = EnterpriseFactory(region_id="330127")
    EnterpriseFactory(region_id="330203")
    client = _client()
    response = client.get("/api/v1/orgs/export/enterprises")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("统一社会信用代码", "企业名称", "行业门类")
    assert [r[0] for r in rows[1:]] == [mine.credit_code]
    Enterprise.objects.all().delete()
    assert _upload(client, "enterprises", response.content).json() == {"imported": 1}
    assert Enterprise.objects.get().credit_code == mine.credit_code


def test_member_import_writes_personal_data_encrypted_in_bulk():
    union = OrganisationFactory(region_id="330127", level=OrgLevel.GRASSROOTS)
    first, second = identities.id_number(rng, "330127"), identities.id_number(rng, "330127")
    headers = ["Name", "ID number", "Mobile number", "Union code", "Occupation", "Joined"]
    rows = [
        ["王五", first, "13812340000", union.code, "courier", "2025-01-02"],
        ["赵六", second, "13812340001", union.code, "delivery_rider", "2025-02-03"],
    ]
    assert _upload(_client(), "members", _xlsx(headers, rows)).json() == {"imported": 2}
    members = list(Member.objects.order_by("pk"))
    assert [(m.name, m.id_number, m.phone, m.region_id, m.union_id) for m in members] == [
        ("王五", first, "13812340000", "330127", union.pk),
        ("赵六", second, "13812340001", "330127", union.pk),
    ]
    assert [m.id_number_cipher != first and m.id_number_cipher != "" for m in members] == [True, True]
    assert Member.objects.get(id_number_hash=Member.id_number.hash_of(second)).name == "赵六"
    assert [(m.birth_date.isoformat(), m.gender) for m in members] == [
        (f"{first[6:10]}-{first[10:12]}-{first[12:14]}", "M" if int(first[16]) % 2 else "F"),
        (f"{second[6:10]}-{second[10:12]}-{second[12:14]}", "M" if int(second[16]) % 2 else "F"),
    ]
    event = AuditEvent.objects.get(action="members.import")
    assert event.changes == {"rows": 2, "first_id": members[0].pk, "last_id": members[1].pk}
    assert not AuditEvent.objects.filter(action="member.create").exists()
