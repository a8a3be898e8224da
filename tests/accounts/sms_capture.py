"""An SMS backend for tests: keeps every message in memory."""

import re

SENT: list[tuple[str, str]] = []


class CaptureSmsBackend:
    def send(self, phone: str, message: str) -> None:
        SENT.append((phone, message))


def last_code(phone: str) -> str:
    for to, message in reversed(SENT):
        if to == phone:
            return re.search(r"\d{6}", message).group(0)
    raise AssertionError(f"no SMS to {phone}")
