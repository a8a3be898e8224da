import pytest

from gonghui.core.pii import decrypt, lookup_hash
from gonghui.orgs.models import Member
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_personal_data_is_encrypted_at_rest_and_found_by_hash():
    member = MemberFactory(phone="13812345678", id_number="11010519491231002X")
    row = Member.objects.values("phone_cipher", "phone_hash", "id_number_cipher").get(pk=member.pk)
    assert "13812345678" not in row["phone_cipher"]
    assert decrypt(row["phone_cipher"]) == "13812345678"
    assert row["phone_hash"] == lookup_hash("13812345678")
    assert Member.objects.get(phone_hash=Member.phone.hash_of("+86 138 1234 5678")).pk == member.pk
    fresh = Member.objects.get(pk=member.pk)
    assert (fresh.phone, fresh.id_number) == ("13812345678", "11010519491231002X")
    assert str(fresh) == fresh.name[0] + "*" * (len(fresh.name) - 2) + fresh.name[-1]
