"""劳模工匠助企行: the talent pool, the problem database and the solution library (三库联动), with the workflow
that links them (offers, status log, visits, outcomes) and the special service sessions in mountain/island counties."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.pii import PII
from gonghui.core.validators import normalise_mobile
from gonghui.orgs.models import SkillGrade


class Honour(models.TextChoices):
    NATIONAL_MODEL = "national_model", _("全国劳动模范")
    PROVINCIAL_MODEL = "provincial_model", _("浙江省劳动模范")
    CITY_MODEL = "city_model", _("市级劳动模范")
    NATIONAL_MAYDAY = "national_mayday", _("全国五一劳动奖章")
    PROVINCIAL_MAYDAY = "provincial_mayday", _("浙江省五一劳动奖章")
    ZHEJIANG_CRAFTSMAN = "zhejiang_craftsman", _("浙江工匠")
    GREAT_CRAFTSMAN = "great_craftsman", _("大国工匠")
    SKILL_MASTER = "skill_master", _("技能大师")


class HonourLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")


# The engine scores honours by their Chinese names (gonghui.matching.config.honour_levels).
ENGINE_HONOUR_NAME = {
    Honour.NATIONAL_MODEL: "全国劳动模范",
    Honour.PROVINCIAL_MODEL: "浙江省劳动模范",
    Honour.CITY_MODEL: "市级劳动模范",
    Honour.NATIONAL_MAYDAY: "全国五一劳动奖章",
    Honour.PROVINCIAL_MAYDAY: "浙江省五一劳动奖章",
    Honour.ZHEJIANG_CRAFTSMAN: "浙江工匠",
    Honour.GREAT_CRAFTSMAN: "大国工匠",
    Honour.SKILL_MASTER: "省级技能大师工作室领办人",
}
DEFAULT_HONOUR_LEVEL = {
    Honour.NATIONAL_MODEL: HonourLevel.NATIONAL,
    Honour.NATIONAL_MAYDAY: HonourLevel.NATIONAL,
    Honour.GREAT_CRAFTSMAN: HonourLevel.NATIONAL,
    Honour.CITY_MODEL: HonourLevel.CITY,
}


class NeedCategory(models.TextChoices):
    """The six need categories of the ZJFTU need-collection form (codes shared with gonghui.matching)."""

    PROCESS_QUALITY = "process_quality", _("工艺、产品设计与质量")
    ENERGY_COST = "energy_cost", _("节能减排、节支降耗")
    EQUIPMENT = "equipment", _("设备改造与设施维护")
    MANAGEMENT = "management", _("经营管理")
    SKILLS_CAREER = "skills_career", _("职工技能与职业发展")
    SAFETY_HEALTH = "safety_health", _("职业安全、身心健康与教育培训")


class Urgency(models.IntegerChoices):
    NORMAL = 1, _("一般")
    SOON = 2, _("较急")
    URGENT = 3, _("紧急")


class TeamKind(models.TextChoices):
    SERVICE = "service", _("服务团")
    VOLUNTEER = "volunteer", _("主题志愿服务队")


class ServiceTeam(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=TeamKind.choices, default=TeamKind.SERVICE)
    theme = models.CharField(_("主题/行业"), max_length=100, blank=True)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划")
    )

    scope_region_field = "region__code"

    class Meta:
        ordering = ["name"]
        verbose_name = _("服务队")
        verbose_name_plural = _("服务队")

    def __str__(self):
        return self.name


class CraftsmanStatus(models.TextChoices):
    ACTIVE = "active", _("在库")
    INACTIVE = "inactive", _("停用")


class Craftsman(models.Model):
    """A profile in the talent pool (人才智库). Edits by the craftsman wait in ``pending_changes`` for staff."""

    user = models.OneToOneField(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="craftsman"
    )
    name = models.CharField(_("姓名"), max_length=32)
    phone_cipher = models.TextField(blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    phone = PII("phone", normalise=normalise_mobile)
    occupation = models.CharField(_("职业（工种）"), max_length=40)
    skill_grade = models.CharField(
        _("技能等级"), max_length=8, choices=SkillGrade.choices, default=SkillGrade.NONE
    )
    tags = models.JSONField(_("专长标签"), default=list, blank=True)
    specialties = models.TextField(_("专长描述"), blank=True)
    industries = models.JSONField(_("服务行业（GB/T 4754 小类）"), default=list, blank=True)
    categories = models.JSONField(_("服务需求类别"), default=list, blank=True)
    employer = models.ForeignKey(
        "orgs.Enterprise",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("工作单位"),
    )
    employer_name = models.CharField(_("工作单位名称"), max_length=128, blank=True)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在县区")
    )
    service_radius_km = models.PositiveIntegerField(_("服务半径（公里）"), default=80)
    cross_region = models.BooleanField(_("愿意跨区域服务"), default=False)
    monthly_capacity = models.PositiveSmallIntegerField(_("每月服务能力（项）"), default=3)
    available = models.BooleanField(_("可接单"), default=True)
    innovation_studio = models.CharField(_("创新工作室"), max_length=128, blank=True)
    teams = models.ManyToManyField(ServiceTeam, blank=True, related_name="members", verbose_name=_("服务队"))
    status = models.CharField(
        _("状态"), max_length=10, choices=CraftsmanStatus.choices, default=CraftsmanStatus.ACTIVE
    )
    pending_changes = models.JSONField(_("待审核修改"), default=dict, blank=True)
    pending_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_region_field = "region__code"

    class Meta:
        ordering = ["id"]
        verbose_name = _("劳模工匠")
        verbose_name_plural = _("劳模工匠")
        constraints = [
            models.UniqueConstraint(
                fields=["phone_hash"], condition=~Q(phone_hash=""), name="craftsman_unique_phone"
            )
        ]

    def __str__(self):
        return self.name

    @classmethod
    def scope_owner_q(cls, actor):
        if actor.role == "craftsman" and actor.user_id:
            return Q(user_id=actor.user_id)
        return None


class CraftsmanHonour(models.Model):
    craftsman = models.ForeignKey(Craftsman, on_delete=models.CASCADE, related_name="honours")
    honour = models.CharField(_("荣誉"), max_length=24, choices=Honour.choices)
    level = models.CharField(_("级别"), max_length=12, choices=HonourLevel.choices)
    year = models.PositiveSmallIntegerField(_("获得年份"))

    class Meta:
        ordering = ["-year"]
        verbose_name = _("荣誉")
        verbose_name_plural = _("荣誉")

    def __str__(self):
        return f"{self.get_honour_display()} {self.year}"


class ProblemStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("退回补充")
    REVIEWED = "reviewed", _("已审核待派单")
    DISPATCHED = "dispatched", _("已派单待接单")
    LISTED = "listed", _("揭榜挂帅中")
    ACCEPTED = "accepted", _("已接单")
    IN_SERVICE = "in_service", _("服务中")
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("待企业确认")
    CONFIRMED = "confirmed", _("待评价")
    CLOSED = "closed", _("已办结")
    ARCHIVED = "archived", _("已归档为方案")


OPEN_FOR_DISPATCH = (ProblemStatus.REVIEWED,)
TAKEN = (
    ProblemStatus.ACCEPTED,
    ProblemStatus.IN_SERVICE,
    ProblemStatus.AWAITING_CONFIRMATION,
    ProblemStatus.CONFIRMED,
    ProblemStatus.CLOSED,
    ProblemStatus.ARCHIVED,
)
DONE = (ProblemStatus.CLOSED, ProblemStatus.ARCHIVED)


class Problem(models.Model):
    """An enterprise's problem in the problem database (企业点单, or 问需于企 when staff file it)."""

    enterprise = models.ForeignKey(
        "orgs.Enterprise", on_delete=models.PROTECT, related_name="craft_problems", verbose_name=_("企业")
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在县区")
    )
    category = models.CharField(_("需求类别"), max_length=20, choices=NeedCategory.choices)
    industry = models.CharField(_("行业代码（GB/T 4754）"), max_length=8, blank=True)
    title = models.CharField(_("标题"), max_length=120)
    description = models.TextField(_("问题描述"))
    tags = models.JSONField(_("所需技能标签"), default=list, blank=True)
    # More than one: staff dispatch a team (gonghui.matching.form_teams), one offer per member slot.
    craftsmen_needed = models.PositiveSmallIntegerField(_("所需工匠人数"), default=1)
    urgency = models.PositiveSmallIntegerField(_("紧急程度"), choices=Urgency.choices, default=Urgency.NORMAL)
    online = models.BooleanField(_("线上服务"), default=False)
    wished_from = models.DateField(_("期望开始日期"), null=True, blank=True)
    wished_to = models.DateField(_("期望完成日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=24, choices=ProblemStatus.choices, default=ProblemStatus.SUBMITTED
    )
    filed_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    filed_on_behalf = models.BooleanField(_("工作人员代为登记"), default=False)
    submitted_at = models.DateTimeField(_("提交时间"), db_index=True)
    review_due = models.DateTimeField(_("审核期限"), null=True, blank=True)
    claim_due = models.DateTimeField(_("揭榜截止"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("企业确认时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True, db_index=True)
    craftsman = models.ForeignKey(
        Craftsman,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("服务工匠"),
    )
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    rating_comment = models.TextField(_("评价"), blank=True)
    overdue = models.BooleanField(_("已逾期"), default=False, db_index=True)
    special_session = models.ForeignKey(
        "SpecialSession", null=True, blank=True, on_delete=models.SET_NULL, related_name="problems"
    )

    scope_region_field = "region__code"

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("企业问题")
        verbose_name_plural = _("企业问题")
        indexes = [models.Index(fields=["status", "region"])]

    def __str__(self):
        return self.title

    @classmethod
    def scope_owner_q(cls, actor):
        if actor.role == "enterprise" and actor.enterprise_id:
            return Q(enterprise_id=actor.enterprise_id)
        if actor.role == "craftsman" and actor.user_id:
            offered = Offer.objects.filter(craftsman__user_id=actor.user_id).values("problem_id")
            return Q(status=ProblemStatus.LISTED) | Q(pk__in=offered)
        return None


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("照片")
    DOCUMENT = "document", _("文档")


class Attachment(models.Model):
    """A photo or document of a problem (filed with it) or of a service outcome."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="attachments")
    purpose = models.CharField(max_length=10, default="problem")  # "problem" or "outcome"
    kind = models.CharField(_("类型"), max_length=10, choices=AttachmentKind.choices)
    file = models.FileField(_("文件"), upload_to="craftsmen/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class StatusLog(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="status_log")
    old_status = models.CharField(max_length=24, blank=True)
    new_status = models.CharField(max_length=24)
    actor = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=64)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.old_status}→{self.new_status}"


class OfferKind(models.TextChoices):
    DISPATCHED = "dispatched", _("派单")
    CLAIMED = "claimed", _("揭榜")


class OfferStatus(models.TextChoices):
    PENDING = "pending", _("待接单")
    ACCEPTED = "accepted", _("已接单")
    DECLINED = "declined", _("已拒单")
    EXPIRED = "expired", _("已超时")
    WITHDRAWN = "withdrawn", _("已撤回")


class Offer(models.Model):
    """One craftsman offered one problem (派单) or claiming it (揭榜); at most one accepted offer per problem."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="offers")
    craftsman = models.ForeignKey(Craftsman, on_delete=models.PROTECT, related_name="offers")
    kind = models.CharField(max_length=12, choices=OfferKind.choices, default=OfferKind.DISPATCHED)
    # The member slot of a team problem (0..craftsmen_needed-1); a one-craftsman problem has only slot 0, so
    # "one accepted / one pending offer per slot" is "per problem" there, exactly as before.
    slot = models.PositiveSmallIntegerField(_("团队席位"), default=0)
    status = models.CharField(
        _("状态"), max_length=12, choices=OfferStatus.choices, default=OfferStatus.PENDING
    )
    score = models.FloatField(null=True, blank=True)
    explanation = models.TextField(blank=True)
    offered_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    offered_at = models.DateTimeField()
    due_at = models.DateTimeField(_("接单期限"), null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(_("拒单理由"), max_length=200, blank=True)

    scope_region_field = "problem__region__code"

    class Meta:
        ordering = ["-offered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["problem", "slot"],
                condition=Q(status="accepted"),
                name="craft_offer_one_accepted_per_slot",
            ),
            models.UniqueConstraint(
                fields=["problem", "slot"],
                condition=Q(status="pending"),
                name="craft_offer_one_pending_per_slot",
            ),
        ]

    def __str__(self):
        return f"{self.problem_id}→{self.craftsman_id}"

    @property
    def region_code(self):
        return self.problem.region_id

    @classmethod
    def scope_owner_q(cls, actor):
        if actor.role == "craftsman" and actor.user_id:
            return Q(craftsman__user_id=actor.user_id)
        if actor.role == "enterprise" and actor.enterprise_id:
            return Q(problem__enterprise_id=actor.enterprise_id)
        return None


class IntentAgreement(models.Model):
    """意向书 signed when a listed problem is claimed (揭榜): who, for which team, the scope of work and the
    expected completion date, accepted at a time. One per winning claim (it hangs off the accepted offer)."""

    offer = models.OneToOneField(Offer, on_delete=models.CASCADE, related_name="agreement")
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="agreements")
    signed_by = models.ForeignKey(
        Craftsman, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("签署人")
    )
    team = models.ForeignKey(
        ServiceTeam,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("揭榜团队"),
    )
    scope_of_work = models.TextField(_("服务内容"))
    expected_completion = models.DateField(_("预计完成日期"))
    accepted_at = models.DateTimeField(_("签署时间"))

    scope_region_field = "problem__region__code"

    class Meta:
        ordering = ["-accepted_at", "-id"]
        verbose_name = _("揭榜意向书")
        verbose_name_plural = _("揭榜意向书")
        constraints = [
            models.UniqueConstraint(fields=["problem"], name="craft_one_agreement_per_problem"),
        ]

    def __str__(self):
        return f"{self.problem_id}: {self.signed_by_id}"

    @property
    def region_code(self):
        return self.problem.region_id


class Visit(models.Model):
    """A service visit (on site or online), or a follow-up visit (回访) after closing."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="visits")
    craftsman = models.ForeignKey(Craftsman, null=True, on_delete=models.SET_NULL, related_name="visits")
    date = models.DateField(_("日期"))
    hours = models.DecimalField(_("时长（小时）"), max_digits=5, decimal_places=1)
    online = models.BooleanField(_("线上"), default=False)
    followup = models.BooleanField(_("回访"), default=False)
    note = models.TextField(_("记录"), blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.date} {self.hours}h"


class Outcome(models.Model):
    problem = models.OneToOneField(Problem, on_delete=models.CASCADE, related_name="outcome")
    solved = models.BooleanField(_("问题已解决"))
    workers_trained = models.PositiveIntegerField(_("培训职工（人）"), default=0)
    skill_upgrades = models.PositiveIntegerField(_("技能提升（人）"), default=0)
    efficiency_gain_pct = models.DecimalField(
        _("效率提升（%）"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    yield_before_pct = models.DecimalField(
        _("改进前良率（%）"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    yield_after_pct = models.DecimalField(
        _("改进后良率（%）"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    benefit_yuan = models.PositiveBigIntegerField(_("预计经济效益（元）"), default=0)
    note = models.TextField(_("说明"), blank=True)
    recorded_at = models.DateTimeField()

    def __str__(self):
        return f"outcome of {self.problem_id}"


class SolutionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("退回修改")
    PUBLISHED = "published", _("已发布")


class Solution(models.Model):
    """A reusable solution written up from a closed problem (解决方案库)."""

    problem = models.OneToOneField(
        Problem, null=True, blank=True, on_delete=models.SET_NULL, related_name="solution"
    )
    craftsman = models.ForeignKey(Craftsman, null=True, on_delete=models.SET_NULL, related_name="solutions")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("需求类别"), max_length=20, choices=NeedCategory.choices)
    title = models.CharField(_("标题"), max_length=120)
    symptom = models.TextField(_("问题现象"))
    root_cause = models.TextField(_("原因分析"))
    fix = models.TextField(_("解决办法"))
    results = models.TextField(_("成效"), blank=True)
    industries = models.JSONField(_("适用行业"), default=list, blank=True)
    tags = models.JSONField(_("标签"), default=list, blank=True)
    status = models.CharField(max_length=12, choices=SolutionStatus.choices, default=SolutionStatus.SUBMITTED)
    review_comment = models.TextField(blank=True)
    checked_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    scope_region_field = "region__code"

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("解决方案")
        verbose_name_plural = _("解决方案")

    def __str__(self):
        return self.title

    @classmethod
    def scope_owner_q(cls, actor):
        if not actor.is_authenticated:
            return None
        published = Q(status=SolutionStatus.PUBLISHED)
        if actor.role == "craftsman":
            return published | Q(craftsman__user_id=actor.user_id)
        if actor.role in ("enterprise", "member"):
            return published
        return None


class SpecialSession(models.Model):
    """专场助企服务: a team's service day in a mountain or island county."""

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    team = models.ForeignKey(
        ServiceTeam, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("服务队")
    )
    title = models.CharField(_("名称"), max_length=120)
    date = models.DateField(_("日期"), db_index=True)
    enterprises_served = models.PositiveIntegerField(_("服务企业（家）"), default=0)
    problems_taken = models.PositiveIntegerField(_("承接问题（个）"), default=0)
    workers_trained = models.PositiveIntegerField(_("培训职工（人）"), default=0)
    craftsmen = models.ManyToManyField(
        Craftsman, blank=True, related_name="sessions", verbose_name=_("参与工匠")
    )
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")

    scope_region_field = "region__code"

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("专场服务")
        verbose_name_plural = _("专场服务")

    def __str__(self):
        return self.title

    @classmethod
    def scope_owner_q(cls, actor):
        if actor.role == "craftsman" and actor.user_id:
            return Q(craftsmen__user_id=actor.user_id)
        return None


class WorkdayOverride(models.Model):
    """A date whose working-day status staff set by hand (beyond the chinese-calendar package's data)."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")

    def __str__(self):
        return f"{self.date} {'workday' if self.is_workday else 'holiday'}"


class Notification(models.Model):
    """An in-app notice to one user (the SMS copy goes out after commit)."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="craft_notifications")
    message = models.CharField(max_length=300)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.message

    @classmethod
    def scope_owner_q(cls, actor):
        return Q(user_id=actor.user_id) if actor.user_id else None
