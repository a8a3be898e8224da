"""Outdoor-worker service stations (户外劳动者服务站点): the registry, visits, feedback, operations and service days."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.pii import PII
from gonghui.core.validators import normalise_mobile
from gonghui.orgs.models import Occupation


class StationType(models.TextChoices):
    FIXED = "fixed", _("固定站点")
    SMART24 = "smart24", _("24小时智能站点")
    MOBILE = "mobile", _("移动集装箱站点")
    PARTNER = "partner", _("共建站点（银行、商超等）")


class StationStatus(models.TextChoices):
    ACTIVE = "active", _("运行中")
    SUSPENDED = "suspended", _("暂停")
    CLOSED = "closed", _("已关闭")


# The "10+x" kit: ten basics, then extras. Each amenity is one bit of Station.amenity_bits, so a filter for
# "has a microwave and Wi-Fi" is one integer test in the database and in the in-memory finder.
AMENITIES: list[tuple[str, object, bool]] = [
    ("rain_gear", _("雨具"), True),
    ("first_aid", _("应急药箱"), True),
    ("water", _("饮用水"), True),
    ("charging", _("充电插座"), True),
    ("microwave", _("微波炉"), True),
    ("fridge", _("冰箱"), True),
    ("tables", _("桌椅"), True),
    ("heating", _("取暖设备"), True),
    ("tools", _("常用工具"), True),
    ("wifi", _("Wi-Fi"), True),
    ("books", _("报刊书籍"), False),
    ("battery_swap", _("换电柜"), False),
    ("shower", _("淋浴"), False),
    ("aed", _("AED除颤仪"), False),
    ("legal_kiosk", _("法律服务"), False),
    ("psych_kiosk", _("心理服务"), False),
    ("toilet", _("卫生间"), False),
    ("cooling", _("防暑降温"), False),
]
AMENITY_BIT = {key: 1 << i for i, (key, _label, _basic) in enumerate(AMENITIES)}
AMENITY_LABEL = {key: label for key, label, _basic in AMENITIES}
BASIC_KIT = [key for key, _label, basic in AMENITIES if basic]


def amenity_mask(keys) -> int:
    """Bits for amenity keys; an unknown key is a ValueError (callers turn it into a user message)."""
    mask = 0
    for key in keys or ():
        if key not in AMENITY_BIT:
            raise ValueError(key)
        mask |= AMENITY_BIT[key]
    return mask


def amenity_keys(mask: int) -> list[str]:
    return [key for key, bit in AMENITY_BIT.items() if mask & bit]


def new_token() -> str:
    return secrets.token_urlsafe(12)


class Station(models.Model):
    code = models.CharField(_("站点编码"), max_length=32, unique=True)
    name = models.CharField(_("站点名称"), max_length=100)
    station_type = models.CharField(
        _("类型"), max_length=10, choices=StationType.choices, default=StationType.FIXED
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=StationStatus.choices, default=StationStatus.ACTIVE, db_index=True
    )
    host_name = models.CharField(_("依托单位"), max_length=100, blank=True)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在乡镇")
    )
    address = models.CharField(_("地址"), max_length=200)
    # Datum is part of the name: WGS-84 as a browser or GPS gives it (see stations.geo for GCJ-02).
    lng_wgs84 = models.FloatField(_("经度（WGS-84）"))
    lat_wgs84 = models.FloatField(_("纬度（WGS-84）"))
    open_24h = models.BooleanField(_("24小时开放"), default=False)
    amenity_bits = models.BigIntegerField(_("设施"), default=0)
    extras = models.CharField(_("其他服务"), max_length=200, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_stations",
        verbose_name=_("站长"),
    )
    star_level = models.PositiveSmallIntegerField(
        _("星级"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    year_renovated = models.PositiveSmallIntegerField(_("改造提升年份"), null=True, blank=True, db_index=True)
    subsidy_yuan = models.DecimalField(_("补助资金（元）"), max_digits=12, decimal_places=2, default=0)
    door_token = models.CharField(max_length=32, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)  # the finder index watches it

    scope_region_field = "region__code"

    class Meta:
        ordering = ["code"]
        verbose_name = _("服务站点")
        verbose_name_plural = _("服务站点")
        constraints = [
            models.CheckConstraint(
                condition=Q(star_level__gte=1, star_level__lte=5), name="station_star_1_5"
            ),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def scope_owner_q(cls, actor):
        if actor.role == "station_manager" and actor.user_id:
            return Q(manager_id=actor.user_id)
        return None

    @property
    def amenities(self) -> list[str]:
        return amenity_keys(self.amenity_bits)

    @property
    def county_code(self) -> str:
        return self.region_id[:6]


class StationChild(models.Model):
    """A row that belongs to a station and is scoped through it."""

    scope_region_field = "station__region__code"

    class Meta:
        abstract = True

    @classmethod
    def scope_owner_q(cls, actor):
        if actor.role == "station_manager" and actor.user_id:
            return Q(station__manager_id=actor.user_id)
        return None


class OpeningHours(StationChild):
    """One opening span on a weekday (0 = Monday). ``closes`` earlier than ``opens`` runs past midnight."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("星期"), validators=[MaxValueValidator(6)])
    opens = models.TimeField(_("开门"))
    closes = models.TimeField(_("关门"))

    class Meta:
        ordering = ["station", "weekday", "opens"]
        constraints = [models.CheckConstraint(condition=~Q(opens=models.F("closes")), name="hours_not_empty")]

    def __str__(self):
        return f"{type(self).__name__} #{self.pk}"


