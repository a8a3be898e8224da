from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditResult(models.TextChoices):
    ALLOWED = "allowed", _("允许")
    REFUSED = "refused", _("拒绝")


class AuditEvent(models.Model):
    """One append-only, hash-chained audit entry: who did what to which object, when, from where, and the result.

    ``hash`` covers every other column and the previous entry's hash, so altering or deleting a row breaks the
    chain at that row (``gonghui audit verify``).
    """

    created_at = models.DateTimeField(_("时间"), db_index=True)
    actor_user_id = models.BigIntegerField(_("操作人ID"), null=True, blank=True, db_index=True)
    actor_name = models.CharField(_("操作人"), max_length=64, blank=True)
    role = models.CharField(_("角色"), max_length=20, blank=True)
    organisation_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True, db_index=True)
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    client_ip = models.CharField(_("客户端地址"), max_length=64, blank=True)
    result = models.CharField(_("结果"), max_length=8, choices=AuditResult.choices)
    changes = models.JSONField(_("变更字段"), default=dict, blank=True)
    detail = models.TextField(_("说明"), blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")

    def __str__(self):
        return f"#{self.pk} {self.action} {self.result}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit events are append-only")
