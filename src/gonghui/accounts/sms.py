"""Pluggable SMS sending. The default backend writes each message to the server log."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("gonghui.sms")


class LogSmsBackend:
    def send(self, phone: str, message: str) -> None:
        logger.info("SMS to %s: %s", phone, message)


def sms_backend():
    return import_string(settings.SMS_BACKEND)()


def send_sms(phone: str, message: str) -> None:
    sms_backend().send(phone, message)
