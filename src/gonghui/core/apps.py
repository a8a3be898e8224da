from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gonghui.core"
    label = "core"
    verbose_name = _("核心")

    def ready(self):
        from django.contrib.admin.models import LogEntry
        from django.db.models.signals import post_save

        # Writes through the Django admin (system settings) go on the audit chain like every other write.
        post_save.connect(
            _audit_admin_change, sender=LogEntry, dispatch_uid="gonghui.core.audit_admin_change"
        )


def _audit_admin_change(sender, instance, created, **kwargs):
    if not created:
        return
    from gonghui.core.actor import Actor
    from gonghui.core.audit import record

    verb = {1: "add", 2: "change", 3: "delete"}.get(instance.action_flag, "change")
    actor = Actor(role="sysadmin", user_id=instance.user_id, name=str(instance.user.name)[:64])
    record(
        actor,
        f"admin.{verb}",
        object_type=instance.content_type.model_class()._meta.label_lower if instance.content_type else "",
        object_id=str(instance.object_id or ""),
        detail=f"{instance.object_repr} {instance.get_change_message()}"[:2000],
    )
