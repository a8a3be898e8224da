"""Forms for organisations, enterprises and members: one set of rules for pages, the API and Excel imports.

Each form knows the acting staff member (``actor``) so that a region, union or enterprise outside their scope is a
field error, and the row being edited (``instance``) so that its own identifiers are not duplicates of itself.
"""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gonghui.core.scoping import scoped
from gonghui.core.validators import validate_credit_code, validate_id_number, validate_mobile
from gonghui.orgs.industry import division_in_section
from gonghui.orgs.models import Enterprise, Industry, Member, Occupation, Organisation, OrgLevel, SkillGrade
from gonghui.regions.models import Region


class ScopedForm(forms.Form):
    def __init__(self, *args, actor, instance=None, **kwargs):
        self.actor = actor
        self.instance = instance
        super().__init__(*args, **kwargs)

    def _region_in_scope(self, code: str) -> Region:
        code = (code or "").strip()
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise ValidationError(_("未知的行政区划代码：%(code)s") % {"code": code}, code="unknown_region")
        if not self.actor.covers(region.code):
            raise ValidationError(_("该区划不在您的管辖范围内。"), code="out_of_scope")
        return region

    def _organisation_in_scope(self, code: str) -> Organisation:
        org = scoped(Organisation, self.actor).filter(code=(code or "").strip()).first()
        if org is None:
            raise ValidationError(
                _("找不到该工会组织，或它不在您的管辖范围内。"), code="unknown_organisation"
            )
        return org


class OrganisationForm(ScopedForm):
    code = forms.CharField(label=_("组织代码"), max_length=32)
    name = forms.CharField(label=_("名称"), max_length=128)
    level = forms.ChoiceField(label=_("层级"), choices=OrgLevel.choices)
    parent = forms.CharField(label=_("上级组织代码"), max_length=32)
    region = forms.CharField(label=_("区划代码"), max_length=9)
    is_holding_union = forms.BooleanField(label=_("新就业形态工会（兜底入会）"), required=False)

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        taken = Organisation.objects.filter(code=code)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("该组织代码已存在。"), code="duplicate")
        return code

    def clean_parent(self):
        return self._organisation_in_scope(self.cleaned_data["parent"])

    def clean_region(self):
        return self._region_in_scope(self.cleaned_data["region"])


class EnterpriseForm(ScopedForm):
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    name = forms.CharField(label=_("企业名称"), max_length=128)
    industry = forms.ChoiceField(label=_("行业门类"), choices=Industry.choices)
    industry_division = forms.CharField(label=_("行业大类代码"), max_length=2)
    region = forms.CharField(label=_("区划代码"), max_length=9)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    employees = forms.IntegerField(label=_("职工人数"), min_value=0, max_value=10_000_000)
    above_designated_size = forms.BooleanField(label=_("规模以上"), required=False)
    non_public = forms.BooleanField(label=_("非公有制"), required=False)
    unionised = forms.BooleanField(label=_("已建会"), required=False)
    reform_pilot = forms.BooleanField(label=_("产改试点"), required=False)
    platform = forms.BooleanField(label=_("新就业形态平台企业"), required=False)
    group_name = forms.CharField(label=_("所属集团"), max_length=128, required=False)

    def clean_credit_code(self):
        code = validate_credit_code(self.cleaned_data["credit_code"])
        taken = Enterprise.objects.filter(credit_code=code)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("该统一社会信用代码已登记。"), code="duplicate")
        return code

    def clean_industry_division(self):
        return self.cleaned_data["industry_division"].strip().zfill(2)

    def clean_region(self):
        return self._region_in_scope(self.cleaned_data["region"])

    def clean(self):
        data = super().clean()
        section, division = data.get("industry"), data.get("industry_division")
        if section and division and not division_in_section(section, division):
            self.add_error(
                "industry_division",
                ValidationError(
                    _("行业大类%(d)s不属于门类%(s)s（GB/T 4754）。") % {"d": division, "s": section},
                    code="division",
                ),
            )
        return data


class MemberForm(ScopedForm):
    name = forms.CharField(label=_("姓名"), max_length=32)
    id_number = forms.CharField(label=_("身份证号码"), max_length=18, required=False)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    union = forms.CharField(label=_("所在工会代码"), max_length=32)
    enterprise = forms.CharField(label=_("工作单位统一社会信用代码"), max_length=18, required=False)
    occupation = forms.ChoiceField(label=_("职业"), choices=Occupation.choices)
    skill_grade = forms.ChoiceField(
        label=_("技能等级"), choices=SkillGrade.choices, initial=SkillGrade.NONE, required=False
    )
    join_date = forms.DateField(label=_("入会日期"), widget=forms.DateInput(attrs={"type": "date"}))
    model_worker = forms.BooleanField(label=_("劳动模范"), required=False)

    def clean_id_number(self):
        value = (self.cleaned_data.get("id_number") or "").strip()
        if not value and self.instance is not None:
            return None  # editing: blank keeps the stored number
        if not value:
            raise ValidationError(_("请填写身份证号码。"), code="required")
        value = validate_id_number(value)
        taken = Member.objects.filter(id_number_hash=Member.id_number.hash_of(value))
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("该身份证号码已登记为会员。"), code="duplicate")
        return value

    def clean_phone(self):
        value = (self.cleaned_data.get("phone") or "").strip()
        if not value:
            return None if self.instance is not None else ""
        return validate_mobile(value)

    def clean_union(self):
        return self._organisation_in_scope(self.cleaned_data["union"])

    def clean_enterprise(self):
        code = (self.cleaned_data.get("enterprise") or "").strip().upper()
        if not code:
            return None
        enterprise = scoped(Enterprise, self.actor).filter(credit_code=code).first()
        if enterprise is None:
            raise ValidationError(_("找不到该企业，或它不在您的管辖范围内。"), code="unknown_enterprise")
        return enterprise

    def clean_skill_grade(self):
        return self.cleaned_data.get("skill_grade") or SkillGrade.NONE

    def clean_join_date(self):
        value = self.cleaned_data["join_date"]
        if value > date.today():
            raise ValidationError(_("入会日期不能晚于今天。"), code="future")
        return value


FORMS = {"organisations": OrganisationForm, "enterprises": EnterpriseForm, "members": MemberForm}
