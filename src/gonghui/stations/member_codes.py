"""The seam for member codes (工惠码). The accounts package owns the codes; stations only ask "whose code is this?".

Accounts (or a test) registers a resolver: ``register_member_code_resolver(fn)`` where ``fn(code: str)`` returns the
``orgs.Member`` the code belongs to, or None when it is unknown or expired. Alternatively the setting
``GONGHUI_MEMBER_CODE_RESOLVER`` names it as a dotted path. With neither, member-code visits are refused with a
message saying the service is not open yet; phone visits keep working.
"""

from django.conf import settings
from django.utils.module_loading import import_string

_resolver = None


def register_member_code_resolver(fn) -> None:
    global _resolver
    _resolver = fn


def member_code_resolver():
    if _resolver is not None:
        return _resolver
    path = getattr(settings, "GONGHUI_MEMBER_CODE_RESOLVER", "")
    return import_string(path) if path else None


def member_codes_available() -> bool:
    return member_code_resolver() is not None


def verify_at_station(code: str, actor):
    """A station manager (or staff) checks the code a worker shows: the accounts package verifies the signature,
    expiry and replay, and records the scan. Returns the Member, or raises with the accounts' reason."""
    from django.core.exceptions import ValidationError

    from gonghui.accounts.services import member_code_reason_text, member_code_verify
    from gonghui.orgs.models import Member

    result = member_code_verify(actor=actor, token=code)
    if not result.valid:
        raise ValidationError({"member_code": [member_code_reason_text(result.reason)]})
    return Member.objects.filter(code_ref=result.member_ref).first()
