"""Page forms: they parse input; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.orgs.models import Industry, SkillGrade
from gonghui.wages.models import (
    LADDER_GRADES,
    AgreementKind,
    AgreementScope,
    CampaignKind,
    ContactKind,
    ItemKind,
)

DATE = forms.DateInput(attrs={"type": "date"})


class PrepareForm(forms.Form):
    local_average_wage = forms.IntegerField(label=_("当地职工平均工资（元/月）"), min_value=0, required=False)
    guideline_raise = forms.DecimalField(
        label=_("工资指导线基准涨幅（%）"), max_digits=5, decimal_places=2, required=False
    )
    enterprise_average_wage = forms.IntegerField(
        label=_("企业职工平均工资（元/月）"), min_value=0, required=False
    )
    worker_proposals = forms.CharField(label=_("职工方协商要求"), widget=forms.Textarea(attrs={"rows": 3}))


class RoundForm(forms.Form):
    held_on = forms.DateField(label=_("日期"), widget=DATE)
    minutes = forms.CharField(label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 3}))


class VoteForm(forms.Form):
    held_on = forms.DateField(label=_("日期"), widget=DATE)
    representatives = forms.IntegerField(label=_("职工代表总数"), min_value=1)
    votes_for = forms.IntegerField(label=_("赞成"), min_value=0)
    votes_against = forms.IntegerField(label=_("反对"), min_value=0)
    votes_abstain = forms.IntegerField(label=_("弃权"), min_value=0)


class SignForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("合同类型"), choices=AgreementKind.choices, initial=AgreementKind.SKILL_WAGE
    )
    signed_on = forms.DateField(label=_("签订日期"), widget=DATE)
    starts_on = forms.DateField(label=_("起始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("终止日期"), widget=DATE)
    workers_covered = forms.IntegerField(label=_("覆盖职工数"), min_value=1)
    average_raise = forms.DecimalField(label=_("平均涨幅（%）"), max_digits=5, decimal_places=2)
    minimum_pay = forms.IntegerField(label=_("最低工资条款（元/月）"), min_value=0)
    credit_codes = forms.CharField(
        label=_("覆盖企业的统一社会信用代码（区域性/行业性合同，每行一个）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for grade in LADDER_GRADES:
            label = SkillGrade(grade).label
            self.fields[f"base_{grade.value}"] = forms.IntegerField(label=label, min_value=0, required=False)
            self.fields[f"allowance_{grade.value}"] = forms.IntegerField(
                label=label, min_value=0, required=False
            )
        for kind in ItemKind:
            self.fields[f"item_{kind.value}"] = forms.IntegerField(
                label=kind.label, min_value=0, required=False
            )

    def ladder_rows(self):
        return [
            {
                "grade": g.value,
                "label": SkillGrade(g).label,
                "base": self[f"base_{g.value}"],
                "allowance": self[f"allowance_{g.value}"],
            }
            for g in LADDER_GRADES
        ]

    def item_fields(self):
        return [self[f"item_{k.value}"] for k in ItemKind]

    def ladder(self):
        return [
            {
                "grade": g.value,
                "base_pay": self.cleaned_data[f"base_{g.value}"],
                "allowance": self.cleaned_data[f"allowance_{g.value}"] or 0,
            }
            for g in LADDER_GRADES
            if self.cleaned_data.get(f"base_{g.value}") is not None
        ]

    def items(self):
        return [
            {"kind": k.value, "amount": self.cleaned_data[f"item_{k.value}"]}
            for k in ItemKind
            if self.cleaned_data.get(f"item_{k.value}")
        ]


class FileForm(forms.Form):
    filed_on = forms.DateField(label=_("备案日期"), widget=DATE)
    filing_number = forms.CharField(label=_("备案号"), max_length=40, required=False)


class PublishForm(forms.Form):
    published_on = forms.DateField(label=_("公示日期"), widget=DATE)


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=_("接触方式"), choices=ContactKind.choices)
    happened_on = forms.DateField(label=_("日期"), widget=DATE)
    notes = forms.CharField(label=_("情况记录"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    willing = forms.BooleanField(label=_("企业方同意协商"), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel文件（.xlsx）"))


class ChecklistBuildForm(forms.Form):
    region_code = forms.ChoiceField(label=_("排查区域"))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = regions


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("行动名称"), max_length=128)
    kind = forms.ChoiceField(label=_("类型"), choices=CampaignKind.choices)
    enterprise_ids = forms.TypedMultipleChoiceField(label=_("企业"), coerce=int, choices=())

    def __init__(self, *args, enterprise_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise_ids"].choices = [(pk, pk) for pk in enterprise_ids]


class AreaOfferForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("协商范围"),
        choices=[
            (AgreementScope.REGIONAL, AgreementScope.REGIONAL.label),
            (AgreementScope.INDUSTRY, AgreementScope.INDUSTRY.label),
        ],
    )
    region_code = forms.ChoiceField(label=_("区划"))
    industry = forms.ChoiceField(label=_("行业门类"), choices=Industry.choices)
    title = forms.CharField(label=_("名称"), max_length=160)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = regions
