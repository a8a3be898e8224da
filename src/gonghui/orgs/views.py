from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.accounts.models import Role
from gonghui.accounts.services import pii_unmask
from gonghui.core.masking import mask_id_number, mask_name, mask_phone
from gonghui.core.permissions import login_required_page, role_required
from gonghui.core.scoping import get_scoped_or_404
from gonghui.orgs import excel, selectors, services
from gonghui.orgs.forms import FORMS
from gonghui.orgs.models import Enterprise, JoinApplication, JoinStatus, Member, Occupation, Organisation

MODELS = {"organisations": Organisation, "enterprises": Enterprise, "members": Member}
TITLES = {
    "organisations": gettext_lazy("工会组织"),
    "enterprises": gettext_lazy("企业"),
    "members": gettext_lazy("会员"),
}


def _columns(kind):
    if kind == "organisations":
        return [_("组织代码"), _("名称"), _("层级"), _("区划代码")]
    if kind == "enterprises":
        return [_("统一社会信用代码"), _("企业名称"), _("行业"), _("区划代码"), _("职工人数"), _("已建会")]
    return [_("姓名"), _("身份证号码"), _("手机号"), _("所在工会"), _("职业"), _("技能等级")]


def _cells(kind, obj):
    if kind == "organisations":
        return [obj.code, obj.name, obj.get_level_display(), obj.region_id]
    if kind == "enterprises":
        return [
            obj.credit_code,
            obj.name,
            f"{obj.industry}{obj.industry_division}",
            obj.region_id,
            obj.employees,
            _("是") if obj.unionised else _("否"),
        ]
    return [
        mask_name(obj.name),
        mask_id_number(obj.id_number),
        mask_phone(obj.phone),
        obj.union.name,
        obj.get_occupation_display(),
        obj.get_skill_grade_display(),
    ]


@role_required(Role.STAFF)
def object_list(request, kind):
    q = request.GET.get("q", "").strip()
    qs = selectors.SELECTORS[kind](request.actor, q=q)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    rows = [{"pk": o.pk, "region": o.region_id, "cells": _cells(kind, o)} for o in page]
    return render(
        request,
        "orgs/list.html",
        {
            "kind": kind,
            "title": TITLES[kind],
            "columns": _columns(kind),
            "rows": rows,
            "page": page,
            "q": q,
            "query": f"q={q}" if q else "",
        },
    )


def _initial(kind, obj):
    if obj is None:
        return {}
    if kind == "organisations":
        return {
            "code": obj.code,
            "name": obj.name,
            "level": obj.level,
            "parent": obj.parent.code if obj.parent else "",
            "region": obj.region_id,
            "is_holding_union": obj.is_holding_union,
        }
    if kind == "enterprises":
        fields = FORMS[kind].base_fields
        data = {f: getattr(obj, f) for f in fields if f != "region"}
        data["region"] = obj.region_id
        return data
    return {
        "name": obj.name,
        "union": obj.union.code,
        "enterprise": obj.enterprise.credit_code if obj.enterprise else "",
        "occupation": obj.occupation,
        "skill_grade": obj.skill_grade,
        "join_date": obj.join_date,
        "model_worker": obj.model_worker,
    }


@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def object_edit(request, kind, pk=None):
    obj = get_scoped_or_404(MODELS[kind], request.actor, action=f"{kind}.view", pk=pk) if pk else None
    form_class = FORMS[kind]
    if request.method == "POST":
        form = form_class(request.POST, actor=request.actor, instance=obj)
        if form.is_valid():
            try:
                saved = services.SAVERS[kind](
                    actor=request.actor, data=form.cleaned_data, **({kind[:-1]: obj} if obj else {})
                )
            except ValidationError as exc:
                for field, errors in (
                    exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
                ):
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("已保存。"))
                return redirect(f"orgs:{kind[:-1]}_edit", pk=saved.pk)
    else:
        form = form_class(initial=_initial(kind, obj), actor=request.actor, instance=obj)
    context = {"kind": kind, "title": TITLES[kind], "form": form, "obj": obj}
    if kind == "members" and obj is not None:
        context["masked"] = {"id_number": mask_id_number(obj.id_number), "phone": mask_phone(obj.phone)}
    return render(request, "orgs/form.html", context)


@role_required(Role.STAFF)
@require_POST
def member_unmask(request, pk, field):
    value = pii_unmask(actor=request.actor, model=Member, pk=pk, field=field)
    return HttpResponse(f'<span class="unmasked" data-test="unmasked-{field}">{value}</span>')


@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def import_view(request, kind):
    errors, imported = None, None
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError({"file": [_("请选择要上传的文件。")]})
            imported = excel.import_file(actor=request.actor, kind=kind, content=upload.read())
            messages.success(request, _("已导入%(n)d行。") % {"n": imported})
        except excel.ImportRejected as exc:
            errors = exc.rows
            messages.error(request, exc.messages[0])
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
    headers = list(excel._labels(kind).values())
    return render(
        request,
        "orgs/import.html",
        {"kind": kind, "title": TITLES[kind], "errors": errors, "headers": headers},
        status=400 if errors else 200,
    )


@role_required(Role.STAFF)
def export_view(request, kind):
    content = excel.export_workbook(
        actor=request.actor, kind=kind, queryset=selectors.SELECTORS[kind](request.actor)
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{kind}.xlsx"'
    return response


# --- online joining ----------------------------------------------------------------------------------------------


@login_required_page
@require_http_methods(["GET", "POST"])
def join(request):
    errors = {}
    values = {}
    if request.method == "POST":
        values = request.POST.dict()
        union = Organisation.objects.filter(pk=values.get("union") or 0, is_holding_union=True).first()
        try:
            if union is None:
                raise ValidationError({"union": [_("请选择县（市、区）的新就业形态工会。")]})
            services.join_apply(
                actor=request.actor,
                union=union,
                name=values.get("name", ""),
                id_number=values.get("id_number", ""),
                phone=values.get("phone", ""),
                occupation=values.get("occupation", ""),
                employer_name=values.get("employer_name", ""),
            )
        except ValidationError as exc:
            errors = dict(exc.message_dict) if hasattr(exc, "error_dict") else {"general": exc.messages}
            errors["general"] = errors.pop("__all__", []) + errors.get("general", [])
        else:
            messages.success(request, _("申请已提交，请等待县总工会审核。"))
            return redirect("orgs:join")
    applications = JoinApplication.objects.filter(applicant=request.user).select_related("union")
    return render(
        request,
        "orgs/join.html",
        {
            "unions": selectors.holding_unions(),
            "occupations": Occupation.choices,
            "errors": errors,
            "values": values,
            "applications": applications,
            "is_member": Member.objects.filter(user=request.user).exists(),
        },
    )


@role_required(Role.STAFF)
def join_review(request):
    status = request.GET.get("status", JoinStatus.PENDING)
    qs = selectors.join_applications(request.actor, status=status)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "orgs/join_review.html",
        {"page": page, "status": status, "statuses": JoinStatus.choices, "query": f"status={status}"},
    )


@role_required(Role.STAFF)
@require_POST
def join_decide(request, pk):
    approve = request.POST.get("decision") == "approve"
    try:
        services.join_decide(
            actor=request.actor, application_id=pk, approve=approve, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(
            request, _("已批准，会员已登记。") if approve else _("已不予批准，申请人会看到理由。")
        )
    return redirect(reverse("orgs:join_review"))