class HoursOverride(StationChild):
    """Hours for one date (a public holiday, a cold-wave extension): closed, or open for the given span."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="overrides")
    date = models.DateField(_("日期"))
    closed = models.BooleanField(_("闭站"), default=False)
    opens = models.TimeField(_("开门"), null=True, blank=True)
    closes = models.TimeField(_("关门"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        ordering = ["station", "date"]
        constraints = [models.UniqueConstraint(fields=["station", "date"], name="one_override_per_day")]

    def __str__(self):
        return f"{type(self).__name__} #{self.pk}"


def photo_path(instance, filename):
    return f"stations/{instance.station_id}/photos/{new_token()}.{filename.rsplit('.', 1)[-1].lower()}"


def complaint_photo_path(instance, filename):
    return f"stations/complaints/{new_token()}.{filename.rsplit('.', 1)[-1].lower()}"

    def __str__(self):
        return f"{type(self).__name__} #{self.pk}"


class StationPhoto(StationChild):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=photo_path)
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{type(self).__name__} #{self.pk}"


class Visitor(models.Model):
    """A worker known to the stations by phone (and, once linked, by member). Phone kept encrypted."""

    phone_cipher = models.TextField(default="")
    phone_hash = models.CharField(max_length=64, unique=True)
    phone = PII("phone", normalise=normalise_mobile)
    occupation = models.CharField(
        _("职业"), max_length=20, choices=Occupation.choices, default=Occupation.OTHER
    )
    member = models.ForeignKey(
        "orgs.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        from gonghui.core.masking import mask_phone

        return mask_phone(self.phone)


class VisitMethod(models.TextChoices):
    PHONE = "phone", _("手机号")
    MEMBER_CODE = "member_code", _("会员码")
    DEVICE = "device", _("本机记住")
    STAFF = "staff", _("站长登记")


VISIT_INTERVAL_MINUTES = 60


class Visit(StationChild):
    # The composite indexes below lead with station and with visitor, so the FKs need no index of their own.
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="visits", db_index=False)
    visitor = models.ForeignKey(Visitor, on_delete=models.PROTECT, related_name="visits", db_index=False)
    occupation = models.CharField(
        _("职业"), max_length=20, choices=Occupation.choices
    )  # at the time of the visit
    method = models.CharField(_("方式"), max_length=12, choices=VisitMethod.choices)
    visited_at = models.DateTimeField(_("到站时间"), db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["station", "visited_at"]),
            models.Index(fields=["visitor", "station", "visited_at"]),
        ]

    def __str__(self):
        return f"{type(self).__name__} #{self.pk}"


class Rating(StationChild):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="ratings")
    visitor = models.ForeignKey(Visitor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    score = models.PositiveSmallIntegerField(
        _("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField(_("评价"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_1_5")]

    def __str__(self):
        return f"{type(self).__name__} #{self.pk}"


class ComplaintCategory(models.TextChoices):
    LOCKED = "locked", _("开放时间内锁门")
    BROKEN = "broken", _("设备损坏")
    EXPIRED_MEDICINE = "expired_medicine", _("药品过期")
    MISSING_KIT = "missing_kit", _("设施缺失")
    SITING = "siting", _("选址不便")
    OTHER = "other", _("其他")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    IN_PROGRESS = "in_progress", _("处理中")
    ESCALATED = "escalated", _("已上报县总工会")
    RESOLVED = "resolved", _("已解决")


COMPLAINT_DEADLINE_HOURS = 48


class Complaint(StationChild):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="complaints")
    visitor = models.ForeignKey(Visitor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    category = models.CharField(_("问题类型"), max_length=20, choices=ComplaintCategory.choices)
    description = models.TextField(_("问题描述"), max_length=1000)
    photo = models.ImageField(upload_to=complaint_photo_path, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN, db_index=True
    )
    # The worker follows the complaint with this token (no login needed); it is their receipt.
    follow_token = models.CharField(max_length=32, unique=True, default=new_token)
    created_at = models.DateTimeField(_("提交时间"))
    deadline_at = models.DateTimeField(_("处理期限"), db_index=True)
    escalated_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    resolution = models.TextField(_("处理结果"), blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_category_display()} · {self.station}"


class ComplaintNote(models.Model):
    """The conversation on a complaint: the worker's follow-ups and the handlers' replies."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="notes")
    by_worker = models.BooleanField(default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    text = models.TextField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{type(self).__name__} #{self.pk}"


class InspectionKind(models.TextChoices):
    ROUTINE = "routine", _("日常检查")
    MYSTERY = "mystery", _("暗访")


class Inspection(StationChild):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="inspections")
    kind = models.CharField(_("方式"), max_length=10, choices=InspectionKind.choices)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    inspected_on = models.DateField(_("检查日期"))
    open_as_posted = models.BooleanField(_("按公示时间开放"), default=True)
    checklist = models.JSONField(_("设施清单"), default=dict)  # amenity key -> present and working
    notes = models.TextField(_("备注"), blank=True)
    score = models.PositiveSmallIntegerField(_("得分"), default=0)

    class Meta:
        ordering = ["-inspected_on", "-id"]

    def __str__(self):
        return f"{type(self).__name__} #{self.pk}"

    @property
    def missing(self) -> list[str]:
        return [key for key, ok in self.checklist.items() if not ok]


