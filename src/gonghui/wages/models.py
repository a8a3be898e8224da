"""Skill-level wage collective bargaining (能级工资集体协商): cases, agreements, contact log, checklist.

A bargaining case carries one status across its whole life (offer → … → in force → renewed/lapsed); the agreement
holds what was signed. An agreement covers one enterprise or, for a regional/industry agreement, many; coverage is
computed from those links (``AgreementEnterprise``), never from a counter.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.orgs.models import Industry, SkillGrade


class CaseStatus(models.TextChoices):
    OFFERED = "offered", _("已要约")
    PREPARING = "preparing", _("协商准备")
    BARGAINING = "bargaining", _("协商会议")
    REVIEWED = "reviewed", _("职代会审议通过")
    SIGNED = "signed", _("已签订")
    FILED = "filed", _("已备案")
    PUBLISHED = "published", _("已公示")
    IN_FORCE = "in_force", _("生效中")
    EXPIRING = "expiring", _("即将到期")
    RENEWED = "renewed", _("已续签")
    LAPSED = "lapsed", _("已失效")


# An agreement counts toward coverage from signing until its term ends (or a renewal replaces it).
COVERING_STATUSES = (
    CaseStatus.SIGNED,
    CaseStatus.FILED,
    CaseStatus.PUBLISHED,
    CaseStatus.IN_FORCE,
    CaseStatus.EXPIRING,
)
OPEN_STATUSES = (CaseStatus.OFFERED, CaseStatus.PREPARING, CaseStatus.BARGAINING, CaseStatus.REVIEWED)


class AgreementScope(models.TextChoices):
    ENTERPRISE = "enterprise", _("单个企业")
    REGIONAL = "regional", _("区域性")
    INDUSTRY = "industry", _("行业性")


class AgreementKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("综合性集体合同")
    WAGE_SPECIFIC = "wage_specific", _("工资专项集体合同")
    SKILL_WAGE = "skill_wage", _("能级工资专项集体合同")


class CampaignKind(models.TextChoices):
    CENTRALISED_OFFER = "centralised_offer", _("集中要约")
    SKILL_PAY = "skill_pay", _("以技提薪")


# Skill grades from lowest to highest; a ladder must not decrease along this order.
LADDER_GRADES = [
    SkillGrade.GRADE5,
    SkillGrade.GRADE4,
    SkillGrade.GRADE3,
    SkillGrade.GRADE2,
    SkillGrade.GRADE1,
    SkillGrade.SPECIAL,
    SkillGrade.CHIEF,
]
GRADE_RANK = {grade.value: rank for rank, grade in enumerate(LADDER_GRADES)}


class Campaign(models.Model):
    """A batch of offers to bargain sent together (集中要约 / 以技提薪)."""

    name = models.CharField(_("名称"), max_length=128)
    kind = models.CharField(_("类型"), max_length=20, choices=CampaignKind.choices)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划")
    )
    launched_on = models.DateField(_("发起日期"))
    launched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_region_field = "region__code"

    class Meta:
        ordering = ["-launched_on", "-id"]
        verbose_name = _("集中要约行动")
        verbose_name_plural = _("集中要约行动")

    def __str__(self):
        return self.name


class BargainingCase(models.Model):
    scope = models.CharField(
        _("协商范围"), max_length=12, choices=AgreementScope.choices, default=AgreementScope.ENTERPRISE
    )
    enterprise = models.ForeignKey(
        "orgs.Enterprise",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="wage_cases",
        verbose_name=_("企业"),
    )
    # The enterprise's region, or the area of a regional/industry case: what scoping and coverage group by.
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划")
    )
    industry = models.CharField(_("行业门类"), max_length=1, choices=Industry.choices)
    title = models.CharField(_("名称"), max_length=160)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="wage_cases",
        verbose_name=_("指导员"),
    )
    renews = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewals"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.OFFERED, db_index=True
    )
    offered_on = models.DateField(_("要约日期"))
    # Preparation: the wage survey and the worker side's proposals.
    survey_local_average_wage = models.PositiveIntegerField(
        _("当地职工平均工资（元/月）"), null=True, blank=True
    )
    survey_guideline_raise = models.DecimalField(
        _("工资指导线基准涨幅（%）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    survey_enterprise_average_wage = models.PositiveIntegerField(
        _("企业职工平均工资（元/月）"), null=True, blank=True
    )
    worker_proposals = models.TextField(_("职工方协商要求"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_region_field = "region__code"

    class Meta:
        ordering = ["-offered_on", "-id"]
        verbose_name = _("协商案件")
        verbose_name_plural = _("协商案件")

    def __str__(self):
        return self.title

    @classmethod
    def scope_owner_q(cls, actor):
        if actor.enterprise_id:
            return models.Q(enterprise_id=actor.enterprise_id)
        return None


class BargainingRound(models.Model):
    case = models.ForeignKey(BargainingCase, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("轮次"))
    held_on = models.DateField(_("日期"))
    minutes = models.TextField(_("会议纪要"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["case", "number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="wages_round_unique_number")]

    def __str__(self):
        return f"{self.case_id}#{self.number}"


class CongressVote(models.Model):
    """A workers' congress review of the draft: passes with more than half of ALL representatives voting for."""

    case = models.ForeignKey(BargainingCase, on_delete=models.CASCADE, related_name="votes")
    held_on = models.DateField(_("日期"))
    representatives = models.PositiveIntegerField(_("代表总数"))
    votes_for = models.PositiveIntegerField(_("赞成"))
    votes_against = models.PositiveIntegerField(_("反对"))
    votes_abstain = models.PositiveIntegerField(_("弃权"))
    passed = models.BooleanField(_("通过"))

    class Meta:
        ordering = ["case", "held_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    representatives__gte=models.F("votes_for")
                    + models.F("votes_against")
                    + models.F("votes_abstain")
                ),
                name="wages_vote_not_more_than_representatives",
            )
        ]

    def __str__(self):
        return f"{self.case_id} {self.votes_for}/{self.representatives}"


