"""Validators for Chinese identifiers: mainland mobile numbers, resident ID numbers, unified social credit codes."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"

# GB 32100-2015: 18 characters from this alphabet (no I, O, Z, S, V); the last is a check character.
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def normalise_mobile(value: str) -> str:
    value = re.sub(r"[\s-]", "", str(value or ""))
    if value.startswith("+86"):
        value = value[3:]
    return value


def validate_mobile(value: str) -> str:
    value = normalise_mobile(value)
    if not MOBILE_RE.match(value):
        raise ValidationError(_("请输入11位中国大陆手机号码。"), code="invalid_mobile")
    return value


def id_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def validate_id_number(value: str) -> str:
    value = str(value or "").strip().upper()
    if not re.match(r"^\d{17}[\dX]$", value):
        raise ValidationError(_("身份证号码应为18位（最后一位可为X）。"), code="invalid_id_format")
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号码中的出生日期无效。"), code="invalid_id_birthdate") from None
    if id_check_char(value[:17]) != value[17]:
        raise ValidationError(_("身份证号码校验位不正确。"), code="invalid_id_checksum")
    return value


def credit_check_char(first17: str) -> str:
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    value = str(value or "").strip().upper()
    if len(value) != 18 or any(c not in CREDIT_ALPHABET for c in value):
        raise ValidationError(_("统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）。"), code="invalid_credit_format")
    if credit_check_char(value[:17]) != value[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确。"), code="invalid_credit_checksum")
    return value
