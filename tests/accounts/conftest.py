import pytest

from tests.accounts import sms_capture


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "tests.accounts.sms_capture.CaptureSmsBackend"
    sms_capture.SENT.clear()
    return sms_capture
