"""职工疗休养: bases, routes and departures; programmes with quotas and rules; applications; draws; trip reports.

Capacity and budget are always computed from rows (applications holding a place), never kept in counters.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

DAILY_CAP = Decimal("600")
YEARLY_CAP = Decimal("3000")
MAX_DAYS = 5
MAX_DAYS_PARTNER = 7


class PartnerRegion(models.TextChoices):
    NONE = "", _("省内")
    JILIN = "jilin", _("吉林")
    SICHUAN = "sichuan", _("四川")
    XINJIANG = "xinjiang", _("新疆")


class TargetGroup(models.TextChoices):
    NEW_EMPLOYMENT_FORM = "new_employment_form", _("新就业形态劳动者")
    NON_PUBLIC = "non_public", _("非公企业职工")
    FRONTLINE = "frontline", _("一线及苦脏累险岗位职工")
    MODEL_WORKER = "model_worker", _("劳动模范")
    NEAR_RETIREMENT = "near_retirement", _("临近退休职工")
    GENERAL = "general", _("其他职工")


class Base(models.Model):
    """A certified recuperation base (疗休养基地)."""

    name = models.CharField(_("基地名称"), max_length=128)
    region = models.ForeignKey(
        "regions.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所在县（市、区）"),
    )
    partner_region = models.CharField(
        _("对口地区"), max_length=12, choices=PartnerRegion.choices, blank=True, default=""
    )
    capacity = models.PositiveIntegerField(_("接待能力（人/天）"), default=0)
    certified_on = models.DateField(_("认定日期"))
    review_due = models.DateField(_("复评日期"))
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("疗休养基地")
        verbose_name_plural = _("疗休养基地")

    def __str__(self):
        return self.name


class Route(models.Model):
    """A route: days, theme, destinations and the price per person-day (what union funds pay)."""

    base = models.ForeignKey(
        Base, null=True, blank=True, on_delete=models.PROTECT, related_name="routes", verbose_name=_("基地")
    )
    name = models.CharField(_("线路名称"), max_length=128)
    theme = models.CharField(_("主题"), max_length=64, blank=True)
    days = models.PositiveSmallIntegerField(_("天数"))
    price_per_person_day = models.DecimalField(_("人均每天费用（元）"), max_digits=8, decimal_places=2)
    # The main destination county counts for the figures; partner-region routes leave the province.
    destination = models.ForeignKey(
        "regions.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("主要目的地"),
    )
    via_counties = models.ManyToManyField(
        "regions.Region", blank=True, related_name="+", verbose_name=_("途经县")
    )
    partner_region = models.CharField(
        _("对口地区"), max_length=12, choices=PartnerRegion.choices, blank=True, default=""
    )
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("疗休养线路")
        verbose_name_plural = _("疗休养线路")

    def __str__(self):
        return self.name

    @property
    def price_per_person(self) -> Decimal:
        return self.price_per_person_day * self.days

    @property
    def max_days(self) -> int:
        return MAX_DAYS_PARTNER if self.partner_region else MAX_DAYS


class Departure(models.Model):
    route = models.ForeignKey(
        Route, on_delete=models.PROTECT, related_name="departures", verbose_name=_("线路")
    )
    starts_on = models.DateField(_("出发日期"))
    capacity = models.PositiveIntegerField(_("名额"))

    class Meta:
        ordering = ["starts_on", "id"]
        verbose_name = _("团期")
        verbose_name_plural = _("团期")

    def __str__(self):
        return f"{self.route} {self.starts_on:%Y-%m-%d}"


class ProgrammeState(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    OPEN = "open", _("报名中")
    CLOSED = "closed", _("报名已截止")
    DRAWN = "drawn", _("已抽签")
    FINISHED = "finished", _("已结束")


class Programme(models.Model):
    """A funded recuperation programme with places, a budget, rules and a draw."""

    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("主办工会")
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("覆盖区划")
    )
    name = models.CharField(_("项目名称"), max_length=128)
    year = models.PositiveSmallIntegerField(_("年度"))
    places = models.PositiveIntegerField(_("名额"))
    budget = models.DecimalField(_("预算（元）"), max_digits=14, decimal_places=2)
    subsidy_per_person = models.DecimalField(_("每人补助（元）"), max_digits=10, decimal_places=2)
    routes = models.ManyToManyField(Route, related_name="programmes", verbose_name=_("线路"))
    applications_open_at = models.DateTimeField(_("报名开始"))
    applications_close_at = models.DateTimeField(_("报名截止"))
    confirm_hours = models.PositiveSmallIntegerField(_("确认时限（小时）"), default=48)
    # Eligibility rules.
    target_groups = models.JSONField(_("对象范围"), default=list, blank=True)
    require_good_standing = models.BooleanField(_("须为在册会员"), default=True)
    lookback_years = models.PositiveSmallIntegerField(_("近N年未参加资助疗休养"), default=0)
    daily_cap = models.DecimalField(_("每天上限（元）"), max_digits=8, decimal_places=2, default=DAILY_CAP)
    yearly_cap = models.DecimalField(_("每年上限（元）"), max_digits=10, decimal_places=2, default=YEARLY_CAP)
    max_days = models.PositiveSmallIntegerField(_("天数上限"), default=MAX_DAYS)
    max_days_partner = models.PositiveSmallIntegerField(_("对口地区天数上限"), default=MAX_DAYS_PARTNER)
    state = models.CharField(
        _("状态"), max_length=10, choices=ProgrammeState.choices, default=ProgrammeState.DRAFT
    )
    # The draw's seed: its SHA-256 is published when applications open; the seed itself stays encrypted until the draw.
    seed_commitment = models.CharField(_("种子承诺（SHA-256）"), max_length=64, blank=True)
    seed_cipher = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_region_field = "region__code"

    class Meta:
        ordering = ["-year", "id"]
        verbose_name = _("疗休养项目")
        verbose_name_plural = _("疗休养项目")

    def __str__(self):
        return self.name


class QuotaMethod(models.TextChoices):
    LARGEST_REMAINDER = "largest_remainder", _("按会员数最大余额法分配")
    MANUAL = "manual", _("工作人员录入")


class Quota(models.Model):
    """A unit's share of a programme's places and budget. Leaf quotas are the draw's quota units."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="quotas")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位区划")
    )
    places = models.PositiveIntegerField(_("名额"))
    budget = models.DecimalField(_("预算（元）"), max_digits=14, decimal_places=2)
    method = models.CharField(_("分配方式"), max_length=20, choices=QuotaMethod.choices)
    member_count = models.PositiveIntegerField(_("会员数"), default=0)

    scope_region_field = "region__code"

    class Meta:
        ordering = ["region_id"]
        verbose_name = _("名额分配")
        verbose_name_plural = _("名额分配")
        constraints = [models.UniqueConstraint(fields=["programme", "region"], name="quota_one_per_region")]

    def __str__(self):
        return f"{self.programme} · {self.region}"


