"""The navigation menu by role. Each programme adds its entries here."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset  # roles that see it; "*" for everyone, "anonymous" for people not logged in


EVERYONE = frozenset({"*"})
STAFF = frozenset({"staff"})

NAV_ITEMS: list[NavItem] = [
    NavItem(_("首页"), "home", EVERYONE),
    NavItem(_("全省地图"), "regions:map", EVERYONE),
]


def register(label, url_name: str, roles) -> None:
    NAV_ITEMS.append(NavItem(label, url_name, frozenset(roles)))


def items_for(role: str) -> list[dict]:
    visible = []
    for item in NAV_ITEMS:
        if "*" in item.roles or role in item.roles:
            try:
                visible.append({"label": item.label, "url": reverse(item.url_name), "name": item.url_name})
            except NoReverseMatch:
                continue
    return visible
