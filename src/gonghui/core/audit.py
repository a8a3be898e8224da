"""The audit log: record() for every write, refusal, login and unmask; audited() wraps a service's transaction."""

import hashlib
import json
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone

from gonghui.core.actor import Actor
from gonghui.core.models import AuditEvent, AuditResult

GENESIS = "0" * 64
SECRET_FIELDS = ("password", "cipher", "hash", "token", "secret", "code", "id_number", "phone", "bank")
CHAIN_LOCK_ID = 7_201_033  # any constant: serialises appends to the chain on PostgreSQL


def _mask_changes(changes: dict) -> dict:
    masked = {}
    for key, value in (changes or {}).items():
        if any(s in key.lower() for s in SECRET_FIELDS) and key not in ("credit_code",):
            masked[key] = "***"
        else:
            masked[key] = (
                value if isinstance(value, (str, int, float, bool, type(None), list, dict)) else str(value)
            )
    return masked


def _digest(event: AuditEvent) -> str:
    body = {
        "created_at": event.created_at.isoformat(),
        "actor_user_id": event.actor_user_id,
        "actor_name": event.actor_name,
        "role": event.role,
        "organisation_id": event.organisation_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "client_ip": event.client_ip,
        "result": event.result,
        "changes": event.changes,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def record(
    actor: Actor,
    action: str,
    *,
    target=None,
    result: str = AuditResult.ALLOWED,
    changes: dict | None = None,
    detail: str = "",
    object_type: str = "",
    object_id: str = "",
) -> AuditEvent:
    """Append one event. Call inside the transaction of the write it describes."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_ID])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        if target is not None:
            object_type = object_type or target._meta.label_lower
            object_id = object_id or str(target.pk or "")
        event = AuditEvent(
            created_at=timezone.now(),
            actor_user_id=actor.user_id,
            actor_name=actor.name[:64],
            role=actor.role,
            organisation_id=actor.organisation_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=str(target)[:200] if target is not None else "",
            client_ip=actor.client_ip or "",
            result=result,
            changes=json.loads(json.dumps(_mask_changes(changes or {}), default=str)),
            detail=str(detail)[:2000],
            prev_hash=last or GENESIS,
        )
        event.hash = _digest(event)
        event.save()
    return event


def record_refusal(actor: Actor, action: str, *, target=None, reason: str = "", **kwargs) -> AuditEvent:
    """A refused action leaves no trace but this entry, written in its own transaction."""
    return record(actor, action, target=target, result=AuditResult.REFUSED, detail=reason, **kwargs)


@dataclass
class AuditDraft:
    target: object = None
    changes: dict = field(default_factory=dict)
    detail: str = ""


@contextmanager
def audited(actor: Actor, action: str, *, target=None):
    """One transaction for a service's write and its audit event.

    A refusal raised inside (ValidationError/ServiceError, PermissionDenied, Http404) rolls the write back and
    is recorded as a refused event; then it propagates.
    """
    draft = AuditDraft(target=target)
    try:
        with transaction.atomic():
            yield draft
            record(actor, action, target=draft.target, changes=draft.changes, detail=draft.detail)
    except (ValidationError, PermissionDenied, Http404) as exc:
        reason = (
            "; ".join(exc.messages) if isinstance(exc, ValidationError) else (str(exc) or type(exc).__name__)
        )
        target = getattr(exc, "target", None) or draft.target
        # A row created inside the rolled-back transaction keeps its pk in memory but no longer exists.
        if target is not None and not type(target)._default_manager.filter(pk=target.pk).exists():
            target = None
        record_refusal(actor, action, target=target, reason=reason)
        raise


@dataclass
class ChainReport:
    checked: int
    first_broken_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None and not self.problem


def verify_chain(batch_size: int = 5000) -> ChainReport:
    """Walk the chain in id order; report the first entry whose hash or link does not hold."""
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return ChainReport(checked=checked)
        for event in batch:
            if event.prev_hash != prev:
                return ChainReport(
                    checked,
                    event.pk,
                    f"entry #{event.pk} does not follow the entry before it (deleted or reordered)",
                )
            if _digest(event) != event.hash:
                return ChainReport(checked, event.pk, f"entry #{event.pk} was altered after it was written")
            prev = event.hash
            checked += 1
            last_id = event.pk