class Consumable(StationChild):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="consumables")
    name = models.CharField(_("物品"), max_length=60)
    quantity = models.PositiveIntegerField(_("数量"), default=0)
    min_quantity = models.PositiveIntegerField(_("最低库存"), default=1)
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)

    class Meta:
        ordering = ["station", "name"]

    def __str__(self):
        return f"{type(self).__name__} #{self.pk}"


class StarReview(StationChild):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="star_reviews")
    reviewed_at = models.DateTimeField()
    old_level = models.PositiveSmallIntegerField()
    new_level = models.PositiveSmallIntegerField()
    average_rating = models.FloatField(null=True)
    inspection_score = models.PositiveSmallIntegerField(null=True)
    overdue_complaints = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=300)
    # The month (its first day) of a scheduled monthly review; empty for a review a staff member asked for.
    # Unique per station, so the monthly job can never review a station twice for the same month.
    period = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-reviewed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "period"],
                condition=Q(period__isnull=False),
                name="star_review_once_a_month",
            )
        ]

    def __str__(self):
        return f"{type(self).__name__} #{self.pk}"


class Relocation(StationChild):
    """A mobile container station's move: dismantled at one site, moved, set up at the next (三天建站、两天搬迁)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="relocations")
    project = models.CharField(_("服务工程"), max_length=100)
    from_address = models.CharField(_("原址"), max_length=200)
    to_address = models.CharField(_("新址"), max_length=200)
    to_region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    to_lng_wgs84 = models.FloatField()
    to_lat_wgs84 = models.FloatField()
    move_started_at = models.DateTimeField(_("开始搬迁"))
    moved_at = models.DateTimeField(_("运抵新址"), null=True, blank=True)
    ready_at = models.DateTimeField(_("建成开放"), null=True, blank=True)

    class Meta:
        ordering = ["-move_started_at"]

    def __str__(self):
        return f"{type(self).__name__} #{self.pk}"

    @property
    def move_hours(self) -> float | None:
        return (self.moved_at - self.move_started_at).total_seconds() / 3600 if self.moved_at else None

    @property
    def setup_hours(self) -> float | None:
        return (
            (self.ready_at - self.moved_at).total_seconds() / 3600
            if self.ready_at and self.moved_at
            else None
        )


class SessionKind(models.TextChoices):
    HAIRCUT = "haircut", _("义务理发")
    CLINIC = "clinic", _("健康义诊")
    TRAFFIC_SAFETY = "traffic_safety", _("交通安全课")
    LEGAL = "legal", _("法律咨询")
    HEAT_RELIEF = "heat_relief", _("防暑降温")
    OTHER = "other", _("其他服务")


class ServiceDay(StationChild):
    """A monthly recurring service day (仙居: the 15th of every month); sessions are generated from it."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="service_days")
    kind = models.CharField(_("服务类型"), max_length=16, choices=SessionKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    day_of_month = models.PositiveSmallIntegerField(
        _("每月几号"), validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    slot_times = models.JSONField(_("时段"), default=list)  # [["09:00", "10:00"], ...]
    capacity_per_slot = models.PositiveIntegerField(_("每时段名额"))
    active = models.BooleanField(default=True)

    def __str__(self):
        return f"{type(self).__name__} #{self.pk}"


class ServiceSession(models.Model):
    """A special service session at a station (or run by a county union at one of its stations)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="sessions")
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+"
    )  # the station's town
    kind = models.CharField(_("服务类型"), max_length=16, choices=SessionKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    date = models.DateField(_("日期"), db_index=True)
    service_day = models.ForeignKey(
        ServiceDay, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    cancelled = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_region_field = "region__code"

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["service_day", "date"], name="one_session_per_service_day_date")
        ]

    def __str__(self):
        return f"{self.title} {self.date}"

    @classmethod
    def scope_owner_q(cls, actor):
        if actor.role == "station_manager" and actor.user_id:
            return Q(station__manager_id=actor.user_id)
        return None


class SessionSlot(models.Model):
    session = models.ForeignKey(ServiceSession, on_delete=models.CASCADE, related_name="slots")
    starts = models.TimeField(_("开始"))
    ends = models.TimeField(_("结束"))
    capacity = models.PositiveIntegerField(_("名额"))

    class Meta:
        ordering = ["session", "starts"]

    def __str__(self):
        return f"{type(self).__name__} #{self.pk}"


class SignUpStatus(models.TextChoices):
    ACTIVE = "active", _("已报名")
    CANCELLED = "cancelled", _("已取消")


class SignUp(models.Model):
    slot = models.ForeignKey(SessionSlot, on_delete=models.CASCADE, related_name="signups")
    visitor = models.ForeignKey(Visitor, on_delete=models.PROTECT, related_name="signups")
    status = models.CharField(max_length=10, choices=SignUpStatus.choices, default=SignUpStatus.ACTIVE)
    token = models.CharField(max_length=32, unique=True, default=new_token)  # the worker's receipt
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "visitor"], condition=Q(status="active"), name="one_active_signup_per_slot"
            )
        ]

    def __str__(self):
        return f"{type(self).__name__} #{self.pk}"


class CheckInResult(models.TextChoices):
    OK = "ok", _("签到成功")
    DUPLICATE = "duplicate", _("重复签到")
    NOT_SIGNED_UP = "not_signed_up", _("未报名")
    WRONG_DAY = "wrong_day", _("不在活动日期")


class CheckIn(models.Model):
    """Every check-in attempt is kept, failed ones with a reason (pretix); beneficiaries count the OK rows."""

    # (session, result) leads with session; slot and by are never searched: fewer indexes on the biggest table.
    session = models.ForeignKey(
        ServiceSession, on_delete=models.CASCADE, related_name="checkins", db_index=False
    )
    slot = models.ForeignKey(
        SessionSlot, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    visitor = models.ForeignKey(Visitor, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(max_length=16, choices=CheckInResult.choices, default=CheckInResult.OK)
    checked_in_at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        indexes = [models.Index(fields=["session", "result"])]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "visitor"], condition=Q(result="ok"), name="one_ok_checkin_per_session"
            )
        ]

    def __str__(self):
        return f"{type(self).__name__} #{self.pk}"
