import pytest

from gonghui.core.actor import Actor, actor_for_user


@pytest.fixture
def actor_of():
    """The actor for a user in one of their roles: ``actor_of(user, "staff")``."""

    def make(user, role=None):
        return actor_for_user(user, role=role, client_ip="127.0.0.1")

    return make


@pytest.fixture
def system_actor():
    return Actor.system()
