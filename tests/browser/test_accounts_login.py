import logging
import re

import pytest

from gonghui.accounts.models import User
from gonghui.core.models import AuditEvent
from tests.factories import staff_user

pytestmark = pytest.mark.django_db(transaction=True)


class SmsLog(logging.Handler):
    """Reads what the default SMS backend (LogSmsBackend) writes to the server log."""

    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())

    def code_for(self, phone):
        for line in reversed(self.lines):
            if line.startswith(f"SMS to {phone}:"):
                return re.search(r"(\d{6})", line.split(":", 1)[1]).group(1)
        raise AssertionError(f"no SMS to {phone} in {self.lines}")


@pytest.fixture
def sms_log():
    handler = SmsLog()
    logger = logging.getLogger("gonghui.sms")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)


def test_login_by_password_then_wrong_password_message(page, live_server):
    user = staff_user("330127", name="淳安工作人员")
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_phone", user.phone)
    page.fill("#id_password", "Wrong@Pass1")
    page.click("[data-test=password-login] button[type=submit]")
    assert "再错4次账号将被锁定15分钟" in page.locator("[data-test=form-errors]").inner_text()
    page.fill("#id_phone", user.phone)
    page.fill("#id_password", "Test@Pass123")
    page.click("[data-test=password-login] button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    assert page.locator(".who").inner_text() == "淳****员 · 工会工作人员"
    assert list(AuditEvent.objects.filter(action="account.login").values_list("result", flat=True)) == [
        "refused",
        "allowed",
    ]


def test_login_by_sms_code_read_from_the_log(phone_page, live_server, sms_log):
    user = staff_user("330127", name="短信用户")
    phone_page.goto(live_server.url + "/accounts/login/")
    phone_page.click("[data-test=to-sms]")
    phone_page.fill("#id_phone", user.phone)
    phone_page.click("[data-test=send-code]")
    assert "验证码已发送" in phone_page.locator(".messages").inner_text()
    phone_page.fill("#id_code", sms_log.code_for(user.phone))
    phone_page.click("[data-test=sms-submit]")
    phone_page.wait_for_url(live_server.url + "/")
    assert phone_page.locator(".who").inner_text() == "短**户 · 工会工作人员"
    assert User.objects.get(pk=user.pk).last_login is not None
