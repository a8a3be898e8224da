from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.pii import PII
from gonghui.core.validators import normalise_mobile, validate_mobile


class Role(models.TextChoices):
    SYSADMIN = "sysadmin", _("系统管理员")
    SECADMIN = "secadmin", _("安全管理员")
    AUDITADMIN = "auditadmin", _("审计管理员")
    STAFF = "staff", _("工会工作人员")
    ENTERPRISE = "enterprise", _("企业联系人")
    CRAFTSMAN = "craftsman", _("劳模工匠")
    MEMBER = "member", _("职工会员")
    STATION_MANAGER = "station_manager", _("站点管理员")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, phone, password=None, **extra):
        phone = validate_mobile(phone)
        user = self.model(**extra)
        user.phone = phone
        user.set_password(password) if password else user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, phone, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(phone, password, **extra)

    def get_by_phone(self, phone: str):
        return self.get(phone_hash=User.phone.hash_of(phone))


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with a mainland mobile number; the number is kept encrypted."""

    phone_cipher = models.TextField(default="")
    phone_hash = models.CharField(max_length=64, unique=True)
    phone = PII("phone", normalise=normalise_mobile)
    name = models.CharField(_("姓名"), max_length=32)
    is_active = models.BooleanField(_("启用"), default=True)
    # Django admin access (system administrators only).
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "phone_hash"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        from gonghui.core.masking import mask_name

        return mask_name(self.name)

    def roles(self) -> list["RoleAssignment"]:
        return list(self.role_assignments.filter(active=True).select_related("organisation", "enterprise"))


class RoleAssignment(models.Model):
    """One role held by a user; staff roles are bound to an organisation, enterprise contacts to an enterprise."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="staff_roles"
    )
    enterprise = models.ForeignKey(
        "orgs.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="contact_roles"
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="staff") | models.Q(organisation__isnull=False),
                name="staff_has_organisation",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="enterprise") | models.Q(enterprise__isnull=False),
                name="enterprise_contact_has_enterprise",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.organisation or self.enterprise or ''}".strip()


class SmsCode(models.Model):
    """A 6-digit login code sent by SMS. Only its keyed hash is kept; it is good for one login within 5 minutes."""

    phone_hash = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"sms code {self.pk}"


class MemberCodeScan(models.Model):
    """One check of a member code (工惠码), accepted or refused with a reason; the token id makes a replay visible."""

    token_id = models.CharField(max_length=32, db_index=True)
    member_ref = models.CharField(max_length=32, blank=True)
    checked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    checked_at = models.DateTimeField(default=timezone.now)
    accepted = models.BooleanField(default=False)
    reason = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["-checked_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["token_id"], condition=models.Q(accepted=True), name="member_code_used_once"
            )
        ]

    def __str__(self):
        return f"{self.token_id} {self.reason or 'ok'}"
