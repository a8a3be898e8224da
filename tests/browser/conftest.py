"""Browser tests: Playwright for Python driving Debian's Chromium (no browser download).

Every page a test opens is watched: a request to any host other than the test server fails the test.
"""

import os
import shutil
from urllib.parse import urlparse

import pytest

CHROMIUM = os.environ.get("GONGHUI_CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("GONGHUI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM} and GONGHUI_REQUIRE_BROWSER=1")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


class OutsideRequests(list):
    def check(self):
        assert list(self) == [], f"pages requested outside hosts: {list(self)}"


def _new_page(browser, live_server, viewport, locale="zh-CN"):
    context = browser.new_context(viewport=viewport, locale=locale)
    outside = OutsideRequests()
    allowed = urlparse(live_server.url).netloc

    def watch(request):
        parsed = urlparse(request.url)
        if parsed.scheme in ("http", "https", "ws", "wss") and parsed.netloc != allowed:
            outside.append(request.url)

    context.on("request", watch)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.outside_requests = outside
    return context, page


@pytest.fixture
def page(browser, live_server):
    context, page = _new_page(browser, live_server, {"width": 1280, "height": 900})
    yield page
    context.close()
    page.outside_requests.check()


@pytest.fixture
def phone_page(browser, live_server):
    context, page = _new_page(browser, live_server, PHONE)
    yield page
    context.close()
    page.outside_requests.check()


@pytest.fixture
def login_as(live_server):
    """Log a page in as ``user`` in one of their roles without the login form (which has its own tests)."""
    from django.conf import settings
    from django.test import Client

    from gonghui.core.middleware import ACTIVE_ROLE_SESSION_KEY

    def login(page, user, role=None):
        client = Client()
        client.force_login(user)
        if role is not None:
            session = client.session
            session[ACTIVE_ROLE_SESSION_KEY] = user.role_assignments.get(role=role, active=True).pk
            session.save()
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
              "url": live_server.url}]
        )
        return page

    return login
