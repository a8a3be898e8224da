import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.pii import PII
from gonghui.core.validators import normalise_mobile


class OrgLevel(models.TextChoices):
    PROVINCE = "province", _("省总工会")
    CITY = "city", _("市总工会")
    COUNTY = "county", _("县（市、区）总工会")
    TOWN = "town", _("乡镇（街道）工会")
    INDUSTRY = "industry", _("行业（产业）工会")
    GRASSROOTS = "grassroots", _("基层工会")


class Organisation(models.Model):
    """A union organisation bound to a region: its staff see and act on what lies inside that region."""

    code = models.CharField(_("组织代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=128)
    level = models.CharField(_("层级"), max_length=16, choices=OrgLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区划")
    )
    # The county's union for new-employment-form workers that workers without a unionised employer join online.
    is_holding_union = models.BooleanField(_("新就业形态工会（兜底入会）"), default=False)
    enterprise = models.ForeignKey(
        "orgs.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="unions"
    )

    scope_region_field = "region__code"

    class Meta:
        ordering = ["code"]
        verbose_name = _("工会组织")
        verbose_name_plural = _("工会组织")

    def __str__(self):
        return self.name


class Industry(models.TextChoices):
    """GB/T 4754-2017 sections (门类)."""

    A = "A", _("农、林、牧、渔业")
    B = "B", _("采矿业")
    C = "C", _("制造业")
    D = "D", _("电力、热力、燃气及水生产和供应业")
    E = "E", _("建筑业")
    F = "F", _("批发和零售业")
    G = "G", _("交通运输、仓储和邮政业")
    H = "H", _("住宿和餐饮业")
    I = "I", _("信息传输、软件和信息技术服务业")  # noqa: E741
    J = "J", _("金融业")
    K = "K", _("房地产业")
    L = "L", _("租赁和商务服务业")
    M = "M", _("科学研究和技术服务业")
    N = "N", _("水利、环境和公共设施管理业")
    O = "O", _("居民服务、修理和其他服务业")  # noqa: E741
    P = "P", _("教育")
    Q = "Q", _("卫生和社会工作")
    R = "R", _("文化、体育和娱乐业")
    S = "S", _("公共管理、社会保障和社会组织")
    T = "T", _("国际组织")


class Enterprise(models.Model):
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("企业名称"), max_length=128)
    industry = models.CharField(_("行业门类"), max_length=1, choices=Industry.choices)
    industry_division = models.CharField(_("行业大类代码"), max_length=2, blank=True)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区划")
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    employees = models.PositiveIntegerField(_("职工人数"), default=0)
    above_designated_size = models.BooleanField(_("规模以上"), default=False)
    non_public = models.BooleanField(_("非公有制"), default=True)
    unionised = models.BooleanField(_("已建会"), default=False)
    reform_pilot = models.BooleanField(_("产改试点"), default=False)
    platform = models.BooleanField(_("新就业形态平台企业"), default=False)
    group_name = models.CharField(_("所属集团"), max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_region_field = "region__code"

    class Meta:
        ordering = ["credit_code"]
        verbose_name = _("企业")
        verbose_name_plural = _("企业")

    def __str__(self):
        return self.name

    @classmethod
    def scope_owner_q(cls, actor):
        if actor.enterprise_id:
            return models.Q(pk=actor.enterprise_id)
        return None


class Occupation(models.TextChoices):
    DELIVERY_RIDER = "delivery_rider", _("外卖骑手")
    COURIER = "courier", _("快递员")
    RIDE_HAILING = "ride_hailing", _("网约车司机")
    TRUCK_DRIVER = "truck_driver", _("货车司机")
    DOMESTIC = "domestic", _("家政服务员")
    SANITATION = "sanitation", _("环卫工人")
    CONSTRUCTION = "construction", _("建筑工人")
    FRONTLINE = "frontline", _("生产一线职工")
    TECHNICIAN = "technician", _("技术人员")
    OFFICE = "office", _("管理与办公人员")
    TEACHER = "teacher", _("教师")
    MEDICAL = "medical", _("医护人员")
    OTHER = "other", _("其他")


NEW_EMPLOYMENT_FORM = {
    Occupation.DELIVERY_RIDER,
    Occupation.COURIER,
    Occupation.RIDE_HAILING,
    Occupation.TRUCK_DRIVER,
    Occupation.DOMESTIC,
}
OUTDOOR = NEW_EMPLOYMENT_FORM | {Occupation.SANITATION, Occupation.CONSTRUCTION}


class SkillGrade(models.TextChoices):
    NONE = "none", _("无等级")
    GRADE5 = "5", _("初级工")
    GRADE4 = "4", _("中级工")
    GRADE3 = "3", _("高级工")
    GRADE2 = "2", _("技师")
    GRADE1 = "1", _("高级技师")
    SPECIAL = "special", _("特级技师")
    CHIEF = "chief", _("首席技师")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    LEFT = "left", _("已转出/退会")


def new_code_ref() -> str:
    """A random, meaningless reference for the member code (工惠码): it reveals nothing about the person."""
    return secrets.token_hex(8)


class Member(models.Model):
    user = models.OneToOneField(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="member"
    )
    name = models.CharField(_("姓名"), max_length=32)
    id_number_cipher = models.TextField(blank=True, default="")
    id_number_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    phone_cipher = models.TextField(blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    id_number = PII("id_number", normalise=lambda v: (v or "").strip().upper())
    phone = PII("phone", normalise=normalise_mobile)
    gender = models.CharField(_("性别"), max_length=1, choices=[("M", _("男")), ("F", _("女"))], blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    union = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="members", verbose_name=_("所在工会")
    )
    enterprise = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        verbose_name=_("工作单位"),
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区划")
    )
    occupation = models.CharField(
        _("职业"), max_length=20, choices=Occupation.choices, default=Occupation.OTHER
    )
    skill_grade = models.CharField(
        _("技能等级"), max_length=8, choices=SkillGrade.choices, default=SkillGrade.NONE
    )
    join_date = models.DateField(_("入会日期"))
    status = models.CharField(
        _("状态"), max_length=8, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    model_worker = models.BooleanField(_("劳动模范"), default=False)
    code_ref = models.CharField(max_length=16, default=new_code_ref, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_region_field = "region__code"

    class Meta:
        ordering = ["id"]
        verbose_name = _("会员")
        verbose_name_plural = _("会员")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~models.Q(id_number_hash=""),
                name="member_unique_id_number",
            )
        ]

    def __str__(self):
        from gonghui.core.masking import mask_name

        return mask_name(self.name)

    @property
    def new_employment_form(self) -> bool:
        return self.occupation in NEW_EMPLOYMENT_FORM

    @classmethod
    def scope_owner_q(cls, actor):
        if actor.role == "member" and actor.user_id:
            return models.Q(user_id=actor.user_id)
        return None


class JoinStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


class JoinApplication(models.Model):
    """A worker without a unionised employer asks to join through a county's holding union (新就业形态工会)."""

    applicant = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="join_applications")
    union = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="join_applications",
        verbose_name=_("申请加入的工会"),
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区划")
    )
    name = models.CharField(_("姓名"), max_length=32)
    id_number_cipher = models.TextField(default="")
    id_number_hash = models.CharField(max_length=64, db_index=True)
    phone_cipher = models.TextField(default="")
    phone_hash = models.CharField(max_length=64, db_index=True)
    id_number = PII("id_number", normalise=lambda v: (v or "").strip().upper())
    phone = PII("phone", normalise=normalise_mobile)
    occupation = models.CharField(_("职业"), max_length=20, choices=Occupation.choices)
    employer_name = models.CharField(_("工作单位或平台"), max_length=128, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=JoinStatus.choices, default=JoinStatus.PENDING)
    reason = models.CharField(_("审核意见"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_region_field = "region__code"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("入会申请")
        verbose_name_plural = _("入会申请")
        constraints = [
            models.UniqueConstraint(
                fields=["applicant"], condition=models.Q(status="pending"), name="one_pending_join_per_user"
            )
        ]

    def __str__(self):
        from gonghui.core.masking import mask_name

        return f"{mask_name(self.name)} → {self.union}"

    @classmethod
    def scope_owner_q(cls, actor):
        if actor.user_id and not actor.is_staff:
            return models.Q(applicant_id=actor.user_id)
        return None