class Agreement(models.Model):
    case = models.OneToOneField(BargainingCase, on_delete=models.PROTECT, related_name="agreement")
    kind = models.CharField(
        _("合同类型"), max_length=16, choices=AgreementKind.choices, default=AgreementKind.SKILL_WAGE
    )
    scope = models.CharField(_("覆盖范围"), max_length=12, choices=AgreementScope.choices)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划")
    )
    industry = models.CharField(_("行业门类"), max_length=1, choices=Industry.choices)
    signed_on = models.DateField(_("签订日期"))
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("终止日期"), db_index=True)
    workers_covered = models.PositiveIntegerField(_("覆盖职工数"))
    average_raise = models.DecimalField(_("平均涨幅（%）"), max_digits=5, decimal_places=2)
    minimum_pay = models.PositiveIntegerField(_("最低工资条款（元/月）"))
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    filing_number = models.CharField(_("备案号"), max_length=40, blank=True)
    published_on = models.DateField(_("公示日期"), null=True, blank=True)
    imported = models.BooleanField(_("由Excel导入"), default=False)
    enterprises = models.ManyToManyField("orgs.Enterprise", through="AgreementEnterprise", related_name="+")

    scope_region_field = "region__code"

    class Meta:
        ordering = ["-signed_on", "-id"]
        verbose_name = _("集体合同")
        verbose_name_plural = _("集体合同")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="wages_agreement_term_order"
            )
        ]

    def __str__(self):
        return self.case.title if self.case_id else str(self.pk)

    @classmethod
    def scope_owner_q(cls, actor):
        if actor.enterprise_id:
            return models.Q(case__enterprise_id=actor.enterprise_id)
        return None


class AgreementEnterprise(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="coverage")
    enterprise = models.ForeignKey("orgs.Enterprise", on_delete=models.PROTECT, related_name="wage_coverage")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agreement", "enterprise"], name="wages_coverage_unique")
        ]

    def __str__(self):
        return f"{self.agreement_id}→{self.enterprise_id}"


