import pytest
from django.core.exceptions import ValidationError

from gonghui.core.masking import mask_id_number, mask_name, mask_phone
from gonghui.core.validators import validate_credit_code, validate_id_number, validate_mobile


@pytest.mark.parametrize("raw,expected", [("13812345678", "13812345678"), ("+86 138-1234-5678", "13812345678")])
def test_mobile_accepts_mainland_numbers(raw, expected):
    assert validate_mobile(raw) == expected


@pytest.mark.parametrize("raw", ["", "12812345678", "1381234567", "138123456789", "abc"])
def test_mobile_rejects(raw):
    with pytest.raises(ValidationError) as exc:
        validate_mobile(raw)
    assert exc.value.code == "invalid_mobile"


def test_id_number_checksum():
    # GB 11643 example: 11010519491231002X is valid.
    assert validate_id_number("11010519491231002x") == "11010519491231002X"
    with pytest.raises(ValidationError) as exc:
        validate_id_number("110105194912310021")
    assert exc.value.code == "invalid_id_checksum"
    with pytest.raises(ValidationError) as exc:
        validate_id_number("110105194913310020")
    assert exc.value.code == "invalid_id_birthdate"


def test_credit_code_checksum():
    code = "91330106MA2GL2LQ9P"
    from gonghui.core.validators import credit_check_char

    good = code[:17] + credit_check_char(code[:17])
    assert validate_credit_code(good) == good
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(bad)
    assert exc.value.code == "invalid_credit_checksum"
    with pytest.raises(ValidationError) as exc:
        validate_credit_code("91330106MA2GL2LQ9")
    assert exc.value.code == "invalid_credit_format"


def test_masks():
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳明月") == "欧**月"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("330102199001011234") == "330102********1234"
