"""factory_boy factories shared by every package's tests. Identifiers are valid (checksums computed)."""

import random
from datetime import date

import factory

from gonghui.accounts.models import Role, RoleAssignment, User
from gonghui.core import identities
from gonghui.orgs.models import Enterprise, Member, Occupation, Organisation, OrgLevel

_rng = random.Random(7)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"用户{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    password = factory.PostGenerationMethodCall("set_password", "Test@Pass123")

    @factory.post_generation
    def persist(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    code = factory.Sequence(lambda n: f"T{n:06d}")
    name = factory.LazyAttribute(lambda o: f"测试工会{o.code}")
    level = OrgLevel.COUNTY
    region_id = "330102"


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    credit_code = factory.LazyAttribute(lambda o: identities.credit_code(_rng, o.region_id[:6]))
    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    industry = "C"
    industry_division = "34"
    region_id = "330102"
    employees = 100
    unionised = True


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"会员{n}")
    union = factory.SubFactory(OrganisationFactory)
    region_id = "330102"
    occupation = Occupation.COURIER
    join_date = date(2024, 1, 1)
    id_number = factory.LazyAttribute(lambda o: identities.id_number(_rng, o.region_id[:6]))
    phone = factory.Sequence(lambda n: f"137{n:08d}")


def staff_user(region_code: str, *, level=OrgLevel.COUNTY, name=None) -> User:
    """A staff user bound to a new organisation in ``region_code``."""
    org = OrganisationFactory(region_id=region_code, level=level)
    user = UserFactory(name=name or f"工作人员{region_code}")
    RoleAssignment.objects.create(user=user, role=Role.STAFF, organisation=org)
    return user


def role_user(role: str, **kwargs) -> User:
    user = UserFactory()
    RoleAssignment.objects.create(user=user, role=role, **kwargs)
    return user
