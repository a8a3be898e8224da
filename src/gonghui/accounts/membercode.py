"""The member code (工惠码): a short-lived token signed with Ed25519 that anyone holding the public key can check.

Token: ``GH1.<payload>.<signature>`` (base64url, no padding). The payload is compact JSON
``{"r": member code reference, "i": issued-at, "e": expires-at, "n": nonce}``: the reference is random, so the
code says nothing about the person. A code lives 60 seconds (the phone page refreshes it every minute); a checker
allows a little clock skew. ``check_token`` is plain Python (no Django) so that a station's device can verify offline
with the public key and its own memory of seen nonces.
"""

import base64
import json
import secrets
import time
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

PREFIX = "GH1"
TTL_SECONDS = 60
CLOCK_SKEW_SECONDS = 15

# Reasons a code is refused (stable codes; messages for people are in gonghui.accounts.services).
MALFORMED, BAD_SIGNATURE, EXPIRED, NOT_YET_VALID, REPLAYED, UNKNOWN_MEMBER = (
    "malformed",
    "bad_signature",
    "expired",
    "not_yet_valid",
    "replayed",
    "unknown_member",
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def private_key_from_seed(seed: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(seed[:32])


def public_key_bytes(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def issue_token(private_key: Ed25519PrivateKey, member_ref: str, *, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    payload = json.dumps(
        {"r": member_ref, "i": issued, "e": issued + TTL_SECONDS, "n": secrets.token_hex(6)},
        separators=(",", ":"),
    ).encode()
    body = f"{PREFIX}.{_b64(payload)}"
    return f"{body}.{_b64(private_key.sign(body.encode()))}"


@dataclass(frozen=True)
class CheckResult:
    valid: bool
    reason: str = ""
    member_ref: str = ""
    token_id: str = ""
    expires_at: int = 0


def check_token(token: str, public_key: bytes, *, now: float | None = None, seen=None) -> CheckResult:
    """Verify signature, time window and (if ``seen`` is given: a set of token ids already accepted) replay."""
    now = now if now is not None else time.time()
    parts = (token or "").strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        return CheckResult(False, MALFORMED)
    try:
        signature = _unb64(parts[2])
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, f"{parts[0]}.{parts[1]}".encode())
    except (InvalidSignature, ValueError):
        return CheckResult(False, BAD_SIGNATURE)
    try:
        claims = json.loads(_unb64(parts[1]))
        ref, issued, expires, nonce = str(claims["r"]), int(claims["i"]), int(claims["e"]), str(claims["n"])
    except (ValueError, KeyError, TypeError):
        return CheckResult(False, MALFORMED)
    token_id = f"{ref}:{nonce}"[:32]
    if issued > now + CLOCK_SKEW_SECONDS:
        return CheckResult(False, NOT_YET_VALID, ref, token_id, expires)
    if now > expires + CLOCK_SKEW_SECONDS:
        return CheckResult(False, EXPIRED, ref, token_id, expires)
    if seen is not None and token_id in seen:
        return CheckResult(False, REPLAYED, ref, token_id, expires)
    return CheckResult(True, "", ref, token_id, expires)
