"""Personal data at rest: encrypted values with a keyed hash beside them for look-up and duplicate checks.

A model declares ``phone = PII("phone")`` over two columns ``phone_cipher`` (Fernet token) and ``phone_hash``
(HMAC-SHA256 of the normalised value). Reading ``obj.phone`` decrypts; assigning encrypts and hashes. Showing a full
value to a person is a separate, audited action (see gonghui.accounts.services.pii_unmask).
"""

import base64
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


@functools.cache
def _keys(secret: str) -> tuple[Fernet, bytes]:
    material = hashlib.sha256(secret.encode()).digest()
    enc_key = hmac.new(material, b"gonghui-encrypt", hashlib.sha256).digest()
    mac_key = hmac.new(material, b"gonghui-lookup", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(enc_key)), mac_key


def encrypt(value: str) -> str:
    if value in (None, ""):
        return ""
    return _keys(settings.FIELD_ENCRYPTION_KEY)[0].encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _keys(settings.FIELD_ENCRYPTION_KEY)[0].decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def lookup_hash(value: str) -> str:
    """Keyed hash for equality look-ups; empty for empty values so blanks never collide as duplicates."""
    if value in (None, ""):
        return ""
    return hmac.new(_keys(settings.FIELD_ENCRYPTION_KEY)[1], value.encode(), hashlib.sha256).hexdigest()


class PII(property):
    """Property over ``<name>_cipher`` and ``<name>_hash`` columns (a property, so model constructors accept it)."""

    def __init__(self, name: str, normalise=None):
        self.name = name
        self.normalise = normalise or (lambda v: (v or "").strip())
        super().__init__(self._get, self._set)

    def _get(self, instance):
        cache = instance.__dict__.setdefault("_pii_plain", {})
        if self.name not in cache:
            cache[self.name] = decrypt(getattr(instance, f"{self.name}_cipher"))
        return cache[self.name]

    def _set(self, instance, value):
        value = self.normalise(value)
        instance.__dict__.setdefault("_pii_plain", {})[self.name] = value
        setattr(instance, f"{self.name}_cipher", encrypt(value))
        setattr(instance, f"{self.name}_hash", lookup_hash(value))

    def hash_of(self, value: str) -> str:
        return lookup_hash(self.normalise(value))
