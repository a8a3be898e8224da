from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.models import Role


class PasswordLoginForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class SmsLoginForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "username"}),
    )
    code = forms.CharField(
        label=_("验证码"),
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class UserCreateForm(forms.Form):
    phone = forms.CharField(label=_("手机号"), max_length=20)
    name = forms.CharField(label=_("姓名"), max_length=32)
    password = forms.CharField(
        label=_("初始密码（可不填，用短信验证码登录）"), required=False, widget=forms.PasswordInput
    )


class RoleAssignForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    organisation_code = forms.CharField(
        label=_("工会组织代码（工会工作人员必填）"), required=False, max_length=32
    )
    credit_code = forms.CharField(
        label=_("企业统一社会信用代码（企业联系人必填）"), required=False, max_length=18
    )


class AuditSearchForm(forms.Form):
    action = forms.CharField(label=_("操作"), required=False, max_length=64)
    actor = forms.CharField(label=_("操作人（ID或姓名）"), required=False, max_length=64)
    role = forms.CharField(label=_("角色"), required=False, max_length=20)
    result = forms.ChoiceField(
        label=_("结果"),
        required=False,
        choices=[("", _("全部")), ("allowed", _("允许")), ("refused", _("拒绝"))],
    )
    object_type = forms.CharField(label=_("对象类型"), required=False, max_length=64)
    object_id = forms.CharField(label=_("对象ID"), required=False, max_length=64)
    client_ip = forms.CharField(label=_("客户端地址"), required=False, max_length=64)
    since = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class MemberCodeCheckForm(forms.Form):
    token = forms.CharField(
        label=_("工惠码（扫码枪输入或粘贴）"),
        max_length=400,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