class AppState(models.TextChoices):
    SUBMITTED = "submitted", _("已申报")
    ELIGIBLE = "eligible", _("审核通过")
    REFUSED = "refused", _("审核未通过")
    IN_DRAW = "in_draw", _("待抽签")
    SELECTED = "selected", _("已中签（待确认）")
    WAITING = "waiting", _("候补")
    CONFIRMED = "confirmed", _("已确认")
    DECLINED = "declined", _("已放弃")
    LAPSED = "lapsed", _("逾期未确认")
    TRAVELLED = "travelled", _("已出行")
    REVIEWED = "reviewed", _("已评价")
    CANCELLED = "cancelled", _("已取消")


# States that hold one of the unit's places, and those that hold a seat on a departure.
HOLDS_PLACE = (AppState.SELECTED, AppState.CONFIRMED, AppState.TRAVELLED, AppState.REVIEWED)
HOLDS_SEAT = (AppState.CONFIRMED, AppState.TRAVELLED, AppState.REVIEWED)
CANCELLABLE = (
    AppState.SUBMITTED,
    AppState.ELIGIBLE,
    AppState.IN_DRAW,
    AppState.SELECTED,
    AppState.WAITING,
    AppState.CONFIRMED,
)


class Application(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="applications")
    member = models.ForeignKey(
        "orgs.Member", on_delete=models.PROTECT, related_name="recuperation_applications"
    )
    # Copied from the member so that one person is found across units (and across re-registrations).
    id_number_hash = models.CharField(max_length=64, db_index=True)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    quota = models.ForeignKey(
        Quota, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    applied_by_union = models.ForeignKey(
        "orgs.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("代为申报的工会"),
    )
    route_preferences = models.JSONField(_("线路志愿"), default=list)
    target_group = models.CharField(
        _("对象类别"), max_length=24, choices=TargetGroup.choices, default=TargetGroup.GENERAL
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=AppState.choices, default=AppState.SUBMITTED, db_index=True
    )
    refusal_reason = models.CharField(_("未通过原因"), max_length=200, blank=True)
    submitted_at = models.DateTimeField(_("申报时间"))
    checked_at = models.DateTimeField(null=True, blank=True)
    draw_rank = models.PositiveIntegerField(_("抽签名次"), null=True, blank=True)
    selected_at = models.DateTimeField(null=True, blank=True)
    hold_expires_at = models.DateTimeField(_("确认截止"), null=True, blank=True)
    departure = models.ForeignKey(
        Departure,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("团期"),
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cost = models.DecimalField(_("费用（元）"), max_digits=10, decimal_places=2, default=0)
    subsidy = models.DecimalField(_("补助（元）"), max_digits=10, decimal_places=2, default=0)
    days = models.PositiveSmallIntegerField(_("天数"), default=0)
    travelled_on = models.DateField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    comment = models.CharField(_("评价"), max_length=500, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    scope_region_field = "region__code"

    class Meta:
        ordering = ["id"]
        verbose_name = _("疗休养申请")
        verbose_name_plural = _("疗休养申请")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "id_number_hash"],
                condition=~Q(state="cancelled"),
                name="recuperation_one_application_per_person",
            )
        ]
        indexes = [models.Index(fields=["quota", "state", "draw_rank"])]

    def __str__(self):
        return f"#{self.pk} {self.member}"

    @classmethod
    def scope_owner_q(cls, actor):
        if actor.role == "member" and actor.user_id:
            return Q(member__user_id=actor.user_id)
        return None


