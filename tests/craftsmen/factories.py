"""Factories and helpers for 劳模工匠助企行 tests."""

import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.accounts.models import Role, RoleAssignment
from gonghui.craftsmen.models import Craftsman, CraftsmanHonour, Honour, HonourLevel
from tests.factories import EnterpriseFactory, UserFactory, role_user


class CraftsmanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Craftsman

    name = factory.Sequence(lambda n: f"工匠{n}")
    occupation = "模具工"
    skill_grade = "1"
    tags = factory.LazyFunction(lambda: ["注塑模具"])
    specialties = "注塑模具设计与修模，浇口和顶出机构优化，模流分析"
    industries = factory.LazyFunction(lambda: ["C367"])
    categories = factory.LazyFunction(lambda: ["process_quality"])
    region_id = "330102"
    service_radius_km = 100
    monthly_capacity = 3
    phone = factory.Sequence(lambda n: f"136{n:08d}")


def craftsman_user(**kwargs) -> tuple:
    """A user with the craftsman role and a profile linked to them."""
    user = UserFactory()
    RoleAssignment.objects.create(user=user, role=Role.CRAFTSMAN)
    kwargs.setdefault("name", user.name)
    craftsman = CraftsmanFactory(user=user, **kwargs)
    CraftsmanHonour.objects.create(
        craftsman=craftsman, honour=Honour.ZHEJIANG_CRAFTSMAN, level=HonourLevel.PROVINCIAL, year=2023
    )
    return user, craftsman


def enterprise_contact(region_id="330102", **kwargs):
    enterprise = EnterpriseFactory(region_id=region_id, **kwargs)
    user = role_user(Role.ENTERPRISE, enterprise=enterprise)
    return user, enterprise


def png_upload(name="photo.png") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def pdf_upload(name="report.pdf", size=100) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"0" * size, content_type="application/pdf")


PROBLEM = dict(
    category="process_quality",
    title="注塑件出现飞边和缩痕",
    description="我公司注塑件出现飞边和缩痕，模具温度控制不好，产品尺寸不稳定，希望有经验的师傅上门指导。",
    industry="C367",
    tags=["注塑模具"],
)
