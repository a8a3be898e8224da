import json

import segno
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.accounts import selectors, services
from gonghui.accounts.forms import (
    AuditSearchForm,
    MemberCodeCheckForm,
    PasswordLoginForm,
    RoleAssignForm,
    SmsLoginForm,
    UserCreateForm,
)
from gonghui.accounts.models import Role, RoleAssignment, User
from gonghui.core.audit import record
from gonghui.core.masking import mask_phone
from gonghui.core.middleware import ACTIVE_ROLE_SESSION_KEY, client_ip
from gonghui.core.permissions import login_required_page, role_required
from gonghui.orgs.models import Enterprise, Organisation

BACKEND = "gonghui.accounts.backends.PhonePasswordBackend"


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("home")


def _finish_login(request, user):
    auth_login(request, user, backend=BACKEND)
    roles = user.roles()
    if len(roles) == 1:
        request.session[ACTIVE_ROLE_SESSION_KEY] = roles[0].pk
    if len(roles) > 1:
        return redirect(reverse("accounts:choose_role") + "?next=" + _next_url(request))
    return redirect(_next_url(request))


@require_http_methods(["GET", "POST"])
def login_view(request):
    form = PasswordLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_by_password(
                phone=form.cleaned_data["phone"],
                password=form.cleaned_data["password"],
                client_ip=client_ip(request),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return _finish_login(request, user)
    return render(
        request, "accounts/login.html", {"form": form, "next": request.GET.get("next", ""), "tab": "password"}
    )


@require_http_methods(["GET", "POST"])
def login_sms_view(request):
    form = SmsLoginForm(request.POST or None)
    code_sent = False
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            if request.POST.get("send"):
                services.sms_code_send(phone=phone, client_ip=client_ip(request))
                messages.success(request, _("验证码已发送，5分钟内有效。"))
                code_sent = True
            else:
                user = services.login_by_sms(
                    phone=phone, code=form.cleaned_data["code"], client_ip=client_ip(request)
                )
                return _finish_login(request, user)
        except ValidationError as exc:
            _add_errors(form, exc)
            code_sent = bool(form.cleaned_data.get("code"))
    return render(
        request,
        "accounts/login_sms.html",
        {
            "form": form,
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "code_sent": code_sent,
            "tab": "sms",
        },
    )


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        services.logout_recorded(actor=request.actor)
    auth_logout(request)
    return redirect("home")


@login_required_page
@require_http_methods(["GET", "POST"])
def choose_role(request):
    if request.method == "POST":
        try:
            assignment = services.role_switch(
                user=request.user,
                assignment_id=int(request.POST.get("assignment", 0) or 0),
                client_ip=client_ip(request),
            )
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            request.session[ACTIVE_ROLE_SESSION_KEY] = assignment.pk
            return redirect(_next_url(request))
    return render(
        request,
        "accounts/choose_role.html",
        {
            "assignments": request.user.roles(),
            "active": request.session.get(ACTIVE_ROLE_SESSION_KEY),
            "next": request.GET.get("next", ""),
        },
    )


@login_required_page
def me(request):
    return render(
        request,
        "accounts/me.html",
        {
            "masked_phone": mask_phone(request.user.phone),
            "assignments": request.user.roles(),
            "is_member": request.actor.role == Role.MEMBER,
        },
    )


@login_required_page
def my_data(request):
    data = services.member_data_export(actor=request.actor, user=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


def _qr_svg(token: str) -> str:
    return segno.make(token, error="m").svg_inline(scale=5, border=2)


@role_required(Role.MEMBER)
def member_code(request):
    token = services.member_code_issue(actor=request.actor)
    context = {"token": token, "qr": _qr_svg(token)}
    template = (
        "accounts/_member_code_qr.html" if request.headers.get("HX-Request") else "accounts/member_code.html"
    )
    return render(request, template, context)


@role_required(Role.STAFF, Role.STATION_MANAGER)
@require_http_methods(["GET", "POST"])
def member_code_check(request):
    form = MemberCodeCheckForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        check = services.member_code_verify(actor=request.actor, token=form.cleaned_data["token"])
        result = {
            "valid": check.valid,
            "reason": check.reason,
            "text": services.member_code_reason_text(check.reason),
        }
        form = MemberCodeCheckForm()
    return render(request, "accounts/member_code_check.html", {"form": form, "result": result})


# --- the three administrators --------------------------------------------------------------------------------


@role_required(Role.SYSADMIN)
def system(request):
    from django.db import connection

    from gonghui.core.models import AuditEvent
    from gonghui.orgs.models import Member

    stats = {
        "database": connection.vendor,
        "users": User.objects.count(),
        "organisations": Organisation.objects.count(),
        "enterprises": Enterprise.objects.count(),
        "members": Member.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }
    return render(request, "accounts/system.html", {"stats": stats})


@role_required(Role.SECADMIN)
def users(request):
    qs = selectors.user_search(request.actor, text=request.GET.get("q", ""))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/users.html",
        {"page": page, "q": request.GET.get("q", ""), "create_form": UserCreateForm()},
    )


@role_required(Role.SECADMIN)
@require_POST
def user_create(request):
    form = UserCreateForm(request.POST)
    if form.is_valid():
        try:
            user = services.user_create(actor=request.actor, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("账号已创建。"))
            return redirect("accounts:user_detail", user_id=user.pk)
    page = Paginator(selectors.user_search(request.actor), 30).get_page(1)
    return render(request, "accounts/users.html", {"page": page, "q": "", "create_form": form}, status=400)


@role_required(Role.SECADMIN)
@require_http_methods(["GET", "POST"])
def user_detail(request, user_id: int):
    user = get_object_or_404(User, pk=user_id)
    form = RoleAssignForm(request.POST or None)
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "assign" and form.is_valid():
                data = form.cleaned_data
                org = (
                    Organisation.objects.filter(code=data["organisation_code"]).first()
                    if data["organisation_code"]
                    else None
                )
                ent = (
                    Enterprise.objects.filter(credit_code=data["credit_code"].upper()).first()
                    if data["credit_code"]
                    else None
                )
                if data["organisation_code"] and org is None:
                    raise ValidationError({"organisation": [_("找不到该工会组织。")]})
                if data["credit_code"] and ent is None:
                    raise ValidationError({"enterprise": [_("找不到该企业。")]})
                services.role_assign(
                    actor=request.actor, user=user, role=data["role"], organisation=org, enterprise=ent
                )
                messages.success(request, _("角色已分配。"))
            elif op == "revoke":
                assignment = get_object_or_404(RoleAssignment, pk=request.POST.get("assignment"), user=user)
                services.role_revoke(actor=request.actor, assignment=assignment)
                messages.success(request, _("角色已撤销。"))
            elif op == "unlock":
                services.user_unlock(actor=request.actor, user=user)
                messages.success(request, _("账号已解锁。"))
            elif op in ("deactivate", "activate"):
                services.user_set_active(actor=request.actor, user=user, active=op == "activate")
                messages.success(request, _("已保存。"))
            if not form.errors:
                return redirect("accounts:user_detail", user_id=user.pk)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                renamed = {"organisation": "organisation_code", "enterprise": "credit_code"}
                for field, errs in exc.message_dict.items():
                    form.add_error(
                        renamed.get(field, field) if renamed.get(field, field) in form.fields else None, errs
                    )
            else:
                form.add_error(None, exc.messages)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "subject": user,
            "masked_phone": mask_phone(user.phone),
            "assignments": user.role_assignments.select_related("organisation", "enterprise").order_by(
                "-active", "id"
            ),
            "form": form,
        },
    )


@role_required(Role.SECADMIN)
@require_POST
def user_unmask_phone(request, user_id: int):
    value = services.pii_unmask(actor=request.actor, model=User, pk=user_id, field="phone")
    return HttpResponse(f'<span class="unmasked">{value}</span>')


@role_required(Role.AUDITADMIN)
def audit_log(request):
    form = AuditSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.audit_search(
        request.actor,
        action=filters.get("action") or "",
        actor_text=filters.get("actor") or "",
        role=filters.get("role") or "",
        result=filters.get("result") or "",
        object_type=filters.get("object_type") or "",
        object_id=filters.get("object_id") or "",
        client_ip=filters.get("client_ip") or "",
        since=filters.get("since"),
        until=filters.get("until"),
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    # The audit administrator's own searches are on the record too.
    record(request.actor, "audit.search", detail=request.GET.urlencode()[:500])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "accounts/audit_log.html", {"form": form, "page": page, "query": query.urlencode()}
    )
