"""Excel (.xlsx) import and export for organisations, enterprises and members.

An import validates every row with the same form the pages use; if any row is bad nothing is imported and every bad
row is reported with field-level messages in the user's language. Duplicates inside the file count as bad rows too.
Headers may be the Chinese or the English column titles, or the field names.
"""

import io
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from gonghui.core.actor import Actor
from gonghui.core.audit import audited, record_refusal
from gonghui.core.errors import ServiceError
from gonghui.core.masking import mask_id_number, mask_name, mask_phone
from gonghui.orgs import services
from gonghui.orgs.forms import FORMS
from gonghui.orgs.models import Member

MAX_ROWS = 20_000
IMPORT_BATCH_SIZE = 500
KINDS = tuple(FORMS)


@dataclass
class RowError:
    row: int
    field: str
    label: str
    message: str


class ImportRejected(ServiceError):
    def __init__(self, errors: list[RowError]):
        self.rows = errors
        super().__init__(_("导入失败：%(n)d行有错误，未导入任何数据。") % {"n": len({e.row for e in errors})})


def _labels(kind: str) -> dict[str, str]:
    form = FORMS[kind]
    return {name: str(field.label) for name, field in form.base_fields.items()}


def header_map(kind: str) -> dict[str, str]:
    """Every accepted header (Chinese title, English title, field name) → field name."""
    names = list(FORMS[kind].base_fields)
    mapping = {n: n for n in names}
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            mapping.update({str(FORMS[kind].base_fields[n].label).strip(): n for n in names})
    return mapping


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and callable(value.date):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "1" if value else ""
    return str(value).strip()


BOOL_TRUE = {"1", "true", "yes", "y", "是", "√", "✓"}


def parse_rows(kind: str, content: bytes) -> list[tuple[int, dict]]:
    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    except Exception:
        raise ServiceError({"file": [_("无法读取文件：请上传 .xlsx 格式的 Excel 文件。")]}) from None
    rows = sheet.iter_rows(values_only=True)
    try:
        headers = [_cell(h) for h in next(rows)]
    except StopIteration:
        raise ServiceError({"file": [_("文件是空的。")]}) from None
    mapping = header_map(kind)
    unknown = [h for h in headers if h and h not in mapping]
    if unknown:
        raise ServiceError({"file": [_("无法识别的列：%(cols)s") % {"cols": "、".join(unknown)}]})
    fields = [mapping.get(h) for h in headers]
    form_fields = FORMS[kind].base_fields
    parsed = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue
        data = {}
        for field, value in zip(fields, values, strict=False):
            if not field:
                continue
            text = _cell(value)
            if form_fields[field].__class__.__name__ == "BooleanField":
                data[field] = text.lower() in BOOL_TRUE
            else:
                data[field] = text
        parsed.append((number, data))
        if len(parsed) > MAX_ROWS:
            raise ServiceError({"file": [_("一次最多导入%(n)d行。") % {"n": MAX_ROWS}]})
    return parsed


def _duplicate_key(kind: str, cleaned: dict):
    if kind == "enterprises":
        return "credit_code", cleaned["credit_code"]
    if kind == "organisations":
        return "code", cleaned["code"]
    if kind == "members" and cleaned.get("id_number"):
        return "id_number", Member.id_number.hash_of(cleaned["id_number"])
    return None


def import_file(*, actor: Actor, kind: str, content: bytes) -> int:
    """Import every row or none. Returns the number of rows imported; raises ImportRejected with every bad row."""
    if kind not in KINDS:
        raise ServiceError({"kind": [_("未知的导入类型。")]})
    if not actor.is_staff:
        record_refusal(actor, f"{kind}.import", reason="role")
        raise PermissionDenied(_("只有工会工作人员可以导入数据。"))
    labels = _labels(kind)
    try:
        rows = parse_rows(kind, content)
    except ServiceError as exc:
        record_refusal(actor, f"{kind}.import", reason="; ".join(exc.messages))
        raise
    errors: list[RowError] = []
    valid: list[dict] = []
    seen: dict = {}
    for number, data in rows:
        form = FORMS[kind](data, actor=actor)
        if not form.is_valid():
            for field, messages in form.errors.items():
                for message in messages:
                    errors.append(RowError(number, field, labels.get(field, ""), message))
            continue
        key = _duplicate_key(kind, form.cleaned_data)
        if key is not None:
            if key in seen:
                errors.append(
                    RowError(number, key[0], labels[key[0]], _("与第%(row)d行重复。") % {"row": seen[key]})
                )
                continue
            seen[key] = number
        valid.append(form.cleaned_data)
    if not rows:
        errors.append(RowError(0, "file", "", _("文件中没有数据行。")))
    if errors:
        record_refusal(
            actor, f"{kind}.import", reason=f"{len({e.row for e in errors})} bad rows of {len(rows)}"
        )
        raise ImportRejected(errors)
    build, unique_field, clash_message = services.BUILDERS[kind]
    with audited(actor, f"{kind}.import") as draft:
        # Rows are built by the same rules as a single edit, then written in batches in this one transaction,
        # audited as one import event (not one per row: that cost ~3 ms a row).
        objects = [build(data) for data in valid]
        if any(not actor.covers(obj.region_id) for obj in objects):
            raise PermissionDenied(_("该区划不在您的管辖范围内。"))
        model = type(objects[0])
        try:
            created = model.objects.bulk_create(objects, batch_size=IMPORT_BATCH_SIZE)
        except IntegrityError:  # a row registered by someone else since validation
            raise ServiceError({unique_field: [clash_message()]}) from None
        ids = [obj.pk for obj in created]
        draft.changes = {"rows": len(created), "first_id": min(ids), "last_id": max(ids)}
    return len(created)


def export_rows(kind: str, queryset) -> list[list]:
    if kind == "organisations":
        return [
            [o.code, o.name, o.level, o.parent.code if o.parent else "", o.region_id, o.is_holding_union]
            for o in queryset.select_related("parent")
        ]
    if kind == "enterprises":
        return [
            [
                e.credit_code,
                e.name,
                e.industry,
                e.industry_division,
                e.region_id,
                e.address,
                e.employees,
                e.above_designated_size,
                e.non_public,
                e.unionised,
                e.reform_pilot,
                e.platform,
                e.group_name,
            ]
            for e in queryset
        ]
    # Members leave masked: a full value is its own audited action, never a bulk download.
    return [
        [
            mask_name(m.name),
            mask_id_number(m.id_number),
            mask_phone(m.phone),
            m.union.code,
            m.enterprise.credit_code if m.enterprise else "",
            m.occupation,
            m.skill_grade,
            m.join_date,
            m.model_worker,
        ]
        for m in queryset.select_related("union", "enterprise")
    ]


def export_workbook(*, actor: Actor, kind: str, queryset) -> bytes:
    with audited(actor, f"{kind}.export") as draft:
        if not actor.is_staff:
            raise PermissionDenied(_("只有工会工作人员可以导出数据。"))
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(kind)
        sheet.append(list(_labels(kind).values()))
        count = 0
        for row in export_rows(kind, queryset[: MAX_ROWS * 5]):
            sheet.append(row)
            count += 1
        out = io.BytesIO()
        workbook.save(out)
        draft.changes = {"rows": count}
    return out.getvalue()