class Draw(models.Model):
    """The draw record: inputs (units, places, application ids), the revealed seed, and the ranking."""

    programme = models.OneToOneField(Programme, on_delete=models.PROTECT, related_name="draw")
    performed_at = models.DateTimeField(_("抽签时间"))
    performed_by = models.CharField(_("执行人"), max_length=64)
    seed = models.CharField(_("种子"), max_length=128)
    seed_commitment = models.CharField(_("种子承诺"), max_length=64)
    algorithm = models.CharField(_("算法"), max_length=200)
    # {"<quota id>": {"region": code, "places": n, "applications": [ids ascending]}}
    inputs = models.JSONField()
    # {"<quota id>": [application ids in rank order]}
    results = models.JSONField()
    results_digest = models.CharField(max_length=64)
    application_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("抽签记录")
        verbose_name_plural = _("抽签记录")

    def __str__(self):
        return f"{self.programme} · {self.performed_at:%Y-%m-%d}"


class TripReport(models.Model):
    """One trip organised by a grassroots union: an aggregate row (how the province-wide figures add up)."""

    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("组织单位")
    )
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    route = models.ForeignKey(Route, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    destination = models.ForeignKey(
        "regions.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("目的地县（市、区）"),
    )
    partner_region = models.CharField(
        _("对口地区"), max_length=12, choices=PartnerRegion.choices, blank=True, default=""
    )
    target_group = models.CharField(
        _("主要对象"), max_length=24, choices=TargetGroup.choices, default=TargetGroup.GENERAL
    )
    started_on = models.DateField(_("出发日期"))
    days = models.PositiveSmallIntegerField(_("天数"))
    participants = models.PositiveIntegerField(_("人数"))
    spend = models.DecimalField(_("消费金额（元）"), max_digits=14, decimal_places=2)
    reported_at = models.DateTimeField(auto_now_add=True)

    scope_region_field = "region__code"

    class Meta:
        ordering = ["-started_on", "id"]
        verbose_name = _("疗休养活动报告")
        verbose_name_plural = _("疗休养活动报告")
        constraints = [
            models.CheckConstraint(
                condition=Q(participants__gt=0) & Q(days__gt=0), name="trip_report_positive"
            ),
        ]

    def __str__(self):
        return f"{self.organisation} {self.started_on:%Y-%m-%d}"
