import pytest
from django.utils import translation

from tests.craftsmen.factories import craftsman_user, enterprise_contact
from tests.factories import staff_user


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def chinese_after_each_test(settings):
    """A request in English leaves English active in this thread; later tests expect the source language."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


class World:
    pass


@pytest.fixture
def world(db, actor_of):
    w = World()
    w.staff_user = staff_user("330102")
    w.staff = actor_of(w.staff_user, "staff")
    w.other_staff_user = staff_user("330382")
    w.other_staff = actor_of(w.other_staff_user, "staff")
    w.contact_user, w.enterprise = enterprise_contact("330102")
    w.contact = actor_of(w.contact_user, "enterprise")
    w.craftsman_user, w.craftsman = craftsman_user()
    w.artisan = actor_of(w.craftsman_user, "craftsman")
    w.second_user, w.second = craftsman_user(name="第二工匠", region_id="330110")
    w.second_artisan = actor_of(w.second_user, "craftsman")
    return w