class LadderStep(models.Model):
    """One rung of the wage ladder: monthly base pay and skill allowance for a grade (元/月)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="ladder")
    grade = models.CharField(_("技能等级"), max_length=8, choices=SkillGrade.choices)
    rank = models.PositiveSmallIntegerField()
    base_pay = models.PositiveIntegerField(_("岗位工资（元/月）"))
    allowance = models.PositiveIntegerField(_("技能津贴（元/月）"), default=0)

    class Meta:
        ordering = ["agreement", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "grade"], name="wages_ladder_unique_grade")
        ]

    def __str__(self):
        return f"{self.get_grade_display()} {self.base_pay}+{self.allowance}"

    @property
    def total(self) -> int:
        return self.base_pay + self.allowance


class ItemKind(models.TextChoices):
    SKILL_ALLOWANCE = "skill_allowance", _("技术技能类津贴（1）")
    INNOVATION = "innovation", _("创新创造成果奖励（X）")
    HONOUR = "honour", _("荣誉类专项奖励（X）")
    EDUCATION = "education", _("学历提升津贴（X）")
    MENTORING = "mentoring", _("师带徒奖励（X）")
    OTHER = "other", _("企业特色项目（X）")


class AgreementItem(models.Model):
    """A "1+X" item: the one skill-grade allowance plus the X rewards."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("项目"), max_length=16, choices=ItemKind.choices)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    amount = models.PositiveIntegerField(_("金额（元）"), default=0)

    class Meta:
        ordering = ["agreement", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"


class ContactKind(models.TextChoices):
    VISIT = "visit", _("走访")
    HEAT_RELIEF = "heat_relief", _("送清凉")
    SAFETY_INSPECTION = "safety_inspection", _("安全检查")
    STAR_RATING = "star_rating", _("星级评定")
    WORKERS_CONGRESS = "workers_congress", _("职代会")
    OTHER = "other", _("其他")


class ContactLog(models.Model):
    """Every touchpoint with an enterprise, used to move reluctant management toward bargaining."""

    enterprise = models.ForeignKey("orgs.Enterprise", on_delete=models.PROTECT, related_name="wage_contacts")
    kind = models.CharField(_("接触方式"), max_length=20, choices=ContactKind.choices)
    happened_on = models.DateField(_("日期"))
    notes = models.TextField(_("情况记录"), blank=True)
    willing = models.BooleanField(_("企业方同意协商"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_region_field = "enterprise__region__code"

    class Meta:
        ordering = ["-happened_on", "-id"]
        verbose_name = _("企业接触记录")
        verbose_name_plural = _("企业接触记录")

    def __str__(self):
        return f"{self.get_kind_display()} {self.happened_on}"


class ChecklistEntry(models.Model):
    """排查销号: an enterprise an instructor must bring to an agreement; ticked off when one is signed."""

    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="wage_checklist"
    )
    enterprise = models.OneToOneField(
        "orgs.Enterprise", on_delete=models.PROTECT, related_name="wage_checklist"
    )
    added_on = models.DateField(_("列入日期"))
    ticked_off_on = models.DateField(_("销号日期"), null=True, blank=True)
    ticked_off_by = models.ForeignKey(
        BargainingCase, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_region_field = "enterprise__region__code"

    class Meta:
        ordering = ["ticked_off_on", "enterprise__credit_code"]
        verbose_name = _("排查销号清单")
        verbose_name_plural = _("排查销号清单")

    def __str__(self):
        return f"{self.enterprise_id} ({self.instructor_id})"


class ExpiryFlag(models.Model):
    """An agreement due to expire within 60 or 30 days, flagged to its instructor once per threshold."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="expiry_flags")
    instructor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    days = models.PositiveSmallIntegerField(_("提前天数"))
    flagged_on = models.DateField(_("提醒日期"))
    seen = models.BooleanField(default=False)

    scope_region_field = "agreement__region__code"

    class Meta:
        ordering = ["-flagged_on", "days"]
        constraints = [models.UniqueConstraint(fields=["agreement", "days"], name="wages_expiry_flag_once")]

    def __str__(self):
        return f"{self.agreement_id} −{self.days}d"
